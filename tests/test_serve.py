"""The README's run command, end to end: a fresh SQLite file, migrated, seeded, served."""

from __future__ import annotations

import os
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
        answer = httpx.post(
            f"{base}/graphql", json={"query": '{ unit(code: "330302") { name children { name } } }'}
        )
        ide = httpx.get(f"{base}/graphql", headers={"Accept": "text/html"})
    finally:
        process.terminate()
        output = process.communicate(timeout=20)[0]
    # then
    assert ready.json()["database"] == "reachable"
    unit = answer.json()["data"]["unit"]
    assert unit["name"] == "鹿城区"
    assert "藤桥镇" in [c["name"] for c in unit["children"]]
    assert ide.status_code == 200 and "graphiql" in ide.text.lower()
    assert "Loaded the demo data" in output
