"""The loop of a finding: OPEN → ASSIGNED → RESOLVED or CLOSED_UNRESOLVABLE.

Each step is a conditional ``UPDATE … WHERE id = :id AND status = :read`` (:func:`move`): two
requests that read the finding in the same status race to that statement, the database lets one
through, and the other matches no row and is refused with FOUR_VISITS_FINDING_STATE, so a step is
never taken twice nor overwritten by a step taken on a status that no longer holds.
"""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import select, update

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
        raise state_error(finding.status, allowed, step)
    return finding


def state_error(
    status: FindingStatus, allowed: tuple[FindingStatus, ...], step: str, *, meanwhile: bool = False
) -> DomainError:
    if meanwhile:
        message = (
            f"another request changed the finding (it is now {status.value}) while this one was "
            f"being {step}; look at it again before another step"
        )
    else:
        message = (
            f"a {status.value} finding cannot be {step}; only "
            f"{' or '.join(s.value for s in allowed)} ones can"
        )
    return DomainError.one("FOUR_VISITS_FINDING_STATE", message, "findingId")


async def move(ctx: Any, finding: Finding, step: str, **values: Any) -> Finding:
    """Write ``values`` (the new status among them) if the finding is still in the status it was
    read in; else another request took a step first: FOUR_VISITS_FINDING_STATE.

    Call it before the step's other writes (metrics, events), so that only the winner makes them.
    """
    result = await ctx.session.execute(
        update(Finding)
        .where(Finding.id == finding.id, Finding.status == finding.status)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        current = await ctx.session.scalar(select(Finding.status).where(Finding.id == finding.id))
        raise state_error(current or finding.status, (), step, meanwhile=True)
    await ctx.session.refresh(finding)
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
