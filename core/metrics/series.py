"""Aggregates of observations, computed by the database (GROUP BY over a subtree and periods)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Date, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from core.errors import DomainError
from core.metrics.models import Aggregation, MetricDefinition, Observation, Period
from core.units.models import Unit, UnitKind, UnitTree
from core.units.tree import in_subtree
from core.validation import MAX_MAGNITUDE


class period_start_of(FunctionElement):
    """``period_start_of(column, Period.MONTH)``: the first day of the period holding the date."""

    type = Date()
    inherit_cache = False

    def __init__(self, column, period: Period):
        self.period = period
        super().__init__(column)


@compiles(period_start_of, "postgresql")
def _period_start_postgresql(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return f"CAST(date_trunc('{element.period.value.lower()}', {column}) AS DATE)"


@compiles(period_start_of)
def _period_start_sqlite(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    match element.period:
        case Period.DAY:
            return f"date({column})"
        case Period.WEEK:  # Monday, as PostgreSQL's date_trunc('week')
            return f"date({column}, 'weekday 0', '-6 days')"
        case Period.MONTH:
            return f"date({column}, 'start of month')"
        case Period.QUARTER:
            return (
                f"date({column}, 'start of month', '-' || "
                f"((CAST(strftime('%m', {column}) AS INTEGER) - 1) % 3) || ' months')"
            )
        case Period.YEAR:
            return f"date({column}, 'start of year')"


@dataclass(frozen=True)
class SeriesPoint:
    unit_id: int
    period_start: date | None
    value: float
    count: int


AGGREGATES = {
    Aggregation.SUM: lambda c: func.sum(c),
    Aggregation.AVG: lambda c: func.avg(c),
    Aggregation.MIN: lambda c: func.min(c),
    Aggregation.MAX: lambda c: func.max(c),
    Aggregation.COUNT: lambda c: func.count(c),
}


async def metric_series(
    session: AsyncSession,
    metric: MetricDefinition,
    under_unit: Unit,
    *,
    level: UnitKind | None = None,
    period: Period | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    extra_conditions: list[ColumnElement[bool]] | None = None,
) -> list[SeriesPoint]:
    """One point per (group unit, period).

    The group unit is ``under_unit`` itself when ``level`` is None, else each unit of kind
    ``level`` inside the subtree that is an ancestor (or self) of the observation's unit;
    observations with no such ancestor belong to no group. ``period`` None puts the whole range
    in one point whose ``period_start`` is None.
    """
    conditions: list[ColumnElement[bool]] = [
        Observation.metric_id == metric.id,
        in_subtree(Observation.unit_id, under_unit.id),
        *(extra_conditions or []),
    ]
    if date_from is not None:
        conditions.append(Observation.period_start >= date_from)
    if date_to is not None:
        conditions.append(Observation.period_start <= date_to)

    if level is None:
        base = select(Observation)
        group_cols: list[ColumnElement] = []
    else:
        group = Unit.__table__.alias("group_unit")
        base = (
            select(Observation)
            .join(UnitTree, UnitTree.descendant_id == Observation.unit_id)
            .join(group, group.c.id == UnitTree.ancestor_id)
        )
        conditions += [group.c.kind == level.value, in_subtree(group.c.id, under_unit.id)]
        group_cols = [UnitTree.ancestor_id.label("group_id")]
    if period is not None:
        group_cols.append(period_start_of(Observation.period_start, period).label("bucket"))
    partition = [c.element for c in group_cols]
    # Values beyond ±MAX_MAGNITUDE are refused when recorded; rows stored before that (or NaN,
    # which PostgreSQL stores) are left out of the arithmetic, so that no sum overflows, and
    # counted, so that the series is refused rather than wrong.
    in_range = func.abs(Observation.value) <= MAX_MAGNITUDE
    value = case((in_range, Observation.value))
    out_of_range = case((in_range, 0), else_=1)

    if metric.aggregation is Aggregation.LAST:
        # A stock (households, cadres on trial): each unit's latest value in the bucket, summed
        # over the group's units.
        per_unit = [*partition, Observation.unit_id]
        group_window = {"partition_by": partition} if partition else {}
        ranked = (
            base.with_only_columns(
                *group_cols,
                value.label("value"),
                out_of_range.label("bad"),
                func.row_number()
                .over(
                    partition_by=per_unit,
                    order_by=[
                        Observation.period_start.desc(),
                        Observation.recorded_at.desc(),
                        Observation.id.desc(),
                    ],
                )
                .label("rank"),
                func.count().over(**group_window).label("n"),
            )
            .where(*conditions)
            .subquery()
        )
        keys = [ranked.c[c.name] for c in group_cols]
        stmt = (
            select(
                *keys,
                func.sum(ranked.c.value).label("value"),
                func.max(ranked.c.n).label("n"),
                func.max(ranked.c.bad).label("bad"),
            )
            .where(ranked.c.rank == 1)
            .group_by(*keys)
            .order_by(*keys)
        )
    else:
        aggregate = AGGREGATES[metric.aggregation](value)
        stmt = (
            base.with_only_columns(
                *group_cols,
                aggregate.label("value"),
                func.count(Observation.id).label("n"),
                func.sum(out_of_range).label("bad"),
            )
            .where(*conditions)
            .group_by(*partition)
            .order_by(*partition)
        )
    points = []
    for row in (await session.execute(stmt)).mappings():
        if not row["n"]:
            continue  # an aggregate over no rows at all (NULL for LAST without groups)
        total = float(row["value"] or 0)
        if row["bad"] or not math.isfinite(total):
            raise DomainError.one(
                "INVALID_VALUE",
                f"{metric.code} holds values beyond ±{MAX_MAGNITUDE:g} here (recorded before such "
                "values were refused), so it cannot be aggregated: an administrator must correct "
                "them (list them with observations(filter: {metric: …}))",
                "metric",
            )
        points.append(
            SeriesPoint(
                unit_id=row["group_id"] if level is not None else under_unit.id,
                period_start=row["bucket"] if period is not None else None,
                value=total,
                count=int(row["n"]),
            )
        )
    return points
