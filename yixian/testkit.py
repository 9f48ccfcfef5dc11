"""A pytest test kit for yixian and its plugins.

Installed with yixian as a pytest plugin, so a plugin's own tests can use these fixtures directly:

- ``yixian_database_url``: a freshly migrated, empty database for the test (SQLite in a temporary
  folder; PostgreSQL too when ``YIXIAN_TEST_DATABASE_URL`` is set: tests run once per backend).
- ``yixian_app``: an application factory, ``app = await yixian_app(plugins=[my_plugin])``, on a new
  database migrated with exactly the core and those plugins (their migrations included).
- ``yixian_client``: a GraphQL client acting as an ADMIN on the default application, ``result =
  await yixian_client.execute(QUERY, code="330302")`` with ``result.data`` and ``result.errors``.
- ``yixian_client_as``: a client acting as a chosen role, ``viewer = await
  yixian_client_as("VIEWER", unit="330302")`` (also ``pii=True``, ``person_id=…``, ``name=…``).
  The unit must exist: create it first as the admin client.

Example, in a plugin's ``tests/test_plugin.py``::

    import my_plugin.plugin as plugin

    async def test_greeting_is_recorded(yixian_app):
        client = await yixian_app(plugins=[plugin])
        result = await client.execute(MUTATION, text="你好")
        assert result.errors is None
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from core.settings import Settings

TEST_DATABASE_ENV = "YIXIAN_TEST_DATABASE_URL"


def backends() -> list[str]:
    found = ["sqlite"]
    if os.environ.get(TEST_DATABASE_ENV):
        found.append("postgresql")
    return found


@dataclass
class Result:
    data: Any
    errors: list[dict[str, Any]] | None
    status_code: int
    json: dict[str, Any]


class GraphQLClient:
    """Posts GraphQL documents to ``/graphql`` of an app, through its ASGI interface."""

    def __init__(self, app: Any, headers: dict[str, str] | None = None):
        self.app = app
        self.headers = headers or {}
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )

    async def acting_as(
        self,
        role: str = "ADMIN",
        unit: str | None = None,
        *,
        pii: bool = False,
        person_id: int | None = None,
        name: str | None = None,
    ) -> GraphQLClient:
        """Another client on the same app, for a new user holding ``role`` at ``unit``."""
        token = await grant_token(self.app, role, unit, pii=pii, person_id=person_id, name=name)
        other = GraphQLClient(self.app, {"Authorization": f"Bearer {token}"})
        other._owns_engine = False  # type: ignore[attr-defined]
        return other

    async def execute(self, query: str, **variables: Any) -> Result:
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=self.headers
        )
        body = response.json()
        return Result(body.get("data"), body.get("errors"), response.status_code, body)

    def count_statements(self) -> StatementCounter:
        return StatementCounter(self.app.state.engine)

    async def aclose(self) -> None:
        await self.http.aclose()
        if getattr(self, "_owns_engine", True):
            await self.app.state.engine.dispose()


async def grant_token(
    app: Any,
    role: str,
    unit: str | None,
    *,
    pii: bool = False,
    person_id: int | None = None,
    name: str | None = None,
) -> str:
    """Create a user with one grant in the app's database and return a token for it."""
    from sqlalchemy import select

    from core.access.roles import known_roles, role_unit_kinds, single_unit_roles
    from core.access.tokens import add_grant, ensure_user, issue_token
    from core.units.models import Unit

    async with app.state.sessionmaker() as session:
        unit_id = None
        if unit is not None:
            unit_id = (await session.execute(select(Unit.id).where(Unit.code == unit))).scalar_one()
        user = await ensure_user(
            session, name or f"{role.lower()}-{uuid.uuid4().hex[:6]}", person_id
        )
        await add_grant(
            session,
            user,
            role,
            unit_id,
            pii=pii,
            known_roles=known_roles(app.state.registry),
            unit_kinds=role_unit_kinds(app.state.registry),
            single_unit=single_unit_roles(app.state.registry),
        )
        token = await issue_token(session, user, app.state.settings.token_secret)
        await session.commit()
    return token


class StatementCounter:
    """``with client.count_statements() as counter: …; counter.count`` — SQL sent to the DB by
    the operations, authentication left out (the same for every operation, and cached per
    worker: one statement, or four when the caller's grants changed)."""

    def __init__(self, engine: Any):
        self.engine = engine.sync_engine
        self.count = 0
        self.statements: list[str] = []

    def _on_execute(self, _conn, _cursor, statement, *_args) -> None:
        from core.access.principal import AUTHENTICATING

        if AUTHENTICATING.get():
            return
        self.count += 1
        self.statements.append(statement)

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._on_execute)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on_execute)


def _registry(plugins: Iterable[ModuleType] | None, discover: bool) -> Any:
    from yixian.registry import create_registry

    settings = Settings(database_url="sqlite+aiosqlite://", plugins=None)
    return create_registry(settings, extra=list(plugins or ()), discover=discover)


async def create_database(backend: str, registry: Any, folder: Path) -> str:
    """A new, migrated database for ``registry``; returns its URL."""
    from core.migrate import upgrade

    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{folder / f'yixian-{uuid.uuid4().hex[:8]}.db'}"
    else:
        url = await create_postgres_database()
    await upgrade(url, registry)
    return url


async def create_postgres_database() -> str:
    import asyncpg

    base = make_url(os.environ[TEST_DATABASE_ENV])
    name = f"yixian_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(_asyncpg_dsn(base))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return base.set(database=name).render_as_string(hide_password=False)


async def drop_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database).unlink(missing_ok=True)
        return
    import asyncpg

    base = make_url(os.environ[TEST_DATABASE_ENV])
    admin = await asyncpg.connect(_asyncpg_dsn(base))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
    finally:
        await admin.close()


def _asyncpg_dsn(url: Any) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def truncate_all(url: str) -> None:
    """Empty every table but Alembic's, so a migrated database can serve the next test."""
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            names = (
                (
                    await conn.execute(
                        text(
                            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                            "AND tablename <> 'alembic_version'"
                        )
                    )
                )
                .scalars()
                .all()
            )
            if names:
                quoted = ", ".join(f'"{n}"' for n in names)
                # the audit trail refuses TRUNCATE through a trigger; tests reset it as the
                # superuser they connect as, with triggers off for this statement only
                await conn.execute(text("SET LOCAL session_replication_role = replica"))
                await conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
                if "audit_head" in names:
                    await conn.execute(
                        text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :genesis)"),
                        {"genesis": "0" * 64},
                    )
    finally:
        await engine.dispose()


def make_app(url: str, registry: Any, **settings: Any) -> Any:
    from yixian.app import create_app

    return create_app(Settings(database_url=url, **settings), registry=registry)


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def yixian_default_registry() -> Any:
    """Core plus the plugins shipped in ``plugins/``. Installed entry points are left out, so the
    suite does not depend on what else happens to be installed."""
    return _tree_registry()


def _tree_registry() -> Any:
    import importlib
    import pkgutil

    import plugins as tree_plugins

    modules = []
    for info in pkgutil.iter_modules(tree_plugins.__path__):
        if info.ispkg and not info.name.startswith("_"):
            name = f"plugins.{info.name}"
            try:
                modules.append(importlib.import_module(f"{name}.plugin"))
            except ModuleNotFoundError:
                modules.append(importlib.import_module(name))
    return _registry(modules, discover=False)


@pytest.fixture(scope="session")
def yixian_templates(tmp_path_factory, yixian_default_registry) -> dict[str, str]:
    """One migrated database per backend, made once per test session."""
    folder = tmp_path_factory.mktemp("yixian-templates")
    made = {}
    for backend in backends():
        made[backend] = asyncio.run(create_database(backend, yixian_default_registry, folder))
    yield made
    for url in made.values():
        asyncio.run(drop_database(url))


@pytest.fixture(params=backends())
def yixian_backend(request) -> str:
    return request.param


@pytest.fixture
async def yixian_database_url(yixian_backend, yixian_templates, tmp_path) -> str:
    """An empty, migrated database of the test's backend (default registry)."""
    template = yixian_templates[yixian_backend]
    if yixian_backend == "sqlite":
        source = Path(make_url(template).database)
        target = tmp_path / "yixian.db"
        shutil.copyfile(source, target)
        return f"sqlite+aiosqlite:///{target}"
    await truncate_all(template)
    return template


async def admin_client(app: Any) -> GraphQLClient:
    token = await grant_token(app, "ADMIN", None, name=f"admin-{uuid.uuid4().hex[:6]}")
    return GraphQLClient(app, {"Authorization": f"Bearer {token}"})


@pytest.fixture
async def yixian_client(yixian_database_url, yixian_default_registry):
    """A client acting as an ADMIN on an empty, migrated database."""
    client = await admin_client(make_app(yixian_database_url, yixian_default_registry))
    yield client
    await client.aclose()


@pytest.fixture
async def yixian_client_as(yixian_client):
    """``client = await yixian_client_as("OPERATOR", unit="330302")``: same app and database."""
    made: list[GraphQLClient] = []

    async def factory(role: str, unit: str | None = None, **options: Any) -> GraphQLClient:
        client = await yixian_client.acting_as(role, unit, **options)
        made.append(client)
        return client

    yield factory
    for client in made:
        await client.aclose()


@pytest.fixture
async def yixian_app(yixian_backend, tmp_path):
    """``client = await yixian_app(plugins=[module], **settings)``: an admin client of an app on
    a new database migrated with the core and exactly ``plugins``. ``await
    client.acting_as("OPERATOR", unit="330326")`` gives other roles on the same app."""
    made: list[tuple[str, GraphQLClient]] = []

    async def factory(
        plugins: Iterable[ModuleType] = (), discover: bool = False, **settings: Any
    ) -> GraphQLClient:
        registry = _registry(plugins, discover=discover)
        url = await create_database(yixian_backend, registry, tmp_path)
        client = await admin_client(make_app(url, registry, **settings))
        client.registry = registry  # type: ignore[attr-defined]
        client.database_url = url  # type: ignore[attr-defined]
        made.append((url, client))
        return client

    yield factory
    for url, client in made:
        await client.aclose()
        await drop_database(url)
