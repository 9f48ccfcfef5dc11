"""``threeDegreeNominate``: name a person reserve cadre for a village (→ NOMINATED)."""

from __future__ import annotations

import datetime

import strawberry
from sqlalchemy import select

from core import DomainError, Problem, require_person, require_unit, settings_for
from core.units.models import UnitKind
from schema.ids import decode_id

from .. import KEY
from ..models import FINAL_STATES, ReserveCadre, State, Transition
from ..scoring import Config
from ..served import require_served
from ._common import CadrePayload, payload, publish, record_metrics, text

ALREADY = Problem(
    "THREE_DEGREE_ALREADY_NOMINATED",
    "the person already has an open record as a reserve cadre",
    "personId",
)


@strawberry.input(name="ThreeDegreeNominateInput", description="Name a reserve cadre (后备干部).")
class NominateInput:
    person_id: strawberry.ID
    village_code: str = strawberry.field(description="The village, e.g. 330328101001 渡渎村.")
    nominated_on: datetime.date
    reason: str | None = strawberry.field(default=None, description="Why they are nominated.")


async def nominate_cadre(ctx, data: NominateInput) -> dict:
    person_id = decode_id(data.person_id, "Person", "personId")
    village = await require_unit(ctx.session, data.village_code, "villageCode")
    await require_served(ctx.session, ctx.registry, village, "villageCode")
    if village.kind is not UnitKind.VILLAGE:
        raise DomainError.one(
            "INVALID",
            f"{village.code} {village.name} is a {village.kind.value}; reserve cadres are named "
            "for a village",
            "villageCode",
        )
    person = await require_person(ctx.session, person_id, "personId")
    reason = text(data.reason, "reason")
    current = (
        await ctx.session.execute(
            select(ReserveCadre.state).where(
                ReserveCadre.person_id == person.id, ReserveCadre.state.not_in(FINAL_STATES)
            )
        )
    ).scalar_one_or_none()
    if current is not None:
        raise DomainError.one(
            ALREADY.code,
            f"{person.name} already has an open record as a reserve cadre ({current.value}); "
            "it must be pooled or rejected first",
            ALREADY.field,
        )
    settings = await settings_for(ctx.session, ctx.registry, KEY, village.id)
    cadre = ReserveCadre(
        person_id=person.id,
        unit_id=village.id,
        state=State.NOMINATED,
        version=1,
        state_since=data.nominated_on,
        nominated_on=data.nominated_on,
        nomination_reason=reason,
        config=Config.from_settings(settings).to_json(),
    )
    ctx.session.add(cadre)
    await ctx.session.flush()
    ctx.session.add(
        Transition(
            reserve_cadre_id=cadre.id,
            from_state=None,
            to_state=State.NOMINATED,
            effective_on=data.nominated_on,
            reason=reason,
            actor=ctx.actor,
        )
    )
    await ctx.session.flush()
    await record_metrics(ctx, cadre, village, data.nominated_on, {"reserve_cadres_nominated": 1})
    publish(ctx, cadre, None)
    return {"reserve_cadre": cadre}


async def resolve(info: strawberry.Info, input: NominateInput) -> CadrePayload:
    return await payload(
        CadrePayload,
        info.context.run(lambda ctx: nominate_cadre(ctx, input), on_integrity_error=ALREADY),
    )


nominate = strawberry.mutation(
    resolver=resolve,
    description="文成 三度测评一试岗: name a person reserve cadre (后备干部) for a village; the "
    "assessment opens under the weights and pass mark in force there.",
)
