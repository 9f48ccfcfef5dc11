"""The loop of a finding: OPEN → ASSIGNED → RESOLVED or CLOSED_UNRESOLVABLE."""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import select

from core import DomainError
from schema.ids import decode_id

from .activity import ensure_active
from .models import Finding, FindingStatus


async def load_finding(
    ctx: Any, finding_id: str, allowed: tuple[FindingStatus, ...], step: str
) -> Finding:
    """The finding (seen by its village's and its responsible unit's people), in a status
    that allows ``step``, where the plugin is active."""
    row_id = decode_id(finding_id, "FourVisitsFinding", "findingId")
    finding = await ctx.session.scalar(select(Finding).where(Finding.id == row_id))
    if finding is None:
        raise DomainError.one("NOT_FOUND", "no finding has this id", "findingId")
    await ensure_active(ctx, finding.unit_id, "findingId")
    if finding.status not in allowed:
        raise DomainError.one(
            "FOUR_VISITS_FINDING_STATE",
            f"a {finding.status.value} finding cannot be {step}; only "
            f"{' or '.join(s.value for s in allowed)} ones can",
            "findingId",
        )
    return finding


def day_or_today(value: datetime.date | None, field: str, today: datetime.date) -> datetime.date:
    day = value or today
    if day > today:
        raise DomainError.one("INVALID", f"{field} lies in the future", field)
    return day


def not_before(day: datetime.date, earlier: datetime.date | None, field: str, what: str) -> None:
    if earlier is not None and day < earlier:
        raise DomainError.one(
            "DATE_ORDER",
            f"{field} {day.isoformat()} lies before {what} {earlier.isoformat()}",
            field,
        )
