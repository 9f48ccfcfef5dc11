"""Persistence: the declarative base every table (core and plugin) lives on, engines, sessions."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import MetaData, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The declarative base of every table; plugins declare their models on it too."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _json(value: Any) -> str:
    # Chinese stays readable in JSON columns (tags, settings), and searchable with LIKE.
    return json.dumps(value, ensure_ascii=False)


def create_engine(
    url: str,
    *,
    pool_size: int = 5,
    max_overflow: int = 10,
    pool_timeout: float = 30.0,
) -> AsyncEngine:
    """An engine whose pool holds ``pool_size`` connections (plus ``max_overflow`` while busy); a
    checkout waiting longer than ``pool_timeout`` raises ``sqlalchemy.exc.TimeoutError``, which
    the app answers UNAVAILABLE (see :func:`unavailable`)."""
    kwargs: dict = {"json_serializer": _json}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 30}
    else:
        # a server that does not answer (rather than refusing) fails as fast as a busy pool
        kwargs["connect_args"] = {
            "timeout": max(pool_timeout, 5.0),
            # asyncpg prepares every statement; after five runs PostgreSQL may switch to a
            # generic plan that ignores the values (a subtree of 15 units or of 15,000 look
            # alike to it): measured, metricSeries went from 60 ms to 2.4 s. Plan each run.
            "server_settings": {"plan_cache_mode": "force_custom_plan"},
        }
    if _pooled(url):
        # A pooled connection that died (a restarted server, a statement cancelled under it) is
        # replaced at checkout instead of failing the next request: SQLAlchemy's pre-ping on
        # SQLite; on PostgreSQL a ping of our own (_ping below), because asyncpg's adapter pings
        # inside BEGIN … ROLLBACK when the connection is not yet in autocommit: three round
        # trips per checkout where one does (measured with bench/city's statement log).
        kwargs.update(
            pool_pre_ping=url.startswith("sqlite"),
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_timeout=pool_timeout,
        )
    engine = create_async_engine(url, **kwargs)
    from sqlalchemy import event

    if _pooled(url) and not url.startswith("sqlite"):
        from sqlalchemy.exc import DisconnectionError
        from sqlalchemy.util import await_only

        @event.listens_for(engine.sync_engine, "checkout")
        def _ping(dbapi_connection, _record, _proxy):
            # one round trip, outside any transaction; a connection that does not answer is
            # replaced by the pool (it retries the checkout on DisconnectionError)
            try:
                await_only(dbapi_connection._connection.fetchrow(";"))
            except Exception as exc:  # noqa: BLE001 - any failure means: not usable
                raise DisconnectionError(f"the pooled connection did not answer: {exc!r}") from exc

    @event.listens_for(engine.sync_engine, "handle_error")
    def _broken_connection(context):  # pragma: no cover - depends on timing
        # A connection whose statement was cancelled under it (a request stopped by its time
        # limit) answers "another operation is in progress" forever: treat it as gone, so the
        # pool replaces it instead of handing it to the next request.
        if BROKEN_CONNECTION.search(str(context.original_exception)):
            context.is_disconnect = True

    if url.startswith("sqlite"):

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

    return engine


#: What asyncpg says of a connection left mid-operation: it is discarded, not reused.
BROKEN_CONNECTION = re.compile(
    r"another operation( \(\d+\))? is in progress|the underlying connection is closed"
)


def _pooled(url: str) -> bool:
    """Whether the engine gets a queue pool (an in-memory SQLite database has one connection)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return True
    return bool(parsed.database) and parsed.database != ":memory:"


#: Seconds a client is told to wait (Retry-After) when the database is busy or unreachable.
RETRY_AFTER_BUSY = 1
RETRY_AFTER_DOWN = 5

_DOWN_MESSAGES = (
    "unable to open database file",
    "database is locked",
    "connection is closed",
    "connection was closed",
    "closed database",
    "cannot connect now",
    "too many connections",
    "the database system is",  # starting up, shutting down, in recovery mode
    "terminating connection",
)


def unavailable(exc: BaseException | None) -> int | None:
    """Seconds to wait before retrying when ``exc`` (or what caused it) says that the database is
    busy (no pooled connection freed up in time) or unreachable (refused, down, restarting);
    None when it is any other failure."""
    from sqlalchemy import exc as sa

    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, sa.TimeoutError):
            return RETRY_AFTER_BUSY
        if isinstance(exc, (OSError, ConnectionError)) and not isinstance(
            exc, (FileNotFoundError, PermissionError)
        ):
            return RETRY_AFTER_DOWN
        if isinstance(exc, sa.DBAPIError) and exc.connection_invalidated:
            return RETRY_AFTER_DOWN
        if isinstance(exc, (sa.OperationalError, sa.InterfaceError)) or type(
            exc
        ).__module__.startswith(("asyncpg", "sqlite3", "aiosqlite")):
            text = str(exc).lower()
            if any(message in text for message in _DOWN_MESSAGES):
                return RETRY_AFTER_DOWN
        exc = getattr(exc, "orig", None) or exc.__cause__ or exc.__context__
    return None


def create_sessionmaker(engine: AsyncEngine, scope: Any = None) -> async_sessionmaker:
    """Sessions reading within ``scope`` (a ``core.access.scope.Scope``; default everything,
    for the system's own work: migrations, seeding, the command line)."""
    from core.access import scope as scoping

    scoping.install()
    return async_sessionmaker(
        engine,
        expire_on_commit=False,
        info={"scope": scope if scope is not None else scoping.Scope.everything()},
    )
