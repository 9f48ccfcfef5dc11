"""Coverage and resolution times, computed by the database over the unit tree's closure table.

Coverage of a village = distinct households visited in the campaign / the village's households.
A town or district adds up its villages: ``households`` sums the villages that have a count, and
``rate`` is the households visited in those villages over that sum. Villages without a count are
listed with a null rate and counted in ``villagesWithoutCount``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Float, case, cast, distinct, func, literal, or_, select
from sqlalchemy.orm import aliased

from core.units.models import Unit, UnitKind, UnitTree
from core.units.tree import in_subtree

from .models import Finding, FindingStatus, HouseholdCount, Visit


class Level(enum.Enum):
    VILLAGE = "VILLAGE"
    TOWN = "TOWN"
    DISTRICT = "DISTRICT"


@dataclass(frozen=True)
class CoverageRow:
    unit_id: int
    villages: int
    villages_without_count: int
    households: int | None
    households_visited: int
    households_visited_counted: int
    rate: float | None


@dataclass(frozen=True)
class ResolutionRow:
    unit_id: int
    resolved: int
    median_days: float | None
    mean_days: float | None


def _villages(campaign_id: int, villages_condition: Any) -> Any:
    """One row per village: its households (null without a count) and households visited."""
    visited = (
        select(
            Visit.unit_id.label("unit_id"),
            func.count(distinct(Visit.household_id)).label("visited"),
        )
        .where(Visit.campaign_id == campaign_id)
        .group_by(Visit.unit_id)
        .subquery("visited")
    )
    return (
        select(
            Unit.id.label("village_id"),
            HouseholdCount.households.label("households"),
            func.coalesce(visited.c.visited, 0).label("visited"),
        )
        .select_from(Unit)
        .outerjoin(HouseholdCount, HouseholdCount.unit_id == Unit.id)
        .outerjoin(visited, visited.c.unit_id == Unit.id)
        .where(Unit.kind == UnitKind.VILLAGE, villages_condition)
        .subquery("village")
    )


def coverage_statement(campaign_id: int, *, villages_condition: Any, groups_condition: Any) -> Any:
    """Coverage grouped by each unit matching ``groups_condition`` above (or at) the villages."""
    village = _villages(campaign_id, villages_condition)
    group = aliased(Unit, name="group_unit")
    counted = village.c.households.is_not(None)
    households = func.sum(village.c.households)
    visited_counted = func.sum(case((counted, village.c.visited), else_=0))
    rate = cast(visited_counted, Float) / func.nullif(households, 0)
    return (
        select(
            UnitTree.ancestor_id.label("unit_id"),
            func.count().label("villages"),
            func.sum(case((counted, 0), else_=1)).label("villages_without_count"),
            households.label("households"),
            func.sum(village.c.visited).label("households_visited"),
            visited_counted.label("households_visited_counted"),
            rate.label("rate"),
            group.code.label("code"),
        )
        .select_from(village)
        .join(UnitTree, UnitTree.descendant_id == village.c.village_id)
        .join(group, group.id == UnitTree.ancestor_id)
        .where(groups_condition(group))
        .group_by(UnitTree.ancestor_id, group.code)
    )


def _row(mapping: Any) -> CoverageRow:
    return CoverageRow(
        unit_id=mapping["unit_id"],
        villages=int(mapping["villages"]),
        villages_without_count=int(mapping["villages_without_count"] or 0),
        households=int(mapping["households"]) if mapping["households"] is not None else None,
        households_visited=int(mapping["households_visited"] or 0),
        households_visited_counted=int(mapping["households_visited_counted"] or 0),
        rate=float(mapping["rate"]) if mapping["rate"] is not None else None,
    )


async def coverage_by_level(
    ctx: Any, campaign_id: int, root_id: int, level: Level, below: float | None = None
) -> list[CoverageRow]:
    """One row per unit of ``level`` in ``root_id``'s subtree; ``below``: only rates under it."""
    statement = coverage_statement(
        campaign_id,
        villages_condition=in_subtree(Unit.id, root_id),
        groups_condition=lambda g: (g.kind == UnitKind(level.value)) & in_subtree(g.id, root_id),
    ).subquery("coverage")
    query = select(statement)
    if below is not None:
        query = query.where(statement.c.rate < below).order_by(statement.c.rate, statement.c.code)
    else:
        query = query.order_by(statement.c.code)
    return [_row(m) for m in (await ctx.execute(query)).mappings()]


async def coverage_of_units(ctx: Any, campaign_id: int, unit_ids: list[int]) -> list[CoverageRow]:
    """Coverage of each given unit over the villages of its subtree (one query for them all)."""
    under_any = Unit.id.in_(
        select(UnitTree.descendant_id).where(UnitTree.ancestor_id.in_(unit_ids))
    )
    statement = coverage_statement(
        campaign_id,
        villages_condition=under_any,
        groups_condition=lambda g: g.id.in_(unit_ids),
    )
    return [_row(m) for m in (await ctx.execute(statement)).mappings()]


async def resolution_times(
    ctx: Any,
    root_id: int,
    level: Level,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[ResolutionRow]:
    """Median and mean days to resolve, per unit of ``level``, by window functions in SQL."""
    group = aliased(Unit, name="group_unit")
    conditions = [
        Finding.status == FindingStatus.RESOLVED,
        group.kind == UnitKind(level.value),
        in_subtree(group.id, root_id),
    ]
    if date_from is not None:
        conditions.append(Finding.resolved_on >= date_from)
    if date_to is not None:
        conditions.append(Finding.resolved_on <= date_to)
    ranked = (
        select(
            UnitTree.ancestor_id.label("unit_id"),
            group.code.label("code"),
            Finding.resolution_days.label("days"),
            func.row_number()
            .over(partition_by=UnitTree.ancestor_id, order_by=Finding.resolution_days)
            .label("rn"),
            func.count().over(partition_by=UnitTree.ancestor_id).label("n"),
        )
        .join(UnitTree, UnitTree.descendant_id == Finding.unit_id)
        .join(group, group.id == UnitTree.ancestor_id)
        .where(*conditions)
        .subquery("ranked")
    )
    # The median: the middle value, or the mean of the two middle ones.
    middle = or_(
        ranked.c.rn == (ranked.c.n + literal(1)) // literal(2),
        ranked.c.rn == (ranked.c.n + literal(2)) // literal(2),
    )
    statement = (
        select(
            ranked.c.unit_id,
            ranked.c.code,
            func.max(ranked.c.n).label("resolved"),
            func.avg(case((middle, cast(ranked.c.days, Float)))).label("median"),
            func.avg(cast(ranked.c.days, Float)).label("mean"),
        )
        .group_by(ranked.c.unit_id, ranked.c.code)
        .order_by(ranked.c.code)
    )
    return [
        ResolutionRow(
            unit_id=m["unit_id"],
            resolved=int(m["resolved"]),
            median_days=float(m["median"]) if m["median"] is not None else None,
            mean_days=float(m["mean"]) if m["mean"] is not None else None,
        )
        for m in (await ctx.execute(statement)).mappings()
    ]
