"""``threeDegreeStartNotice``: put an approved reserve cadre on public notice (→ NOTICE)."""

from __future__ import annotations

import datetime

import strawberry

from core import DomainError, settings_for

from .. import KEY
from ..models import State
from ..workflow import check_transition, transition
from ._common import CadrePayload, load_cadre, not_before, payload, publish


@strawberry.input(name="ThreeDegreeStartNoticeInput", description="Start the public notice (公示).")
class StartNoticeInput:
    reserve_cadre_id: strawberry.ID
    start_on: datetime.date
    end_on: datetime.date | None = strawberry.field(
        default=None,
        description="Its last day (inclusive); default: as short as the settings allow "
        "(notice_days, 5 by default).",
    )


async def start(ctx, data: StartNoticeInput) -> dict:
    cadre, village = await load_cadre(ctx, data.reserve_cadre_id)
    check_transition(cadre, State.NOTICE)
    not_before(data.start_on, cadre.state_since, "startOn", "the meeting")
    days = (await settings_for(ctx.session, ctx.registry, KEY, village.id)).notice_days
    end_on = data.end_on or data.start_on + datetime.timedelta(days=days - 1)
    not_before(end_on, data.start_on, "endOn", "the start")
    if (end_on - data.start_on).days + 1 < days:
        raise DomainError.one(
            "THREE_DEGREE_NOTICE_TOO_SHORT",
            f"a public notice runs at least {days} days here; {data.start_on.isoformat()} to "
            f"{end_on.isoformat()} is {(end_on - data.start_on).days + 1}",
            "endOn",
        )
    await transition(
        ctx,
        cadre,
        State.NOTICE,
        effective_on=data.start_on,
        reason=f"公示 {data.start_on.isoformat()} – {end_on.isoformat()}",
        state_since=data.start_on,
        notice_start=data.start_on,
        notice_end=end_on,
    )
    publish(ctx, cadre, State.APPROVED)
    return {"reserve_cadre": cadre}


async def resolve(info: strawberry.Info, input: StartNoticeInput) -> CadrePayload:
    return await payload(CadrePayload, info.context.run(lambda ctx: start(ctx, input)))


start_notice = strawberry.mutation(
    resolver=resolve,
    description="文成 三度测评一试岗: put an approved reserve cadre on public notice (公示), "
    "at least notice_days long (APPROVED → NOTICE).",
)
