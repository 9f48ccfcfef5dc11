"""Persistence: the declarative base every table (core and plugin) lives on, engines, sessions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import MetaData
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


def create_engine(url: str) -> AsyncEngine:
    kwargs: dict = {"json_serializer": _json}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_async_engine(url, **kwargs)
    if url.startswith("sqlite"):
        from sqlalchemy import event

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

    return engine


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
