"""The negative list (负面清单): entered by those who learn something, settled by vetters.

An entry names a prospective candidate, where the information came from (a visit, a finding, a
vote round or another unit), why, and who entered it. It starts PENDING; a vetter confirms it or
clears it, always with a reason. Nothing is ever deleted: a cleared entry stays, with who cleared
it and why. Confirming publishes ``lucheng.four_visits.negative_entry_confirmed`` so that other
plugins (a candidate pool, a qualification review) can hear it without importing this one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from core import DomainError
from core.db import utcnow
from schema.ids import decode_id

from . import KEY
from .activity import ensure_active
from .models import NegativeEntry, NegativeStatus
from .vetting import require_vetter

CONFIRMED_EVENT = f"{KEY}.negative_entry_confirmed"
CLEARED_EVENT = f"{KEY}.negative_entry_cleared"


def required_reason(value: str | None) -> str:
    reason = (value or "").strip()
    if not reason:
        raise DomainError.one("REQUIRED", "give the reason", "reason")
    return reason


async def settle(ctx: Any, entry_id: str, reason: str | None, *, confirm: bool) -> NegativeEntry:
    """Confirm or clear the entry with a conditional ``UPDATE … WHERE id = :id AND status =
    :read``: of two vetters settling it at once (two confirmations, or a confirmation and a
    clearing), the database lets one through; the other matches no row and is refused with
    FOUR_VISITS_NEGATIVE_STATE, so the confirmation is published once and nobody overwrites a
    decision they did not see."""
    row_id = decode_id(entry_id, "FourVisitsNegativeListEntry", "entryId")
    entry = await ctx.session.scalar(select(NegativeEntry).where(NegativeEntry.id == row_id))
    if entry is None:
        raise DomainError.one("NOT_FOUND", "no negative-list entry has this id", "entryId")
    await ensure_active(ctx, entry.unit_id, "entryId")
    await require_vetter(ctx.session, ctx.principal, entry.unit_id, "entryId")
    allowed = (
        (NegativeStatus.PENDING,)
        if confirm
        else (
            NegativeStatus.PENDING,
            NegativeStatus.CONFIRMED,
        )
    )
    step = "confirmed" if confirm else "cleared"
    if entry.status not in allowed:
        raise DomainError.one(
            "FOUR_VISITS_NEGATIVE_STATE",
            f"a {entry.status.value} entry cannot be {step}",
            "entryId",
        )
    reason = required_reason(reason)
    if confirm:
        values = {
            "status": NegativeStatus.CONFIRMED,
            "confirmed_by": ctx.actor,
            "confirmed_at": utcnow(),
            "confirm_reason": reason,
        }
    else:
        values = {
            "status": NegativeStatus.CLEARED,
            "cleared_by": ctx.actor,
            "cleared_at": utcnow(),
            "clear_reason": reason,
        }
    result = await ctx.session.execute(
        update(NegativeEntry)
        .where(NegativeEntry.id == entry.id, NegativeEntry.status == entry.status)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        current = await ctx.session.scalar(
            select(NegativeEntry.status).where(NegativeEntry.id == entry.id)
        )
        now = current.value if current is not None else "gone"
        raise DomainError.one(
            "FOUR_VISITS_NEGATIVE_STATE",
            f"another vetter settled the entry (it is now {now}) while this request was "
            f"being made; it was not {step}",
            "entryId",
        )
    await ctx.session.refresh(entry)
    ctx.publish(
        CONFIRMED_EVENT if confirm else CLEARED_EVENT,
        source=KEY,
        entry_id=entry.id,
        person_id=entry.person_id,
        unit_id=entry.unit_id,
        source_kind=entry.source.value,
    )
    return entry
