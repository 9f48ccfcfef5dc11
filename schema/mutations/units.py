from __future__ import annotations

import strawberry

from core.errors import Problem
from core.units import services
from schema.errors import UserError, mutation_payload
from schema.refs import LazyUnit
from schema.types.enums import UnitKindEnum


@strawberry.input(description="A new unit.")
class CreateUnitInput:
    code: str = strawberry.field(description="Unique; the national division code if it has one.")
    name: str
    kind: UnitKindEnum
    parent_code: str | None = strawberry.field(default=None, description="Code of the unit above.")


@strawberry.input(description="Changes to a unit; omitted fields stay as they are.")
class UpdateUnitInput:
    code: str = strawberry.field(description="The unit to change.")
    name: str | None = None
    kind: UnitKindEnum | None = None
    parent_code: str | None = strawberry.field(
        default=None, description="Move the unit (and its subtree) below this unit."
    )
    make_root: bool = strawberry.field(
        default=False, description="Detach the unit from its parent."
    )
    expected_version: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="The version you read (`version`): the change is refused with "
        "VERSION_CONFLICT if someone changed the record since.",
    )


@strawberry.type
class UnitPayload:
    unit: LazyUnit | None = None
    errors: list[UserError]


UNIT_CODE_TAKEN = Problem("DUPLICATE", "a unit with this code exists", "code")


@strawberry.type
class UnitMutations:
    @strawberry.mutation(description="Create a unit below a parent.")
    async def create_unit(self, info: strawberry.Info, input: CreateUnitInput) -> UnitPayload:
        return await mutation_payload(
            UnitPayload,
            info.context.run(
                lambda ctx: services.create_unit(
                    ctx,
                    code=input.code,
                    name=input.name,
                    kind=input.kind,
                    parent_code=input.parent_code,
                ),
                on_integrity_error=UNIT_CODE_TAKEN,
            ),
            "unit",
        )

    @strawberry.mutation(description="Rename, re-kind or move a unit with its whole subtree.")
    async def update_unit(self, info: strawberry.Info, input: UpdateUnitInput) -> UnitPayload:
        return await mutation_payload(
            UnitPayload,
            info.context.run(
                lambda ctx: services.update_unit(
                    ctx,
                    code=input.code,
                    name=input.name,
                    kind=input.kind,
                    parent_code=input.parent_code,
                    detach=input.make_root,
                    expected_version=input.expected_version,
                )
            ),
            "unit",
        )
