"""``threeDegreeCloseAssessment``: score the assessment and close it (NOMINATED → ASSESSED)."""

from __future__ import annotations

import datetime

import strawberry
from sqlalchemy import select

from core import DomainError

from ..models import Rating, State
from ..scoring import Config, rounded, score
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


@strawberry.input(name="ThreeDegreeCloseAssessmentInput", description="Close an assessment.")
class CloseAssessmentInput:
    reserve_cadre_id: strawberry.ID
    closed_on: datetime.date
    note: str | None = None


async def close(ctx, data: CloseAssessmentInput) -> dict:
    cadre, village = await load_cadre(ctx, data.reserve_cadre_id)
    check_transition(cadre, State.ASSESSED)
    not_before(data.closed_on, cadre.state_since, "closedOn", "the nomination")
    note = text(data.note, "note")
    await transition(
        ctx,
        cadre,
        State.ASSESSED,
        effective_on=data.closed_on,
        reason=note,
        state_since=data.closed_on,
        assessed_on=data.closed_on,
    )
    # Read the ratings after the transition took the record: none can be added any more.
    ratings = (
        await ctx.session.execute(select(Rating).where(Rating.reserve_cadre_id == cadre.id))
    ).scalars()
    config = Config.from_json(cadre.config)
    scores = score(ratings, config)
    short = scores.short_groups(config)
    if short:
        detail = ", ".join(f"{g.group.value} has {g.count} of {g.minimum}" for g in short)
        raise DomainError.one(
            "THREE_DEGREE_NOT_ENOUGH_RATINGS",
            "every weighted rater group needs its minimum of ratings to close the assessment: "
            f"{detail}",
            CADRE_FIELD,
        )
    cadre.loyalty = rounded(scores.degrees["loyalty"])
    cadre.satisfaction = rounded(scores.degrees["satisfaction"])
    cadre.competence = rounded(scores.degrees["competence"])
    cadre.overall = rounded(scores.overall)
    # The pass mark is compared with the unrounded score: 79.996 shows as 80.0 but fails 80.
    cadre.passed = config.reaches_pass_mark(scores.overall)
    await ctx.session.flush()
    await record_metrics(
        ctx,
        cadre,
        village,
        data.closed_on,
        {
            "reserve_cadres_assessed": 1,
            "loyalty_mean": cadre.loyalty,
            "satisfaction_mean": cadre.satisfaction,
            "competence_mean": cadre.competence,
        },
    )
    publish(ctx, cadre, State.NOMINATED)
    return {"reserve_cadre": cadre}


async def resolve(info: strawberry.Info, input: CloseAssessmentInput) -> CadrePayload:
    return await payload(CadrePayload, info.context.run(lambda ctx: close(ctx, input)))


close_assessment = strawberry.mutation(
    resolver=resolve,
    description="文成 三度测评一试岗: close the three-degree assessment and keep its scores "
    "(NOMINATED → ASSESSED); every weighted rater group needs its minimum number of ratings "
    "(5 masses, 5 notables, 1 talk with the person, 1 team rating by default).",
)
