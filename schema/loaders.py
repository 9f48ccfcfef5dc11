"""Batch functions of the core's DataLoaders: one query per batch of keys, never one per key.

Use them as ``await info.context.loader(units_by_id).load(unit_id)``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from core.initiatives.models import Initiative
from core.metrics.models import MetricDefinition
from core.people.models import Person
from core.postings.models import Posting
from core.units.models import Unit, UnitTree


async def _by_id(ctx: Any, model: Any, keys: Sequence[int]) -> list[Any]:
    rows = {row.id: row for row in await ctx.scalars(select(model).where(model.id.in_(keys)))}
    return [rows.get(key) for key in keys]


async def _grouped(ctx: Any, statement: Any, column: str, keys: Sequence[Any]) -> list[list[Any]]:
    groups: dict[Any, list[Any]] = defaultdict(list)
    for row in await ctx.scalars(statement):
        groups[getattr(row, column)].append(row)
    return [groups.get(key, []) for key in keys]


async def units_by_id(ctx: Any, keys: Sequence[int]) -> list[Unit | None]:
    return await _by_id(ctx, Unit, keys)


async def people_by_id(ctx: Any, keys: Sequence[int]) -> list[Person | None]:
    return await _by_id(ctx, Person, keys)


async def initiatives_by_id(ctx: Any, keys: Sequence[int]) -> list[Initiative | None]:
    return await _by_id(ctx, Initiative, keys)


async def metrics_by_id(ctx: Any, keys: Sequence[int]) -> list[MetricDefinition | None]:
    return await _by_id(ctx, MetricDefinition, keys)


async def postings_by_host_unit(ctx: Any, keys: Sequence[int]) -> list[list[Posting]]:
    statement = (
        select(Posting)
        .where(Posting.host_unit_id.in_(keys))
        .order_by(Posting.start_date, Posting.id)
    )
    return await _grouped(ctx, statement, "host_unit_id", keys)


async def postings_by_person(ctx: Any, keys: Sequence[int]) -> list[list[Posting]]:
    statement = (
        select(Posting).where(Posting.person_id.in_(keys)).order_by(Posting.start_date, Posting.id)
    )
    return await _grouped(ctx, statement, "person_id", keys)


async def postings_by_initiative(ctx: Any, keys: Sequence[int]) -> list[list[Posting]]:
    statement = (
        select(Posting)
        .where(Posting.initiative_id.in_(keys))
        .order_by(Posting.start_date, Posting.id)
    )
    return await _grouped(ctx, statement, "initiative_id", keys)


async def children_by_unit(ctx: Any, keys: Sequence[int]) -> list[list[Unit]]:
    statement = select(Unit).where(Unit.parent_id.in_(keys)).order_by(Unit.code)
    return await _grouped(ctx, statement, "parent_id", keys)


async def ancestors_by_unit(ctx: Any, keys: Sequence[int]) -> list[list[Unit]]:
    """Ancestors from the root down to the parent (the unit itself excluded)."""
    rows = await ctx.execute(
        select(UnitTree.descendant_id, Unit)
        .join(Unit, Unit.id == UnitTree.ancestor_id)
        .where(UnitTree.descendant_id.in_(keys), UnitTree.distance > 0)
        .order_by(UnitTree.descendant_id, UnitTree.distance.desc())
    )
    groups: dict[int, list[Unit]] = defaultdict(list)
    for descendant_id, unit in rows:
        groups[descendant_id].append(unit)
    return [groups.get(key, []) for key in keys]
