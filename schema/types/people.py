from __future__ import annotations

from typing import Any

import strawberry
from strawberry import relay

from core.people.models import Person as PersonRow
from schema import loaders
from schema.access import mask_id_number, mask_phone, personal_information
from schema.refs import LazyPosting, LazyUnit
from schema.types.enums import GenderEnum, PoliticalStatusEnum, PostingStatusEnum, RankEnum


@strawberry.type(name="Person", description="A person (干部 and others) with their record.")
class PersonBase(relay.Node):
    id: relay.NodeID[int]
    version: int = strawberry.field(
        description="Bumped by every change: send it back as `expectedVersion` to refuse "
        "overwriting someone else's change."
    )
    name: str = strawberry.field(description="姓名.")
    gender: GenderEnum
    birth_year: int | None
    political_status: PoliticalStatusEnum = strawberry.field(description="政治面貌.")
    rank: RankEnum = strawberry.field(description="职级.")
    home_post: str | None = strawberry.field(description="本职: the post held at the home unit.")
    tags: list[str]

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, PersonRow)

    @classmethod
    async def resolve_nodes(cls, *, info, node_ids, required=False):
        loader = info.context.loader(loaders.people_by_id)
        return await loader.load_many([int(i) for i in node_ids])

    @strawberry.field(
        description="Mobile number (personal information): masked as 138****5678 unless you hold "
        "the PII grant over the person's home unit; every unmasked read is recorded."
    )
    async def phone(self, info: strawberry.Info) -> str | None:
        return await personal_information(info, self, "phone", self.phone, mask_phone)

    @strawberry.field(
        description="Citizen ID number, 身份证号 (personal information): masked as "
        "330302**********1X unless you hold the PII grant; every unmasked read is recorded."
    )
    async def id_number(self, info: strawberry.Info) -> str | None:
        return await personal_information(info, self, "idNumber", self.id_number, mask_id_number)

    @strawberry.field(description="The unit the person belongs to (本单位).")
    async def home_unit(self, info: strawberry.Info) -> LazyUnit | None:
        if self.home_unit_id is None:
            return None
        return await info.context.loader(loaders.units_by_id).load(self.home_unit_id)

    @strawberry.field(description="The person's postings, oldest first.")
    async def postings(
        self, info: strawberry.Info, status: PostingStatusEnum | None = None
    ) -> list[LazyPosting]:
        rows = await info.context.loader(loaders.postings_by_person).load(self.id)
        return [p for p in rows if status is None or p.status == status]
