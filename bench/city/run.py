"""The city benchmark: yixian against the floor (hand-written SQL), at city scale, on PostgreSQL.

Not a test. One command (bench/city/README.md)::

    .venv/bin/python bench/city/run.py [--scale city] [--seconds 20] [--connections 8]
                                       [--keep-db NAME | --reuse-db NAME]

1. Generates the city (``yixian demo generate --scale city --seed 7``) into a temporary folder,
   creates a fresh database on the local PostgreSQL, migrates (``yixian db upgrade``) and imports
   it (``yixian import``), all through the real command line; ``--reuse-db NAME`` skips this on
   a database imported before (and checks that it holds the generated city). Tokens come from
   ``yixian token create``: an ADMIN, and an OPERATOR of the district with the most ACTIVE
   postings, both without the PII grant.
2. Counts, PostgreSQL-side, the statements (``log_statement = 'all'`` on the database, the
   server's log file read around each single request) and the transactions
   (``pg_stat_database.xact_commit + xact_rollback``) of each operation, on servers started
   while the setting is on; then resets it.
3. Serves yixian in production mode with one worker (``yixian serve --workers 1``) and the floor
   (floor.py under uvicorn, one worker), checks that both give the same answers (normalised
   JSON) and fails loudly if not, measures the unloaded latency (one client, requests sent in
   turn to yixian and the floor) and drives every operation with wrk (8 connections), yixian
   and floor runs interleaved (ABAB…), as the OPERATOR and as the ADMIN, reading the server
   process's CPU time around every run.
4. Prints a table, writes bench/city/results/<date>.json and .md with the targets of issue 12,
   and cleans up (servers stopped, database dropped unless --keep-db/--reuse-db), on Ctrl-C too.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import http.client
import importlib
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(HERE), str(ROOT)]
VENV_BIN = Path(sys.executable).parent
RESULTS = HERE / "results"

#: What the benchmark needs beyond the project's own dependencies (bench/city/README.md).
PIP_NEEDS = {"orjson": "orjson>=3.9", "psutil": "psutil>=5.9"}


def ensure_tools() -> None:
    missing = [spec for module, spec in PIP_NEEDS.items() if not _importable(module)]
    if missing:
        print(f"installing {' '.join(missing)} into {sys.prefix}", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", *missing], check=True)
        importlib.invalidate_caches()
    if shutil.which("wrk") is None:
        print("installing wrk (apt-get install -y wrk)", flush=True)
        if subprocess.run(["apt-get", "install", "-y", "wrk"], capture_output=True).returncode:
            subprocess.run(["apt-get", "update"], capture_output=True)
            subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)


def _importable(module: str) -> bool:
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


ensure_tools()

import asyncpg  # noqa: E402
import operations as ops  # noqa: E402
import psutil  # noqa: E402
from floor import AUDIT_DDL  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

console = Console(width=None if sys.stdout.isatty() else 160)

#: Issue 12's targets: yixian ÷ floor requests per second, per operation.
RATIO_TARGETS = {"town": 0.25, "people": 0.4, "series": 0.9, "write": 0.5}
UNLOADED_FACTOR = 3.0
READ_ROUND_TRIPS = 3
CALLERS = ("operator", "admin")
SERVERS = ("yixian", "floor")


class Failure(Exception):
    """The benchmark cannot go on (different answers, a server that does not start…)."""


# --------------------------------------------------------------------------------------------
# PostgreSQL


class Pg:
    def __init__(self, host: str, port: int, user: str):
        self.host, self.port, self.user = host, port, user

    def dsn(self, db: str, driver: str = "postgresql") -> str:
        return f"{driver}://{self.user}@{self.host}:{self.port}/{db}"

    def run(self, sql: str, *args: Any, db: str = "postgres") -> list[asyncpg.Record]:
        async def go():
            conn = await asyncpg.connect(self.dsn(db))
            try:
                return await conn.fetch(sql, *args)
            finally:
                await conn.close()

        return asyncio.run(go())

    def one(self, sql: str, *args: Any, db: str = "postgres") -> Any:
        rows = self.run(sql, *args, db=db)
        return rows[0][0] if rows else None


def quote_ident(name: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise Failure(f"database name {name!r}: use lower-case letters, digits and _")
    return f'"{name}"'


# --------------------------------------------------------------------------------------------
# The command line of yixian


def cli_env(pg: Pg, db: str, secret: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YIXIAN_")}
    env.update(
        YIXIAN_DATABASE_URL=pg.dsn(db, "postgresql+asyncpg"),
        YIXIAN_ENV="production",
        YIXIAN_SECRET=secret,
        # Rate limits are not what is measured.
        YIXIAN_RATE_LIMIT_PER_MINUTE="0",
        YIXIAN_AUTH_FAILURES_PER_MINUTE="0",
        PYTHONUNBUFFERED="1",
    )
    return env


def yixian(args: list[str], env: dict[str, str], cwd: Path, log: Path) -> str:
    started = time.monotonic()
    console.print(f"[dim]$ yixian {' '.join(args)}[/dim]")
    with open(log, "a", encoding="utf-8") as out:
        out.write(f"\n$ yixian {' '.join(args)}\n")
        out.flush()
        done = subprocess.run(
            [str(VENV_BIN / "yixian"), *args],
            env={**env, "COLUMNS": "200"},
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=out,
            text=True,
        )
        out.write(done.stdout)
    if done.returncode:
        raise Failure(f"yixian {' '.join(args)} exited {done.returncode}; see {log}")
    console.print(f"[dim]  … {time.monotonic() - started:.1f} s[/dim]")
    return done.stdout


def make_token(user: str, role: str, unit: str | None, env, cwd, log) -> str:
    args = ["token", "create", "--user", user, "--role", role]
    if unit:
        args += ["--unit", unit]
    out = yixian(args, env, cwd, log)
    tokens = [line.strip() for line in out.splitlines() if line.strip().startswith("yx_")]
    if not tokens:
        raise Failure(f"no token in the output of yixian token create: {out!r}")
    return tokens[-1]


# --------------------------------------------------------------------------------------------
# Servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, name: str, argv: list[str], env: dict[str, str], cwd: Path, log: Path):
        self.name, self.argv, self.env, self.cwd, self.log = name, argv, env, cwd, log
        self.port = int(argv[argv.index("--port") + 1])
        self.proc: subprocess.Popen | None = None

    def start(self) -> Server:
        handle = open(self.log, "a", encoding="utf-8")  # noqa: SIM115
        handle.write(f"\n$ {' '.join(self.argv)}\n")
        handle.flush()
        self.proc = subprocess.Popen(
            self.argv,
            env=self.env,
            cwd=self.cwd,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches run.py only; run.py stops the servers
        )
        handle.close()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Failure(f"{self.name} exited {self.proc.returncode}; see {self.log}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return self
            except OSError:
                pass
            time.sleep(0.25)
        raise Failure(f"{self.name} did not answer /healthz in 90 s; see {self.log}")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of the server process and its children."""
        proc = psutil.Process(self.proc.pid)
        total = 0.0
        for p in [proc, *proc.children(recursive=True)]:
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.NoSuchProcess:
                pass
        return total

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass


class Client:
    """One keep-alive HTTP/1.1 connection: POST a GraphQL body, get the parsed answer."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def post(self, body: bytes, token: str) -> tuple[int, Any, float]:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        for attempt in (1, 2):
            try:
                started = time.perf_counter()
                self.conn.request("POST", "/graphql", body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                elapsed = time.perf_counter() - started
                return response.status, json.loads(data), elapsed
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        raise AssertionError

    def close(self) -> None:
        self.conn.close()


# --------------------------------------------------------------------------------------------
# Answers


def normalise(key: str, answer: Any) -> Any:
    def walk(value):
        if isinstance(value, float):
            return round(value, 6)
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    answer = walk(answer)
    data = answer.get("data") if isinstance(answer, dict) else None
    if key == "series" and data and data.get("metricSeries"):
        # yixian orders the points by the group unit's row id, then the period: sort by code.
        data["metricSeries"].sort(key=lambda p: (p["unit"]["code"], p["periodStart"]))
    if key == "write" and data and data["recordObservations"]["observations"]:
        for o in data["recordObservations"]["observations"]:
            o.pop("id", None)  # a new row each time
    return answer


def first_difference(a: Any, b: Any, path: str = "$") -> str | None:
    if type(a) is not type(b):
        return f"{path}: {json.dumps(a, ensure_ascii=False)[:200]} ≠ {json.dumps(b)[:200]}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}: present in only one"
            found = first_difference(a[k], b[k], f"{path}.{k}")
            if found:
                return found
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items ≠ {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    if a != b:
        return f"{path}: {json.dumps(a, ensure_ascii=False)} ≠ {json.dumps(b, ensure_ascii=False)}"
    return None


def describe(key: str, data: dict) -> str:
    if key == "town":
        children = data["unit"]["children"]
        posts = sum(len(c["postings"]) for c in children)
        return f"{len(children)} villages, {posts} ACTIVE postings"
    if key == "people":
        page = data["postings"]
        homeless = sum(1 for e in page["edges"] if not (e["node"]["person"] or {}).get("homeUnit"))
        return f"{len(page['edges'])} of {page['totalCount']}; {homeless} home units not visible"
    if key == "series":
        points = data["metricSeries"]
        return f"{len(points)} points, {sum(p['count'] for p in points):,} observations"
    return "1 observation recorded"


def check_answers(servers, bodies, tokens, stamp: str) -> dict[str, dict[str, str]]:
    """Ask both servers every operation as every caller; raise Failure on a difference."""
    clients = {name: Client(s.port) for name, s in servers.items()}
    summary: dict[str, dict[str, str]] = {}
    try:
        for caller in CALLERS:
            for key in ops.OPERATIONS:
                answers = {}
                for name, client in clients.items():
                    status, answer, _ = client.post(bodies[caller][key], tokens[name][caller])
                    if status != 200 or answer.get("errors") or not answer.get("data"):
                        raise Failure(
                            f"{name} answered {key} as {caller} with HTTP {status}: "
                            f"{json.dumps(answer, ensure_ascii=False)[:600]}"
                        )
                    payload = answer["data"].get("recordObservations")
                    if payload is not None and payload["errors"]:
                        raise Failure(f"{name} refused the write as {caller}: {payload}")
                    answers[name] = normalise(key, answer)
                diff = first_difference(answers["yixian"], answers["floor"])
                if diff:
                    RESULTS.mkdir(parents=True, exist_ok=True)
                    for name, answer in answers.items():
                        path = RESULTS / f"{stamp}.mismatch.{key}.{caller}.{name}.json"
                        path.write_text(json.dumps(answer, ensure_ascii=False, indent=1))
                    raise Failure(
                        f"yixian and the floor disagree on {key} as {caller} at {diff} "
                        f"(both answers in {RESULTS}/{stamp}.mismatch.{key}.{caller}.*.json)"
                    )
                summary.setdefault(caller, {})[key] = describe(key, answers["yixian"]["data"])
                console.print(f"  same answer: {key:<7} as {caller:<8} {summary[caller][key]}")
    finally:
        for client in clients.values():
            client.close()
    return summary


# --------------------------------------------------------------------------------------------
# Statements and transactions, counted by PostgreSQL


class StatementLog:
    """What PostgreSQL logs for the benchmark's database with ``log_min_duration_statement = 0``,
    read from the server's log file between two offsets.

    Every message of the protocol that does work is logged with its duration: a simple query
    (``statement: BEGIN;``), and for the extended protocol the ``parse`` of a statement asyncpg
    prepares, and the ``bind`` and ``execute`` of each run of a prepared statement. Round trips:
    each simple query, each parse (asyncpg prepares in a round trip of its own) and each bind
    (Bind + Execute + Sync: one round trip, logged as two lines)."""

    LINE = re.compile(r"LOG:  duration: [0-9.]+ ms  (statement|parse|bind|execute)[^:]*: ?(.*)$")

    def __init__(self, pg: Pg, db: str, path: str | None):
        self.pg, self.db = pg, db
        self.path = Path(path) if path else self._find()
        prefix = pg.one("SHOW log_line_prefix")
        self.pid_pattern = re.compile(r"\[(\d+)\]") if "[%p]" in prefix else None
        if self.pid_pattern is None and "%d" not in prefix:
            raise Failure(f"log_line_prefix {prefix!r} has neither [%p] nor %d")

    def _find(self) -> Path:
        current = self.pg.one("SELECT pg_current_logfile()")
        data = Path(self.pg.one("SHOW data_directory"))
        if current:
            path = Path(current)
            return path if path.is_absolute() else data / path
        # No logging collector: the postmaster's stderr is the log.
        postmaster = int((data / "postmaster.pid").read_text().split()[0])
        path = Path(os.readlink(f"/proc/{postmaster}/fd/2"))
        if not path.is_file():
            raise Failure(f"the PostgreSQL log goes to {path}, not a file: pass --pg-log")
        return path

    def offset(self) -> int:
        return self.path.stat().st_size

    def backends(self) -> set[str]:
        rows = self.pg.run("SELECT pid FROM pg_stat_activity WHERE datname = $1", self.db)
        return {str(r["pid"]) for r in rows}

    def read(self, start: int, pids: set[str]) -> list[tuple[str, str, str]]:
        """(backend pid, message, statement's first line) of the database since ``start``."""
        with open(self.path, "rb") as handle:
            handle.seek(start)
            text = handle.read().decode("utf-8", "replace")
        found = []
        for line in text.splitlines():
            match = self.LINE.search(line)
            if not match:
                continue
            if self.pid_pattern is not None:
                pid = self.pid_pattern.search(line)
                if not pid or pid.group(1) not in pids:
                    continue
                found.append((pid.group(1), match.group(1), match.group(2)))
            elif f"@{self.db} " in line:
                found.append(("?", match.group(1), match.group(2)))
        return found


def classify(statement: str) -> str:
    s = statement.strip().rstrip(";").strip().upper()
    if s.startswith("BEGIN") or s.startswith("START TRANSACTION"):
        return "BEGIN"
    if s in ("COMMIT", "ROLLBACK", "END"):
        return "COMMIT" if s != "ROLLBACK" else "ROLLBACK"
    if s in ("", "SELECT 1"):
        return "ping"
    return "data"


def runs_of(messages: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """(pid, text) of every statement run: simple queries and binds of prepared statements."""
    return [(pid, text) for pid, kind, text in messages if kind in ("statement", "bind")]


def transactions_of(messages: list[tuple[str, str, str]]) -> int:
    """Transactions the statements make: BEGIN … COMMIT/ROLLBACK blocks, and each statement run
    outside one (its own implicit transaction)."""
    inside: dict[str, bool] = {}
    count = 0
    for pid, text in runs_of(messages):
        kind = classify(text)
        if kind == "BEGIN":
            inside[pid] = True
            count += 1
        elif kind in ("COMMIT", "ROLLBACK"):
            inside[pid] = False
        elif not inside.get(pid):
            count += 1
    return count


def round_trips_of(messages: list[tuple[str, str, str]]) -> int:
    return sum(1 for _pid, kind, _text in messages if kind in ("statement", "parse", "bind"))


def xacts(pg: Pg, db: str) -> int:
    return int(
        pg.one("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = $1", db)
    )


def settled_xacts(pg: Pg, db: str) -> int:
    """pg_stat_database's transactions of ``db`` once every backend has reported: a backend
    reports its counters when idle, at most once a second, else ten seconds later."""
    time.sleep(11)
    return xacts(pg, db)


def count_statements(pg, db, log: StatementLog, servers, bodies, tokens, repeat=3) -> dict:
    """One request at a time, ``repeat`` times per server × caller × operation, after a warm-up:
    the round trips and statements PostgreSQL logged for each, and the transactions they make;
    the total of transactions is checked against pg_stat_database."""
    clients = {name: Client(s.port) for name, s in servers.items()}
    counted: dict = {}
    try:
        for name, client in clients.items():  # warm-up: pools filled, statements prepared
            for caller in CALLERS:
                for key in ops.OPERATIONS:
                    for _ in range(3):
                        client.post(bodies[caller][key], tokens[name][caller])
        before = settled_xacts(pg, db)
        expected = 0
        for name, client in clients.items():
            for caller in CALLERS:
                for key in ops.OPERATIONS:
                    runs = []
                    for _ in range(repeat):
                        pids = log.backends()
                        start = log.offset()
                        status, answer, _ = client.post(bodies[caller][key], tokens[name][caller])
                        if status != 200 or answer.get("errors"):
                            raise Failure(f"{name} {key} as {caller}: {str(answer)[:400]}")
                        time.sleep(0.3)  # a session closed after the answer is sent
                        messages = log.read(start, pids | log.backends())
                        runs.append(messages)
                        expected += transactions_of(messages)
                    kinds = [[classify(text) for _pid, text in runs_of(run)] for run in runs]
                    counted.setdefault(name, {}).setdefault(caller, {})[key] = {
                        "round_trips": [round_trips_of(run) for run in runs],
                        "prepares": [sum(1 for m in run if m[1] == "parse") for run in runs],
                        "data_statements": [k.count("data") for k in kinds],
                        "transactions": [transactions_of(run) for run in runs],
                        "connections": [len({m[0] for m in run}) for run in runs],
                        "kinds": {
                            k: kinds[-1].count(k) for k in ("BEGIN", "COMMIT", "ROLLBACK", "ping")
                        },
                        "example": [
                            f"[{pid}] {kind}: {text[:150]}"
                            for pid, kind, text in runs[-1]
                            if kind != "execute"
                        ],
                    }
        seen = settled_xacts(pg, db) - before
    finally:
        for client in clients.values():
            client.close()
    return {
        "counted": counted,
        "check": {"transactions_from_log": expected, "transactions_pg_stat_database": seen},
    }


# --------------------------------------------------------------------------------------------
# Load


WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = [==[{body}]==]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"

bad = 0
local threads = {{}}

function setup(thread)
  table.insert(threads, thread)
end

function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors":%s*%[%s*{{') then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + t:get("bad") end
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {{"requests":%d,"duration_us":%d,"bad":%d,"connect":%d,"read":%d,' ..
    '"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
    '"mean_us":%.1f,"max_us":%d}}\\n',
    summary.requests, summary.duration, b, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max))
end
"""


def run_wrk(server: Server, script: Path, seconds: float, connections: int) -> dict:
    argv = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "--latency",
        "-s",
        str(script),
        f"http://127.0.0.1:{server.port}/graphql",
    ]
    cpu = server.cpu_seconds()
    done = subprocess.run(argv, capture_output=True, text=True)
    cpu = server.cpu_seconds() - cpu
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCHJSON ")), None)
    if done.returncode or line is None:
        raise Failure(f"wrk failed ({done.returncode}): {done.stdout[-800:]} {done.stderr[-800:]}")
    result = json.loads(line[len("BENCHJSON ") :])
    result["cpu_s"] = cpu
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def unloaded(servers, bodies, tokens, count: int, seconds: float) -> dict:
    """Sequential requests with one client, yixian and the floor in turn: p50 per operation."""
    clients = {name: Client(s.port) for name, s in servers.items()}
    out: dict = {}
    try:
        for caller in CALLERS:
            for key in ops.OPERATIONS:
                times: dict[str, list[float]] = {name: [] for name in clients}
                started = time.monotonic()
                for i in range(count):
                    for name, client in clients.items():
                        _, _, elapsed = client.post(bodies[caller][key], tokens[name][caller])
                        times[name].append(elapsed)
                    if i >= 9 and time.monotonic() - started > seconds:
                        break
                for name, values in times.items():
                    out.setdefault(caller, {}).setdefault(key, {})[name] = {
                        "n": len(values),
                        "p50_ms": statistics.median(values) * 1000,
                    }
                y, f = (out[caller][key][n]["p50_ms"] for n in SERVERS)
                console.print(
                    f"  unloaded {key:<7} as {caller:<8} yixian {y:8.2f} ms  floor {f:6.2f} ms  "
                    f"({len(times['yixian'])} each)"
                )
    finally:
        for client in clients.values():
            client.close()
    return out


# --------------------------------------------------------------------------------------------
# The run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="city", choices=("small", "city", "province"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=20, help="wrk time per server and row")
    parser.add_argument("--rounds", type=int, default=2, help="ABAB rounds the seconds split in")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--unloaded", type=int, default=200, help="sequential requests per row")
    parser.add_argument("--unloaded-seconds", type=float, default=6, help="… or this long")
    parser.add_argument("--keep-db", metavar="NAME", help="create NAME and keep it afterwards")
    parser.add_argument("--reuse-db", metavar="NAME", help="an already imported database")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--pg-log", help="the PostgreSQL server's log file (found if not given)")
    parser.add_argument(
        "--no-analyze",
        action="store_true",
        help="do not ANALYZE the imported database (yixian import leaves it without statistics)",
    )
    parser.add_argument("--only", help="comma-separated operations (town,people,series,write)")
    args = parser.parse_args()
    if args.keep_db and args.reuse_db:
        parser.error("--keep-db and --reuse-db exclude each other")
    keys = args.only.split(",") if args.only else list(ops.OPERATIONS)
    if unknown := set(keys) - set(ops.OPERATIONS):
        parser.error(f"unknown operations {sorted(unknown)}")

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    cleanups: list = []
    try:
        return run(args, keys, cleanups)
    except Failure as exc:
        console.print(f"[bold red]FAILED:[/bold red] {exc}")
        return 1
    except KeyboardInterrupt:
        console.print("[yellow]interrupted: cleaning up[/yellow]")
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # let the cleanup finish
        for cleanup in reversed(cleanups):
            try:
                cleanup()
            except Exception as exc:  # noqa: BLE001 - clean up the rest regardless
                console.print(f"[red]cleanup failed: {exc}[/red]")


def run(args, keys: list[str], cleanups: list) -> int:
    began = time.monotonic()
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H%MZ")
    pg = Pg(args.pg_host, args.pg_port, args.pg_user)
    db = args.reuse_db or args.keep_db or f"yixian_benchcity_{os.getpid()}"
    quote_ident(db)
    work = Path(tempfile.mkdtemp(prefix="yixian_benchcity_"))
    cleanups.append(lambda: shutil.rmtree(work, ignore_errors=True))
    log = work / "cli.log"
    secret = secrets.token_hex(32)
    env = cli_env(pg, db, secret)
    tag = secrets.token_hex(3)
    phases: dict[str, float] = {}
    load_before = os.getloadavg()
    console.rule(f"yixian city benchmark · database {db} · {stamp}")

    # 1. The city, migrated and imported through the command line.
    t = time.monotonic()
    if args.reuse_db:
        verify_imported(pg, db, args.scale)
    else:
        if pg.one("SELECT 1 FROM pg_database WHERE datname = $1", db):
            raise Failure(f"database {db} exists: drop it, or use --reuse-db {db}")
        pg.run(f"CREATE DATABASE {quote_ident(db)}")
        if not args.keep_db:
            cleanups.append(lambda: drop_database(pg, db))
        city = work / "city"
        yixian(
            [
                "demo",
                "generate",
                "--scale",
                args.scale,
                "--seed",
                str(args.seed),
                "--out",
                str(city),
            ],
            env,
            work,
            log,
        )
        yixian(["db", "upgrade"], env, work, log)
        yixian(["import", str(city), "--errors", str(work / "errors.csv")], env, work, log)
        shutil.rmtree(city, ignore_errors=True)
    phases["setup_s"] = time.monotonic() - t
    analyzed = analyze(pg, db, args.no_analyze)

    district, district_id, town, village, active = pick_places(pg, db)
    console.print(
        f"district {district} ({active} ACTIVE postings), town {town}, writes at village {village}"
    )
    tokens = {
        "yixian": {
            "admin": make_token(f"bench-admin-{tag}", "ADMIN", None, env, work, log),
            "operator": make_token(f"bench-operator-{tag}", "OPERATOR", district, env, work, log),
        },
        "floor": {"admin": secrets.token_hex(16), "operator": secrets.token_hex(16)},
    }
    floor_tokens = work / "floor_tokens.json"
    floor_tokens.write_text(
        json.dumps(
            {
                tokens["floor"]["admin"]: {"actor": f"bench-admin-{tag}", "roots": None},
                tokens["floor"]["operator"]: {
                    "actor": f"bench-operator-{tag}",
                    "roots": [district_id],
                },
            }
        )
    )
    pg.run(AUDIT_DDL, db=db)
    where = {"district": district, "town": town, "village": village}
    bodies = {
        caller: {
            key: json.dumps(ops.body(key, **where), ensure_ascii=False).encode() for key in keys
        }
        for caller in CALLERS
    }
    select_ops(keys)

    def servers() -> dict[str, Server]:
        y_port, f_port = free_port(), free_port()
        made = {
            "yixian": Server(
                "yixian",
                [
                    str(VENV_BIN / "yixian"),
                    "serve",
                    "--workers",
                    "1",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(y_port),
                ],
                env,
                work,
                work / "yixian.log",
            ),
            "floor": Server(
                "floor",
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "floor:app",
                    "--app-dir",
                    str(HERE),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(f_port),
                ],
                {
                    **os.environ,
                    "FLOOR_DATABASE_URL": pg.dsn(db),
                    "FLOOR_TOKENS": str(floor_tokens),
                },
                work,
                work / "floor.log",
            ),
        }
        for server in made.values():
            cleanups.append(server.stop)
            server.start()
        return made

    # 2. Statements and transactions per request, counted by PostgreSQL.
    t = time.monotonic()
    statement_log = StatementLog(pg, db, args.pg_log)
    console.rule("round trips per request (log_min_duration_statement = 0)")
    pg.run(f"ALTER DATABASE {quote_ident(db)} SET log_min_duration_statement = 0")
    reset = lambda: pg.run(  # noqa: E731
        f"ALTER DATABASE {quote_ident(db)} RESET log_min_duration_statement"
    )
    cleanups.append(reset)
    counting = servers()
    define_metric(counting["yixian"], tokens["yixian"]["admin"])
    statements = count_statements(pg, db, statement_log, counting, bodies, tokens)
    for server in counting.values():
        server.stop()
    reset()
    for caller in CALLERS:
        for key in keys:
            c = statements["counted"]["yixian"][caller][key]
            f = statements["counted"]["floor"][caller][key]
            console.print(
                f"  {key:<7} as {caller:<8} yixian {c['round_trips']} round trips "
                f"({c['data_statements']} data statements, {c['transactions']} transactions, "
                f"{c['prepares']} prepares) · floor {f['round_trips']}"
            )
    check = statements["check"]
    console.print(
        f"  transactions: {check['transactions_from_log']} from the log, "
        f"{check['transactions_pg_stat_database']} in pg_stat_database"
    )
    phases["statements_s"] = time.monotonic() - t

    # 3. Timing, on fresh servers (connections opened without the logging).
    t = time.monotonic()
    console.rule("same answers?")
    timing = servers()
    for _ in range(3):  # warm-up
        for caller in CALLERS:
            for key in keys:
                for name, server in timing.items():
                    client = Client(server.port)
                    client.post(bodies[caller][key], tokens[name][caller])
                    client.close()
    answers = check_answers(timing, bodies, tokens, stamp)
    console.rule("unloaded latency (one client, yixian and the floor in turn)")
    quiet = unloaded(timing, bodies, tokens, args.unloaded, args.unloaded_seconds)
    console.rule(
        f"load: wrk, {args.connections} connections, {args.seconds:g} s per server and row "
        f"in {args.rounds} interleaved rounds"
    )
    runs: dict = {}
    scripts = work / "wrk"
    scripts.mkdir()
    for caller in CALLERS:
        for key in keys:
            for name in SERVERS:
                script = scripts / f"{key}.{caller}.{name}.lua"
                script.write_text(
                    WRK_SCRIPT.format(body=bodies[caller][key].decode(), token=tokens[name][caller])
                )
            for round_ in range(args.rounds):
                for name in SERVERS:
                    result = run_wrk(
                        timing[name],
                        scripts / f"{key}.{caller}.{name}.lua",
                        args.seconds / args.rounds,
                        args.connections,
                    )
                    result["round"] = round_ + 1
                    runs.setdefault(caller, {}).setdefault(key, {}).setdefault(name, []).append(
                        result
                    )
                    console.print(
                        f"  {key:<7} {caller:<8} {name:<6} round {round_ + 1}: "
                        f"{result['rps']:8.1f} req/s  p50 {result['p50_us'] / 1000:7.1f} ms  "
                        f"p99 {result['p99_us'] / 1000:7.1f} ms  "
                        f"cpu {1000 * result['cpu_s'] / max(result['requests'], 1):6.2f} ms/req"
                        + (f"  [red]{result['bad']} bad[/red]" if result["bad"] else "")
                    )
                    time.sleep(0.5)
    for server in timing.values():
        server.stop()
    phases["timing_s"] = time.monotonic() - t
    phases["total_s"] = time.monotonic() - began

    rows = summarise(keys, runs, quiet, statements["counted"])
    report = {
        "date": stamp,
        "command": " ".join(
            [
                Path(sys.executable).relative_to(ROOT).as_posix()
                if Path(sys.executable).is_relative_to(ROOT)
                else sys.executable,
                "bench/city/run.py",
                *sys.argv[1:],
            ]
        ),
        "machine": machine(pg, load_before),
        "yixian_tree": git_state(),
        "database": db,
        "places": {**where, "district_active_postings": active},
        "analyze": analyzed,
        "settings": {
            "seconds": args.seconds,
            "rounds": args.rounds,
            "connections": args.connections,
            "unloaded": args.unloaded,
            "unloaded_seconds": args.unloaded_seconds,
            "yixian_env": {k: v for k, v in env.items() if k.startswith("YIXIAN_")}
            | {"YIXIAN_SECRET": "(random, 64 hex)", "YIXIAN_DATABASE_URL": pg.dsn(db)},
        },
        "targets": {
            "ratio": RATIO_TARGETS,
            "unloaded_p50_within": UNLOADED_FACTOR,
            "read_round_trips_at_most": READ_ROUND_TRIPS,
        },
        "answers": answers,
        "rows": rows,
        "statements": statements,
        "unloaded": quiet,
        "runs": runs,
        "phases": phases,
    }
    write_report(report)
    return 0


def select_ops(keys: list[str]) -> None:
    for key in list(ops.OPERATIONS):
        if key not in keys:
            del ops.OPERATIONS[key]


def verify_imported(pg: Pg, db: str, scale_name: str) -> None:
    from core.demo.generate import SCALES, city_units

    if not pg.one("SELECT 1 FROM pg_database WHERE datname = $1", db):
        raise Failure(f"--reuse-db {db}: no such database")
    scale = SCALES[scale_name]
    per_city = city_units(scale, 7, 0)
    villages = sum(1 for u in per_city if u.kind == "VILLAGE")
    grids = sum(1 for u in per_city if u.kind == "GRID")
    expected = {
        "unit": 1 + scale.cities * len(per_city),
        "person": scale.cities * scale.people_per_city,
        "posting": scale.cities * scale.postings_per_city,
        "observation": scale.cities * scale.metrics * scale.months * (villages + grids),
    }
    for table, n in expected.items():
        try:
            found = pg.one(f"SELECT count(*) FROM {table} WHERE import_source = 'default'", db=db)
        except asyncpg.PostgresError as exc:
            raise Failure(f"--reuse-db {db} does not look like a yixian database: {exc}") from exc
        if found != n:
            raise Failure(
                f"--reuse-db {db} does not hold the imported {scale_name}: {found:,} imported "
                f"{table} rows, not {n:,}"
            )
    console.print(f"reusing {db}: " + ", ".join(f"{n:,} {t}" for t, n in expected.items()))
    # The previous runs' writes: keep the runs comparable.
    pg.run(
        "DELETE FROM observation WHERE metric_id IN "
        "(SELECT id FROM metric_definition WHERE code = $1)",
        ops.BENCH_METRIC,
        db=db,
    )
    pg.run("DROP TABLE IF EXISTS bench_floor_audit", db=db)


def analyze(pg: Pg, db: str, skip: bool) -> dict:
    """ANALYZE the database unless told not to: ``yixian import`` does not, and with autovacuum
    off (as on this machine) the planner would see 2.16 million observations as a handful of rows
    and plan every join of the series as nested loops (52 s instead of 0.1 s for the floor)."""
    autovacuum = pg.one("SHOW autovacuum")
    never = pg.one(
        "SELECT count(*) FROM pg_stat_user_tables WHERE relname IN "
        "('observation', 'unit', 'unit_tree', 'posting', 'person') "
        "AND last_analyze IS NULL AND last_autoanalyze IS NULL",
        db=db,
    )
    state = {"autovacuum": autovacuum, "tables_never_analyzed": never, "analyzed": False}
    if skip:
        console.print(f"[yellow]not analyzing: {never} core tables never analyzed[/yellow]")
        return state
    started = time.monotonic()
    pg.run("ANALYZE", db=db)
    state.update(analyzed=True, seconds=round(time.monotonic() - started, 1))
    console.print(
        f"ANALYZE in {state['seconds']} s (autovacuum {autovacuum}; {never} of the core tables "
        "had never been analyzed)"
    )
    return state


def drop_database(pg: Pg, db: str) -> None:
    pg.run(f"DROP DATABASE IF EXISTS {quote_ident(db)} WITH (FORCE)")
    console.print(f"[dim]dropped database {db}[/dim]")


def pick_places(pg: Pg, db: str) -> tuple[str, int, str, str, int]:
    """The district with the most ACTIVE postings, its town whose villages host the most, and
    that town's first village."""
    row = pg.run(
        """
        SELECT d.code, d.id, count(p.id) AS n
        FROM unit d
        JOIN unit_tree t ON t.ancestor_id = d.id
        JOIN posting p ON p.host_unit_id = t.descendant_id AND p.status = 'ACTIVE'
        WHERE d.kind = 'DISTRICT'
        GROUP BY d.id, d.code ORDER BY n DESC, d.code LIMIT 1""",
        db=db,
    )
    if not row:
        raise Failure("no district with ACTIVE postings")
    district, district_id, active = row[0]
    town_id, town = pg.run(
        """
        SELECT tw.id, tw.code
        FROM unit tw
        JOIN unit v ON v.parent_id = tw.id
        LEFT JOIN posting p ON p.host_unit_id = v.id AND p.status = 'ACTIVE'
        WHERE tw.parent_id = $1 AND tw.kind = 'TOWN'
        GROUP BY tw.id, tw.code ORDER BY count(p.id) DESC, tw.code LIMIT 1""",
        district_id,
        db=db,
    )[0]
    village = pg.one(
        "SELECT code FROM unit WHERE parent_id = $1 AND kind = 'VILLAGE' ORDER BY code LIMIT 1",
        town_id,
        db=db,
    )
    return district, district_id, town, village, active


def define_metric(server: Server, admin_token: str) -> None:
    client = Client(server.port)
    try:
        body = {
            "query": ops.DEFINE_METRIC,
            "variables": {
                "input": {
                    "code": ops.BENCH_METRIC,
                    "name": "基准写入",
                    "unitOfMeasure": "次",
                    "aggregation": "SUM",
                    "valueType": "DECIMAL",
                    "description": "Written by bench/city/run.py",
                }
            },
        }
        status, answer, _ = client.post(json.dumps(body).encode(), admin_token)
    finally:
        client.close()
    errors = (answer.get("data") or {}).get("defineMetric", {}).get("errors")
    if status != 200 or errors is None or any(e["code"] != "DUPLICATE" for e in errors):
        raise Failure(f"defineMetric {ops.BENCH_METRIC}: HTTP {status} {answer}")


def summarise(keys, runs, quiet, counted) -> list[dict]:
    rows = []
    for caller in CALLERS:
        for key in keys:
            row: dict[str, Any] = {"operation": key, "label": ops.OPERATIONS[key][0]}
            row["caller"] = caller
            for name in SERVERS:
                rs = runs[caller][key][name]
                requests = sum(r["requests"] for r in rs)
                seconds = sum(r["duration_us"] for r in rs) / 1e6
                row[name] = {
                    "rps": requests / seconds,
                    "requests": requests,
                    "bad": sum(r["bad"] for r in rs),
                    "socket_errors": sum(
                        r[k] for r in rs for k in ("connect", "read", "write", "timeout")
                    ),
                    # Rounds are merged: the p50 weighted by requests, the p99 the worst round's.
                    "p50_ms": sum(r["p50_us"] * r["requests"] for r in rs) / requests / 1000,
                    "p99_ms": max(r["p99_us"] for r in rs) / 1000,
                    "cpu_ms_per_request": 1000 * sum(r["cpu_s"] for r in rs) / requests,
                    "unloaded_p50_ms": quiet[caller][key][name]["p50_ms"],
                    "round_trips_per_request": max(counted[name][caller][key]["round_trips"]),
                    "data_statements_per_request": max(
                        counted[name][caller][key]["data_statements"]
                    ),
                    "transactions_per_request": max(counted[name][caller][key]["transactions"]),
                }
            y, f = row["yixian"], row["floor"]
            row["ratio"] = y["rps"] / f["rps"]
            row["unloaded_factor"] = y["unloaded_p50_ms"] / f["unloaded_p50_ms"]
            checks = {
                "ratio": row["ratio"] >= RATIO_TARGETS[key],
                "unloaded": row["unloaded_factor"] <= UNLOADED_FACTOR,
                "no_errors": y["bad"] + y["socket_errors"] == 0,
            }
            if key != "write":
                checks["round_trips"] = y["round_trips_per_request"] <= READ_ROUND_TRIPS
            row["checks"] = checks
            row["pass"] = all(checks.values())
            rows.append(row)
    return rows


def machine(pg: Pg, load_before) -> dict:
    return {
        "cpus": os.cpu_count(),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "postgresql": pg.one("SHOW server_version"),
        "wrk": subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0],
        "platform": platform.platform(),
    }


def git_state() -> dict:
    def git(*a):
        return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout

    dirty = [line for line in git("status", "--porcelain").splitlines() if line.strip()]
    return {"head": git("rev-parse", "HEAD").strip(), "changed_files": len(dirty)}


def _mark(ok: bool) -> str:
    return "pass" if ok else "FAIL"


def write_report(report: dict) -> None:
    rows = report["rows"]
    table = Table(title=f"yixian ÷ floor · {report['date']} · {report['database']}")
    for column in (
        "operation",
        "caller",
        "yixian req/s",
        "floor req/s",
        "ratio (target)",
        "yixian p50/p99 ms",
        "floor p50/p99 ms",
        "CPU ms/req y / f",
        "unloaded p50 ms y / f",
        "round trips/req y (data) / f",
        "xacts/req y",
        "result",
    ):
        table.add_column(column, justify="left" if column in ("operation", "caller") else "right")
    lines = []
    for r in rows:
        y, f = r["yixian"], r["floor"]
        cells = [
            r["label"],
            r["caller"],
            f"{y['rps']:.1f}" + (f" ({y['bad']} bad)" if y["bad"] else ""),
            f"{f['rps']:.1f}" + (f" ({f['bad']} bad)" if f["bad"] else ""),
            f"{r['ratio']:.3f} (≥ {RATIO_TARGETS[r['operation']]}) {_mark(r['checks']['ratio'])}",
            f"{y['p50_ms']:.1f} / {y['p99_ms']:.1f}",
            f"{f['p50_ms']:.1f} / {f['p99_ms']:.1f}",
            f"{y['cpu_ms_per_request']:.2f} / {f['cpu_ms_per_request']:.2f}",
            f"{y['unloaded_p50_ms']:.1f} / {f['unloaded_p50_ms']:.2f} "
            f"(×{r['unloaded_factor']:.1f} {_mark(r['checks']['unloaded'])})",
            f"{y['round_trips_per_request']} ({y['data_statements_per_request']}) / "
            f"{f['round_trips_per_request']}"
            + (
                f" {_mark(r['checks']['round_trips'])}"
                if "round_trips" in r["checks"]
                else " (no target)"
            ),
            f"{y['transactions_per_request']}",
            "[green]pass[/green]" if r["pass"] else "[red]FAIL[/red]",
        ]
        table.add_row(*cells)
        lines.append(
            "| "
            + " | ".join(
                c.replace("[green]", "")
                .replace("[/green]", "")
                .replace("[red]", "")
                .replace("[/red]", "")
                for c in cells
            )
            + " |"
        )
    console.print(table)
    check = report["statements"]["check"]
    m = report["machine"]
    console.print(
        f"transactions counted from the log {check['transactions_from_log']}, by "
        f"pg_stat_database {check['transactions_pg_stat_database']}; load average "
        f"{m['load_before']} before, {m['load_after']} after; {report['phases']}"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{report['date']}.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1, default=str)
    )
    header = (
        "| operation | caller | yixian req/s | floor req/s | ratio (target) | yixian p50/p99 ms "
        "| floor p50/p99 ms | CPU ms/req yixian / floor | unloaded p50 ms yixian / floor "
        "| round trips/req yixian (data statements) / floor | transactions/req yixian | result |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n"
    )
    places = report["places"]
    md = (
        f"# City benchmark, {report['date']}\n\n"
        f"`{report['command']}`\n\n"
        f"Database `{report['database']}`; district {places['district']} "
        f"({places['district_active_postings']} ACTIVE postings), town {places['town']}, writes "
        f"at {places['village']}. Machine: {m['cpus']} CPUs, load average {m['load_before']} "
        f"before and {m['load_after']} after, PostgreSQL {m['postgresql']}, {m['wrk']}. "
        f"yixian at {report['yixian_tree']['head'][:10]} with "
        f"{report['yixian_tree']['changed_files']} changed files in the working tree.\n\n"
        + header
        + "\n".join(lines)
        + "\n\n"
        f"Round trips per request: what PostgreSQL logged with `log_min_duration_statement = 0` "
        f"for one request (the most of 3): simple queries (BEGIN, COMMIT, ROLLBACK), parses and "
        f"binds (a pre-ping is a bind of `;`); data statements in brackets. Transactions "
        f"from the log: {check['transactions_from_log']}; pg_stat_database (xact_commit + "
        f"xact_rollback) over the same requests: {check['transactions_pg_stat_database']}.\n\n"
        f"Answers checked equal before timing: "
        + "; ".join(f"{c} {k}: {v}" for c, d in report["answers"].items() for k, v in d.items())
        + f".\n\nPhases (s): {json.dumps({k: round(v, 1) for k, v in report['phases'].items()})}\n"
    )
    (RESULTS / f"{report['date']}.md").write_text(md)
    console.print(f"wrote {RESULTS / report['date']}.json and .md")


if __name__ == "__main__":
    sys.exit(main())
