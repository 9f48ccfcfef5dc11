from __future__ import annotations

import datetime
from typing import Any

import strawberry
from strawberry import relay

from core.initiatives.models import Initiative as InitiativeRow
from schema import loaders
from schema.refs import LazyPosting, LazyUnit
from schema.types.enums import InitiativeKindEnum, InitiativeStatusEnum


@strawberry.type(
    name="Initiative",
    description="An initiative (举措/机制/专项行动/项目) run by a unit, possibly under a scheme.",
)
class InitiativeBase(relay.Node):
    id: relay.NodeID[int]
    version: int = strawberry.field(
        description="Bumped by every change: send it back as `expectedVersion` to refuse "
        "overwriting someone else's change."
    )
    code: str
    name: str
    kind: InitiativeKindEnum
    scheme: str | None = strawberry.field(
        description="Key of the scheme (plugin) that runs it, e.g. lucheng.four_visits."
    )
    start_date: datetime.date | None
    end_date: datetime.date | None
    status: InitiativeStatusEnum
    description: str | None

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, InitiativeRow)

    @classmethod
    async def resolve_nodes(cls, *, info, node_ids, required=False):
        loader = info.context.loader(loaders.initiatives_by_id)
        return await loader.load_many([int(i) for i in node_ids])

    @strawberry.field(description="The unit that owns the initiative.")
    async def owner_unit(self, info: strawberry.Info) -> LazyUnit | None:
        return await info.context.loader(loaders.units_by_id).load(self.owner_unit_id)

    @strawberry.field(description="Postings made under this initiative, oldest first.")
    async def postings(self, info: strawberry.Info) -> list[LazyPosting]:
        return await info.context.loader(loaders.postings_by_initiative).load(self.id)
