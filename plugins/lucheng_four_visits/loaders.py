"""Batch functions for DataLoaders: one query per batch of keys, never one per key."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import or_, select

from core.access.scope import under_roots
from core.units.tree import in_subtree

from .activity import CampaignRef, campaigns_by_code
from .models import (
    Finding,
    FindingStatus,
    Household,
    HouseholdCount,
    NegativeEntry,
    PersonMet,
    Tally,
    Visit,
    VisitAsk,
    VoteRound,
)
from .vetting import vetter_roots


async def _by_id(ctx: Any, model: Any, keys: Sequence[int]) -> list[Any]:
    rows = {row.id: row for row in await ctx.scalars(select(model).where(model.id.in_(keys)))}
    return [rows.get(key) for key in keys]


async def _grouped(ctx: Any, statement: Any, column: str, keys: Sequence[Any]) -> list[list[Any]]:
    groups: dict[Any, list[Any]] = defaultdict(list)
    for row in await ctx.scalars(statement):
        groups[getattr(row, column)].append(row)
    return [groups.get(key, []) for key in keys]


async def visits_by_id(ctx: Any, keys: Sequence[int]) -> list[Visit | None]:
    return await _by_id(ctx, Visit, keys)


async def findings_by_id(ctx: Any, keys: Sequence[int]) -> list[Finding | None]:
    return await _by_id(ctx, Finding, keys)


async def rounds_by_id(ctx: Any, keys: Sequence[int]) -> list[VoteRound | None]:
    return await _by_id(ctx, VoteRound, keys)


async def entries_by_id(ctx: Any, keys: Sequence[int]) -> list[NegativeEntry | None]:
    return await _by_id(ctx, NegativeEntry, keys)


async def households_by_id(ctx: Any, keys: Sequence[int]) -> list[Household | None]:
    return await _by_id(ctx, Household, keys)


async def asks_by_visit(ctx: Any, keys: Sequence[int]) -> list[list[VisitAsk]]:
    statement = select(VisitAsk).where(VisitAsk.visit_id.in_(keys))
    grouped = await _grouped(ctx, statement, "visit_id", keys)
    order = {"NEEDS": 0, "GRIEVANCE": 1, "ADVICE": 2, "EFFECT": 3}
    return [sorted(rows, key=lambda r: order[r.ask.value]) for rows in grouped]


async def people_met_by_visit(ctx: Any, keys: Sequence[int]) -> list[list[PersonMet]]:
    statement = select(PersonMet).where(PersonMet.visit_id.in_(keys)).order_by(PersonMet.position)
    return await _grouped(ctx, statement, "visit_id", keys)


async def findings_by_visit(ctx: Any, keys: Sequence[int]) -> list[list[Finding]]:
    statement = select(Finding).where(Finding.visit_id.in_(keys)).order_by(Finding.position)
    return await _grouped(ctx, statement, "visit_id", keys)


async def tallies_by_round(ctx: Any, keys: Sequence[int]) -> list[list[Tally]]:
    statement = select(Tally).where(Tally.round_id.in_(keys)).order_by(Tally.id)
    return await _grouped(ctx, statement, "round_id", keys)


async def rounds_by_unit(ctx: Any, keys: Sequence[int]) -> list[list[VoteRound]]:
    statement = (
        select(VoteRound)
        .where(VoteRound.unit_id.in_(keys))
        .order_by(VoteRound.held_on.desc(), VoteRound.id)
    )
    return await _grouped(ctx, statement, "unit_id", keys)


async def household_counts_by_unit(ctx: Any, keys: Sequence[int]) -> list[HouseholdCount | None]:
    rows = {
        row.unit_id: row
        for row in await ctx.scalars(select(HouseholdCount).where(HouseholdCount.unit_id.in_(keys)))
    }
    return [rows.get(key) for key in keys]


async def overdue_by_responsible_unit(
    ctx: Any, keys: Sequence[int], *, as_of: date, root: int | None = None
) -> list[list[Finding]]:
    """Overdue findings of each responsible unit; with ``root``, only those heard or assigned
    in its subtree (as the root field counts them)."""
    conditions = [
        Finding.assigned_unit_id.in_(keys),
        Finding.status == FindingStatus.ASSIGNED,
        Finding.due_on < as_of,
    ]
    if root is not None:
        conditions.append(
            or_(in_subtree(Finding.unit_id, root), in_subtree(Finding.assigned_unit_id, root))
        )
    statement = select(Finding).where(*conditions).order_by(Finding.due_on, Finding.id)
    return await _grouped(ctx, statement, "assigned_unit_id", keys)


async def negative_entries_by_person(
    ctx: Any, keys: Sequence[int]
) -> list[list[NegativeEntry] | None]:
    """A person's entries for a caller allowed to see them (None for anybody else)."""
    roots = vetter_roots(ctx.principal)
    if roots is not None and not roots:
        return [None for _ in keys]
    statement = select(NegativeEntry).where(NegativeEntry.person_id.in_(keys))
    if roots is not None:
        statement = statement.where(under_roots(NegativeEntry.unit_id, tuple(sorted(roots))))
    statement = statement.order_by(NegativeEntry.entered_at, NegativeEntry.id)
    return await _grouped(ctx, statement, "person_id", keys)


async def campaigns_by_codes(ctx: Any, keys: Sequence[str]) -> list[CampaignRef | None]:
    """Campaigns (initiatives) by code, also those owned above the caller's scope."""
    found = await ctx.read(lambda session: campaigns_by_code(session, list(keys)))
    return [found.get(key) for key in keys]
