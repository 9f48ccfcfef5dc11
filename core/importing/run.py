"""One import: check every row of every file, then write all of it in one transaction, or none."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

from sqlalchemy import bindparam, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.types import DateTime, String

from core.audit.chain import append
from core.importing.database import (
    Database,
    closure_rows,
    depth_rows,
    stage_name,
    subtree,
    upsert,
)
from core.importing.kinds import CHECKERS, Checker, Lookups
from core.importing.problems import ErrorSink, ImportProblem
from core.importing.reading import KINDS, ImportFile, UnreadableFile, rows, sha256
from core.metrics.models import ValueType


class Reporter(Protocol):
    """Told how the import goes (the command line draws a progress bar)."""

    def file(self, file: ImportFile) -> None: ...

    def advance(self, rows: int, read_bytes: int) -> None: ...

    def phase(self, message: str) -> None: ...


class _Silent:
    def file(self, file: ImportFile) -> None:
        pass

    def advance(self, rows: int, read_bytes: int) -> None:
        pass

    def phase(self, message: str) -> None:
        pass


@dataclass
class FileReport:
    name: str
    kind: str
    sha256: str
    rows: int = 0


@dataclass
class ImportReport:
    ok: bool
    source: str
    files: list[FileReport]
    #: kind → {"created": n, "updated": m}; empty when nothing was written.
    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    error_count: int = 0
    errors: list[ImportProblem] = field(default_factory=list)
    audit_seq: int | None = None
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)


async def run_import(
    sessionmaker: async_sessionmaker,
    files: Sequence[ImportFile],
    *,
    source: str,
    actor: str,
    channel: str,
    sink: ErrorSink | None = None,
    reporter: Reporter | None = None,
    today: date | None = None,
) -> ImportReport:
    """Import ``files`` (at most one per kind) from the source system ``source``.

    Every row is checked first and each problem goes to ``sink``; with any problem nothing is
    written. Otherwise every row is written in one transaction and one audit event records who
    imported which files (their SHA-256 digests and row counts).
    """
    started = time.monotonic()
    sink = sink or ErrorSink()
    reporter = reporter or _Silent()
    by_kind: dict[str, ImportFile] = {}
    for file in files:
        if file.kind in by_kind:
            sink.add(
                file.name,
                None,
                None,
                "DUPLICATE",
                f"{by_kind[file.kind].name} and {file.name} both hold {file.kind}: give one",
            )
        else:
            by_kind[file.kind] = file
    source = source.strip()
    if not source or len(source) > 64:
        sink.add("source", None, None, "INVALID", "the source must be 1 to 64 characters")
    if not by_kind:
        sink.add(
            "files", None, None, "REQUIRED", "no file to import: name them " + ", ".join(KINDS)
        )
    ordered = [by_kind[kind] for kind in KINDS if kind in by_kind]
    reports = {f.kind: FileReport(f.name, f.kind, sha256(f.path)) for f in ordered}
    report = ImportReport(ok=False, source=source, files=list(reports.values()))
    if sink.count:
        return _done(report, sink, started)

    async with sessionmaker() as session:
        connection = await session.connection()
        db = Database(connection)
        try:
            for kind, checker in CHECKERS.items():
                await db.create_stage(kind, checker.stage)
            lookups = await _lookups(db, source, today or date.today())
            reporter.phase("checking")
            for file in ordered:
                reporter.file(file)
                checker = CHECKERS[file.kind](lookups, sink, file.name)
                counter = [0]
                try:
                    await db.copy(
                        stage_name(file.kind),
                        ["line", *(c for c, _t in checker.stage)],
                        _checked(file, checker, reporter, counter),
                    )
                except UnreadableFile as exc:
                    sink.add(file.name, None, None, "INVALID", str(exc))
                reports[file.kind].rows = counter[0]
                checker.finish()
                await db.analyze(file.kind)
                for column in ("external_id",) + (
                    ("person_external_id",) if file.kind in ("postings", "observations") else ()
                ):
                    await db.create_index(file.kind, column)
            reporter.phase("checking across rows")
            await _cross_checks(db, source, by_kind, sink)
            if sink.count:
                await db.drop_stages(CHECKERS)
                await session.rollback()
                return _done(report, sink, started)
            reporter.phase("writing")
            try:
                report.tables, roots = await _merge(db, lookups, source, actor, by_kind)
            except DBAPIError:
                await session.rollback()
                sink.add(
                    "database",
                    None,
                    None,
                    "CONFLICT",
                    "the database refused the rows (it changed during the import?); nothing "
                    "was written: import again",
                )
                return _done(report, sink, started)
            event = await append(
                session,
                actor=actor,
                kind="IMPORT",
                name="import",
                channel=channel,
                variables={
                    "source": source,
                    "files": [
                        {"file": r.name, "kind": r.kind, "sha256": r.sha256, "rows": r.rows}
                        for r in report.files
                    ],
                },
                changes=report.tables,
                row_count=report.rows,
                units=roots,
            )
            await db.drop_stages(CHECKERS)
            await session.commit()
            report.audit_seq = event.seq
            report.ok = True
        except BaseException:
            await session.rollback()
            raise
        await _refresh_statistics(session)
    return _done(report, sink, started)


#: The tables an import writes, whose planner statistics it renews.
IMPORTED_TABLES = ("unit", "unit_tree", "metric_definition", "person", "posting", "observation")


async def _refresh_statistics(session: Any) -> None:
    """ANALYZE what was imported: with the statistics of an empty database, PostgreSQL plans a
    city's metricSeries as a scan of every observation (measured: 30 s instead of 60 ms)."""
    for table in IMPORTED_TABLES:
        await session.execute(text(f"ANALYZE {table}"))
    await session.commit()


def _done(report: ImportReport, sink: ErrorSink, started: float) -> ImportReport:
    report.error_count = sink.count
    report.errors = list(sink.kept)
    report.seconds = time.monotonic() - started
    return report


def _checked(
    file: ImportFile, checker: Checker, reporter: Reporter, counter: list[int]
) -> Iterator[tuple]:
    """The file's good rows as staging tuples (line first); bad ones go to the sink."""

    def progress(n: int, read_bytes: int) -> None:
        reporter.advance(max(n - 1, 0), read_bytes)

    stream = rows(file, progress)
    header = next(stream, None)
    if header is None:
        checker.sink.add(file.name, 1, None, "REQUIRED", "the file is empty: it needs a header")
        return
    if not checker.header(header):
        return
    line = 1
    check = checker.check
    for cells in stream:
        line += 1
        if not any(cells):
            continue
        counter[0] += 1
        row = check(cells, line)
        if row is not None:
            yield (line, *row)


async def _lookups(db: Database, source: str, today: date) -> Lookups:
    lookups = Lookups(source=source, today=today)
    result = await db.execute("SELECT id, code, parent_id, import_source, external_id FROM unit")
    for unit_id, code, parent_id, unit_source, external in result:
        lookups.db_units[unit_id] = (code, parent_id, unit_source, external)
        lookups.db_unit_by_code[code] = unit_id
        if unit_source == source and external is not None:
            lookups.db_unit_by_external[external] = unit_id
    lookups.unit_codes = set(lookups.db_unit_by_code)
    result = await db.execute(
        "SELECT code, value_type, import_source, external_id FROM metric_definition"
    )
    for code, value_type, metric_source, external in result:
        lookups.metrics[code] = (
            ValueType(value_type),
            external if metric_source == source else None,
        )
    lookups.initiative_codes = set(
        (await db.execute("SELECT code FROM initiative")).scalars().all()
    )
    return lookups


def _typed(sql: str, **params: Any):
    statement = text(sql)
    binds = [
        bindparam(
            name, value, type_=DateTime(timezone=True) if isinstance(value, datetime) else String()
        )
        for name, value in params.items()
    ]
    return statement.bindparams(*binds)


async def _stream(db: Database, sql: str, **params: Any):
    result = await db.connection.stream(_typed(sql, **params))
    async for row in result:
        yield row


async def _cross_checks(
    db: Database, source: str, files: dict[str, ImportFile], sink: ErrorSink
) -> None:
    """Checks across rows, in SQL on the staging tables: duplicate external ids, unknown
    people, two ACTIVE postings of a person to one unit in one role."""
    for kind in ("people", "postings", "observations"):
        if kind not in files:
            continue
        stage = stage_name(kind)
        duplicated = await db.scalar(
            f"SELECT external_id FROM {stage} GROUP BY external_id HAVING COUNT(*) > 1 LIMIT 1"
        )
        if duplicated is None:
            continue
        async for line, external, first in _stream(
            db,
            f"SELECT line, external_id, first FROM (SELECT line, external_id, MIN(line) OVER "
            f"(PARTITION BY external_id) AS first FROM {stage}) d WHERE line <> first "
            "ORDER BY line",
        ):
            sink.add(
                files[kind].name,
                line,
                "external_id",
                "DUPLICATE",
                f"external_id {external!r} is used on line {first} too",
            )
    people = stage_name("people")
    for kind in ("postings", "observations"):
        if kind not in files:
            continue
        async for line, person in _stream(
            db,
            f"SELECT s.line, s.person_external_id FROM {stage_name(kind)} s "
            "WHERE s.person_external_id IS NOT NULL "
            f"AND NOT EXISTS (SELECT 1 FROM {people} p WHERE p.external_id = s.person_external_id) "
            "AND NOT EXISTS (SELECT 1 FROM person p WHERE p.import_source = :source "
            "AND p.external_id = s.person_external_id) ORDER BY s.line",
            source=source,
        ):
            sink.add(
                files[kind].name,
                line,
                "person_external_id",
                "NOT_FOUND",
                f"no person has the external_id {person!r} (in the people file, without errors, "
                f"or imported from {source!r} before)",
            )
    if "postings" not in files:
        return
    postings = stage_name("postings")
    name = files["postings"].name
    async for line, first in _stream(
        db,
        "SELECT line, first FROM (SELECT line, MIN(line) OVER (PARTITION BY person_external_id, "
        f"host_unit_code, role) AS first FROM {postings} WHERE status = 'ACTIVE') d "
        "WHERE line <> first ORDER BY line",
    ):
        sink.add(
            name,
            line,
            "status",
            "CONFLICT",
            f"line {first} is an ACTIVE posting of the same person to the same unit in the same "
            "role: a person holds at most one",
        )
    async for (line,) in _stream(
        db,
        f"SELECT s.line FROM {postings} s "
        "JOIN person p ON p.import_source = :source AND p.external_id = s.person_external_id "
        "JOIN unit u ON u.code = s.host_unit_code "
        "JOIN posting x ON x.person_id = p.id AND x.host_unit_id = u.id AND x.role = s.role "
        "AND x.status = 'ACTIVE' "
        "WHERE s.status = 'ACTIVE' AND (x.import_source IS NULL OR x.import_source <> :source "
        "OR x.external_id <> s.external_id) "
        f"AND NOT EXISTS (SELECT 1 FROM {postings} y WHERE x.import_source = :source "
        "AND y.external_id = x.external_id AND y.status <> 'ACTIVE') ORDER BY s.line",
        source=source,
    ):
        sink.add(
            name,
            line,
            "status",
            "CONFLICT",
            "the person already has an ACTIVE posting to this unit in this role: end it first",
        )


async def _count_existing(db: Database, kind: str, table: str, source: str) -> int:
    """How many staged rows match a row imported from ``source`` before (to be updated)."""
    if not await db.scalar(
        f"SELECT 1 FROM {table} WHERE import_source = :source LIMIT 1", source=source
    ):
        return 0
    return await db.scalar(
        f"SELECT COUNT(*) FROM {stage_name(kind)} s JOIN {table} t "
        "ON t.import_source = :source AND t.external_id = s.external_id",
        source=source,
    )


async def _merge(
    db: Database, lookups: Lookups, source: str, actor: str, files: dict[str, ImportFile]
) -> tuple[dict[str, dict[str, int]], list[int]]:
    """Write the staged rows into the real tables, parents before children."""
    tables: dict[str, dict[str, int]] = {}
    now = datetime.now(UTC)
    execute = db.connection.execute
    src = "CAST(:source AS VARCHAR(64))" if db.postgres else ":source"
    tags = "CAST(s.tags AS JSON)" if db.postgres else "s.tags"
    plans = {
        "units": (
            "unit",
            {
                "code": "s.code",
                "name": "s.name",
                "kind": "s.kind",
                "depth": "0",
                "import_source": src,
                "external_id": "s.external_id",
            },
            "FROM import_stage_units s",
            ("depth",),
        ),
        "metrics": (
            "metric_definition",
            {
                "code": "s.code",
                "name": "s.name",
                "unit_of_measure": "s.unit_of_measure",
                "aggregation": "s.aggregation",
                "value_type": "s.value_type",
                "source": "'core'",
                "description": "s.description",
                "import_source": src,
                "external_id": "s.external_id",
            },
            "FROM import_stage_metrics s",
            ("source",),
        ),
        "people": (
            "person",
            {
                "name": "s.name",
                "gender": "s.gender",
                "birth_year": "s.birth_year",
                "political_status": "s.political_status",
                "rank": "s.rank",
                "home_unit_id": "u.id",
                "home_post": "s.home_post",
                "phone": "s.phone",
                "id_number": "s.id_number",
                "tags": tags,
                "import_source": src,
                "external_id": "s.external_id",
            },
            "FROM import_stage_people s LEFT JOIN unit u ON u.code = s.home_unit_code",
            (),
        ),
        "postings": (
            "posting",
            {
                "person_id": "p.id",
                "host_unit_id": "u.id",
                "role": "s.role",
                "title": "s.title",
                "initiative_id": "i.id",
                "start_date": "s.start_date",
                "end_date": "s.end_date",
                "status": "s.status",
                "recall_reason": "s.recall_reason",
                "import_source": src,
                "external_id": "s.external_id",
            },
            "FROM import_stage_postings s "
            "JOIN person p ON p.import_source = :source AND p.external_id = s.person_external_id "
            "JOIN unit u ON u.code = s.host_unit_code "
            "LEFT JOIN initiative i ON i.code = s.initiative_code",
            (),
        ),
        "observations": (
            "observation",
            {
                "metric_id": "m.id",
                "unit_id": "u.id",
                "person_id": "p.id",
                "initiative_id": "i.id",
                "period_start": "s.period_start",
                "period": "s.period",
                "value": "s.value",
                "recorded_by": "CAST(:actor AS VARCHAR(100))" if db.postgres else ":actor",
                "recorded_at": ":now",
                "import_source": src,
                "external_id": "s.external_id",
            },
            "FROM import_stage_observations s "
            "JOIN metric_definition m ON m.code = s.metric_code "
            "JOIN unit u ON u.code = s.unit_code "
            "LEFT JOIN person p ON p.import_source = :source "
            "AND p.external_id = s.person_external_id "
            "LEFT JOIN initiative i ON i.code = s.initiative_code",
            (),
        ),
    }
    roots: list[int] = []
    for kind in KINDS:
        if kind not in files:
            continue
        table, values, from_sql, keep = plans[kind]
        staged = await db.scalar(f"SELECT COUNT(*) FROM {stage_name(kind)}")
        updated = await _count_existing(db, kind, table, source)
        params: dict[str, Any] = {"source": source}
        if kind == "observations":
            params.update(actor=actor, now=now)
        await execute(_typed(upsert(table, values, from_sql, keep), **params))
        tables[kind] = {"created": staged - updated, "updated": updated}
        if kind == "units":
            roots = await _link_units(db, lookups, source)
    return tables, roots


async def _link_units(db: Database, lookups: Lookups, source: str) -> list[int]:
    """Set the parents of the imported units, then their depth and closure rows (unit_tree) in
    bulk, for every unit that is new or moved and everything under it. Returns the ids of the
    imported units whose parent was not imported with them (the tops of what was imported)."""
    stage = stage_name("units")
    await db.connection.execute(
        _typed(
            f"UPDATE unit SET parent_id = p.id FROM {stage} s "
            "LEFT JOIN unit p ON p.code = s.parent_code "
            "WHERE unit.import_source = :source AND unit.external_id = s.external_id",
            source=source,
        )
    )
    parents: dict[int, int | None] = {}
    children: dict[int, list[int]] = {}
    for unit_id, parent_id in await db.execute("SELECT id, parent_id FROM unit"):
        parents[unit_id] = parent_id
        if parent_id is not None:
            children.setdefault(parent_id, []).append(unit_id)
    imported = set(
        (
            await db.connection.execute(
                _typed(
                    f"SELECT t.id FROM unit t JOIN {stage} s ON t.import_source = :source "
                    "AND t.external_id = s.external_id",
                    source=source,
                )
            )
        )
        .scalars()
        .all()
    )
    moved = [
        u for u in imported if u not in lookups.db_units or lookups.db_units[u][1] != parents[u]
    ]
    dirty = subtree(children, moved)
    if dirty:
        if db.postgres:
            await db.execute(
                "CREATE TEMP TABLE import_stage_depth (id INTEGER PRIMARY KEY, depth INTEGER) "
                "ON COMMIT DROP"
            )
        else:
            await db.execute("DROP TABLE IF EXISTS temp.import_stage_depth")
            await db.execute(
                "CREATE TEMP TABLE import_stage_depth (id INTEGER PRIMARY KEY, depth INTEGER)"
            )
        await db.copy("import_stage_depth", ["id", "depth"], depth_rows(parents, dirty))
        if db.postgres:
            await db.execute("ANALYZE import_stage_depth")
        await db.execute(
            "DELETE FROM unit_tree WHERE descendant_id IN (SELECT id FROM import_stage_depth)"
        )
        await db.execute(
            "UPDATE unit SET depth = (SELECT d.depth FROM import_stage_depth d WHERE "
            "d.id = unit.id) WHERE id IN (SELECT id FROM import_stage_depth)"
        )
        await db.copy(
            "unit_tree", ["ancestor_id", "descendant_id", "distance"], closure_rows(parents, dirty)
        )
        if not db.postgres:
            await db.execute("DROP TABLE IF EXISTS temp.import_stage_depth")
    return sorted(u for u in imported if parents[u] not in imported)


__all__ = ["FileReport", "ImportReport", "Reporter", "run_import"]
