"""Overload degrades, it does not collapse (issue 11, item 12): a request that cannot get a
database connection quickly is shed as 503 UNAVAILABLE with Retry-After, a database outage is
UNAVAILABLE too (not a bare 500), and a body that arrives too slowly is 408."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time

import strawberry
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.fake_plugins import make_plugin
from tests.leaks import assert_no_database_text
from tests.live_server import Connection, serving
from yixian.testkit import admin_client, make_app

UNITS = {"query": "{ units { totalCount } }"}


def assert_unavailable(response) -> None:
    assert response.status_code == 503, response.text
    assert 1 <= int(response.headers["Retry-After"]) <= 10
    errors = response.json()["errors"]
    assert errors[0]["extensions"]["code"] == "UNAVAILABLE"
    assert_no_database_text(response.text)


#: Set by ``hold`` once it holds its connection (an Event of the running test's loop).
HOLDING: dict[str, asyncio.Event] = {}


@strawberry.type
class Slow:
    @strawberry.field(description="Holds the request's connection for a while.")
    async def hold(self, info: strawberry.Info, seconds: float) -> int:
        await info.context.execute(text("SELECT 1"))
        if "event" in HOLDING:
            HOLDING["event"].set()
        await asyncio.sleep(seconds)
        return 1

    @strawberry.field(description="Needs a second connection while holding the first.")
    async def second(self, info: strawberry.Info) -> int | None:
        await info.context.execute(text("SELECT 1"))
        async with info.context.sessionmaker() as session:
            return (await session.execute(text("SELECT 2"))).scalar()


SLOW = make_plugin("slow.overload", extend_query=Slow)
SMALL_POOL = {"db_pool_size": 1, "db_max_overflow": 0, "db_pool_timeout_seconds": 0.5}


async def test_a_busy_pool_sheds_requests_quickly_with_retry_after(yixian_app):
    """Pool of one, held by a slow request: the next request waits the pool's 0.5 s, not the
    10 s request timeout, and is told to come back; once the pool frees up it is served."""
    client = await yixian_app(plugins=[SLOW], **SMALL_POOL)
    HOLDING["event"] = holding = asyncio.Event()
    slow = asyncio.create_task(client.execute("{ hold(seconds: 2.5) }"))
    await asyncio.wait_for(holding.wait(), 10)
    started = time.monotonic()
    shed = await client.http.post("/graphql", json=UNITS, headers=client.headers)
    assert time.monotonic() - started < 2.0
    assert_unavailable(shed)
    assert (await slow).data == {"hold": 1}
    served = await client.http.post("/graphql", json=UNITS, headers=client.headers)
    assert served.status_code == 200 and served.json()["data"]["units"]["totalCount"] == 0


async def test_a_field_that_cannot_get_a_connection_is_unavailable(yixian_app):
    """Inside a request (the resolver needs a second connection the pool has not got): the
    error is UNAVAILABLE and the answer 503, not a masked "Unexpected error."."""
    client = await yixian_app(plugins=[SLOW], **SMALL_POOL)
    response = await client.http.post(
        "/graphql", json={"query": "{ second }"}, headers=client.headers
    )
    assert_unavailable(response)
    assert response.json()["data"] == {"second": None}
    assert response.json()["errors"][0]["path"] == ["second"]


def unreachable_url(backend: str, tmp_path) -> str:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'gone' / 'yixian.db'}"
    return "postgresql+asyncpg://postgres@127.0.0.1:1/postgres"  # nothing listens on port 1


async def test_a_database_outage_is_unavailable_not_a_bare_500(
    yixian_backend, yixian_default_registry, tmp_path
):
    """The database cannot be reached at all (a stopped server, a missing volume): while
    authenticating a token, and for the readiness probe."""
    app = make_app(unreachable_url(yixian_backend, tmp_path), yixian_default_registry)
    import httpx

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.post(
            "/graphql", json=UNITS, headers={"Authorization": "Bearer yx_" + "a" * 43}
        )
        assert_unavailable(response)
        export = await http.get(
            "/queries/anything.json", headers={"Authorization": "Bearer yx_" + "a" * 43}
        )
        assert export.status_code == 503
        assert export.json()["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
        assert (await http.get("/readyz")).status_code == 503
    await app.state.engine.dispose()


class Proxy:
    """A TCP proxy in front of the database: stopping it is an outage, starting it again the
    recovery."""

    def __init__(self, port: int):
        self.target = port
        self.server: asyncio.base_events.Server | None = None
        self.port = 0
        self.pipes: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self.server.close()
        for writer in list(self.pipes):
            writer.close()
        await self.server.wait_closed()

    async def _serve(self, reader, writer) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.target)
        self.pipes |= {writer, upstream_writer}

        async def pipe(source, sink):
            with contextlib.suppress(Exception):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))


async def test_an_outage_during_service_is_unavailable_and_recovers(
    yixian_backend, yixian_database_url, yixian_default_registry
):
    """PostgreSQL goes away under a running app (its connections are cut, new ones refused):
    requests are UNAVAILABLE, and served again once it is back. (SQLite has no server to lose:
    the outage above covers it.)"""
    if yixian_backend == "sqlite":
        import pytest

        pytest.skip("SQLite has no server that could go away")
    url = make_url(yixian_database_url)
    proxy = Proxy(url.port or 5432)
    await proxy.start()
    app = make_app(
        url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False),
        yixian_default_registry,
    )
    client = await admin_client(app)
    try:
        assert (await client.http.post("/graphql", json=UNITS, headers=client.headers)).is_success
        await proxy.stop()
        assert_unavailable(await client.http.post("/graphql", json=UNITS, headers=client.headers))
        await proxy.start()
        back = await client.http.post("/graphql", json=UNITS, headers=client.headers)
        assert back.status_code == 200, back.text
    finally:
        await client.aclose()
        with contextlib.suppress(Exception):
            await proxy.stop()


async def test_a_body_that_arrives_too_slowly_is_408(yixian_database_url, yixian_default_registry):
    """Through a real server: a client announcing a body and trickling it (or stopping) is
    answered 408 after YIXIAN_BODY_TIMEOUT_SECONDS, instead of holding the worker."""
    app = make_app(yixian_database_url, yixian_default_registry, body_timeout_seconds=0.5)
    client = await admin_client(app)
    body = json.dumps(UNITS).encode()
    head = (
        "POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Authorization: {client.headers['Authorization']}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    try:
        async with serving(app) as port:
            connection = await Connection.open(port)
            try:
                started = time.monotonic()
                await connection.send(head, body[:10])
                answer = await asyncio.wait_for(connection.answer(), 5)
                assert answer.status == 408
                assert answer.json()["errors"][0]["extensions"]["code"] == "BODY_TIMEOUT"
                assert 0.4 < time.monotonic() - started < 3
            finally:
                await connection.close()
            on_time = await Connection.open(port)
            try:
                served = await on_time.post(body, client.headers)
                assert served.status == 200
            finally:
                await on_time.close()
    finally:
        await client.aclose()
