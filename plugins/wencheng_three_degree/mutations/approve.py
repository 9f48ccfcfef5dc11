"""``threeDegreeApprove``: the evaluation meeting approves (ASSESSED → APPROVED)."""

from __future__ import annotations

import datetime

import strawberry

from core import DomainError

from ..models import State
from ..workflow import check_transition, transition
from ._common import CADRE_FIELD, CadrePayload, load_cadre, not_before, payload, publish, text


@strawberry.input(
    name="ThreeDegreeApproveInput", description="The evaluation meeting (测评会议) approves."
)
class ApproveInput:
    reserve_cadre_id: strawberry.ID
    meeting_on: datetime.date
    note: str | None = strawberry.field(default=None, description="The meeting's minutes.")


async def approve_cadre(ctx, data: ApproveInput) -> dict:
    cadre, _village = await load_cadre(ctx, data.reserve_cadre_id)
    check_transition(cadre, State.APPROVED)
    not_before(data.meeting_on, cadre.state_since, "meetingOn", "the assessment's close")
    if not cadre.passed:
        raise DomainError.one(
            "THREE_DEGREE_BELOW_PASS_MARK",
            f"the overall score {cadre.overall} (rounded to two decimals) is below the pass "
            f"mark {cadre.config['pass_mark']}: the meeting can only reject",
            CADRE_FIELD,
        )
    note = text(data.note, "note")
    await transition(
        ctx,
        cadre,
        State.APPROVED,
        effective_on=data.meeting_on,
        reason=note,
        state_since=data.meeting_on,
        meeting_on=data.meeting_on,
        meeting_note=note,
    )
    publish(ctx, cadre, State.ASSESSED)
    return {"reserve_cadre": cadre}


async def resolve(info: strawberry.Info, input: ApproveInput) -> CadrePayload:
    return await payload(CadrePayload, info.context.run(lambda ctx: approve_cadre(ctx, input)))


approve = strawberry.mutation(
    resolver=resolve,
    description="文成 三度测评一试岗: the evaluation meeting approves an assessed reserve cadre "
    "whose overall score reaches the pass mark (ASSESSED → APPROVED).",
)
