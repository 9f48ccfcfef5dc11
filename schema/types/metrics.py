from __future__ import annotations

import datetime
from typing import Any

import strawberry
from strawberry import relay

from core.metrics.models import MetricDefinition as MetricRow
from core.metrics.models import Observation as ObservationRow
from schema import loaders
from schema.refs import LazyInitiative, LazyPerson, LazyUnit
from schema.types.enums import AggregationEnum, PeriodEnum, UnitKindEnum, ValueTypeEnum


@strawberry.type(description="What is measured, and how observations of it combine.")
class MetricDefinition(relay.Node):
    id: relay.NodeID[int]
    code: str = strawberry.field(description="e.g. lucheng.four_visits.households_visited.")
    name: str
    unit_of_measure: str = strawberry.field(description="e.g. 户, 人, %.")
    aggregation: AggregationEnum
    value_type: ValueTypeEnum
    source: str = strawberry.field(description="`core` or the key of the plugin that declared it.")
    description: str | None

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, MetricRow)

    @classmethod
    async def resolve_nodes(cls, *, info, node_ids, required=False):
        loader = info.context.loader(loaders.metrics_by_id)
        return await loader.load_many([int(i) for i in node_ids])


@strawberry.type(description="One recorded value of a metric for a unit and period.")
class Observation(relay.Node):
    id: relay.NodeID[int]
    period_start: datetime.date
    period: PeriodEnum
    value: float
    recorded_by: str | None
    recorded_at: datetime.datetime

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, ObservationRow)

    @classmethod
    async def resolve_nodes(cls, *, info, node_ids, required=False):
        from sqlalchemy import select

        ids = [int(i) for i in node_ids]
        rows = {
            o.id: o
            for o in await info.context.scalars(
                select(ObservationRow).where(ObservationRow.id.in_(ids))
            )
        }
        return [rows.get(i) for i in ids]

    @strawberry.field
    async def metric(self, info: strawberry.Info) -> MetricDefinition:
        return await info.context.loader(loaders.metrics_by_id).load(self.metric_id)

    @strawberry.field
    async def unit(self, info: strawberry.Info) -> LazyUnit | None:
        return await info.context.loader(loaders.units_by_id).load(self.unit_id)

    @strawberry.field
    async def person(self, info: strawberry.Info) -> LazyPerson | None:
        if self.person_id is None:
            return None
        return await info.context.loader(loaders.people_by_id).load(self.person_id)

    @strawberry.field
    async def initiative(self, info: strawberry.Info) -> LazyInitiative | None:
        if self.initiative_id is None:
            return None
        return await info.context.loader(loaders.initiatives_by_id).load(self.initiative_id)


@strawberry.input(description="How to group a metric series.")
class SeriesGrouping:
    level: UnitKindEnum | None = strawberry.field(
        default=None,
        description="Group by the units of this kind inside `underUnit` (e.g. TOWN: one point per "
        "town); null: one group, `underUnit` itself.",
    )
    period: PeriodEnum | None = strawberry.field(
        default=None, description="Group by period; null: the whole range in one point."
    )


@strawberry.type(description="One point of a metric series, aggregated by the database.")
class SeriesPoint:
    unit_id: strawberry.Private[int]
    period_start: datetime.date | None = strawberry.field(
        description="First day of the period; null when the series is not grouped by period."
    )
    value: float = strawberry.field(description="The metric's aggregation over the group.")
    count: int = strawberry.field(description="How many observations the point combines.")

    @strawberry.field(description="The group's unit.")
    async def unit(self, info: strawberry.Info) -> LazyUnit | None:
        return await info.context.loader(loaders.units_by_id).load(self.unit_id)
