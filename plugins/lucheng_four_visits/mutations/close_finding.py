"""``closeFourVisitsFinding``: an ASSIGNED finding that cannot be resolved, escalated."""

from __future__ import annotations

import datetime
from typing import Any

import strawberry

from core import DomainError, Problem
from schema.errors import UserError, mutation_payload

from .. import KEY
from ..clock import today as china_today
from ..findings import day_or_today, load_finding, move, not_before
from ..models import FindingStatus
from ..types import FourVisitsFinding


@strawberry.input(description="Why a finding cannot be resolved, and where it was escalated.")
class CloseFourVisitsFindingInput:
    finding_id: strawberry.ID
    reason: str = strawberry.field(description="Why it cannot be resolved here.")
    escalated_in: str = strawberry.field(
        description="The report it was escalated in, e.g. 鹿城区换届风险研判专报 2020年第3期."
    )
    closed_on: datetime.date | None = strawberry.field(default=None, description="Default: today.")


@strawberry.type
class CloseFourVisitsFindingPayload:
    finding: FourVisitsFinding | None = None
    errors: list[UserError]


async def close_finding(ctx: Any, data: CloseFourVisitsFindingInput) -> Any:
    today = china_today()
    finding = await load_finding(ctx, data.finding_id, (FindingStatus.ASSIGNED,), "closed")
    reason, report = (data.reason or "").strip(), (data.escalated_in or "").strip()
    problems = []
    if not reason:
        problems.append(Problem("REQUIRED", "say why it cannot be resolved", "reason"))
    if not report:
        problems.append(Problem("REQUIRED", "name the report it was escalated in", "escalatedIn"))
    elif len(report) > 300:
        problems.append(
            Problem("INVALID", "escalatedIn is longer than 300 characters", "escalatedIn")
        )
    if problems:
        raise DomainError(*problems)
    closed_on = day_or_today(data.closed_on, "closedOn", today)
    not_before(closed_on, finding.assigned_on, "closedOn", "its assignment on")
    await move(
        ctx,
        finding,
        "closed",
        status=FindingStatus.CLOSED_UNRESOLVABLE,
        closed_reason=reason,
        escalated_in=report,
        closed_on=closed_on,
        closed_by=ctx.actor,
    )
    ctx.publish(
        f"{KEY}.finding_closed",
        source=KEY,
        finding_id=finding.id,
        unit_id=finding.unit_id,
        escalated_in=report,
    )
    return finding


@strawberry.type
class CloseFourVisitsFindingMutation:
    @strawberry.mutation(
        description="鹿城 四访四问: close an ASSIGNED finding as CLOSED_UNRESOLVABLE, with why and "
        "the report it was escalated in."
    )
    async def close_four_visits_finding(
        self, info: strawberry.Info, input: CloseFourVisitsFindingInput
    ) -> CloseFourVisitsFindingPayload:
        return await mutation_payload(
            CloseFourVisitsFindingPayload,
            info.context.run(lambda ctx: close_finding(ctx, input)),
            "finding",
        )
