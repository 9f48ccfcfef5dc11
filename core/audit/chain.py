"""Appending to the chain and verifying it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.models import AuditEvent, AuditEventUnit, AuditHead
from core.db import utcnow

GENESIS = "0" * 64
FIELDS = (
    "seq",
    "occurred_at",
    "actor",
    "kind",
    "name",
    "channel",
    "version",
    "document_hash",
    "variables",
    "changes",
    "row_count",
    "result_digest",
    "prev_hash",
)


def canonical(value: Any) -> str:
    """JSON with sorted keys and no spaces: the same bytes for the same content, everywhere."""
    return json.dumps(
        value,
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=_default,
        allow_nan=False,  # NaN is not JSON: PostgreSQL would refuse to store it
    )


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return _timestamp(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON")


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:  # SQLite returns naive datetimes: they were stored in UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def digest(value: Any) -> str:
    return hashlib.sha256(canonical(value).encode("utf-8")).hexdigest()


def event_hash(fields: dict[str, Any]) -> str:
    return digest({name: fields[name] for name in FIELDS})


def jsonable(value: Any) -> Any:
    """Plain JSON values (dates as ISO text), as stored and hashed."""
    return json.loads(canonical(value)) if value is not None else None


#: Fields of personal information (个人信息): the trail keeps a masked form and a hash, never the
#: value itself, so reading the trail reveals no more than reading the record masked.
PII_FIELDS = {"phone", "id_number", "idNumber"}


def redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: _redacted(inner) if key in PII_FIELDS and isinstance(inner, str) else redact(inner)
            for key, inner in value.items()
        }
    if isinstance(value, list):
        return [redact(inner) for inner in value]
    return value


def _redacted(text: str) -> dict[str, str]:
    keep = 3 if len(text) <= 12 else 6
    masked = (
        text[:keep] + "*" * max(len(text) - keep - 2, 0) + text[-2:]
        if len(text) > 6
        else "*" * len(text)
    )
    return {"masked": masked, "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}


async def append(
    session: AsyncSession,
    *,
    actor: str,
    kind: str,
    name: str,
    channel: str | None = None,
    version: int | None = None,
    document_hash: str | None = None,
    variables: Any = None,
    changes: Any = None,
    row_count: int | None = None,
    result_digest: str | None = None,
    units: Iterable[int | None] = (),
) -> AuditEvent:
    """Append one event inside the caller's transaction (it commits with the change it records).

    The head row is updated first: on PostgreSQL that locks it, on SQLite it takes the write
    lock, so concurrent appends queue up and each links to the one before.
    """
    head = (
        await session.execute(
            update(AuditHead)
            .where(AuditHead.id == 1)
            .values(seq=AuditHead.seq + 1)
            .returning(AuditHead.seq, AuditHead.hash)
            .execution_options(synchronize_session=False)
        )
    ).first()
    if head is None:
        await session.execute(insert(AuditHead).values(id=1, seq=1, hash=GENESIS))
        seq, prev = 1, GENESIS
    else:
        seq, prev = head
    fields = {
        "seq": seq,
        "occurred_at": _timestamp(utcnow()),
        "actor": actor,
        "kind": kind,
        "name": name,
        "channel": channel,
        "version": version,
        "document_hash": document_hash,
        "variables": redact(jsonable(variables)),
        "changes": redact(jsonable(changes)),
        "row_count": row_count,
        "result_digest": result_digest,
        "prev_hash": prev,
    }
    fields["hash"] = event_hash(fields)
    row = {
        **fields,
        "occurred_at": datetime.strptime(fields["occurred_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
            tzinfo=UTC
        ),
    }
    await session.execute(insert(AuditEvent).values(**row))
    concerned = sorted({u for u in units if u is not None})
    if concerned:
        await session.execute(
            insert(AuditEventUnit), [{"seq": seq, "unit_id": u} for u in concerned]
        )
    await session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(hash=fields["hash"])
        .execution_options(synchronize_session=False)
    )
    event = AuditEvent(**row)
    return event


def stored_fields(event: AuditEvent) -> dict[str, Any]:
    fields = {name: getattr(event, name) for name in FIELDS}
    fields["occurred_at"] = _timestamp(event.occurred_at)
    return fields


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    head_seq: int | None
    head_hash: str | None
    first_broken_seq: int | None = None
    message: str = ""


async def verify(
    session: AsyncSession, checkpoint: dict[str, Any] | None = None, batch: int = 1000
) -> Verification:
    """Recompute every hash and link, oldest first; report the first broken one.

    With a ``checkpoint`` (``{"seq", "hash"}``, its signature already checked), the event at
    that sequence number must still carry that hash: a rewrite of the whole chain before it is
    caught even when every later hash was recomputed.
    """
    prev = GENESIS
    checked = 0
    last_seq = 0
    last_hash: str | None = None
    while True:
        events = (
            (
                await session.execute(
                    select(AuditEvent)
                    .where(AuditEvent.seq > last_seq)
                    .order_by(AuditEvent.seq)
                    .limit(batch)
                )
            )
            .scalars()
            .all()
        )
        if not events:
            break
        for event in events:
            fields = stored_fields(event)
            if event.seq != last_seq + 1:
                return Verification(
                    False,
                    checked,
                    last_seq,
                    last_hash,
                    last_seq + 1,
                    f"event {last_seq + 1} is missing",
                )
            if event.prev_hash != prev:
                return Verification(
                    False,
                    checked,
                    last_seq,
                    last_hash,
                    event.seq,
                    f"event {event.seq} does not link to event {last_seq}",
                )
            if event_hash(fields) != event.hash:
                return Verification(
                    False,
                    checked,
                    last_seq,
                    last_hash,
                    event.seq,
                    f"event {event.seq} was changed after it was written",
                )
            if checkpoint and event.seq == checkpoint["seq"] and event.hash != checkpoint["hash"]:
                return Verification(
                    False,
                    checked,
                    last_seq,
                    last_hash,
                    event.seq,
                    f"event {event.seq} differs from the signed checkpoint: the chain was "
                    "rewritten up to there",
                )
            prev = event.hash
            last_seq, last_hash = event.seq, event.hash
            checked += 1
        session.expunge_all()
    if checkpoint and checkpoint["seq"] > last_seq:
        return Verification(
            False,
            checked,
            last_seq,
            last_hash,
            last_seq + 1,
            f"the chain ends at {last_seq}, before the checkpoint's "
            f"{checkpoint['seq']}: events were removed",
        )
    return Verification(
        True, checked, last_seq or None, last_hash, message=f"{checked} events verified"
    )
