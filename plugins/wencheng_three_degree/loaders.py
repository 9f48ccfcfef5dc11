"""Batch loads: one statement for every key asked for while resolving one level of a query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from core import Posting, UnitTree

from .models import Objection, Rating, ReserveCadre, Transition


async def _grouped(ctx: Any, model: Any, keys: Sequence[int]) -> list[list[Any]]:
    groups: dict[int, list[Any]] = defaultdict(list)
    rows = await ctx.scalars(
        select(model).where(model.reserve_cadre_id.in_(keys)).order_by(model.id)
    )
    for row in rows:
        groups[row.reserve_cadre_id].append(row)
    return [groups.get(key, []) for key in keys]


async def ratings_by_cadre(ctx: Any, keys: Sequence[int]) -> list[list[Rating]]:
    return await _grouped(ctx, Rating, keys)


async def objections_by_cadre(ctx: Any, keys: Sequence[int]) -> list[list[Objection]]:
    return await _grouped(ctx, Objection, keys)


async def transitions_by_cadre(ctx: Any, keys: Sequence[int]) -> list[list[Transition]]:
    return await _grouped(ctx, Transition, keys)


async def cadres_by_id(ctx: Any, keys: Sequence[int]) -> list[ReserveCadre | None]:
    rows = {
        r.id: r for r in await ctx.scalars(select(ReserveCadre).where(ReserveCadre.id.in_(keys)))
    }
    return [rows.get(key) for key in keys]


async def latest_by_person(ctx: Any, keys: Sequence[int]) -> list[ReserveCadre | None]:
    """Each person's latest candidacy: the last nominated (the open one, if any)."""
    latest: dict[int, ReserveCadre] = {}
    rows = await ctx.scalars(
        select(ReserveCadre)
        .where(ReserveCadre.person_id.in_(keys))
        .order_by(ReserveCadre.nominated_on, ReserveCadre.id)
    )
    for row in rows:
        latest[row.person_id] = row
    return [latest.get(key) for key in keys]


async def cadres_under_unit(ctx: Any, keys: Sequence[int]) -> list[list[ReserveCadre]]:
    """The records of every village in each unit's subtree (the unit itself included)."""
    groups: dict[int, list[ReserveCadre]] = defaultdict(list)
    rows = await ctx.execute(
        select(UnitTree.ancestor_id, ReserveCadre)
        .join(UnitTree, UnitTree.descendant_id == ReserveCadre.unit_id)
        .where(UnitTree.ancestor_id.in_(keys))
        .order_by(UnitTree.ancestor_id, ReserveCadre.unit_id, ReserveCadre.id)
    )
    for ancestor_id, cadre in rows:
        groups[ancestor_id].append(cadre)
    return [groups.get(key, []) for key in keys]


async def postings_by_id(ctx: Any, keys: Sequence[int]) -> list[Posting | None]:
    rows = {p.id: p for p in await ctx.scalars(select(Posting).where(Posting.id.in_(keys)))}
    return [rows.get(key) for key in keys]
