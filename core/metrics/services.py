"""Commands on metrics: define one, record a batch of observations (all or nothing)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import validation as check
from core.commands import CommandContext
from core.errors import DomainError, Problem
from core.initiatives.models import Initiative
from core.metrics.models import Aggregation, MetricDefinition, Observation, Period, ValueType
from core.people.models import Person
from core.units.models import Unit

METRIC_CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


async def metric_by_code(session: AsyncSession, code: str) -> MetricDefinition | None:
    return (
        await session.execute(select(MetricDefinition).where(MetricDefinition.code == code))
    ).scalar_one_or_none()


async def define_metric(
    ctx: CommandContext,
    *,
    code: str,
    name: str,
    unit_of_measure: str,
    aggregation: Aggregation,
    value_type: ValueType = ValueType.DECIMAL,
    description: str | None = None,
    source: str = "core",
) -> MetricDefinition:
    ctx.require_admin("define metrics")
    code = check.required_text(code, "code", 100)
    if not METRIC_CODE.match(code):
        raise DomainError.one(
            "INVALID",
            f"metric code {code!r} must be dotted lower-case words starting with its owner, "
            "e.g. core.households_visited",
            "code",
        )
    if await metric_by_code(ctx.session, code) is not None:
        raise DomainError.one("DUPLICATE", f"a metric with the code {code!r} exists", "code")
    metric = MetricDefinition(
        code=code,
        name=check.required_text(name, "name"),
        unit_of_measure=check.required_text(unit_of_measure, "unitOfMeasure", 50),
        aggregation=aggregation,
        value_type=value_type,
        source=source,
        description=check.optional_text(description, "description", 4000),
    )
    ctx.session.add(metric)
    await ctx.session.flush()
    return metric


@dataclass
class ObservationInput:
    metric: str
    unit_code: str
    period_start: date
    value: float
    period: Period = Period.MONTH
    person_id: int | None = None
    initiative_code: str | None = None


def period_aligned(day: date, period: Period) -> bool:
    """Whether ``day`` opens a ``period``: a Monday, the 1st of a month, of a quarter…"""
    match period:
        case Period.DAY:
            return True
        case Period.WEEK:
            return day.weekday() == 0
        case Period.MONTH:
            return day.day == 1
        case Period.QUARTER:
            return day.day == 1 and day.month in (1, 4, 7, 10)
        case Period.YEAR:
            return day.day == 1 and day.month == 1


def check_value(metric: MetricDefinition, value: float, field: str) -> None:
    check.finite_number(value, field)
    if metric.value_type is ValueType.INTEGER and value != int(value):
        raise DomainError.one(
            "INVALID_VALUE", f"{metric.code} counts whole numbers; {value} is not one", field
        )
    if metric.value_type is ValueType.PERCENT and not 0 <= value <= 100:
        raise DomainError.one(
            "INVALID_VALUE", f"{metric.code} is a percentage; {value} is not in 0–100", field
        )


async def record_observations(
    ctx: CommandContext, items: list[ObservationInput], recorded_by: str | None = None
) -> list[Observation]:
    """Record every item or none: each bad item is reported with its index, and any refuses the
    whole batch."""
    if not items:
        raise DomainError.one("REQUIRED", "give at least one observation", "observations")
    metric_codes = {i.metric for i in items}
    unit_codes = {i.unit_code for i in items}
    initiative_codes = {i.initiative_code for i in items if i.initiative_code}
    person_ids = {i.person_id for i in items if i.person_id is not None}
    metrics = {
        m.code: m
        for m in (
            await ctx.session.execute(
                select(MetricDefinition).where(MetricDefinition.code.in_(metric_codes))
            )
        ).scalars()
    }
    units = {
        u.code: u
        for u in (
            await ctx.session.execute(select(Unit).where(Unit.code.in_(unit_codes)))
        ).scalars()
    }
    # (no statement for what no item names: a phone's one observation costs two lookups)
    initiatives = {}
    if initiative_codes:
        found = await ctx.session.execute(
            select(Initiative).where(Initiative.code.in_(initiative_codes))
        )
        initiatives = {i.code: i for i in found.scalars()}
    people = (
        set(
            (
                await ctx.session.execute(select(Person.id).where(Person.id.in_(person_ids)))
            ).scalars()
        )
        if person_ids
        else set()
    )
    problems: list[Problem] = []
    rows: list[Observation] = []
    for index, item in enumerate(items):
        prefix = f"observations.{index}"
        metric = metrics.get(item.metric)
        if metric is None:
            problems.append(
                Problem(
                    "UNKNOWN_METRIC", f"no metric is defined as {item.metric!r}", f"{prefix}.metric"
                )
            )
            continue
        unit = units.get(item.unit_code)
        if unit is None:
            problems.append(
                Problem(
                    "NOT_FOUND", f"no unit has the code {item.unit_code!r}", f"{prefix}.unitCode"
                )
            )
            continue
        if item.initiative_code and item.initiative_code not in initiatives:
            problems.append(
                Problem(
                    "NOT_FOUND",
                    f"no initiative has the code {item.initiative_code!r}",
                    f"{prefix}.initiativeCode",
                )
            )
            continue
        if item.person_id is not None and item.person_id not in people:
            problems.append(Problem("NOT_FOUND", "no person has this id", f"{prefix}.personId"))
            continue
        if not period_aligned(item.period_start, item.period):
            problems.append(
                Problem(
                    "INVALID",
                    f"periodStart {item.period_start.isoformat()} does not open a "
                    f"{item.period.value} (weeks start on Monday, months on the 1st, quarters "
                    "in January, April, July and October, years on 1 January)",
                    f"{prefix}.periodStart",
                )
            )
            continue
        try:
            check_value(metric, item.value, f"{prefix}.value")
        except DomainError as exc:
            problems.extend(exc.problems)
            continue
        rows.append(
            Observation(
                metric_id=metric.id,
                unit_id=unit.id,
                person_id=item.person_id,
                initiative_id=initiatives[item.initiative_code].id
                if item.initiative_code
                else None,
                period_start=item.period_start,
                period=item.period,
                value=float(item.value),
                recorded_by=recorded_by or ctx.actor,
            )
        )
    if problems:
        raise DomainError(*problems)
    await ctx.validate("recordObservations", {"observations": items})
    ctx.session.add_all(rows)
    await ctx.session.flush()
    for row in rows:
        ctx.publish(
            "observation.recorded",
            observation_id=row.id,
            metric_id=row.metric_id,
            unit_id=row.unit_id,
            value=row.value,
        )
    return rows
