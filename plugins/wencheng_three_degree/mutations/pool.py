"""``threeDegreePool``: found fit after the trial, into the candidate pool (TRIAL → POOLED)."""

from __future__ import annotations

import datetime

import strawberry
from sqlalchemy import select

from core import DomainError, Initiative, Posting
from core.postings.models import PostingStatus
from core.postings.services import end_posting

from ..models import State
from ..workflow import check_transition, transition
from ._common import CADRE_FIELD, CadrePayload, load_cadre, payload, publish, record_metrics, text


@strawberry.input(
    name="ThreeDegreePoolInput",
    description="Enter a reserve cadre found fit after the trial in the candidate pool (人选库) "
    "of their village for an election.",
)
class PoolInput:
    reserve_cadre_id: strawberry.ID
    pooled_on: datetime.date = strawberry.field(description="On or after the trial's last day.")
    election_initiative_code: str = strawberry.field(
        description="The election (换届) initiative whose candidate pool they enter."
    )
    note: str | None = None


async def pool_cadre(ctx, data: PoolInput) -> dict:
    cadre, village = await load_cadre(ctx, data.reserve_cadre_id)
    check_transition(cadre, State.POOLED)
    initiative = (
        await ctx.session.execute(
            select(Initiative).where(Initiative.code == data.election_initiative_code)
        )
    ).scalar_one_or_none()
    if initiative is None:
        raise DomainError.one(
            "NOT_FOUND",
            f"no initiative has the code {data.election_initiative_code!r}",
            "electionInitiativeCode",
        )
    posting = await ctx.session.get(Posting, cadre.trial_posting_id)
    if posting is not None and posting.status is PostingStatus.RECALLED:
        raise DomainError.one(
            "INVALID_STATE",
            "the trial posting was recalled: the reserve cadre can only be rejected",
            CADRE_FIELD,
        )
    if posting is not None and posting.end_date and data.pooled_on < posting.end_date:
        raise DomainError.one(
            "THREE_DEGREE_TRIAL_RUNNING",
            f"the trial post runs until {posting.end_date.isoformat()}; a reserve cadre is "
            "pooled once it is served",
            "pooledOn",
        )
    note = text(data.note, "note")
    await transition(
        ctx,
        cadre,
        State.POOLED,
        effective_on=data.pooled_on,
        reason=note,
        state_since=data.pooled_on,
        decided_on=data.pooled_on,
        outcome_reason=note,
        election_initiative_id=initiative.id,
    )
    if posting is not None and posting.status in (PostingStatus.ACTIVE, PostingStatus.PLANNED):
        await end_posting(
            ctx,
            posting_id=posting.id,
            outcome=PostingStatus.COMPLETED,
            end_date=posting.end_date or data.pooled_on,
        )
    await record_metrics(ctx, cadre, village, data.pooled_on, {"reserve_cadres_pooled": 1})
    publish(ctx, cadre, State.TRIAL)
    return {"reserve_cadre": cadre}


async def resolve(info: strawberry.Info, input: PoolInput) -> CadrePayload:
    return await payload(CadrePayload, info.context.run(lambda ctx: pool_cadre(ctx, input)))


pool = strawberry.mutation(
    resolver=resolve,
    description="文成 三度测评一试岗: a reserve cadre found fit after the trial post enters the "
    "candidate pool of their village for an election initiative (TRIAL → POOLED).",
)
