from __future__ import annotations

from typing import Any

import strawberry
from strawberry import relay

from core.units.models import Unit as UnitRow
from schema import loaders
from schema.refs import LazyPosting, LazyUnit
from schema.types.enums import PostingStatusEnum, UnitKindEnum


@strawberry.type(
    name="Unit",
    description="A unit (单位/区划): an administrative division from province down to grid, or a "
    "department.",
)
class UnitBase(relay.Node):
    id: relay.NodeID[int]
    version: int = strawberry.field(
        description="Bumped by every change: send it back as `expectedVersion` to refuse "
        "overwriting someone else's change."
    )
    code: str = strawberry.field(
        description="Unique code: the national division code (e.g. 330302) where one exists."
    )
    name: str = strawberry.field(description="名称, e.g. 鹿城区.")
    kind: UnitKindEnum
    depth: int = strawberry.field(description="Distance from the root of the tree (0 at the top).")

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, UnitRow)

    @classmethod
    async def resolve_nodes(cls, *, info, node_ids, required=False):
        loader = info.context.loader(loaders.units_by_id)
        return await loader.load_many([int(i) for i in node_ids])

    @strawberry.field(description="The unit above, null at the root.")
    async def parent(self, info: strawberry.Info) -> LazyUnit | None:
        if self.parent_id is None:
            return None
        return await info.context.loader(loaders.units_by_id).load(self.parent_id)

    @strawberry.field(description="The units directly below, ordered by code.")
    async def children(self, info: strawberry.Info) -> list[LazyUnit]:
        return await info.context.loader(loaders.children_by_unit).load(self.id)

    @strawberry.field(description="Every unit above, from the root down to the parent.")
    async def ancestors(self, info: strawberry.Info) -> list[LazyUnit]:
        return await info.context.loader(loaders.ancestors_by_unit).load(self.id)

    @strawberry.field(description="Postings hosted by this unit (not its subtree), oldest first.")
    async def postings(
        self, info: strawberry.Info, status: PostingStatusEnum | None = None
    ) -> list[LazyPosting]:
        rows = await info.context.loader(loaders.postings_by_host_unit).load(self.id)
        return [p for p in rows if status is None or p.status == status]
