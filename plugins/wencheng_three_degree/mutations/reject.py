"""``threeDegreeReject``: reject, with reasons (ASSESSED, NOTICE or TRIAL → REJECTED)."""

from __future__ import annotations

import datetime

import strawberry
from sqlalchemy import select

from core import DomainError, Posting
from core.postings.models import PostingStatus
from core.postings.services import end_posting

from ..models import Objection, ObjectionStatus, State
from ..workflow import check_transition, transition
from ._common import (
    CADRE_FIELD,
    CadrePayload,
    load_cadre,
    not_before,
    payload,
    publish,
    record_metrics,
    text,
)


@strawberry.input(
    name="ThreeDegreeRejectInput",
    description="Reject a reserve cadre: at the meeting (ASSESSED), after an upheld objection "
    "(NOTICE: only once an objection was upheld) or as unfit after the trial (TRIAL, which ends "
    "the trial posting).",
)
class RejectInput:
    reserve_cadre_id: strawberry.ID
    rejected_on: datetime.date
    reason: str = strawberry.field(description="Why: required.")


async def reject_cadre(ctx, data: RejectInput) -> dict:
    cadre, village = await load_cadre(ctx, data.reserve_cadre_id)
    check_transition(cadre, State.REJECTED)
    not_before(data.rejected_on, cadre.state_since, "rejectedOn", f"the {cadre.state.value} start")
    reason = text(data.reason, "reason", required=True)
    stage = cadre.state
    meeting = (
        {"meeting_on": data.rejected_on, "meeting_note": reason} if stage is State.ASSESSED else {}
    )
    await transition(
        ctx,
        cadre,
        State.REJECTED,
        effective_on=data.rejected_on,
        reason=reason,
        state_since=data.rejected_on,
        decided_on=data.rejected_on,
        outcome_reason=reason,
        rejected_at_stage=stage,
        **meeting,
    )
    if stage is State.NOTICE:
        # Read the objections after the transition took the record: none can be resolved any
        # more. The notice is no second meeting: only an upheld objection overturns it.
        upheld = (
            await ctx.session.execute(
                select(Objection.id).where(
                    Objection.reserve_cadre_id == cadre.id,
                    Objection.status == ObjectionStatus.UPHELD,
                )
            )
        ).first()
        if upheld is None:
            raise DomainError.one(
                "THREE_DEGREE_NO_UPHELD_OBJECTION",
                "during the public notice a reserve cadre is rejected only after an objection "
                "was upheld; none was (lodge one and uphold it, or start the trial)",
                CADRE_FIELD,
            )
    if cadre.trial_posting_id is not None:
        posting = await ctx.session.get(Posting, cadre.trial_posting_id)
        if posting is not None and posting.status in (PostingStatus.ACTIVE, PostingStatus.PLANNED):
            early = posting.end_date is None or data.rejected_on < posting.end_date
            await end_posting(
                ctx,
                posting_id=posting.id,
                outcome=PostingStatus.RECALLED if early else PostingStatus.COMPLETED,
                end_date=max(data.rejected_on, posting.start_date),
                recall_reason=reason if early else None,
            )
    await record_metrics(ctx, cadre, village, data.rejected_on, {"reserve_cadres_rejected": 1})
    publish(ctx, cadre, stage)
    return {"reserve_cadre": cadre}


async def resolve(info: strawberry.Info, input: RejectInput) -> CadrePayload:
    return await payload(CadrePayload, info.context.run(lambda ctx: reject_cadre(ctx, input)))


reject = strawberry.mutation(
    resolver=resolve,
    description="文成 三度测评一试岗: reject a reserve cadre with reasons — at the evaluation "
    "meeting, after an upheld objection (during the notice, only then), or unfit after the "
    "trial post.",
)
