"""Saved queries: versions, validation, three channels with one result, scope, exports."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

from tests.factories import create_person, create_tree, start_posting

SAVE = """
mutation($input: SaveQueryInput!) {
  saveQuery(input: $input) {
    query { name version title documentHash variables { name kind required defaultValue } }
    errors { code field message }
  }
}"""

RUN = """
mutation($name: String!, $version: Int, $variables: JSON) {
  runSavedQuery(name: $name, version: $version, variables: $variables) {
    run { name version data rowCount digest auditSeq }
    errors { code field message }
  }
}"""

PEOPLE = """query People($underUnit: String!, $status: PostingStatus = ACTIVE) {
  people(filter: {underUnit: $underUnit}, first: 50) {
    edges { node { name homeUnit { code name } postings(status: $status) { hostUnit { code } } } }
  }
}"""


async def arrange(client):
    await create_tree(client)
    a = await create_person(client, name="郑国峰", homeUnitCode="330302101")
    await create_person(client, name="胡彩芬", homeUnitCode="330302101001")
    await create_person(client, name="瓯海人", homeUnitCode="330304101")
    await start_posting(client, personId=a["id"], hostUnitCode="330302101001")
    await start_posting(client, personId=a["id"], hostUnitCode="330302101002", role="GUIDE")
    saved = await client.execute(
        SAVE,
        input={
            "name": "people-under",
            "title": "人员名单 People under a unit",
            "document": PEOPLE,
            "tags": ["people"],
            "roles": ["AUDITOR", "ADMIN"],
            "variables": [{"name": "underUnit", "description": "区划代码"}],
            "shared": True,  # an admin's query: auditors read it only when shared
        },
    )
    assert saved.data["saveQuery"]["errors"] == []
    return saved.data["saveQuery"]["query"]


async def test_saving_describes_the_variables(client):
    query = await arrange(client)
    assert query["version"] == 1
    assert query["variables"] == [
        {"name": "underUnit", "kind": "UNIT_CODE", "required": True, "defaultValue": None},
        {"name": "status", "kind": "ENUM", "required": False, "defaultValue": "ACTIVE"},
    ]


async def test_an_invalid_document_is_refused_with_the_graphql_errors(client):
    result = await client.execute(
        SAVE, input={"name": "broken", "title": "x", "document": "{ units { nope } peeple { x } }"}
    )
    errors = result.data["saveQuery"]["errors"]
    assert {e["code"] for e in errors} == {"INVALID_DOCUMENT"}
    assert any("nope" in e["message"] for e in errors)
    assert any("peeple" in e["message"] for e in errors)
    mutation = await client.execute(
        SAVE,
        input={
            "name": "sneaky",
            "title": "x",
            "document": 'mutation { createUnit(input: {code: "x", name: "x", kind: OTHER}) '
            "{ errors { code } } }",
        },
    )
    assert mutation.data["saveQuery"]["errors"][0]["code"] == "INVALID_DOCUMENT"


async def test_editing_adds_a_version_and_old_versions_stay_runnable(client):
    await arrange(client)
    edited = await client.execute(
        SAVE,
        input={
            "name": "people-under",
            "title": "人员名单 v2",
            "roles": ["AUDITOR", "ADMIN"],
            "document": PEOPLE.replace("homeUnit { code name }", "homeUnit { code }"),
        },
    )
    assert edited.data["saveQuery"]["query"]["version"] == 2
    old = await client.execute(
        RUN, name="people-under", version=1, variables={"underUnit": "330302"}
    )
    new = await client.execute(RUN, name="people-under", variables={"underUnit": "330302"})
    assert old.data["runSavedQuery"]["run"]["version"] == 1
    assert new.data["runSavedQuery"]["run"]["version"] == 2
    node = old.data["runSavedQuery"]["run"]["data"]["people"]["edges"][0]["node"]
    assert "name" in node["homeUnit"]
    listed = await client.execute('{ savedQuery(name: "people-under") { versions { version } } }')
    assert listed.data["savedQuery"]["versions"] == [{"version": 1}, {"version": 2}]


async def test_three_channels_give_one_result(client, yixian_client_as, tmp_path):
    """GraphQL, HTTP and the command line: the same data and the same digest, as the auditor."""
    await arrange(client)
    auditor = await yixian_client_as("AUDITOR", unit="330302")
    # GraphQL
    run = await auditor.execute(RUN, name="people-under", variables={"underUnit": "330302"})
    graphql = run.data["runSavedQuery"]["run"]
    # HTTP
    response = await auditor.http.get(
        "/queries/people-under.json", params={"underUnit": "330302"}, headers=auditor.headers
    )
    assert response.status_code == 200
    # CLI
    token = auditor.headers["Authorization"].split()[1]
    out = tmp_path / "out.json"
    env = {
        "YIXIAN_DATABASE_URL": str(client.app.state.settings.database_url),
        "YIXIAN_TOKEN": token,
        "PATH": str(Path(sys.executable).parent),
    }
    cli = subprocess.run(
        [
            str(Path(sys.executable).parent / "yixian"),
            "query",
            "run",
            "people-under",
            "--var",
            "underUnit=330302",
            "--format",
            "json",
            "--out",
            str(out),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == 0, cli.stderr
    # then
    assert response.json()["data"] == graphql["data"] == json.loads(out.read_text())["data"]
    assert response.headers["X-Result-Digest"] == graphql["digest"]
    assert graphql["digest"] in cli.stderr
    names = [e["node"]["name"] for e in graphql["data"]["people"]["edges"]]
    assert names == ["胡彩芬", "郑国峰"]  # 瓯海人 is outside the auditor's scope
    events = await client.execute(
        '{ auditEvents(kind: "QUERY_RUN") { edges { node { channel rowCount resultDigest } } } }'
    )
    assert sorted(e["node"]["channel"] for e in events.data["auditEvents"]["edges"]) == [
        "cli",
        "graphql",
        "http",
    ]
    assert {e["node"]["resultDigest"] for e in events.data["auditEvents"]["edges"]} == {
        graphql["digest"]
    }


async def test_csv_and_xlsx_flatten_the_first_list_and_keep_chinese(client, yixian_client_as):
    await arrange(client)
    auditor = await yixian_client_as("AUDITOR", unit="330302")
    response = await auditor.http.get(
        "/queries/people-under.csv", params={"underUnit": "330302"}, headers=auditor.headers
    )
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert list(rows[0]) == [
        "node.name",
        "node.homeUnit.code",
        "node.homeUnit.name",
        "node.postings.hostUnit.code",
    ]
    zheng = next(r for r in rows if r["node.name"] == "郑国峰")
    assert zheng["node.homeUnit.name"] == "藤桥镇"
    assert zheng["node.postings.hostUnit.code"] == "330302101001; 330302101002"  # joined cell
    xlsx = await auditor.http.get(
        "/queries/people-under.xlsx", params={"underUnit": "330302"}, headers=auditor.headers
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.values)
    assert values[0][0] == "node.name"
    assert {row[0] for row in values[1:]} == {"郑国峰", "胡彩芬"}


async def test_a_query_outside_ones_roles_looks_missing(client, yixian_client_as):
    await arrange(client)
    viewer = await yixian_client_as("VIEWER", unit="330302")
    result = await viewer.execute(RUN, name="people-under", variables={"underUnit": "330302"})
    assert result.data["runSavedQuery"]["errors"][0]["code"] == "NOT_FOUND"
    http = await viewer.http.get(
        "/queries/people-under.json", params={"underUnit": "330302"}, headers=viewer.headers
    )
    assert http.status_code == 404
    listed = await viewer.execute("{ savedQueries { name } }")
    assert "people-under" not in [q["name"] for q in listed.data["savedQueries"]]


async def test_bad_variables_over_http_are_typed_errors(client, yixian_client_as):
    await arrange(client)
    auditor = await yixian_client_as("AUDITOR", unit="330302")
    missing = await auditor.http.get("/queries/people-under.json", headers=auditor.headers)
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["extensions"] == {"code": "REQUIRED", "field": "underUnit"}
    unknown = await auditor.http.get(
        "/queries/people-under.json",
        params={"underUnit": "330302", "nope": "1"},
        headers=auditor.headers,
    )
    assert unknown.json()["errors"][0]["extensions"]["code"] == "INVALID"
    anonymous = await auditor.http.get("/queries/people-under.json")
    assert anonymous.status_code == 401


async def test_queries_check_lists_documents_that_no_longer_validate(client, sessionmaker):
    from sqlalchemy import update

    from core.saved_queries.models import SavedQuery

    await arrange(client)
    async with sessionmaker() as session:  # a plugin upgrade removed a field, say
        await session.execute(
            update(SavedQuery).values(document="{ units { edges { node { removedField } } } }")
        )
        await session.commit()
    env = {
        "YIXIAN_DATABASE_URL": str(client.app.state.settings.database_url),
        "PATH": str(Path(sys.executable).parent),
    }
    result = subprocess.run(
        [str(Path(sys.executable).parent / "yixian"), "queries", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "people-under v1" in result.stdout and "removedField" in result.stdout


async def test_a_query_a_plugin_ships_runs_with_its_variables_over_http(yixian_app):
    """Installed on upgrade, marked with its plugin, its variables described from the document."""
    from core import SavedQuerySpec
    from tests.fake_plugins import make_plugin

    pack = make_plugin(
        "audit.pack",
        register_saved_queries=[
            SavedQuerySpec(
                name="audit.pack.units-of-kind",
                title="某类单位 Units of a kind",
                document="query($kind: UnitKind!) { units(filter: {kind: $kind}) { totalCount } }",
            )
        ],
    )
    client = await yixian_app(plugins=[pack])
    await create_tree(client)
    listed = await client.execute(
        '{ savedQuery(name: "audit.pack.units-of-kind") '
        "{ plugin variables { name kind choices } } }"
    )
    query = listed.data["savedQuery"]
    assert query["plugin"] == "audit.pack"
    assert query["variables"][0]["kind"] == "ENUM" and "VILLAGE" in query["variables"][0]["choices"]
    response = await client.http.get(
        "/queries/audit.pack.units-of-kind.json", params={"kind": "VILLAGE"}, headers=client.headers
    )
    assert response.json()["data"] == {"units": {"totalCount": 2}}


async def test_only_the_owner_adds_versions(client, yixian_client_as):
    """Another auditor cannot publish a new version of someone else's query."""
    await arrange(client)
    rogue = await yixian_client_as("AUDITOR", unit="330302", name="rogue")
    hijack = await rogue.execute(
        SAVE, input={"name": "people-under", "title": "x", "document": "{ units { totalCount } }"}
    )
    assert hijack.data["saveQuery"]["errors"][0]["code"] == "PERMISSION_DENIED"
    own = await rogue.execute(
        SAVE, input={"name": "rogue-count", "title": "x", "document": "{ units { totalCount } }"}
    )
    assert own.data["saveQuery"]["errors"] == []


async def test_malformed_run_requests_get_typed_errors(client, yixian_client_as):
    await arrange(client)
    for bad in ("abc", [1, 2], 5):
        result = await client.execute(RUN, name="people-under", variables=bad)
        assert result.data["runSavedQuery"]["errors"][0] == {
            "code": "INVALID",
            "field": "variables",
            "message": result.data["runSavedQuery"]["errors"][0]["message"],
        }
    auditor = await yixian_client_as("AUDITOR", unit="330302")
    version = await auditor.http.get(
        "/queries/people-under.csv",
        params={"underUnit": "330302", "version": "abc"},
        headers=auditor.headers,
    )
    assert version.status_code == 400
    costly = await client.execute(
        SAVE,
        input={
            "name": "paged",
            "title": "x",
            "document": "query($n: Int) { units(first: $n) { edges { node { children { children { "
            "postings { title } } } } } } }",
        },
    )
    assert costly.data["saveQuery"]["errors"] == []
    refused = await client.http.get(
        "/queries/paged.csv", params={"n": "100"}, headers=client.headers
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
