"""The database side of an import: staging tables loaded by the bulk path (COPY on PostgreSQL,
executemany on SQLite), checks across rows in SQL, and set-based merges into the real tables.

Everything runs on the import's one connection, inside its one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from itertools import islice
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from core.db import Base

BATCH = 5000

_TYPES = {
    "postgresql": {"TEXT": "TEXT", "INT": "INTEGER", "DATE": "DATE", "FLOAT": "DOUBLE PRECISION"},
    "sqlite": {"TEXT": "TEXT", "INT": "INTEGER", "DATE": "TEXT", "FLOAT": "REAL"},
}


def stage_name(kind: str) -> str:
    return f"import_stage_{kind}"


class Database:
    """Bulk loading and statements on the import's connection."""

    def __init__(self, connection: AsyncConnection):
        self.connection = connection
        self.dialect = connection.dialect.name
        self.postgres = self.dialect == "postgresql"

    async def execute(self, sql: str, **params: Any):
        return await self.connection.execute(text(sql), params)

    async def scalar(self, sql: str, **params: Any) -> Any:
        return (await self.execute(sql, **params)).scalar()

    async def create_stage(self, kind: str, columns: Iterable[tuple[str, str]]) -> None:
        name = stage_name(kind)
        types = _TYPES[self.dialect]
        body = ", ".join(["line INTEGER NOT NULL", *(f"{c} {types[t]}" for c, t in columns)])
        if self.postgres:
            await self.execute(f"CREATE TEMP TABLE {name} ({body}) ON COMMIT DROP")
        else:
            await self.execute(f"DROP TABLE IF EXISTS temp.{name}")
            await self.execute(f"CREATE TEMP TABLE {name} ({body})")

    async def drop_stages(self, kinds: Iterable[str]) -> None:
        """SQLite keeps temporary tables with the connection: drop them (PostgreSQL did)."""
        if not self.postgres:
            for kind in kinds:
                await self.execute(f"DROP TABLE IF EXISTS temp.{stage_name(kind)}")

    async def copy(self, table: str, columns: list[str], records: Iterable[tuple]) -> int:
        """Load ``records`` into ``table``: binary COPY on PostgreSQL (asyncpg's
        ``copy_records_to_table`` on the raw connection), executemany in batches on SQLite."""
        if self.postgres:
            raw = await self.connection.get_raw_connection()
            driver = raw.driver_connection
            status = await driver.copy_records_to_table(table, records=records, columns=columns)
            return int(status.split()[-1])
        placeholders = ", ".join("?" for _ in columns)
        statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"
        count = 0
        iterator = iter(records)
        while batch := [_sqlite_row(r) for r in islice(iterator, BATCH)]:
            await self.connection.exec_driver_sql(statement, batch)
            count += len(batch)
        return count

    async def analyze(self, kind: str) -> None:
        """Statistics for the planner: autovacuum never analyses temporary tables."""
        if self.postgres:
            await self.execute(f"ANALYZE {stage_name(kind)}")

    async def create_index(self, kind: str, column: str) -> None:
        name = stage_name(kind)
        await self.execute(f"CREATE INDEX {name}_{column} ON {name} ({column})")


def _sqlite_row(row: tuple) -> tuple:
    # dates stored as SQLAlchemy stores them on SQLite: ISO text
    return tuple(
        v.isoformat(sep=" ")
        if isinstance(v, datetime)
        else v.isoformat()
        if isinstance(v, date)
        else v
        for v in row
    )


def versioned(table: str) -> bool:
    """Whether the table carries an optimistic-concurrency ``version`` column to bump."""
    return "version" in Base.metadata.tables[table].c


def upsert(table: str, values: dict[str, str], source: str, keep: Iterable[str] = ()) -> str:
    """``INSERT … SELECT … ON CONFLICT (import_source, external_id) DO UPDATE``: new rows are
    inserted, rows already imported from the source are updated (``keep``: columns an update
    leaves alone)."""
    columns = ", ".join(values)
    expressions = ", ".join(values.values())
    kept = {"import_source", "external_id", *keep}
    updates = [f"{c} = excluded.{c}" for c in values if c not in kept]
    if versioned(table):
        updates.append(f"version = {table}.version + 1")
    return (
        f"INSERT INTO {table} ({columns}) SELECT {expressions} {source} WHERE true "
        f"ON CONFLICT (import_source, external_id) DO UPDATE SET {', '.join(updates)}"
    )


def closure_rows(
    parents: dict[int, int | None], dirty: Iterable[int]
) -> Iterator[tuple[int, int, int]]:
    """(ancestor, descendant, distance) for every unit of ``dirty``: itself, then each ancestor."""
    for unit_id in dirty:
        distance = 0
        walk: int | None = unit_id
        while walk is not None:
            yield (walk, unit_id, distance)
            walk = parents.get(walk)
            distance += 1


def depth_rows(parents: dict[int, int | None], dirty: Iterable[int]) -> Iterator[tuple[int, int]]:
    for unit_id in dirty:
        depth = 0
        walk = parents.get(unit_id)
        while walk is not None:
            depth += 1
            walk = parents.get(walk)
        yield (unit_id, depth)


def subtree(children: dict[int, list[int]], roots: Iterable[int]) -> list[int]:
    """Every unit under ``roots``, the roots included, parents before children."""
    ordered: list[int] = []
    seen: set[int] = set()
    stack = [r for r in roots]
    while stack:
        unit_id = stack.pop()
        if unit_id in seen:
            continue
        seen.add(unit_id)
        ordered.append(unit_id)
        stack.extend(children.get(unit_id, ()))
    return ordered
