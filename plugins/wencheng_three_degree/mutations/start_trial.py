"""``threeDegreeStartTrial``: close the public notice and start the trial post (→ TRIAL)."""

from __future__ import annotations

import datetime

import strawberry
from sqlalchemy import select

from core import DomainError, settings_for
from core.postings.models import PostingRole
from core.postings.services import start_posting

from .. import KEY
from ..dates import trial_end
from ..models import Objection, ObjectionStatus, State
from ..workflow import check_transition, transition
from ._common import CADRE_FIELD, CadrePayload, load_cadre, payload, publish, record_metrics, text


@strawberry.input(
    name="ThreeDegreeStartTrialInput",
    description="Close the public notice and send the reserve cadre on a trial post (试岗).",
)
class StartTrialInput:
    reserve_cadre_id: strawberry.ID
    start_on: datetime.date = strawberry.field(
        description="The trial's first day: after the notice's last day."
    )
    title: str | None = strawberry.field(
        default=None, description="The trial post, e.g. 试岗担任村妇联副主席."
    )
    initiative_code: str | None = strawberry.field(
        default=None, description="The initiative the trial posting serves, if any."
    )


async def start(ctx, data: StartTrialInput) -> dict:
    cadre, village = await load_cadre(ctx, data.reserve_cadre_id)
    check_transition(cadre, State.TRIAL)
    if data.start_on <= cadre.notice_end:
        raise DomainError.one(
            "THREE_DEGREE_NOTICE_RUNNING",
            f"the public notice runs until {cadre.notice_end.isoformat()}; the trial starts "
            "after it",
            "startOn",
        )
    title = text(data.title, "title", limit=200) or f"后备干部到{village.name}试岗"
    await transition(
        ctx, cadre, State.TRIAL, effective_on=data.start_on, reason=title, state_since=data.start_on
    )
    # Read the objections after the transition took the record: none can be lodged any more.
    statuses = (
        (
            await ctx.session.execute(
                select(Objection.status).where(Objection.reserve_cadre_id == cadre.id)
            )
        )
        .scalars()
        .all()
    )
    open_ = statuses.count(ObjectionStatus.OPEN)
    if open_:
        raise DomainError.one(
            "THREE_DEGREE_OBJECTION_OPEN",
            f"{open_} objection(s) to the notice are still open: uphold or dismiss each first",
            CADRE_FIELD,
        )
    if ObjectionStatus.UPHELD in statuses:
        raise DomainError.one(
            "THREE_DEGREE_OBJECTION_UPHELD",
            "an objection to the notice was upheld: the reserve cadre can only be rejected",
            CADRE_FIELD,
        )
    months = (await settings_for(ctx.session, ctx.registry, KEY, village.id)).trial_months
    posting = await start_posting(
        ctx,
        person_id=cadre.person_id,
        host_unit_code=village.code,
        role=PostingRole.TRIAL_POST,
        start_date=data.start_on,
        end_date=trial_end(data.start_on, months),
        title=title,
        initiative_code=data.initiative_code,
    )
    cadre.trial_posting_id = posting.id
    await ctx.session.flush()
    await record_metrics(ctx, cadre, village, data.start_on, {"reserve_cadres_on_trial": 1})
    publish(ctx, cadre, State.NOTICE)
    return {"reserve_cadre": cadre}


async def resolve(info: strawberry.Info, input: StartTrialInput) -> CadrePayload:
    return await payload(CadrePayload, info.context.run(lambda ctx: start(ctx, input)))


start_trial = strawberry.mutation(
    resolver=resolve,
    description="文成 三度测评一试岗: close the public notice — every objection resolved, none "
    "upheld — and start the trial post, a core posting TRIAL_POST at the village of "
    "trial_months (2 by default) (NOTICE → TRIAL).",
)
