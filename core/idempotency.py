"""Idempotent writes: a client-chosen key makes a resent mutation answer once, not write twice.

A phone that loses its connection after sending a mutation does not know whether it was written;
it sends it again with the same key. :func:`claim` runs first in the command's own transaction:
it inserts ``(user, key, operation)``, which the unique constraint lets one transaction do. The
command then runs and :func:`remember` stores what it returned, in that same transaction, so the
key and the write commit or roll back together. A resend finds the row and gets the stored
result back (:func:`replay`) without running the command; a resend racing the first waits on the
constraint and then replays. The same key with different arguments is refused
(``IDEMPOTENCY_KEY_REUSED``). Keys expire after ``Settings.idempotency_ttl_hours``.

What is stored is a reference to the result (table and primary key of each row returned), so a
replay answers with the rows as they are now, loaded in the caller's scope.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, UniqueConstraint, delete, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow
from core.errors import DomainError

#: Longest key accepted (the IETF draft's keys are UUIDs; 255 leaves room for others).
MAX_KEY_LENGTH = 255


class IdempotencyKey(Base):
    """A mutation call a client named with a key, and what it returned."""

    __tablename__ = "idempotency_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    #: The root mutation field (its alias when it has one): one key may cover every field of a
    #: document, each answered once.
    operation: Mapped[str] = mapped_column(String(200))
    #: SHA-256 of the mutation's name and arguments: a resend must send the same.
    fingerprint: Mapped[str] = mapped_column(String(64))
    result: Mapped[Any] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )

    __table_args__ = (UniqueConstraint("user_id", "key", "operation"),)


@dataclass(frozen=True)
class Call:
    """One mutation call named by a client's key."""

    user_id: int
    key: str
    operation: str
    fingerprint: str
    ttl: timedelta

    @classmethod
    def of(
        cls, user_id: int, key: str, operation: str, name: str, arguments: Any, ttl_hours: float
    ):
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
            raise DomainError.one(
                "INVALID",
                f"the Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable ASCII characters "
                "(a UUID is a good key)",
            )
        canonical = json.dumps([name, arguments], sort_keys=True, ensure_ascii=False, default=str)
        return cls(
            user_id=user_id,
            key=key,
            operation=operation,
            fingerprint=hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
            ttl=timedelta(hours=ttl_hours),
        )


class Replay(Exception):
    """The call was made before: ``result`` is what it returned (a stored reference)."""

    def __init__(self, result: Any):
        self.result = result
        super().__init__("replayed")


def _reused(call: Call) -> DomainError:
    return DomainError.one(
        "IDEMPOTENCY_KEY_REUSED",
        f"the Idempotency-Key {call.key!r} was used for {call.operation} with other arguments; "
        "use a new key for a new change",
    )


async def _stored(session: AsyncSession, call: Call) -> IdempotencyKey | None:
    return (
        await session.execute(
            select(IdempotencyKey).where(
                IdempotencyKey.user_id == call.user_id,
                IdempotencyKey.key == call.key,
                IdempotencyKey.operation == call.operation,
            )
        )
    ).scalar_one_or_none()


def _expired(row: IdempotencyKey, call: Call) -> bool:
    created = row.created_at
    if created.tzinfo is None:  # SQLite keeps no zone; yixian writes UTC
        created = created.replace(tzinfo=utcnow().tzinfo)
    return created < utcnow() - call.ttl


async def find(session: AsyncSession, call: Call) -> IdempotencyKey | None:
    """The earlier call under this key, unless it expired."""
    row = await _stored(session, call)
    return None if row is None or _expired(row, call) else row


def check(row: IdempotencyKey, call: Call) -> None:
    """Raise :class:`Replay` for a matching earlier call, DomainError for a different one."""
    if row.fingerprint != call.fingerprint:
        raise _reused(call)
    raise Replay(row.result)


async def claim(session: AsyncSession, call: Call) -> IdempotencyKey:
    """Take the key as the first write of the command's transaction; :class:`Replay` or
    DomainError when it was taken (a resend racing the first call waits here until the first
    commits)."""
    row = await _stored(session, call)
    if row is not None and not _expired(row, call):
        check(row, call)
    if row is not None:
        await session.delete(row)  # expired: the key is free again
        await session.flush()  # before the new row's INSERT (a flush inserts before it deletes)
    if random.random() < 0.01:
        # now and then, every expired key goes (no statement on the other 99 writes)
        await session.execute(
            delete(IdempotencyKey).where(IdempotencyKey.created_at < utcnow() - call.ttl)
        )
    row = IdempotencyKey(
        user_id=call.user_id,
        key=call.key,
        operation=call.operation,
        fingerprint=call.fingerprint,
    )
    session.add(row)
    try:
        await session.flush()
    except IntegrityError:
        # The claim is the transaction's first write: rolling back loses nothing of the command.
        await session.rollback()
        existing = await find(session, call)
        if existing is None:  # pragma: no cover - the winner rolled back in between
            raise
        check(existing, call)
    return row


def remember(row: IdempotencyKey, result: Any) -> None:
    row.result = reference(result)


def reference(value: Any) -> Any:
    """A JSON reference to what a command returned: rows by table and primary key."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return {"value": value}
    if isinstance(value, (list, tuple)):
        return {"list": [reference(v) for v in value]}
    if isinstance(value, dict):
        return {"dict": {str(k): reference(v) for k, v in value.items()}}
    state = inspect(value, raiseerr=False)
    if state is not None and getattr(state, "mapper", None) is not None:
        identity = state.mapper.primary_key_from_instance(value)
        return {"table": state.mapper.local_table.name, "pk": list(identity)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        kind = type(value)
        return {
            "dataclass": f"{kind.__module__}:{kind.__qualname__}",
            "fields": {
                f.name: reference(getattr(value, f.name)) for f in dataclasses.fields(value)
            },
        }
    if isinstance(value, (date, datetime)):
        return {kind_of(value): value.isoformat()}
    return {"unreplayable": type(value).__name__}


def kind_of(value: date) -> str:
    return "datetime" if isinstance(value, datetime) else "date"


async def load(session: AsyncSession, ref: Any) -> Any:
    """The value a :func:`reference` names, loaded through ``session`` (in its scope)."""
    if ref is None:
        return None
    if "value" in ref:
        return ref["value"]
    if "list" in ref:
        return [await load(session, item) for item in ref["list"]]
    if "dict" in ref:
        return {k: await load(session, v) for k, v in ref["dict"].items()}
    if "date" in ref:
        return date.fromisoformat(ref["date"])
    if "datetime" in ref:
        return datetime.fromisoformat(ref["datetime"])
    if "dataclass" in ref:
        module, _, name = ref["dataclass"].partition(":")
        kind: Any = importlib.import_module(module)
        for part in name.split("."):
            kind = getattr(kind, part)
        return kind(**{k: await load(session, v) for k, v in ref["fields"].items()})
    if "unreplayable" in ref:
        raise DomainError.one(
            "IDEMPOTENCY_KEY_REUSED",
            "this call was made before under the same Idempotency-Key and succeeded; its answer "
            "cannot be sent again: read the result with a query",
        )
    model = _model_of(ref["table"])
    return await session.get(model, tuple(ref["pk"]) if len(ref["pk"]) > 1 else ref["pk"][0])


def _model_of(table: str) -> type:
    for mapper in Base.registry.mappers:
        if mapper.local_table.name == table:
            return mapper.class_
    raise LookupError(table)
