"""Bulk import (``yixian import``, ``importFiles``) and the generator of files to import."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from core.audit.models import AuditEvent
from core.demo.generate import fake_id_number, generate
from core.importing import id_number_problem
from core.people.models import Person
from core.units.models import Unit, UnitTree

IMPORT = """
mutation($files: [Upload!]!, $source: String!) {
  importFiles(files: $files, source: $source) {
    files { name kind sha256 rows }
    tables { kind created updated }
    auditSeq errorCount
    errors { code field message }
  }
}"""


@pytest.fixture
def small(tmp_path) -> Path:
    folder = tmp_path / "small"
    generate("small", 5, folder)
    return folder


@pytest.fixture
def cli(yixian_database_url, yixian_default_registry, monkeypatch):
    """``result = await cli("import", DIR)``: the real command line on the test's database."""
    monkeypatch.setattr("yixian.cli._registry", lambda *_a, **_k: yixian_default_registry)

    async def invoke(*args: str):
        from yixian.cli import app

        env = {"YIXIAN_DATABASE_URL": yixian_database_url, "COLUMNS": "200"}
        return await asyncio.to_thread(CliRunner().invoke, app, list(args), env=env)

    return invoke


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_the_generator_is_deterministic(tmp_path):
    """The same seed writes byte-identical files; another seed other ones; ID numbers pass
    the GB 11643 check and every unit's parent comes before it."""
    counts = generate("small", 3, tmp_path / "a")
    generate("small", 3, tmp_path / "b")
    generate("small", 4, tmp_path / "c")
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == [
        "metrics.csv",
        "observations.csv",
        "people.csv",
        "postings.csv",
        "units.csv",
    ]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / "people.csv").read_bytes() != (
        tmp_path / "c" / "people.csv"
    ).read_bytes()
    assert 90 <= counts["units"] <= 130
    people = read_csv(tmp_path / "a" / "people.csv")
    assert all(id_number_problem(p["id_number"]) is None for p in people)
    assert all(p["phone"].startswith("199") for p in people)
    seen: set[str] = set()
    for unit in read_csv(tmp_path / "a" / "units.csv"):
        assert not unit["parent_code"] or unit["parent_code"] in seen
        seen.add(unit["code"])


async def test_small_scale_imports_through_the_cli_and_is_queryable(
    cli, small, client, sessionmaker
):
    result = await cli("import", str(small), "--source", "hr-system")
    assert result.exit_code == 0, result.output
    assert "rows/s" in result.output
    units = read_csv(small / "units.csv")
    people = read_csv(small / "people.csv")
    observations = read_csv(small / "observations.csv")
    answer = await client.execute(
        """{ units(first: 0) { totalCount } people(first: 0) { totalCount }
             postings(first: 0) { totalCount }
             unit(code: "330302") { kind depth ancestors { code } children { code } }
             series: metricSeries(metric: "core.households_visited", underUnit: "330302") {
               value count } }"""
    )
    assert answer.errors is None, answer.errors
    data = answer.data
    assert data["units"]["totalCount"] == len(units)
    assert data["people"]["totalCount"] == len(people)
    assert data["postings"]["totalCount"] == len(read_csv(small / "postings.csv"))
    assert data["unit"]["kind"] == "DISTRICT" and data["unit"]["depth"] == 2
    assert [a["code"] for a in data["unit"]["ancestors"]] == ["330000", "330300"]
    assert {c["code"] for c in data["unit"]["children"]} == {
        u["code"] for u in units if u["parent_code"] == "330302"
    }
    visits = [
        float(o["value"])
        for o in observations
        if o["metric_code"] == "core.households_visited" and o["unit_code"].startswith("330302")
    ]
    assert data["series"] == [{"value": sum(visits), "count": len(visits)}]
    async with sessionmaker() as session:
        # the closure holds every (ancestor, descendant) pair: depth + 1 rows per unit
        depths = (await session.execute(select(func.sum(Unit.depth + 1)))).scalar()
        assert (
            await session.execute(select(func.count()).select_from(UnitTree))
        ).scalar() == depths
        events = (
            (await session.execute(select(AuditEvent).where(AuditEvent.kind == "IMPORT")))
            .scalars()
            .all()
        )
    assert len(events) == 1
    event = events[0]
    assert event.actor.startswith("cli:") and event.channel == "cli"
    assert event.row_count == sum(f["rows"] for f in event.variables["files"])
    digests = {f["file"]: f["sha256"] for f in event.variables["files"]}
    assert digests == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in small.iterdir()}
    assert event.variables["source"] == "hr-system"
    assert event.changes["units"] == {"created": len(units), "updated": 0}


async def test_importing_again_updates_instead_of_duplicating(cli, small, client, sessionmaker):
    assert (await cli("import", str(small))).exit_code == 0
    people = read_csv(small / "people.csv")
    people[0]["name"] = "改了名"
    write_csv(small / "people.csv", people)
    units = read_csv(small / "units.csv")
    village = next(u for u in units if u["kind"] == "VILLAGE" and u["parent_code"] != "330303101")
    other_town = next(
        u["code"] for u in units if u["kind"] == "TOWN" and u["code"] != village["parent_code"]
    )
    village["parent_code"] = other_town  # moved, with its grids
    village["name"] = "新名村"
    write_csv(small / "units.csv", units)
    result = await cli("import", str(small))
    assert result.exit_code == 0, result.output
    answer = await client.execute(
        """query($code: String!) { units(first: 0) { totalCount } people(first: 0) { totalCount }
             observations(first: 0) { totalCount }
             unit(code: $code) { name parent { code } depth children { code depth } } }""",
        code=village["code"],
    )
    data = answer.data
    assert data["units"]["totalCount"] == len(units)
    assert data["people"]["totalCount"] == len(people)
    assert data["observations"]["totalCount"] == len(read_csv(small / "observations.csv"))
    assert data["unit"]["name"] == "新名村"
    assert data["unit"]["parent"]["code"] == other_town
    grids = [g for g in data["unit"]["children"]]
    assert grids and all(g["depth"] == data["unit"]["depth"] + 1 for g in grids)
    under = await client.execute(
        """query($town: String!) { units(filter: {underUnit: $town}, first: 0) { totalCount } }""",
        town=other_town,
    )
    below_before = sum(1 for u in units if u["parent_code"] == other_town)
    assert under.data["units"]["totalCount"] > 1 + below_before  # the moved grids count too
    async with sessionmaker() as session:
        renamed = (
            await session.execute(
                select(Person.name).where(Person.external_id == people[0]["external_id"])
            )
        ).scalar_one()
        events = (
            (
                await session.execute(
                    select(AuditEvent).where(AuditEvent.kind == "IMPORT").order_by(AuditEvent.seq)
                )
            )
            .scalars()
            .all()
        )
    assert renamed == "改了名"
    assert events[1].changes["people"] == {"created": 0, "updated": len(people)}


def bad_files(folder: Path) -> dict[tuple[str, str, str], str]:
    """Files with one bad row of each kind; returns (file, line, column) → expected code."""
    write_csv(
        folder / "units.csv",
        [
            {
                "external_id": "u1",
                "code": "330000",
                "name": "浙江省",
                "kind": "PROVINCE",
                "parent_code": "",
            },
            {
                "external_id": "u2",
                "code": "330300",
                "name": "温州市",
                "kind": "CITY",
                "parent_code": "330000",
            },
            {
                "external_id": "u3",
                "code": "330302",
                "name": "鹿城区",
                "kind": "DISTRICT",
                "parent_code": "339999",
            },
            {
                "external_id": "u4",
                "code": "330300",
                "name": "重复",
                "kind": "CITY",
                "parent_code": "330000",
            },
            {
                "external_id": "u5",
                "code": "330304",
                "name": "瓯海区",
                "kind": "COUNTY",
                "parent_code": "330300",
            },
            {"external_id": "u6", "code": "A", "name": "甲", "kind": "OTHER", "parent_code": "B"},
            {"external_id": "u7", "code": "B", "name": "乙", "kind": "OTHER", "parent_code": "A"},
        ],
    )
    good_id = fake_id_number("330300", date(1980, 1, 1), 9, True)
    assert id_number_problem(good_id) is None
    wrong_id = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")
    write_csv(
        folder / "people.csv",
        [
            {"external_id": "p1", "name": "张三", "id_number": good_id, "home_unit_code": "330300"},
            {
                "external_id": "p2",
                "name": "李四",
                "id_number": wrong_id,
                "home_unit_code": "330300",
            },
            {"external_id": "p1", "name": "王五", "id_number": "", "home_unit_code": "330300"},
        ],
    )
    write_csv(
        folder / "postings.csv",
        [
            {
                "external_id": "s1",
                "person_external_id": "p1",
                "host_unit_code": "330300",
                "role": "GUIDE",
                "start_date": "2024-02-30",
                "end_date": "",
            },
            {
                "external_id": "s2",
                "person_external_id": "nobody",
                "host_unit_code": "330300",
                "role": "GUIDE",
                "start_date": "2024-02-01",
                "end_date": "",
            },
        ],
    )
    write_csv(
        folder / "observations.csv",
        [
            {
                "external_id": "o1",
                "metric_code": "core.nope",
                "unit_code": "330300",
                "period_start": "2024-01-01",
                "value": "1",
            },
            {
                "external_id": "o2",
                "metric_code": "lucheng.four_visits.households_visited",
                "unit_code": "330300",
                "period_start": "2024-01-01",
                "value": "1.5",
            },
        ],
    )
    return {
        ("units.csv", "4", "parent_code"): "NOT_FOUND",
        ("units.csv", "5", "code"): "DUPLICATE",
        ("units.csv", "6", "kind"): "INVALID",
        ("units.csv", "7", "parent_code"): "CYCLE",
        ("units.csv", "8", "parent_code"): "CYCLE",
        ("people.csv", "3", "id_number"): "INVALID",
        ("people.csv", "4", "external_id"): "DUPLICATE",
        ("postings.csv", "2", "start_date"): "INVALID",
        ("postings.csv", "3", "person_external_id"): "NOT_FOUND",
        ("observations.csv", "2", "metric_code"): "UNKNOWN_METRIC",
        ("observations.csv", "3", "value"): "INVALID_VALUE",
    }


async def test_each_bad_row_is_reported_and_nothing_is_written(cli, tmp_path, sessionmaker):
    folder = tmp_path / "bad"
    folder.mkdir()
    expected = bad_files(folder)
    errors = tmp_path / "errors.csv"
    result = await cli("import", str(folder), "--errors", str(errors))
    assert result.exit_code == 1
    assert "Nothing was imported" in result.output and "nothing was written" in result.output
    found = {(r["file"], r["line"], r["column"]): r["code"] for r in read_csv(errors)}
    assert found == expected
    messages = " ".join(r["message"] for r in read_csv(errors))
    assert "unknown parent '339999'" in messages and "check digit" in messages
    assert "COUNTY" in messages and "2024-02-30" in messages
    async with sessionmaker() as session:
        for model in (Unit, Person, AuditEvent):
            assert (await session.execute(select(func.count()).select_from(model))).scalar() == 0


async def upload(client, files: dict[str, bytes], source: str = "upload"):
    operations = {
        "query": IMPORT,
        "variables": {"files": [None] * len(files), "source": source},
    }
    mapping = {str(i): [f"variables.files.{i}"] for i in range(len(files))}
    response = await client.http.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps(mapping)},
        files=[(str(i), (name, content)) for i, (name, content) in enumerate(files.items())],
        headers=client.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["importFiles"]


def people_xlsx(rows: list[dict[str, str]]) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append([int(v) if k == "birth_year" else v for k, v in row.items()])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_the_mutation_imports_uploaded_csv_and_xlsx(client, small, sessionmaker):
    people = read_csv(small / "people.csv")
    files = {
        "units.csv": (small / "units.csv").read_bytes(),
        "people.xlsx": people_xlsx(people),
        "postings.csv": (small / "postings.csv").read_bytes(),
    }
    payload = await upload(client, files)
    assert payload["errors"] == [] and payload["errorCount"] == 0
    assert {t["kind"]: t["created"] for t in payload["tables"]} == {
        "units": len(read_csv(small / "units.csv")),
        "people": len(people),
        "postings": len(read_csv(small / "postings.csv")),
    }
    assert {f["name"]: f["sha256"] for f in payload["files"]} == {
        name: hashlib.sha256(content).hexdigest() for name, content in files.items()
    }
    answer = await client.execute("{ people(first: 0) { totalCount } }")
    assert answer.data["people"]["totalCount"] == len(people)
    again = await upload(client, files)
    assert {t["kind"]: t["updated"] for t in again["tables"]}["people"] == len(people)
    async with sessionmaker() as session:
        event = (
            await session.execute(select(AuditEvent).where(AuditEvent.seq == payload["auditSeq"]))
        ).scalar_one()
    assert event.kind == "IMPORT" and event.channel == "graphql"
    assert {f["file"] for f in event.variables["files"]} == set(files)


async def test_the_mutation_answers_bad_rows_with_typed_errors(client, tmp_path, sessionmaker):
    bad_files(tmp_path)
    payload = await upload(client, {"units.csv": (tmp_path / "units.csv").read_bytes()})
    assert payload["tables"] is None and payload["auditSeq"] is None
    assert {"code": "NOT_FOUND", "field": "units.csv:4:parent_code"} in [
        {"code": e["code"], "field": e["field"]} for e in payload["errors"]
    ]
    assert payload["errorCount"] == len(payload["errors"]) == 5
    wrong = await upload(client, {"staff.csv": b"a,b\n1,2\n"})
    assert [(e["code"], e["field"]) for e in wrong["errors"]] == [("INVALID", "files.0")]
    async with sessionmaker() as session:
        assert (await session.execute(select(func.count()).select_from(Unit))).scalar() == 0


async def test_a_non_admin_is_refused_by_the_mutation(
    client, yixian_client_as, small, sessionmaker
):
    await upload(client, {"units.csv": (small / "units.csv").read_bytes()}, source="first")
    operator = await yixian_client_as("OPERATOR", unit="330302")
    payload = await upload(
        operator, {"units.csv": (small / "units.csv").read_bytes()}, source="second"
    )
    assert [e["code"] for e in payload["errors"]] == ["PERMISSION_DENIED"]
    async with sessionmaker() as session:
        sources = set((await session.execute(select(Unit.import_source))).scalars())
        refused = (
            (
                await session.execute(
                    select(AuditEvent.name).where(AuditEvent.kind == "MUTATION_REFUSED")
                )
            )
            .scalars()
            .all()
        )
    assert sources == {"first"}
    assert refused == ["importFiles"]
