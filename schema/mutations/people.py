from __future__ import annotations

from typing import Any

import strawberry

from core.people import services
from schema.errors import UserError, mutation_payload
from schema.ids import decode_id
from schema.refs import LazyPerson
from schema.types.enums import GenderEnum, PoliticalStatusEnum, RankEnum


@strawberry.input(description="A new person.")
class CreatePersonInput:
    name: str
    gender: GenderEnum | None = None
    birth_year: int | None = None
    political_status: PoliticalStatusEnum | None = None
    rank: RankEnum | None = None
    home_unit_code: str | None = None
    home_post: str | None = None
    phone: str | None = None
    id_number: str | None = strawberry.field(default=None, description="18 characters.")
    tags: list[str] | None = None


@strawberry.input(description="Changes to a person; omitted fields stay as they are.")
class UpdatePersonInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    gender: GenderEnum | None = strawberry.UNSET
    birth_year: int | None = strawberry.UNSET
    political_status: PoliticalStatusEnum | None = strawberry.UNSET
    rank: RankEnum | None = strawberry.UNSET
    home_unit_code: str | None = strawberry.UNSET
    home_post: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    id_number: str | None = strawberry.UNSET
    tags: list[str] | None = strawberry.UNSET
    expected_version: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="The version you read (`version`): the change is refused with "
        "VERSION_CONFLICT if someone changed the record since.",
    )


FIELDS = (
    "name",
    "gender",
    "birth_year",
    "political_status",
    "rank",
    "home_unit_code",
    "home_post",
    "phone",
    "id_number",
    "tags",
)


def _values(input: Any) -> dict[str, Any]:
    return {
        name: getattr(input, name)
        for name in FIELDS
        if getattr(input, name) is not strawberry.UNSET
    }


@strawberry.type
class PersonPayload:
    person: LazyPerson | None = None
    errors: list[UserError]


@strawberry.type
class PeopleMutations:
    @strawberry.mutation(description="Create a person.")
    async def create_person(self, info: strawberry.Info, input: CreatePersonInput) -> PersonPayload:
        values = {k: v for k, v in _values(input).items() if v is not None or k == "name"}
        return await mutation_payload(
            PersonPayload,
            info.context.run(lambda ctx: services.create_person(ctx, **values)),
            "person",
        )

    @strawberry.mutation(description="Change a person's record; null clears an optional field.")
    async def update_person(self, info: strawberry.Info, input: UpdatePersonInput) -> PersonPayload:
        async def work(ctx):
            person_id = decode_id(input.id, "Person", "id")
            return await services.update_person(
                ctx, person_id, expected_version=input.expected_version, **_values(input)
            )

        return await mutation_payload(PersonPayload, info.context.run(work), "person")
