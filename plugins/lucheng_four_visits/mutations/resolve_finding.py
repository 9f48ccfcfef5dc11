"""``resolveFourVisitsFinding``: an ASSIGNED finding is resolved, with what was done."""

from __future__ import annotations

import datetime
from typing import Any

import strawberry

from core import DomainError
from schema.errors import UserError, mutation_payload

from .. import KEY
from ..clock import today as china_today
from ..findings import day_or_today, load_finding, move, not_before
from ..metrics import FINDINGS_RESOLVED, RESOLUTION_DAYS, Recorder
from ..models import FindingStatus
from ..types import FourVisitsFinding


@strawberry.input(description="What was done about a finding.")
class ResolveFourVisitsFindingInput:
    finding_id: strawberry.ID
    resolution: str = strawberry.field(description="What was done (办结情况).")
    resolved_on: datetime.date | None = strawberry.field(
        default=None, description="Default: today."
    )


@strawberry.type
class ResolveFourVisitsFindingPayload:
    finding: FourVisitsFinding | None = None
    errors: list[UserError]


async def resolve_finding(ctx: Any, data: ResolveFourVisitsFindingInput) -> Any:
    today = china_today()
    finding = await load_finding(ctx, data.finding_id, (FindingStatus.ASSIGNED,), "resolved")
    resolution = (data.resolution or "").strip()
    if not resolution:
        raise DomainError.one("REQUIRED", "say what was done", "resolution")
    resolved_on = day_or_today(data.resolved_on, "resolvedOn", today)
    not_before(resolved_on, finding.assigned_on, "resolvedOn", "its assignment on")
    # The conditional update first: a request that lost the race stops here, before the
    # metrics, whose keys would otherwise collide with the winner's.
    await move(
        ctx,
        finding,
        "resolved",
        status=FindingStatus.RESOLVED,
        resolution=resolution,
        resolved_on=resolved_on,
        resolved_by=ctx.actor,
        resolution_days=(resolved_on - finding.opened_on).days,
    )
    metrics = Recorder(ctx.session, ctx.actor)
    where = {"unit_id": finding.unit_id, "day": resolved_on}
    await metrics.add(FINDINGS_RESOLVED, key=f"fr:{finding.id}", **where)
    await metrics.add(
        RESOLUTION_DAYS, key=f"rd:{finding.id}", value=finding.resolution_days, **where
    )
    await ctx.session.flush()
    ctx.publish(
        f"{KEY}.finding_resolved",
        source=KEY,
        finding_id=finding.id,
        unit_id=finding.unit_id,
        resolution_days=finding.resolution_days,
    )
    return finding


@strawberry.type
class ResolveFourVisitsFindingMutation:
    @strawberry.mutation(
        description="鹿城 四访四问: mark an ASSIGNED finding RESOLVED, with what was done; its "
        "resolution time is measured from the day it was heard."
    )
    async def resolve_four_visits_finding(
        self, info: strawberry.Info, input: ResolveFourVisitsFindingInput
    ) -> ResolveFourVisitsFindingPayload:
        return await mutation_payload(
            ResolveFourVisitsFindingPayload,
            info.context.run(lambda ctx: resolve_finding(ctx, input)),
            "finding",
        )
