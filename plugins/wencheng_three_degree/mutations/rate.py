"""``threeDegreeRate``: one rating of the three degrees, while the assessment is open."""

from __future__ import annotations

import datetime

import strawberry

from core import DomainError

from ..models import RaterGroup, Rating, State
from ..types import RaterGroupEnum, as_rating
from ..workflow import hold
from ._common import (
    CADRE_FIELD,
    RatingPayload,
    load_cadre,
    not_before,
    payload,
    score_problems,
    text,
)


@strawberry.input(
    name="ThreeDegreeRateInput",
    description="A rating of the three degrees, each 0–100. All three are required: a missing "
    "one is refused with THREE_DEGREE_MISSING_DEGREE.",
)
class RateInput:
    reserve_cadre_id: strawberry.ID
    group: RaterGroupEnum
    rated_on: datetime.date
    loyalty: float | None = strawberry.field(default=None, description="忠诚度, 0–100.")
    satisfaction: float | None = strawberry.field(default=None, description="满意度, 0–100.")
    competence: float | None = strawberry.field(default=None, description="胜任度, 0–100.")
    comment: str | None = None
    rater_name: str | None = strawberry.field(
        default=None, description="Who gave the rating; kept but never shown when anonymous."
    )
    anonymous: bool | None = strawberry.field(
        default=None, description="Hide the rater in what is shown; default: true for MASSES."
    )


async def rate_cadre(ctx, data: RateInput) -> dict:
    cadre, _village = await load_cadre(ctx, data.reserve_cadre_id)
    degrees = {
        "loyalty": data.loyalty,
        "satisfaction": data.satisfaction,
        "competence": data.competence,
    }
    problems = score_problems(degrees)
    if problems:
        raise DomainError(*problems)
    not_before(data.rated_on, cadre.nominated_on, "ratedOn", "the nomination")
    comment = text(data.comment, "comment")
    rater_name = text(data.rater_name, "raterName", limit=100)
    await hold(
        ctx,
        cadre,
        State.NOMINATED,
        code="THREE_DEGREE_ASSESSMENT_CLOSED",
        message="the assessment is closed: ratings are taken only while the reserve cadre is "
        "NOMINATED",
        field=CADRE_FIELD,
    )
    group = data.group
    anonymous = data.anonymous if data.anonymous is not None else group is RaterGroup.MASSES
    rating = Rating(
        reserve_cadre_id=cadre.id,
        rater_group=group,
        loyalty=float(data.loyalty),
        satisfaction=float(data.satisfaction),
        competence=float(data.competence),
        comment=comment,
        rater_name=rater_name,
        anonymous=anonymous,
        rated_on=data.rated_on,
        entered_by=ctx.actor,
    )
    ctx.session.add(rating)
    await ctx.session.flush()
    return {"rating": as_rating(rating), "reserve_cadre": cadre}


async def resolve(info: strawberry.Info, input: RateInput) -> RatingPayload:
    return await payload(RatingPayload, info.context.run(lambda ctx: rate_cadre(ctx, input)))


rate = strawberry.mutation(
    resolver=resolve,
    description="文成 三度测评一试岗: record one rating (本人谈, 群众问, 乡贤能人说 or the team) "
    "of a NOMINATED reserve cadre.",
)
