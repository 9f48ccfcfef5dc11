from __future__ import annotations

import datetime
from typing import Any

import strawberry
from strawberry import relay

from core.postings.models import Posting as PostingRow
from schema import loaders
from schema.refs import LazyInitiative, LazyPerson, LazyUnit
from schema.types.enums import PostingRoleEnum, PostingStatusEnum


@strawberry.type(
    name="Posting",
    description="A posting (挂职/下沉/驻村/派驻): a person sent to a host unit for a while.",
)
class PostingBase(relay.Node):
    id: relay.NodeID[int]
    version: int = strawberry.field(
        description="Bumped by every change: send it back as `expectedVersion` to refuse "
        "overwriting someone else's change."
    )
    role: PostingRoleEnum
    title: str | None = strawberry.field(description="Free text, e.g. 挂职任珠岙镇党委副书记.")
    start_date: datetime.date
    end_date: datetime.date | None
    status: PostingStatusEnum
    recall_reason: str | None = strawberry.field(description="Why the posting was recalled.")

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, PostingRow)

    @classmethod
    async def resolve_nodes(cls, *, info, node_ids, required=False):
        from sqlalchemy import select

        ids = [int(i) for i in node_ids]
        rows = {
            p.id: p
            for p in await info.context.scalars(select(PostingRow).where(PostingRow.id.in_(ids)))
        }
        return [rows.get(i) for i in ids]

    @strawberry.field(description="Who is posted.")
    async def person(self, info: strawberry.Info) -> LazyPerson | None:
        return await info.context.loader(loaders.people_by_id).load(self.person_id)

    @strawberry.field(description="Where the person is posted.")
    async def host_unit(self, info: strawberry.Info) -> LazyUnit | None:
        return await info.context.loader(loaders.units_by_id).load(self.host_unit_id)

    @strawberry.field(description="The initiative the posting serves, if any.")
    async def initiative(self, info: strawberry.Info) -> LazyInitiative | None:
        if self.initiative_id is None:
            return None
        return await info.context.loader(loaders.initiatives_by_id).load(self.initiative_id)
