"""Integrity under load: a mixed read/write load against ``yixian serve --workers N`` on PostgreSQL.

Not a test: a benchmark-style script (docs in bench/README.md). It

1. creates a fresh PostgreSQL database (``yixian_bench_<pid>``), migrates it and loads the demo
   data with the real command line (``yixian db upgrade``, ``yixian seed demo``), makes an ADMIN
   token and an OPERATOR token of 330302 鹿城区 (``yixian token create``) and starts
   ``yixian serve --workers N`` in production mode with Redis, then waits for ``/readyz``;
2. sends an open-loop load (``--rate`` requests per second for ``--seconds``): reads (a
   district's units with their children, a page of people with their home units, a
   ``metricSeries`` grouped by town) and writes (``recordObservations`` of one observation of
   value 1 for a SUM/INTEGER metric it defines first), each write under its own
   ``Idempotency-Key``; a fraction of writes is sent again under the same key, half of them
   racing the first;
3. resends, after the load, every write whose outcome is still unknown (client timeout, reset,
   ``TIMEOUT`` with ``outcome: UNKNOWN``, ``UNAVAILABLE``…) under its key, as a client should;
4. reads the rows back from the database and compares them, key by key, with what the server
   said: every write acknowledged (``errors == []``) or reported ``WRITTEN`` must have exactly one
   row, every write refused or reported ``NOT_WRITTEN`` none;
5. prints a table, writes a JSON report and exits non-zero on a lost or doubled write, an HTTP
   500 or database text in a response;
6. stops the server and drops the database, also on Ctrl-C (``--keep`` keeps the database).

Each write's observation has its own day (``periodStart`` = 2000-01-01 + the write's index,
``period: DAY``), so the rows of one key can be counted on their own.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import platform
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
console = Console(width=None if sys.stdout.isatty() else 132)

OPERATOR_UNIT = "330302"  # 鹿城区
CITY = "330300"  # 温州市
SERIES_METRIC = "lucheng.four_visits.households_visited"
FIRST_DAY = date(2000, 1, 1)

UNITS = """
query BenchUnits($code: String!) {
  units(filter: {underUnit: $code, kind: TOWN}, first: 50) {
    totalCount
    edges { node { code name kind children { code name kind } } }
  }
}"""
PEOPLE = """
query BenchPeople($code: String!) {
  people(filter: {underUnit: $code}, first: 20) {
    totalCount
    edges { node { id name rank homeUnit { code name } } }
  }
}"""
SERIES = """
query BenchSeries($metric: String!, $code: String!) {
  metricSeries(metric: $metric, underUnit: $code, groupBy: {level: TOWN}) {
    unit { code name }
    value
    count
  }
}"""
TARGETS = """
query BenchTargets($code: String!) {
  units(filter: {underUnit: $code}, first: 100) { edges { node { code kind } } }
}"""
DEFINE = """
mutation BenchDefine($input: DefineMetricInput!) {
  defineMetric(input: $input) {
    metric { code aggregation valueType }
    errors { field message code }
  }
}"""
RECORD = """
mutation BenchRecord($observations: [ObservationInput!]!) {
  recordObservations(observations: $observations) {
    observations { id value periodStart unit { code } }
    errors { field message code }
  }
}"""
TOTAL = """
query BenchTotal($metric: String!, $code: String!) {
  metricSeries(metric: $metric, underUnit: $code) { value count }
}"""

#: Text that must never reach a client: the database's, the driver's, the ORM's, a traceback.
LEAK = re.compile(
    r"sqlalchemy|asyncpg|psycopg|aiosqlite|sqlite3|traceback \(most recent|queuepool|"
    r"transaction\.rollback|connection is closed|closed database|integrityerror|"
    r"operationalerror|dbapierror|interfaceerror|\bselect\b.+\bfrom\b|\binsert into\b|"
    r"\bupdate\b.+\bset\b|postgresql",
    re.IGNORECASE,
)
#: Server log lines worth counting.
LOG_PATTERNS = {
    "Traceback": re.compile(r"^Traceback"),
    "QueuePool limit": re.compile(r"QueuePool limit"),
    "HTTP 500 (access log)": re.compile(r'" 500 '),
}


# ---------------------------------------------------------------------------------------------
# Setup: database, command line, server


class SetupError(RuntimeError):
    pass


def yixian_bin() -> str:
    """The ``yixian`` next to this interpreter (the project's .venv), else .venv/bin/yixian."""
    here = Path(sys.executable).parent / "yixian"
    return str(here if here.exists() else ROOT / ".venv" / "bin" / "yixian")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cli(env: dict[str, str], *args: str) -> str:
    """Run ``yixian ARGS`` with ``env``; its stdout, or SetupError with its output."""
    result = subprocess.run(
        [yixian_bin(), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    if result.returncode != 0:
        raise SetupError(
            f"`yixian {' '.join(args)}` failed ({result.returncode}):\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
        )
    return result.stdout


def token_from(output: str) -> str:
    for line in reversed(output.splitlines()):
        if line.strip().startswith("yx_"):
            return line.strip()
    raise SetupError(f"no token in the output of `yixian token create`:\n{output}")


async def admin_connection(args) -> asyncpg.Connection:
    return await asyncpg.connect(
        host=args.pg_host, port=args.pg_port, user=args.pg_user, database="postgres"
    )


async def create_database(args, name: str) -> None:
    connection = await admin_connection(args)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def drop_database(args, name: str) -> None:
    connection = await admin_connection(args)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def rows_of(args, name: str, metric: str) -> dict[str, Any]:
    """The metric's observations as the database holds them: count and SUM per day."""
    connection = await asyncpg.connect(
        host=args.pg_host, port=args.pg_port, user=args.pg_user, database=name
    )
    try:
        per_day = await connection.fetch(
            "SELECT o.period_start AS day, count(*) AS n, sum(o.value) AS total "
            "FROM observation o JOIN metric_definition m ON m.id = o.metric_id "
            "WHERE m.code = $1 GROUP BY o.period_start",
            metric,
        )
        idempotency = await connection.fetchval("SELECT count(*) FROM idempotency_key")
    finally:
        await connection.close()
    return {
        "per_day": {r["day"]: (int(r["n"]), float(r["total"])) for r in per_day},
        "count": sum(int(r["n"]) for r in per_day),
        "sum": sum(float(r["total"]) for r in per_day),
        "idempotency_keys": int(idempotency),
    }


def clear_redis(url: str, prefix: str) -> int:
    try:
        import redis
    except ImportError:
        return 0
    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=500))
        if keys:
            client.delete(*keys)
        return len(keys)
    finally:
        client.close()


class Server:
    """``yixian serve`` as a subprocess in its own process group, its output in a log file."""

    def __init__(self, env: dict[str, str], workers: int, port: int, log_path: Path):
        self.env, self.workers, self.port, self.log_path = env, workers, port, log_path
        self.process: subprocess.Popen | None = None
        self._log = None

    def start(self) -> None:
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                yixian_bin(),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
            ],
            env=self.env,
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def workers_up(self) -> int:
        """Workers serving, by the log: startups completed less the children uvicorn found dead
        (its supervisor kills a worker that misses a 5 s health check, e.g. on a busy machine,
        and starts another)."""
        text = self.log_text()
        return text.count("Application startup complete.") - text.count("died")

    async def wait_ready(self, timeout: float = 180.0) -> float:
        """Until /readyz answers 200 and the log shows every worker started."""
        started = time.monotonic()
        url = f"http://127.0.0.1:{self.port}/readyz"
        async with httpx.AsyncClient(timeout=5) as client:
            while time.monotonic() - started < timeout:
                if self.process.poll() is not None:
                    raise SetupError(
                        f"yixian serve exited with {self.process.returncode}:\n"
                        + self.log_text()[-4000:]
                    )
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(url)).status_code == 200 and (
                        self.workers == 1 or self.workers_up() >= self.workers
                    ):
                        return time.monotonic() - started
                await asyncio.sleep(0.5)
        raise SetupError(f"/readyz and {self.workers} workers not up within {timeout:.0f}s")

    def stop(self) -> int | None:
        """SIGINT (uvicorn's graceful stop) to the group, then SIGTERM, then SIGKILL."""
        if self.process is None:
            return None
        for sig, wait in ((signal.SIGINT, 20), (signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            if self.process.poll() is not None:
                break
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(wait)
        if self._log is not None:
            self._log.close()
        return self.process.poll()


# ---------------------------------------------------------------------------------------------
# The load


@dataclass
class Attempt:
    op: str
    user: str
    phase: str  # "load" or "recovery"
    sent_at: float  # seconds since the load started
    latency: float | None = None
    status: int | None = None
    kinds: list[str] = field(default_factory=list)
    outcome: str | None = None  # writes: ack, refused, written, not_written, unknown
    ids: tuple[str, ...] = ()
    body: str | None = None  # writes: the answer, shortened
    #: writes: acknowledged in ``data`` (errors == []) but under an HTTP error or a top-level
    #: GraphQL error
    ack_under_error: bool = False


@dataclass
class Write:
    key: str
    user: str
    index: int
    unit: str
    variables: dict[str, Any]
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def day(self) -> date:
        return FIRST_DAY + timedelta(days=self.index)

    def outcomes(self, phase: str | None = None) -> set[str]:
        return {a.outcome for a in self.attempts if a.outcome and phase in (None, a.phase)}

    def expected(self, phase: str | None = None) -> str:
        """What the rows must show: ``one``, ``none`` or ``unknown`` (0 or 1), from the answers
        of every attempt (or of one phase's)."""
        outcomes = self.outcomes(phase)
        if outcomes & {"ack", "written"}:
            return "one"
        if "unknown" in outcomes or not outcomes:
            return "unknown"
        return "none"

    def label(self) -> str:
        """What the load's answers said of this write, in one phrase."""
        attempts = [a for a in self.attempts if a.phase == "load"]
        if any(a.outcome == "ack" and not a.ack_under_error for a in attempts):
            return "acknowledged"
        for outcome in ("ack", "written", "unknown"):
            for a in attempts:
                if a.outcome == outcome:
                    prefix = "acknowledged in data, answered " if outcome == "ack" else ""
                    return prefix + " + ".join(a.kinds)
        kinds = sorted({k for a in attempts for k in a.kinds})
        return " + ".join(kinds) or "(not sent)"


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(round(q / 100 * len(ordered) + 0.5)) - 1))
    return ordered[rank]


class Load:
    def __init__(self, args, base_url: str, tokens: dict[str, str], metric: str):
        self.args = args
        self.url = base_url + "/graphql"
        self.tokens = tokens
        self.metric = metric
        self.rng = random.Random(args.seed)
        self.attempts: list[Attempt] = []
        self.writes: dict[str, Write] = {}
        self.targets: dict[str, list[str]] = {}
        self.examples: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.http_500: list[dict[str, Any]] = []
        self.leaks: list[dict[str, Any]] = []
        self.replay_mismatches: list[dict[str, Any]] = []
        self.dropped = 0
        self.lags: list[float] = []
        self.max_in_flight = 0
        self.cancelled_at_end = 0
        self.counter = itertools.count()
        self.t0 = 0.0
        self.client: httpx.AsyncClient | None = None

    # -- HTTP ---------------------------------------------------------------------------------

    def headers(self, user: str, key: str | None = None) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {self.tokens[user]}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers

    async def post(self, attempt: Attempt, query: str, variables: dict, key: str | None = None):
        """Send one request; classify the answer into ``attempt.kinds``; the JSON or None."""
        started = time.monotonic()
        body = {"query": query, "variables": variables}
        try:
            response = await self.client.post(
                self.url, json=body, headers=self.headers(attempt.user, key)
            )
        except httpx.HTTPError as exc:
            attempt.latency = time.monotonic() - started
            attempt.kinds = [f"client {type(exc).__name__}"]
            self.example(attempt.kinds[0], attempt, variables, None, repr(exc))
            return None
        attempt.latency = time.monotonic() - started
        attempt.status = response.status_code
        text = response.text
        if LEAK.search(text):
            self.leaks.append(self.record(attempt, variables, response.status_code, text))
        try:
            payload = response.json()
        except ValueError:
            payload = None
        codes = self.error_codes(payload)
        if response.status_code != 200:
            kind = f"HTTP {response.status_code}" + (f" {codes[0][0]}" if codes else "")
            attempt.kinds = [kind]
            self.example(kind, attempt, variables, response.status_code, text)
            if response.status_code >= 500 and not (codes and codes[0][0] == "UNAVAILABLE"):
                self.http_500.append(self.record(attempt, variables, response.status_code, text))
            return payload
        if codes:
            attempt.kinds = [
                f"GraphQL {code}" + (f" outcome {outcome}" if outcome else "")
                for code, outcome in codes
            ]
            for kind in set(attempt.kinds):
                self.example(kind, attempt, variables, 200, text)
            return payload
        payload_errors = [
            error.get("code", "?")
            for value in ((payload or {}).get("data") or {}).values()
            if isinstance(value, dict)
            for error in value.get("errors") or []
        ]
        if payload_errors:
            attempt.kinds = [f"payload {code}" for code in sorted(set(payload_errors))]
            for kind in attempt.kinds:
                self.example(kind, attempt, variables, 200, text)
        else:
            attempt.kinds = ["OK"]
        return payload

    @staticmethod
    def error_codes(payload: Any) -> list[tuple[str, str | None]]:
        if not isinstance(payload, dict) or not payload.get("errors"):
            return []
        codes = []
        for error in payload["errors"]:
            extensions = (error or {}).get("extensions") or {}
            code = extensions.get("code")
            if code is None:
                message = str((error or {}).get("message", ""))[:60]
                code = f"(no code: {message})"
            codes.append((code, extensions.get("outcome")))
        return codes

    def record(self, attempt: Attempt, variables, status, text) -> dict[str, Any]:
        return {
            "op": attempt.op,
            "user": attempt.user,
            "phase": attempt.phase,
            "at_s": round(attempt.sent_at, 3),
            "latency_s": round(attempt.latency or 0, 3),
            "variables": variables,
            "status": status,
            "body": text[:2000],
        }

    def example(self, kind: str, attempt: Attempt, variables, status, text) -> None:
        if len(self.examples[kind]) < 3:
            self.examples[kind].append(self.record(attempt, variables, status, text))

    # -- setup queries ------------------------------------------------------------------------

    async def checked(self, user: str, op: str, query: str, variables: dict) -> dict:
        """Run a document once before timing; anything but OK stops the benchmark."""
        attempt = Attempt(op, user, "check", 0.0)
        payload = await self.post(attempt, query, variables)
        if attempt.kinds != ["OK"]:
            raise SetupError(
                f"{op} as {user} did not answer OK: {attempt.kinds} {json.dumps(payload)[:1500]}"
            )
        return payload["data"]

    async def prepare(self) -> None:
        defined = await self.checked(
            "admin",
            "defineMetric",
            DEFINE,
            {
                "input": {
                    "code": self.metric,
                    "name": "bench: writes acknowledged",
                    "unitOfMeasure": "次",
                    "aggregation": "SUM",
                    "valueType": "INTEGER",
                    "description": "Written by bench/integrity_load.py: one 1 per write.",
                }
            },
        )
        assert defined["defineMetric"]["metric"]["code"] == self.metric
        for user, code in (("operator", OPERATOR_UNIT), ("admin", CITY)):
            data = await self.checked(user, "targets", TARGETS, {"code": code})
            units = [
                edge["node"]["code"]
                for edge in data["units"]["edges"]
                if edge["node"]["kind"] in ("DISTRICT", "TOWN", "VILLAGE", "GRID")
            ]
            if not units:
                raise SetupError(f"no unit to write to for {user} under {code}")
            self.targets[user] = units
            for op, query, variables in self.reads(user):
                data = await self.checked(user, op, query, variables)
        # A write of value 0 (the SUM is unchanged) proves the mutation document works.
        variables = self.write_variables(OPERATOR_UNIT, FIRST_DAY - timedelta(days=1), 0)
        data = await self.checked("operator", "recordObservations", RECORD, variables)
        if data["recordObservations"]["errors"]:
            raise SetupError(f"recordObservations refused: {data}")

    def reads(self, user: str) -> list[tuple[str, str, dict]]:
        code = OPERATOR_UNIT if user == "operator" else CITY
        return [
            ("read units", UNITS, {"code": OPERATOR_UNIT}),
            ("read people", PEOPLE, {"code": code}),
            ("read series", SERIES, {"metric": SERIES_METRIC, "code": OPERATOR_UNIT}),
        ]

    def write_variables(self, unit: str, day: date, value: int = 1) -> dict:
        return {
            "observations": [
                {
                    "metric": self.metric,
                    "unitCode": unit,
                    "periodStart": day.isoformat(),
                    "period": "DAY",
                    "value": value,
                }
            ]
        }

    # -- one request of the load --------------------------------------------------------------

    def now(self) -> float:
        return time.monotonic() - self.t0

    async def read(self, user: str) -> None:
        op, query, variables = self.rng.choice(self.reads(user))
        attempt = Attempt(op, user, "load", self.now())
        self.attempts.append(attempt)
        await self.post(attempt, query, variables)

    async def send_write(self, write: Write, op: str, phase: str = "load") -> Attempt:
        attempt = Attempt(op, write.user, phase, self.now())
        self.attempts.append(attempt)
        write.attempts.append(attempt)
        payload = await self.post(attempt, RECORD, write.variables, write.key)
        if payload is not None:
            attempt.body = json.dumps(payload, ensure_ascii=False)[:1500]
        attempt.outcome = self.write_outcome(attempt, payload)
        acked = [a.ids for a in write.attempts if a.outcome == "ack"]
        if attempt.outcome == "ack" and len(set(acked)) > 1:
            self.replay_mismatches.append(
                {"key": write.key, "ids": [list(ids) for ids in acked], "op": op}
            )
        return attempt

    @staticmethod
    def write_outcome(attempt: Attempt, payload: Any) -> str:
        """What the answer says of the write: ack, refused, written, not_written or unknown."""
        if attempt.status is None:
            return "unknown"  # reset, client timeout: nothing was heard
        codes = Load.error_codes(payload)
        data = payload.get("data") if isinstance(payload, dict) else None
        result = (data or {}).get("recordObservations") or {}
        if result.get("errors") == [] and result.get("observations"):
            attempt.ids = tuple(o["id"] for o in result["observations"])
            attempt.ack_under_error = attempt.status != 200 or bool(codes)
            return "ack"
        if attempt.status != 200:
            if attempt.status in (400, 413, 415, 429):
                return "not_written"  # answered before the operation ran
            return "unknown"
        if codes:
            outcomes = {outcome for code, outcome in codes if code == "TIMEOUT"}
            if outcomes:
                return {"WRITTEN": "written", "NOT_WRITTEN": "not_written"}.get(
                    outcomes.pop(), "unknown"
                )
            if all(code == "RATE_LIMITED" for code, _ in codes):
                return "not_written"
            return "unknown"
        if result.get("errors"):
            return "refused"
        return "unknown"

    async def write(self, user: str) -> None:
        index = next(self.counter)
        unit = self.rng.choice(self.targets[user])
        write = Write(
            str(uuid.uuid4()),
            user,
            index,
            unit,
            self.write_variables(unit, FIRST_DAY + timedelta(days=index)),
        )
        self.writes[write.key] = write
        draw = self.rng.random()
        if draw < self.args.resend_fraction / 2:
            await asyncio.gather(
                self.send_write(write, "write"),
                self.send_write(write, "resend (racing)"),
            )
        elif draw < self.args.resend_fraction:
            await self.send_write(write, "write")
            await self.send_write(write, "resend (after answer)")
        else:
            await self.send_write(write, "write")

    async def one(self) -> None:
        user = "operator" if self.rng.random() < self.args.operator_fraction else "admin"
        if self.rng.random() < self.args.write_fraction:
            await self.write(user)
        else:
            await self.read(user)

    async def drive(self) -> float:
        """Open loop: one request every 1/rate s whatever the answers, in flight at most
        ``--max-in-flight`` (beyond: dropped and counted). Returns the load's duration."""
        interval = 1 / self.args.rate
        total = int(self.args.seconds * self.args.rate)
        tasks: set[asyncio.Task] = set()
        self.t0 = time.monotonic()
        for i in range(total):
            delay = self.t0 + i * interval - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                self.lags.append(-delay)
            if len(tasks) >= self.args.max_in_flight:
                self.dropped += 1
                continue
            task = asyncio.create_task(self.one())
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            self.max_in_flight = max(self.max_in_flight, len(tasks))
        sent_for = time.monotonic() - self.t0
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=self.args.client_timeout + 10)
            for task in pending:
                task.cancel()
            self.cancelled_at_end = len(pending)
            if pending:
                await asyncio.wait(pending)
        for attempt in self.attempts:
            if attempt.latency is None:
                attempt.kinds = ["client cancelled at the end"]
                if not attempt.op.startswith("read"):
                    attempt.outcome = attempt.outcome or "unknown"
        return sent_for

    async def recover(self) -> None:
        """Resend, under its key, every write whose outcome is unknown (up to 3 times)."""
        for round_ in range(3):
            unknown = [w for w in self.writes.values() if w.expected() == "unknown"]
            if not unknown:
                return
            if round_:
                await asyncio.sleep(2)
            limit = asyncio.Semaphore(4)

            async def resend(write: Write, limit: asyncio.Semaphore = limit) -> None:
                async with limit:
                    await self.send_write(write, "recovery resend", "recovery")

            await asyncio.gather(*(resend(w) for w in unknown))


# ---------------------------------------------------------------------------------------------
# The report


def summarise(
    load: Load, rows: dict[str, Any], rows_before: dict[str, Any], api_total: dict | None
) -> dict[str, Any]:
    load_attempts = [a for a in load.attempts if a.phase == "load"]
    answers = Counter(kind for a in load_attempts for kind in (a.kinds or ["(no answer)"]))
    by_kind: dict[str, list[float]] = defaultdict(list)
    for a in load_attempts:
        if a.latency is not None:
            by_kind[" + ".join(a.kinds)].append(a.latency)
    answer_latency = {
        kind: {
            "count": len(values),
            "p50_ms": _ms(percentile(values, 50)),
            "p99_ms": _ms(percentile(values, 99)),
        }
        for kind, values in sorted(by_kind.items(), key=lambda item: -len(item[1]))
    }
    per_op: dict[str, dict[str, Any]] = {}
    for op in sorted({a.op for a in load.attempts}):
        chosen = [a for a in load.attempts if a.op == op]
        latencies = [a.latency for a in chosen if a.latency is not None]
        ok = [a for a in chosen if a.kinds == ["OK"]]
        per_op[op] = {
            "sent": len(chosen),
            "ok": len(ok),
            "answers": dict(Counter(k for a in chosen for k in a.kinds)),
            "p50_ms": _ms(percentile(latencies, 50)),
            "p90_ms": _ms(percentile(latencies, 90)),
            "p99_ms": _ms(percentile(latencies, 99)),
            "max_ms": _ms(max(latencies) if latencies else None),
        }

    per_day = rows["per_day"]
    by_expectation: dict[str, list[Write]] = defaultdict(list)
    for write in load.writes.values():
        by_expectation[write.expected()].append(write)
    doubled = [w for w in load.writes.values() if per_day.get(w.day, (0, 0))[0] > 1]
    lost = [w for w in by_expectation["one"] if per_day.get(w.day, (0, 0))[0] == 0]
    phantom = [w for w in by_expectation["none"] if per_day.get(w.day, (0, 0))[0] > 0]
    unknown_written = [w for w in by_expectation["unknown"] if per_day.get(w.day, (0, 0))[0] > 0]
    known_days = {w.day for w in load.writes.values()}
    stray = {
        d.isoformat(): n
        for d, (n, total) in per_day.items()
        if d not in known_days and total != 0  # the check write before timing has value 0
    }
    # What the database held when the load had ended, before any recovery resend: what the
    # load's answers said must already be true then.
    early = rows_before["per_day"]
    by_label: dict[str, dict[str, int]] = {}
    for write in load.writes.values():
        row = by_label.setdefault(
            write.label(), {"keys": 0, "with a row after the load": 0, "with a row at the end": 0}
        )
        row["keys"] += 1
        row["with a row after the load"] += early.get(write.day, (0, 0))[0] > 0
        row["with a row at the end"] += per_day.get(write.day, (0, 0))[0] > 0
    lost_early = [
        w
        for w in load.writes.values()
        if w.expected("load") == "one" and early.get(w.day, (0, 0))[0] == 0
    ]
    phantom_early = [
        w
        for w in load.writes.values()
        if w.expected("load") == "none" and early.get(w.day, (0, 0))[0] > 0
    ]
    # Committed although every answer the server gave was an error that did not say so (no
    # acknowledgement, no TIMEOUT outcome WRITTEN/UNKNOWN), e.g. 503 UNAVAILABLE: a client
    # without an Idempotency-Key that retries as told writes twice.
    untold = [
        w
        for w in load.writes.values()
        if w.expected("load") != "one"
        and early.get(w.day, (0, 0))[0] > 0
        and all(
            a.status is not None and "GraphQL TIMEOUT outcome UNKNOWN" not in a.kinds
            for a in w.attempts
            if a.phase == "load"
        )
    ]
    # Acknowledged in data (errors == []) while the answer was an HTTP error or carried a
    # top-level error without an outcome: a client that trusts the status (503, Retry-After)
    # and resends without an Idempotency-Key writes twice.
    ack_under_error = [
        w
        for w in load.writes.values()
        if any(a.ack_under_error for a in w.attempts if a.phase == "load")
        and not any(a.outcome == "ack" and not a.ack_under_error for a in w.attempts)
    ]
    acknowledged = [w for w in load.writes.values() if "ack" in w.outcomes()]
    written_only = [w for w in by_expectation["one"] if "ack" not in w.outcomes()]
    acked_in_load = [
        w
        for w in load.writes.values()
        if any(a.outcome == "ack" for a in w.attempts if a.phase == "load")
    ]

    timeouts: dict[str, dict[str, int]] = {}
    for outcome in ("WRITTEN", "NOT_WRITTEN", "UNKNOWN"):
        kind = f"GraphQL TIMEOUT outcome {outcome}"
        keys = [w for w in load.writes.values() if any(kind in a.kinds for a in w.attempts)]
        timeouts[outcome] = {
            "answers": sum(kind in a.kinds for w in keys for a in w.attempts),
            "keys": len(keys),
            "keys_with_a_row": sum(per_day.get(w.day, (0, 0))[0] > 0 for w in keys),
            "keys_acknowledged_by_another_answer": sum("ack" in w.outcomes() for w in keys),
        }
    expected_rows = len(by_expectation["one"])
    rows_sum = int(round(rows["sum"]))
    integrity = {
        "writes (distinct keys)": len(load.writes),
        "attempts (with resends)": sum(len(w.attempts) for w in load.writes.values()),
        "acknowledged keys (errors == [])": len(acknowledged),
        "acknowledged during the load": len(acked_in_load),
        "reported WRITTEN, never acknowledged": len(written_only),
        "expected rows (acknowledged + WRITTEN)": expected_rows,
        "refused or NOT_WRITTEN keys": len(by_expectation["none"]),
        "keys of unknown outcome after recovery": len(by_expectation["unknown"]),
        "of which have a row": len(unknown_written),
        "rows found (SUM of the metric in the database)": rows_sum,
        "rows found (COUNT)": rows["count"] - sum(1 for d, (n, t) in per_day.items() if t == 0),
        "SUM through the API (metricSeries, admin)": (api_total or {}).get("value"),
        "lost (acknowledged/WRITTEN, no row)": len(lost),
        "lost after the load (acknowledged/WRITTEN then, no row then)": len(lost_early),
        "written after the load although refused/NOT_WRITTEN": len(phantom_early),
        "committed under an error answer that did not say so (e.g. 503)": len(untold),
        "acknowledged in data but answered as an error (e.g. 503)": len(ack_under_error),
        "doubled (a key with 2+ rows)": len(doubled),
        "written although refused/NOT_WRITTEN": len(phantom),
        "rows of no key": sum(stray.values()),
        "replays answering other rows": len(load.replay_mismatches),
        "idempotency_key rows": rows["idempotency_keys"],
    }
    equal = rows_sum == expected_rows
    verdict = "PASS"
    reasons = []
    if lost or doubled or phantom or stray or load.replay_mismatches or lost_early or phantom_early:
        verdict = "FAIL"
        reasons.append("a lost, doubled or unexpected write")
    if not equal and not (
        by_expectation["unknown"] and rows_sum - expected_rows == len(unknown_written)
    ):
        verdict = "FAIL"
        reasons.append(f"rows {rows_sum} != acknowledged + WRITTEN {expected_rows}")
    if untold:
        verdict = "FAIL"
        reasons.append(
            f"{len(untold)} writes were committed although every answer was an error that "
            f"did not say so ({', '.join(sorted({w.label() for w in untold}))})"
        )
    if ack_under_error:
        verdict = "FAIL"
        reasons.append(
            f"{len(ack_under_error)} writes were acknowledged in data (errors == []) but "
            f"answered as errors ({', '.join(sorted({w.label() for w in ack_under_error}))}), "
            "with no outcome"
        )
    if load.http_500:
        verdict = "FAIL"
        reasons.append(f"{len(load.http_500)} HTTP 5xx answers (not UNAVAILABLE)")
    if load.leaks:
        verdict = "FAIL"
        reasons.append(f"{len(load.leaks)} responses with database text")
    if verdict == "PASS" and not equal:
        verdict = "INCONCLUSIVE"
        reasons.append(f"{len(by_expectation['unknown'])} writes of unknown outcome remain")
    timeline: dict[int, Counter] = defaultdict(Counter)
    for a in load_attempts:
        second = timeline[int(a.sent_at)]
        second["sent"] += 1
        second["OK" if a.kinds == ["OK"] else "not OK"] += 1
    return {
        "timeline_per_second": {s: dict(c) for s, c in sorted(timeline.items())},
        "requests": {
            "scheduled": int(load.args.seconds * load.args.rate),
            "sent (load, resends included)": len(load_attempts),
            "sent (recovery resends)": sum(a.phase == "recovery" for a in load.attempts),
            "dropped (in-flight cap)": load.dropped,
            "cancelled at the end": load.cancelled_at_end,
            "max in flight": load.max_in_flight,
            "scheduler late > 50 ms": sum(lag > 0.05 for lag in load.lags),
            "scheduler max lateness ms": _ms(max(load.lags) if load.lags else 0),
        },
        "answers": dict(answers.most_common()),
        "latency_by_answer": answer_latency,
        "writes_by_load_answer": dict(sorted(by_label.items(), key=lambda item: -item[1]["keys"])),
        "operations": per_op,
        "integrity": integrity,
        "timeouts": timeouts,
        "verdict": verdict,
        "reasons": reasons,
        "problem_keys": {
            "lost": [_write_json(w, per_day, early) for w in lost[:20]],
            "doubled": [_write_json(w, per_day, early) for w in doubled[:20]],
            "phantom": [_write_json(w, per_day, early) for w in phantom[:20]],
            "lost_after_the_load": [_write_json(w, per_day, early) for w in lost_early[:20]],
            "phantom_after_the_load": [_write_json(w, per_day, early) for w in phantom_early[:20]],
            "acknowledged_under_an_error_answer": [
                _write_json(w, per_day, early) for w in ack_under_error[:20]
            ],
            "committed_under_an_error_answer": [
                _write_json(w, per_day, early) for w in untold[:20]
            ],
            "unknown": [_write_json(w, per_day, early) for w in by_expectation["unknown"][:20]],
            "stray_days": stray,
            "replay_mismatches": load.replay_mismatches[:20],
        },
        "http_5xx": load.http_500[:20],
        "database_text": load.leaks[:20],
        "examples": dict(load.examples),
    }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def _write_json(write: Write, per_day, early) -> dict[str, Any]:
    return {
        "key": write.key,
        "user": write.user,
        "unit": write.unit,
        "periodStart": write.day.isoformat(),
        "rows after the load": early.get(write.day, (0, 0))[0],
        "rows at the end": per_day.get(write.day, (0, 0))[0],
        "attempts": [
            {
                "op": a.op,
                "phase": a.phase,
                "at_s": round(a.sent_at, 3),
                "status": a.status,
                "answers": a.kinds,
                "outcome": a.outcome,
                "latency_ms": _ms(a.latency),
                "answer": a.body,
            }
            for a in write.attempts
        ],
    }


def scan_log(path: Path) -> dict[str, Any]:
    """Counts of a few patterns, and the commonest shapes of the log's unindented lines
    (addresses and numbers of 4+ digits replaced): what the server said while it was loaded."""
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    lines = text.splitlines()
    counts = {
        name: sum(bool(pattern.search(line)) for line in lines)
        for name, pattern in LOG_PATTERNS.items()
    }
    shapes = Counter(
        re.sub(r"\d{4,}", "N", re.sub(r"\d+\.\d+\.\d+\.\d+:\d+", "ADDR", line))[:200]
        for line in lines
        if line.strip() and not line.startswith((" ", "\t"))
    )
    return {"lines": len(lines), "counts": counts, "common_lines": dict(shapes.most_common(15))}


def print_report(report: dict[str, Any]) -> None:
    config = report["config"]
    console.rule(
        f"[bold]yixian integrity load[/bold] — {config['rate']} req/s for {config['seconds']} s, "
        f"{config['workers']} workers, {report['machine']['cpus']} CPUs"
    )
    table = Table("requests", "count")
    for name, value in report["requests"].items():
        table.add_row(name, str(value))
    console.print(table)

    table = Table("answer (load)", "count")
    for kind, n in report["answers"].items():
        table.add_row(kind, str(n))
    console.print(table)

    table = Table(
        "operation", "sent", "OK", "p50 ms", "p90 ms", "p99 ms", "max ms", "other answers"
    )
    for op, row in report["operations"].items():
        others = ", ".join(f"{k} {n}" for k, n in row["answers"].items() if k != "OK")
        table.add_row(
            op,
            str(row["sent"]),
            str(row["ok"]),
            *(str(row[k]) for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms")),
            others,
        )
    console.print(table)

    table = Table("answer (load)", "count", "p50 ms", "p99 ms", title="latency by answer")
    for kind, row in report["latency_by_answer"].items():
        table.add_row(kind, str(row["count"]), str(row["p50_ms"]), str(row["p99_ms"]))
    console.print(table)

    table = Table(
        "writes by what the load answered",
        "keys",
        "with a row after the load",
        "with a row at the end",
    )
    for label, row in report["writes_by_load_answer"].items():
        table.add_row(label, *(str(v) for v in row.values()))
    console.print(table)

    table = Table("writes", "count")
    for name, value in report["integrity"].items():
        table.add_row(name, str(value))
    console.print(table)

    table = Table("TIMEOUT outcome", "answers", "keys", "keys with a row", "keys acked elsewhere")
    for outcome, row in report["timeouts"].items():
        table.add_row(
            outcome,
            str(row["answers"]),
            str(row["keys"]),
            str(row["keys_with_a_row"]),
            str(row["keys_acknowledged_by_another_answer"]),
        )
    console.print(table)

    log = report["server_log"]
    table = Table(f"server log ({log['lines']} lines): commonest lines", "count")
    for name, n in log["counts"].items():
        table.add_row(f"[bold]{name}[/bold]", str(n))
    for line, n in log["common_lines"].items():
        table.add_row(line[:110], str(n))
    console.print(table)

    colour = {"PASS": "green", "FAIL": "red"}.get(report["verdict"], "yellow")
    console.print(
        f"[bold {colour}]{report['verdict']}[/bold {colour}]"
        + (": " + "; ".join(report["reasons"]) if report["reasons"] else "")
    )
    console.print(f"report: {report['out']}")


# ---------------------------------------------------------------------------------------------
# Main


def parse_args(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=20, help="Length of the load (20).")
    parser.add_argument("--rate", type=float, default=5, help="Requests per second (5).")
    parser.add_argument("--workers", type=int, default=2, help="`yixian serve --workers` (2).")
    parser.add_argument("--write-fraction", type=float, default=0.4, help="Writes (0.4).")
    parser.add_argument(
        "--resend-fraction",
        type=float,
        default=0.1,
        help="Writes sent again under the same key, half racing the first (0.1).",
    )
    parser.add_argument(
        "--operator-fraction", type=float, default=0.6, help="Requests as the operator (0.6)."
    )
    parser.add_argument("--max-in-flight", type=int, default=500, help="Cap of the open loop.")
    parser.add_argument(
        "--client-timeout", type=float, default=30, help="Client read timeout, s (30)."
    )
    parser.add_argument("--seed", type=int, default=None, help="Random seed.")
    parser.add_argument("--out", type=Path, default=None, help="JSON report (bench/results/…).")
    parser.add_argument("--keep", action="store_true", help="Keep the database at the end.")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="Extra setting for the server, e.g. YIXIAN_DB_POOL_SIZE=10 (repeatable).",
    )
    return parser.parse_args(argv)


def shown(path: Path) -> str:
    path = path.absolute()
    return str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def machine() -> dict[str, Any]:
    def git(*args: str) -> str:
        result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return result.stdout.strip()

    return {
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": git("rev-parse", "--short", "HEAD"),
        "uncommitted_files": len(git("status", "--porcelain", "--untracked-files=no").splitlines()),
    }


async def main(args) -> int:
    pid = os.getpid()
    name = f"yixian_bench_{pid}"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = args.out or RESULTS / f"integrity_{stamp}_r{args.rate:g}_s{args.seconds:g}.json"
    log_path = out.with_suffix(".server.log")
    prefix = f"yixian_bench_{pid}_{secrets.token_hex(4)}:"
    env = {
        **os.environ,
        "YIXIAN_DATABASE_URL": (
            f"postgresql+asyncpg://{args.pg_user}@{args.pg_host}:{args.pg_port}/{name}"
        ),
        "YIXIAN_ENV": "production",
        "YIXIAN_SECRET": secrets.token_hex(32),
        "YIXIAN_REDIS_URL": args.redis_url,
        "YIXIAN_REDIS_PREFIX": prefix,
        "YIXIAN_RATE_LIMIT_PER_MINUTE": "1000000",
    }
    for item in args.env:
        key, _, value = item.partition("=")
        env[key] = value
    metric = f"core.bench_{pid}_{secrets.token_hex(3)}"
    before = machine()
    server: Server | None = None
    created = False
    load: Load | None = None
    try:
        console.print(f"database {name} on {args.pg_host}:{args.pg_port}")
        await create_database(args, name)
        created = True
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, cli, env, "db", "upgrade")
        await loop.run_in_executor(None, cli, env, "seed", "demo")
        tokens = {
            "admin": token_from(
                await loop.run_in_executor(
                    None, cli, env, "token", "create", "--user", "bench-admin", "--role", "ADMIN"
                )
            ),
            "operator": token_from(
                await loop.run_in_executor(
                    None,
                    cli,
                    env,
                    "token",
                    "create",
                    "--user",
                    "bench-operator",
                    "--role",
                    "OPERATOR",
                    "--unit",
                    OPERATOR_UNIT,
                )
            ),
        }
        port = free_port()
        server = Server(env, args.workers, port, log_path)
        server.start()
        ready = await server.wait_ready()
        console.print(f"yixian serve --workers {args.workers} ready on :{port} in {ready:.1f}s")

        base = f"http://127.0.0.1:{port}"
        limits = httpx.Limits(
            max_connections=args.max_in_flight + 10, max_keepalive_connections=100
        )
        timeout = httpx.Timeout(args.client_timeout, connect=10, pool=args.client_timeout)
        async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
            load = Load(args, base, tokens, metric)
            load.client = client
            await load.prepare()
            console.print(
                f"documents checked; metric {metric}; load: {args.rate:g} req/s for "
                f"{args.seconds:g} s …"
            )
            log_at_start = len(server.log_text())
            sent_for = await load.drive()
            load_log = server.log_text()[log_at_start:]
            console.print(f"load sent in {sent_for:.1f}s; resending writes of unknown outcome …")
            rows_before = await rows_of(args, name, metric)
            await load.recover()
            api = await load.post(
                Attempt("total", "admin", "final", 0.0), TOTAL, {"metric": metric, "code": CITY}
            )
        api_points = ((api or {}).get("data") or {}).get("metricSeries") or []
        rows = await rows_of(args, name, metric)
        report = {
            "command": " ".join([shown(Path(sys.executable).absolute()), *sys.argv]),
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "config": {
                "seconds": args.seconds,
                "rate": args.rate,
                "workers": args.workers,
                "write_fraction": args.write_fraction,
                "resend_fraction": args.resend_fraction,
                "operator_fraction": args.operator_fraction,
                "client_timeout_s": args.client_timeout,
                "database": name,
                "metric": metric,
                "extra_env": args.env,
            },
            "machine": {**before, "load_average_after": [round(x, 2) for x in os.getloadavg()]},
            "load_seconds": round(sent_for, 2),
            **summarise(load, rows, rows_before, api_points[0] if api_points else None),
        }
        server.stop()
        report["server_log"] = scan_log(log_path)
        report["server_log"]["counts"]["worker died (uvicorn restarted it), whole run"] = (
            server.log_text().count("died")
        )
        report["server_log"]["counts"]["worker died, during the load"] = load_log.count("died")
        report["server_log_file"] = shown(log_path)
        report["out"] = shown(out)
        out.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n")
        print_report(report)
        return {"PASS": 0, "FAIL": 1}.get(report["verdict"], 3)
    except SetupError as exc:
        console.print(f"[red]setup failed:[/red] {exc}")
        return 2
    finally:
        if server is not None:
            server.stop()
        with contextlib.suppress(Exception):
            clear_redis(args.redis_url, prefix)
        if created and not args.keep:
            with contextlib.suppress(Exception):
                await drop_database(args, name)
            console.print(f"dropped {name}")
        elif created:
            console.print(f"kept {name} (--keep)")


async def guarded(args) -> int:
    """``main``, cancelled by Ctrl-C or SIGTERM (once: a second signal does not interrupt the
    clean-up), so that the server is stopped and the database dropped."""
    task = asyncio.current_task()
    signals: list[int] = []

    def stop(signum: int) -> None:
        if not signals:
            console.print("[yellow]stopping: cleaning up …[/yellow]")
            task.cancel()
        signals.append(signum)

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop, signum)
    try:
        return await main(args)
    except asyncio.CancelledError:
        if not signals:
            raise
        raise KeyboardInterrupt from None


def run() -> int:
    args = parse_args()
    try:
        return asyncio.run(guarded(args))
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/yellow]")
        return 130


if __name__ == "__main__":
    sys.exit(run())
