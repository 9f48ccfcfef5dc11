"""Appending to the chain and verifying it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.models import AuditEvent, AuditEventUnit, AuditHead
from core.audit.pii import PiiKey, current_key
from core.db import utcnow

GENESIS = "0" * 64
#: The fields hashed by chain format 1 (events written before core_0006).
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
#: Format 2 also hashes the format itself and the sorted ids of the units the event concerns
#: (its ``audit_event_unit`` rows): those rows decide which auditors read the event, so they are
#: evidence, and removing or adding one breaks the event's hash.
CHAIN_FORMAT = 2
FIELDS_V2 = (*FIELDS, "chain_format", "units")


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
    """The hash of an event's fields, by the chain format the event was written in."""
    names = FIELDS if (fields.get("chain_format") or 1) == 1 else FIELDS_V2
    return digest({name: fields[name] for name in names})


def jsonable(value: Any) -> Any:
    """Plain JSON values (dates as ISO text), as stored and hashed."""
    return json.loads(canonical(value)) if value is not None else None


#: Fields of personal information (个人信息): the trail keeps a masked form and a keyed hash (HMAC,
#: see core/audit/pii.py), never the value itself, so reading the trail reveals no more than
#: reading the record masked, and the value cannot be recovered by trying candidates.
PII_FIELDS = {"phone", "id_number", "idNumber"}


def redact(value: Any, key: PiiKey) -> Any:
    if isinstance(value, dict):
        return {
            name: _redacted(inner, key)
            if name in PII_FIELDS and isinstance(inner, str)
            else redact(inner, key)
            for name, inner in value.items()
        }
    if isinstance(value, list):
        return [redact(inner, key) for inner in value]
    return value


def mask(text: str) -> str:
    keep = 3 if len(text) <= 12 else 6
    if len(text) > 6:
        return text[:keep] + "*" * max(len(text) - keep - 2, 0) + text[-2:]
    return "*" * len(text)


def _redacted(text: str, key: PiiKey) -> dict[str, str]:
    return {"masked": mask(text), "hmac": key.tag(text), "key_id": key.id}


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

    Personal information is tagged with the key in ``session.info["audit_pii_key"]`` when the
    session carries one, else with the process's key (:func:`core.audit.pii.current_key`).
    """
    key = session.info.get("audit_pii_key") or current_key()
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
        "variables": redact(jsonable(variables), key),
        "changes": redact(jsonable(changes), key),
        "row_count": row_count,
        "result_digest": result_digest,
        "prev_hash": prev,
        "chain_format": CHAIN_FORMAT,
        "units": sorted({int(u) for u in units if u is not None}),
    }
    fields["hash"] = event_hash(fields)
    concerned = fields.pop("units")
    row = {
        **fields,
        "occurred_at": datetime.strptime(fields["occurred_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
            tzinfo=UTC
        ),
    }
    await session.execute(insert(AuditEvent).values(**row))
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


def stored_fields(event: AuditEvent, units: Sequence[int] = ()) -> dict[str, Any]:
    """The hashed fields of a stored event; ``units``: the ids of its ``audit_event_unit`` rows."""
    fields = {name: getattr(event, name) for name in FIELDS}
    fields["occurred_at"] = _timestamp(event.occurred_at)
    fields["chain_format"] = event.chain_format
    fields["units"] = sorted(units)
    return fields


async def units_of(session: AsyncSession, first: int, last: int) -> dict[int, list[int]]:
    """The unit ids of the events ``first``…``last``, by sequence number."""
    found: dict[int, list[int]] = {}
    rows = await session.execute(
        select(AuditEventUnit.seq, AuditEventUnit.unit_id).where(
            AuditEventUnit.seq >= first, AuditEventUnit.seq <= last
        )
    )
    for seq, unit_id in rows:
        found.setdefault(seq, []).append(unit_id)
    return found


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

    Events of chain format 2 hash the units they concern too: a unit row removed from or added
    to ``audit_event_unit`` breaks its event's hash. Format-1 events (written before core_0006)
    are verified as they were written, without their units; once an event of format 2 appears,
    no later event may claim format 1 (that would strip its units from the hash).

    With a ``checkpoint`` (``{"seq", "hash"}``, its signature already checked), the event at
    that sequence number must still carry that hash: a rewrite of the whole chain before it is
    caught even when every later hash was recomputed.
    """
    prev = GENESIS
    checked = 0
    last_seq = 0
    last_hash: str | None = None
    newest_format = 1

    def broken(seq: int, message: str) -> Verification:
        return Verification(False, checked, last_seq or None, last_hash, seq, message)

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
        units = await units_of(session, events[0].seq, events[-1].seq)
        for event in events:
            chain_format = event.chain_format or 1
            if event.seq != last_seq + 1:
                return broken(last_seq + 1, f"event {last_seq + 1} is missing")
            if event.prev_hash != prev:
                return broken(event.seq, f"event {event.seq} does not link to event {last_seq}")
            if chain_format not in (1, CHAIN_FORMAT):
                return broken(event.seq, f"event {event.seq} has an unknown chain format")
            if chain_format < newest_format:
                return broken(
                    event.seq,
                    f"event {event.seq} claims an older chain format than the events before it",
                )
            if event_hash(stored_fields(event, units.get(event.seq, ()))) != event.hash:
                what = " (or the units it concerns)" if chain_format >= 2 else ""
                return broken(
                    event.seq, f"event {event.seq} was changed after it was written{what}"
                )
            if checkpoint and event.seq == checkpoint["seq"] and event.hash != checkpoint["hash"]:
                return broken(
                    event.seq,
                    f"event {event.seq} differs from the signed checkpoint: the chain was "
                    "rewritten up to there",
                )
            newest_format = chain_format
            prev = event.hash
            last_seq, last_hash = event.seq, event.hash
            checked += 1
        session.expunge_all()
    stray = (
        await session.execute(
            select(func.min(AuditEventUnit.seq)).where(AuditEventUnit.seq > last_seq)
        )
    ).scalar()
    if stray is not None:
        return broken(stray, f"units are recorded for event {stray}, which does not exist")
    if checkpoint and checkpoint["seq"] > last_seq:
        return broken(
            last_seq + 1,
            f"the chain ends at {last_seq}, before the checkpoint's "
            f"{checkpoint['seq']}: events were removed",
        )
    return Verification(
        True, checked, last_seq or None, last_hash, message=f"{checked} events verified"
    )
