"""``threeDegreeLodgeObjection``: an objection to a reserve cadre on public notice."""

from __future__ import annotations

import datetime

import strawberry

from core import DomainError

from ..models import Objection, State
from ..types import ObjectionType
from ..workflow import WrongState, hold
from ._common import CADRE_FIELD, ObjectionPayload, load_cadre, not_before, payload, text

NOT_IN_NOTICE = "THREE_DEGREE_NOT_IN_NOTICE"


@strawberry.input(name="ThreeDegreeLodgeObjectionInput", description="Lodge an objection (异议).")
class LodgeObjectionInput:
    reserve_cadre_id: strawberry.ID
    lodged_on: datetime.date
    content: str = strawberry.field(description="What the objection says.")
    objector: str | None = strawberry.field(default=None, description="Who objects, if named.")


async def lodge(ctx, data: LodgeObjectionInput) -> dict:
    cadre, _village = await load_cadre(ctx, data.reserve_cadre_id)
    content = text(data.content, "content", required=True)
    objector = text(data.objector, "objector", limit=100)
    message = "objections are lodged only while the reserve cadre is on public notice (NOTICE)"
    if cadre.state is not State.NOTICE:
        raise WrongState(NOT_IN_NOTICE, message, cadre.state, CADRE_FIELD)
    not_before(data.lodged_on, cadre.notice_start, "lodgedOn", "the notice's start")
    if data.lodged_on > cadre.notice_end:
        raise DomainError.one(
            NOT_IN_NOTICE,
            f"the public notice ran until {cadre.notice_end.isoformat()}; "
            f"{data.lodged_on.isoformat()} is after it",
            "lodgedOn",
        )
    await hold(ctx, cadre, State.NOTICE, code=NOT_IN_NOTICE, message=message, field=CADRE_FIELD)
    objection = Objection(
        reserve_cadre_id=cadre.id,
        lodged_on=data.lodged_on,
        objector=objector,
        content=content,
        lodged_by=ctx.actor,
    )
    ctx.session.add(objection)
    await ctx.session.flush()
    return {"objection": ObjectionType(row=objection), "reserve_cadre": cadre}


async def resolve(info: strawberry.Info, input: LodgeObjectionInput) -> ObjectionPayload:
    return await payload(ObjectionPayload, info.context.run(lambda ctx: lodge(ctx, input)))


lodge_objection = strawberry.mutation(
    resolver=resolve,
    description="文成 三度测评一试岗: lodge an objection during the public notice; the notice "
    "cannot close until it is resolved.",
)
