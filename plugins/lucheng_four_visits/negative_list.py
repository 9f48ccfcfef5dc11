"""The negative list (负面清单): entered by those who learn something, settled by vetters.

An entry names a prospective candidate, where the information came from (a visit, a finding, a
vote round or another unit), why, and who entered it. It starts PENDING; a vetter confirms it or
clears it, always with a reason. Nothing is ever deleted: a cleared entry stays, with who cleared
it and why. Confirming publishes ``lucheng.four_visits.negative_entry_confirmed`` so that other
plugins (a candidate pool, a qualification review) can hear it without importing this one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

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
    row_id = decode_id(entry_id, "NegativeListEntry", "entryId")
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
    if entry.status not in allowed:
        step = "confirmed" if confirm else "cleared"
        raise DomainError.one(
            "FOUR_VISITS_NEGATIVE_STATE",
            f"a {entry.status.value} entry cannot be {step}",
            "entryId",
        )
    reason = required_reason(reason)
    if confirm:
        entry.status = NegativeStatus.CONFIRMED
        entry.confirmed_by, entry.confirmed_at, entry.confirm_reason = ctx.actor, utcnow(), reason
    else:
        entry.status = NegativeStatus.CLEARED
        entry.cleared_by, entry.cleared_at, entry.clear_reason = ctx.actor, utcnow(), reason
    await ctx.session.flush()
    ctx.publish(
        CONFIRMED_EVENT if confirm else CLEARED_EVENT,
        source=KEY,
        entry_id=entry.id,
        person_id=entry.person_id,
        unit_id=entry.unit_id,
        source_kind=entry.source.value,
    )
    return entry
