from __future__ import annotations

import datetime

import strawberry

from core.errors import Problem
from core.initiatives import services
from schema.errors import UserError, mutation_payload
from schema.refs import LazyInitiative
from schema.types.enums import InitiativeKindEnum, InitiativeStatusEnum


@strawberry.input(description="A new initiative.")
class CreateInitiativeInput:
    code: str
    name: str
    kind: InitiativeKindEnum
    owner_unit_code: str
    scheme: str | None = strawberry.field(default=None, description="Key of the running plugin.")
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    status: InitiativeStatusEnum | None = None
    description: str | None = None


@strawberry.input(description="Changes to an initiative; omitted fields stay as they are.")
class UpdateInitiativeInput:
    code: str
    name: str | None = None
    kind: InitiativeKindEnum | None = None
    owner_unit_code: str | None = None
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    status: InitiativeStatusEnum | None = None
    description: str | None = None
    expected_version: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="The version you read (`version`): the change is refused with "
        "VERSION_CONFLICT if someone changed the record since.",
    )


@strawberry.type
class InitiativePayload:
    initiative: LazyInitiative | None = None
    errors: list[UserError]


@strawberry.type
class InitiativeMutations:
    @strawberry.mutation(description="Create an initiative owned by a unit.")
    async def create_initiative(
        self, info: strawberry.Info, input: CreateInitiativeInput
    ) -> InitiativePayload:
        values = strawberry.asdict(input)
        return await mutation_payload(
            InitiativePayload,
            info.context.run(
                lambda ctx: services.create_initiative(ctx, **values),
                on_integrity_error=Problem(
                    "DUPLICATE", "an initiative with this code exists", "code"
                ),
            ),
            "initiative",
        )

    @strawberry.mutation(description="Change an initiative.")
    async def update_initiative(
        self, info: strawberry.Info, input: UpdateInitiativeInput
    ) -> InitiativePayload:
        values = strawberry.asdict(input)
        return await mutation_payload(
            InitiativePayload,
            info.context.run(lambda ctx: services.update_initiative(ctx, **values)),
            "initiative",
        )
