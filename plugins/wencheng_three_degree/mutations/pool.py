"""``threeDegreePool``: found fit after the trial, into the candidate pool (TRIAL → POOLED)."""

from __future__ import annotations

import datetime

import strawberry
from sqlalchemy import select

from core import DomainError, Initiative, Posting, Unit, UnitTree
from core.initiatives.models import InitiativeKind, InitiativeStatus
from core.postings.models import PostingStatus
from core.postings.services import end_posting

from ..models import State
from ..workflow import check_transition, transition
from ._common import CADRE_FIELD, CadrePayload, load_cadre, payload, publish, record_metrics, text

ELECTION_FIELD = "electionInitiativeCode"
#: An election (村社组织换届) runs as a programme or a campaign, not as a review or an assessment.
ELECTION_KINDS = (InitiativeKind.PROGRAM, InitiativeKind.CAMPAIGN)
#: A candidate pool is for an election still to come or under way.
ELECTION_STATUSES = (InitiativeStatus.PLANNED, InitiativeStatus.ACTIVE)


async def require_election(ctx, initiative: Initiative, village: Unit) -> None:
    """Refuse (``THREE_DEGREE_NOT_AN_ELECTION``) an initiative that cannot be the village's
    election: one that is no PROGRAM or CAMPAIGN, is COMPLETED or CANCELLED, or is owned by a
    unit that is neither the village nor one of its ancestors (another county's election)."""
    problems = []
    if initiative.kind not in ELECTION_KINDS:
        problems.append(f"it is a {initiative.kind.value}, not a PROGRAM or CAMPAIGN")
    if initiative.status not in ELECTION_STATUSES:
        problems.append(f"it is {initiative.status.value}, not PLANNED or ACTIVE")
    covers = (
        await ctx.session.execute(
            select(UnitTree.distance).where(
                UnitTree.ancestor_id == initiative.owner_unit_id,
                UnitTree.descendant_id == village.id,
            )
        )
    ).first()
    if covers is None:
        problems.append(f"its owner unit is neither {village.name} nor a unit above it")
    if problems:
        raise DomainError.one(
            "THREE_DEGREE_NOT_AN_ELECTION",
            f"{initiative.code} cannot be the election of {village.code} {village.name}: "
            + "; ".join(problems),
            ELECTION_FIELD,
        )


@strawberry.input(
    name="ThreeDegreePoolInput",
    description="Enter a reserve cadre found fit after the trial in the candidate pool (人选库) "
    "of their village for an election.",
)
class PoolInput:
    reserve_cadre_id: strawberry.ID
    pooled_on: datetime.date = strawberry.field(description="On or after the trial's last day.")
    election_initiative_code: str = strawberry.field(
        description="The election (换届) initiative whose candidate pool they enter: a PROGRAM "
        "or CAMPAIGN, PLANNED or ACTIVE, owned by the village or a unit above it."
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
            ELECTION_FIELD,
        )
    await require_election(ctx, initiative, village)
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
