"""``assignFourVisitsFinding``: hand a finding to a responsible unit with a due date."""

from __future__ import annotations

import datetime
from typing import Any

import strawberry

from core import DomainError
from core.plugin_state.services import settings_for
from core.units.services import require_unit
from schema.errors import UserError, mutation_payload

from .. import KEY
from ..clock import today as china_today
from ..findings import day_or_today, load_finding, move, not_before
from ..models import FindingStatus
from ..types import FourVisitsFinding


@strawberry.input(description="Who answers for a finding, and by when.")
class AssignFourVisitsFindingInput:
    finding_id: strawberry.ID
    responsible_unit_code: str = strawberry.field(
        description="The responsible unit (a village, town or department within your scope)."
    )
    due_on: datetime.date | None = strawberry.field(
        default=None, description="Default: assignedOn + the setting default_due_days."
    )
    assigned_on: datetime.date | None = strawberry.field(
        default=None, description="Default: today."
    )


@strawberry.type
class AssignFourVisitsFindingPayload:
    finding: FourVisitsFinding | None = None
    errors: list[UserError]


async def assign_finding(ctx: Any, data: AssignFourVisitsFindingInput) -> Any:
    today = china_today()
    finding = await load_finding(
        ctx, data.finding_id, (FindingStatus.OPEN, FindingStatus.ASSIGNED), "assigned"
    )
    unit = await require_unit(ctx.session, data.responsible_unit_code, "responsibleUnitCode")
    assigned_on = day_or_today(data.assigned_on, "assignedOn", today)
    not_before(assigned_on, finding.opened_on, "assignedOn", "the day it was heard")
    due_on = data.due_on
    if due_on is None:
        settings = await settings_for(ctx.session, ctx.registry, KEY, finding.unit_id)
        due_on = assigned_on + datetime.timedelta(days=settings.default_due_days)
    if due_on < assigned_on:
        raise DomainError.one(
            "DATE_ORDER", f"dueOn {due_on} lies before assignedOn {assigned_on}", "dueOn"
        )
    await move(
        ctx,
        finding,
        "assigned",
        status=FindingStatus.ASSIGNED,
        assigned_unit_id=unit.id,
        assigned_on=assigned_on,
        due_on=due_on,
        assigned_by=ctx.actor,
    )
    ctx.publish(
        f"{KEY}.finding_assigned",
        source=KEY,
        finding_id=finding.id,
        unit_id=finding.unit_id,
        responsible_unit_id=unit.id,
        due_on=due_on.isoformat(),
    )
    return finding


@strawberry.type
class AssignFourVisitsFindingMutation:
    @strawberry.mutation(
        description="鹿城 四访四问: assign an OPEN finding (or reassign an ASSIGNED one) to a "
        "responsible unit with a due date."
    )
    async def assign_four_visits_finding(
        self, info: strawberry.Info, input: AssignFourVisitsFindingInput
    ) -> AssignFourVisitsFindingPayload:
        return await mutation_payload(
            AssignFourVisitsFindingPayload,
            info.context.run(lambda ctx: assign_finding(ctx, input)),
            "finding",
        )
