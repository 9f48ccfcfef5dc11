"""``threeDegreeResolveObjection``: uphold or dismiss an open objection."""

from __future__ import annotations

import datetime
import enum

import strawberry
from sqlalchemy import update

from core import DomainError
from schema.ids import decode_id

from ..models import Objection, ObjectionStatus, State
from ..types import OBJECTION_TYPE, ObjectionType
from ..workflow import hold
from ._common import ObjectionPayload, cadre_by_row_id, not_before, payload, text

FIELD = "objectionId"


@strawberry.enum(name="ThreeDegreeObjectionResolution", description="How an objection ends.")
class Resolution(enum.Enum):
    UPHELD = "UPHELD"
    DISMISSED = "DISMISSED"


@strawberry.input(name="ThreeDegreeResolveObjectionInput", description="Resolve an objection.")
class ResolveObjectionInput:
    objection_id: strawberry.ID
    resolution: Resolution
    resolved_on: datetime.date
    note: str = strawberry.field(description="What was found: required.")


async def resolve_one(ctx, data: ResolveObjectionInput) -> dict:
    objection_id = decode_id(data.objection_id, OBJECTION_TYPE, FIELD)
    objection = await ctx.session.get(Objection, objection_id)
    if objection is None:
        raise DomainError.one("NOT_FOUND", "no objection has this id", FIELD)
    cadre, _village = await cadre_by_row_id(ctx, objection.reserve_cadre_id, FIELD)
    note = text(data.note, "note", required=True)
    not_before(data.resolved_on, objection.lodged_on, "resolvedOn", "the objection")
    await hold(
        ctx,
        cadre,
        State.NOTICE,
        code="THREE_DEGREE_NOT_IN_NOTICE",
        message="objections are resolved only while the reserve cadre is on public notice",
        field=FIELD,
    )
    result = await ctx.session.execute(
        update(Objection)
        .where(Objection.id == objection.id, Objection.status == ObjectionStatus.OPEN)
        .values(
            status=ObjectionStatus(data.resolution.value),
            resolution=note,
            resolved_on=data.resolved_on,
            resolved_by=ctx.actor,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        await ctx.session.refresh(objection)
        raise DomainError.one(
            "THREE_DEGREE_OBJECTION_RESOLVED",
            f"the objection was already resolved ({objection.status.value})",
            FIELD,
        )
    await ctx.session.refresh(objection)
    return {"objection": ObjectionType(row=objection), "reserve_cadre": cadre}


async def resolve(info: strawberry.Info, input: ResolveObjectionInput) -> ObjectionPayload:
    return await payload(ObjectionPayload, info.context.run(lambda ctx: resolve_one(ctx, input)))


resolve_objection = strawberry.mutation(
    resolver=resolve,
    description="文成 三度测评一试岗: resolve an open objection, UPHELD or DISMISSED, with a "
    "note. An upheld objection leaves rejection as the only way on.",
)
