"""The README's run command, end to end: a fresh SQLite file, migrated, seeded, served."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

YIXIAN = str(Path(sys.executable).parent / "yixian")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"yixian serve exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError("yixian serve did not come up")


def test_serve_migrates_seeds_and_answers(tmp_path):
    """First start on an empty file: demo data in GraphQL, GraphiQL page, health endpoints."""
    # given
    port = free_port()
    env = {
        **os.environ,
        "YIXIAN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'y.db'}",
        "YIXIAN_ENV": "development",
    }
    env.pop("YIXIAN_PLUGINS", None)
    process = subprocess.Popen(
        [YIXIAN, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # when
        wait_until_up(f"{base}/healthz", process)
        ready = httpx.get(f"{base}/readyz")
        token, printed = read_token(process)
        answer = httpx.post(
            f"{base}/graphql",
            json={"query": '{ unit(code: "330302") { name children { name } } }'},
            headers={"Authorization": f"Bearer {token}"},
        )
        anonymous = httpx.post(f"{base}/graphql", json={"query": "{ units { totalCount } }"})
        ide = httpx.get(f"{base}/graphql", headers={"Accept": "text/html"})
    finally:
        process.terminate()
        process.communicate(timeout=20)
    # then
    assert ready.json()["database"] == "reachable"
    unit = answer.json()["data"]["unit"]
    assert unit["name"] == "鹿城区"
    assert "藤桥镇" in [c["name"] for c in unit["children"]]
    assert ide.status_code == 200 and "graphiql" in ide.text.lower()
    assert "Loaded the demo data" in printed
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def read_token(process: subprocess.Popen) -> tuple[str, str]:
    """The development admin token, printed on first start before the server listens, and
    what was printed up to it."""
    printed = []
    for line in process.stdout:
        printed.append(line)
        match = re.search(r'"Bearer (yx_[\w-]+)"', line)
        if match:
            return match.group(1), "".join(printed)
    raise AssertionError("no admin token was printed: " + "".join(printed))


def test_production_refuses_to_start_without_a_secret(tmp_path):
    """YIXIAN_ENV=production and no YIXIAN_SECRET: exit code 2, saying what is missing."""
    env = {
        **os.environ,
        "YIXIAN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'y.db'}",
        "YIXIAN_ENV": "production",
    }
    env.pop("YIXIAN_SECRET", None)
    result = subprocess.run(
        [YIXIAN, "serve", "--port", str(free_port())],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "YIXIAN_SECRET" in result.stderr
