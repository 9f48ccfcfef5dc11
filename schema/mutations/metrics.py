from __future__ import annotations

import datetime

import strawberry

from core.errors import Problem
from core.metrics import services
from core.metrics.models import Period, ValueType
from schema.errors import UserError, mutation_payload
from schema.ids import decode_id
from schema.types.enums import AggregationEnum, PeriodEnum, ValueTypeEnum
from schema.types.metrics import MetricDefinition, Observation


@strawberry.input(description="A new metric.")
class DefineMetricInput:
    code: str = strawberry.field(description="Dotted, starting with its owner: `core.…`.")
    name: str
    unit_of_measure: str
    aggregation: AggregationEnum
    value_type: ValueTypeEnum = ValueType.DECIMAL
    description: str | None = None


@strawberry.input(description="One value of a metric for a unit and period.")
class ObservationInput:
    metric: str = strawberry.field(description="The metric's code.")
    unit_code: str
    period_start: datetime.date
    value: float
    period: PeriodEnum = Period.MONTH
    person_id: strawberry.ID | None = None
    initiative_code: str | None = None


@strawberry.type
class MetricPayload:
    metric: MetricDefinition | None = None
    errors: list[UserError]


@strawberry.type
class ObservationsPayload:
    observations: list[Observation] | None = None
    errors: list[UserError]


@strawberry.type
class MetricMutations:
    @strawberry.mutation(description="Define a metric.")
    async def define_metric(self, info: strawberry.Info, input: DefineMetricInput) -> MetricPayload:
        values = strawberry.asdict(input)
        return await mutation_payload(
            MetricPayload,
            info.context.run(
                lambda ctx: services.define_metric(ctx, **values),
                on_integrity_error=Problem("DUPLICATE", "a metric with this code exists", "code"),
            ),
            "metric",
        )

    @strawberry.mutation(
        description="Record a batch of observations: all are recorded, or none (the errors name "
        "each bad item by its index)."
    )
    async def record_observations(
        self, info: strawberry.Info, observations: list[ObservationInput]
    ) -> ObservationsPayload:
        async def work(ctx):
            items = [
                services.ObservationInput(
                    metric=o.metric,
                    unit_code=o.unit_code,
                    period_start=o.period_start,
                    value=o.value,
                    period=o.period,
                    person_id=decode_id(o.person_id, "Person", f"observations.{i}.personId"),
                    initiative_code=o.initiative_code,
                )
                for i, o in enumerate(observations)
            ]
            return await services.record_observations(ctx, items)

        return await mutation_payload(ObservationsPayload, info.context.run(work), "observations")
