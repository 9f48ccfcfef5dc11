"""The floor: the benchmark's four operations answered by hand-written SQL.

A bare Starlette app (one ``POST /graphql`` route, dispatching on ``operationName``) over an
asyncpg pool, one SQL statement per operation, JSON built from the rows and serialised with
orjson. It answers the same request bodies as yixian with the same JSON shape, so that the
benchmark compares answers and drives both with one wrk script.

What it does, so that the comparison is fair:

- **Authentication**: ``Authorization: Bearer <token>``, looked up in a dict loaded at start
  (``FLOOR_TOKENS``: a JSON file ``{token: {"actor": name, "roots": [unit ids] | null}}``). No
  database round trip: the cheapest a server can do, which is what a floor is.
- **Scope**: for a caller with ``roots`` (the OPERATOR), every statement applies yixian's
  criteria through the ``unit_tree`` closure table: units, postings and observations under the
  roots; a person seen where they belong or where they are posted; a home unit outside the
  roots is ``null``, as in yixian. The ADMIN's statements carry no scope criteria.
- **The write** is one statement (a data-modifying CTE, so one implicit transaction): the
  INSERT of the observation (the metric and unit resolved by code, the unit in scope) and an
  INSERT into ``bench_floor_audit``, a table of the benchmark's own standing in for yixian's
  audit event, written in the same transaction. Unlike yixian it does not serialise writers on
  a chain head row.
- The pool's connections are not reset when released (asyncpg's default reset is a round trip;
  the floor never leaves session state behind).

Not a general implementation: the series sums (the benchmark's metric is SUM), ``first`` is
fixed at 100, and unknown codes answer empty rather than NOT_FOUND.

Run by bench/city/run.py as ``uvicorn floor:app --app-dir bench/city``; settings from the
environment: ``FLOOR_DATABASE_URL`` (postgresql://…), ``FLOOR_TOKENS``, ``FLOOR_POOL_MIN`` (5),
``FLOOR_POOL_MAX`` (15).
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import math
import os
from pathlib import Path

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

#: The units a scoped caller sees: ``$n`` is the caller's roots (an int array).
SUBTREE = "(SELECT descendant_id FROM unit_tree WHERE ancestor_id = ANY(${n}::int[]))"


def _scoped(sql: str, n: int) -> str:
    return sql.replace("{S}", SUBTREE.format(n=n))


def _statements(scoped: bool) -> dict[str, str]:
    """The four statements; ``scoped``: with the OPERATOR's criteria (roots as the last
    parameter), else the ADMIN's (none)."""

    def s(condition: str) -> str:
        return condition if scoped else ""

    person_seen = (
        "AND (per.home_unit_id IN {S} OR per.id IN "
        "(SELECT ps.person_id FROM posting ps WHERE ps.host_unit_id IN {S}))"
    )
    town = f"""
SELECT t.code AS t_code, t.name AS t_name, v.code AS v_code, v.name AS v_name,
       p.id AS p_id, p.role, p.start_date, per.id AS per_id, per.name AS per_name
FROM unit t
LEFT JOIN unit v ON v.parent_id = t.id {s("AND v.id IN {S}")}
LEFT JOIN posting p ON p.host_unit_id = v.id AND p.status = 'ACTIVE'
    {s("AND p.host_unit_id IN {S}")}
LEFT JOIN person per ON per.id = p.person_id {s(person_seen)}
WHERE t.code = $1 {s("AND t.id IN {S}")}
ORDER BY v.code, p.start_date, p.id"""
    people = f"""
SELECT p.id, p.role, p.start_date, per.id AS per_id, per.name AS per_name,
       hu.code AS hu_code, hu.name AS hu_name, h.code AS h_code, h.name AS h_name,
       count(*) OVER () AS total
FROM posting p
LEFT JOIN unit h ON h.id = p.host_unit_id {s("AND h.id IN {S}")}
LEFT JOIN person per ON per.id = p.person_id {s(person_seen)}
LEFT JOIN unit hu ON hu.id = per.home_unit_id {s("AND hu.id IN {S}")}
WHERE p.status = 'ACTIVE'
  AND p.host_unit_id IN (SELECT descendant_id FROM unit_tree
                         WHERE ancestor_id = (SELECT id FROM unit WHERE code = $1))
  {s("AND p.host_unit_id IN {S}")}
ORDER BY p.start_date DESC, p.id DESC
LIMIT 100"""
    # The towns under the district, everything under each town, its observations: the same
    # rows as yixian's (an observation under a town under the district is under the district),
    # in the order of joins whose generic plan (asyncpg prepares) stays on the indexes.
    series = f"""
SELECT g.code, g.name, CAST(date_trunc('month', o.period_start) AS date) AS bucket,
       sum(CASE WHEN abs(o.value) <= 1e15 THEN o.value END) AS value,
       count(o.id) AS n,
       sum(CASE WHEN abs(o.value) <= 1e15 THEN 0 ELSE 1 END) AS bad
FROM unit_tree d
JOIN unit g ON g.id = d.descendant_id AND g.kind = 'TOWN'
JOIN unit_tree t ON t.ancestor_id = g.id
JOIN observation o ON o.unit_id = t.descendant_id
WHERE d.ancestor_id = (SELECT id FROM unit WHERE code = $2)
  AND o.metric_id = (SELECT id FROM metric_definition WHERE code = $1)
  AND o.period_start >= $3 AND o.period_start <= $4
  {s("AND o.unit_id IN {S} AND g.id IN {S}")}
GROUP BY g.id, g.code, g.name, bucket
ORDER BY g.id, bucket"""
    write = f"""
WITH o AS (
  INSERT INTO observation (metric_id, unit_id, period_start, period, value, recorded_by,
                           recorded_at)
  SELECT m.id, u.id, $3, $4, $5, $6, now()
  FROM metric_definition m JOIN unit u ON u.code = $2 {s("AND u.id IN {S}")}
  WHERE m.code = $1
  RETURNING id, unit_id, period_start, value
), audit AS (
  INSERT INTO bench_floor_audit (occurred_at, actor, name, variables, observation_id)
  SELECT now(), $6, 'recordObservations', $7::jsonb, o.id FROM o
)
SELECT id, period_start, value FROM o"""
    roots_at = {"town": 2, "people": 2, "series": 5, "write": 8}
    sql = {"town": town, "people": people, "series": series, "write": write}
    return {k: _scoped(v, roots_at[k]) if scoped else v for k, v in sql.items()}


SCOPED = _statements(scoped=True)
UNSCOPED = _statements(scoped=False)

#: The audit table of the floor's writes (created by run.py; the DDL is here for reference).
AUDIT_DDL = """
CREATE TABLE IF NOT EXISTS bench_floor_audit (
  id bigserial PRIMARY KEY,
  occurred_at timestamptz NOT NULL,
  actor text NOT NULL,
  name text NOT NULL,
  variables jsonb,
  observation_id integer NOT NULL
)"""


def gid(type_name: str, row_id: int) -> str:
    """A Relay global ID, as strawberry writes it: base64 of ``Type:id``."""
    return base64.b64encode(f"{type_name}:{row_id}".encode()).decode()


class Caller:
    def __init__(self, actor: str, roots: list[int] | None):
        self.actor = actor
        self.roots = roots

    def sql(self, key: str) -> str:
        return (SCOPED if self.roots is not None else UNSCOPED)[key]

    def args(self, *values):
        return (*values, self.roots) if self.roots is not None else values


async def town_page(conn, caller: Caller, variables: dict) -> dict:
    rows = await conn.fetch(caller.sql("town"), *caller.args(variables["code"]))
    if not rows:
        return {"unit": None}
    children: list[dict] = []
    last = None
    for r in rows:
        if r["v_code"] is None:
            continue
        if r["v_code"] != last:
            last = r["v_code"]
            children.append({"code": r["v_code"], "name": r["v_name"], "postings": []})
        if r["p_id"] is not None:
            person = {"name": r["per_name"]} if r["per_id"] is not None else None
            children[-1]["postings"].append(
                {
                    "id": gid("Posting", r["p_id"]),
                    "role": r["role"],
                    "startDate": r["start_date"],
                    "person": person,
                }
            )
    first = rows[0]
    return {"unit": {"code": first["t_code"], "name": first["t_name"], "children": children}}


async def postings_page(conn, caller: Caller, variables: dict) -> dict:
    rows = await conn.fetch(caller.sql("people"), *caller.args(variables["code"]))
    total = rows[0]["total"] if rows else 0
    edges = []
    for r in rows:
        person = None
        if r["per_id"] is not None:
            home = {"code": r["hu_code"], "name": r["hu_name"]} if r["hu_code"] else None
            person = {"name": r["per_name"], "homeUnit": home}
        host = {"code": r["h_code"], "name": r["h_name"]} if r["h_code"] else None
        edges.append(
            {
                "node": {
                    "id": gid("Posting", r["id"]),
                    "role": r["role"],
                    "startDate": r["start_date"],
                    "person": person,
                    "hostUnit": host,
                }
            }
        )
    end_cursor = base64.b64encode(f"offset:{len(rows) - 1}".encode()).decode() if rows else None
    return {
        "postings": {
            "totalCount": total,
            "pageInfo": {"hasNextPage": len(rows) < total, "endCursor": end_cursor},
            "edges": edges,
        }
    }


class Refused(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


async def series(conn, caller: Caller, variables: dict) -> dict:
    day = datetime.date.fromisoformat
    rows = await conn.fetch(
        caller.sql("series"),
        *caller.args(
            variables["metric"], variables["code"], day(variables["from"]), day(variables["to"])
        ),
    )
    points = []
    for r in rows:
        if r["bad"] or not math.isfinite(r["value"] or 0):
            raise Refused("INVALID_VALUE", "values beyond ±1e15")
        points.append(
            {
                "unit": {"code": r["code"], "name": r["name"]},
                "periodStart": r["bucket"],
                "value": float(r["value"] or 0),
                "count": r["n"],
            }
        )
    return {"metricSeries": points}


async def record(conn, caller: Caller, variables: dict) -> dict:
    items = variables["observations"]
    if len(items) != 1:
        raise Refused("INVALID", "the floor records one observation at a time")
    item = items[0]
    period = item.get("period", "MONTH")
    start = datetime.date.fromisoformat(item["periodStart"])
    value = float(item["value"])
    errors = []
    if not math.isfinite(value) or abs(value) > 1e15:
        errors.append({"code": "INVALID_VALUE", "field": "observations.0.value", "message": "…"})
    if period == "MONTH" and start.day != 1:
        errors.append({"code": "INVALID", "field": "observations.0.periodStart", "message": "…"})
    if errors:
        return {"recordObservations": {"observations": None, "errors": errors}}
    row = await conn.fetchrow(
        caller.sql("write"),
        *caller.args(
            item["metric"],
            item["unitCode"],
            start,
            period,
            value,
            caller.actor,
            orjson.dumps(variables).decode(),
        ),
    )
    if row is None:
        error = {"code": "NOT_FOUND", "field": "observations.0.unitCode", "message": "…"}
        return {"recordObservations": {"observations": None, "errors": [error]}}
    observation = {
        "id": gid("Observation", row["id"]),
        "value": row["value"],
        "periodStart": row["period_start"],
        "unit": {"code": item["unitCode"]},
    }
    return {"recordObservations": {"observations": [observation], "errors": []}}


HANDLERS = {
    "TownPage": town_page,
    "DistrictPostings": postings_page,
    "DistrictSeries": series,
    "RecordOne": record,
}


def _json(payload: dict, status: int = 200) -> Response:
    return Response(orjson.dumps(payload), status_code=status, media_type="application/json")


def _error(code: str, message: str, status: int = 200) -> Response:
    return _json({"data": None, "errors": [{"message": message, "extensions": {"code": code}}]})


async def graphql(request: Request) -> Response:
    header = request.headers.get("authorization", "")
    caller = request.app.state.tokens.get(header[7:]) if header.startswith("Bearer ") else None
    if caller is None:
        return _error("UNAUTHENTICATED", "send Authorization: Bearer <token>")
    try:
        payload = orjson.loads(await request.body())
        handler = HANDLERS[payload["operationName"]]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return _error("BAD_REQUEST", "not one of the floor's operations", 400)
    try:
        async with request.app.state.pool.acquire() as conn:
            data = await handler(conn, caller, payload.get("variables") or {})
    except Refused as exc:
        return _error(exc.code, str(exc))
    return _json({"data": data})


async def healthz(request: Request) -> Response:
    return _json({"status": "ok"})


async def _no_reset(connection) -> None:
    return None


@contextlib.asynccontextmanager
async def lifespan(app: Starlette):
    tokens = orjson.loads(Path(os.environ["FLOOR_TOKENS"]).read_bytes())
    app.state.tokens = {t: Caller(c["actor"], c["roots"]) for t, c in tokens.items()}
    app.state.pool = await asyncpg.create_pool(
        os.environ["FLOOR_DATABASE_URL"],
        min_size=int(os.environ.get("FLOOR_POOL_MIN", "5")),
        max_size=int(os.environ.get("FLOOR_POOL_MAX", "15")),
        reset=_no_reset,
    )
    try:
        yield
    finally:
        await app.state.pool.close()


app = Starlette(
    routes=[Route("/graphql", graphql, methods=["POST"]), Route("/healthz", healthz)],
    lifespan=lifespan,
)
