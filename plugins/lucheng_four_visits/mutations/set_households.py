"""``setFourVisitsHouseholds``: how many households villages have (all or nothing)."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import select

from core import DomainError, Problem
from core.db import utcnow
from core.units.models import Unit, UnitKind
from schema.errors import UserError, mutation_payload

from ..activity import ensure_active
from ..models import HouseholdCount
from ..types import FourVisitsHouseholdCount


@strawberry.input
class FourVisitsHouseholdCountInput:
    village_code: str
    households: int


@strawberry.input(description="Household counts of villages, e.g. from the household register.")
class SetFourVisitsHouseholdsInput:
    counts: list[FourVisitsHouseholdCountInput]


@strawberry.type
class SetFourVisitsHouseholdsPayload:
    counts: list[FourVisitsHouseholdCount] | None = None
    errors: list[UserError]


async def set_households(ctx: Any, data: SetFourVisitsHouseholdsInput) -> list[HouseholdCount]:
    if not data.counts:
        raise DomainError.one("REQUIRED", "give at least one village's count", "counts")
    codes = {c.village_code for c in data.counts}
    units = {u.code: u for u in await ctx.session.scalars(select(Unit).where(Unit.code.in_(codes)))}
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, item in enumerate(data.counts):
        field = f"counts.{index}"
        unit = units.get(item.village_code)
        if unit is None:
            problems.append(
                Problem(
                    "NOT_FOUND",
                    f"no unit has the code {item.village_code!r}",
                    f"{field}.villageCode",
                )
            )
            continue
        if item.village_code in seen:
            problems.append(
                Problem("INVALID", f"{item.village_code} is given twice", f"{field}.villageCode")
            )
        seen.add(item.village_code)
        try:
            await ensure_active(ctx, unit.id, f"{field}.villageCode")
        except DomainError as exc:
            problems.extend(exc.problems)
            continue
        if unit.kind is not UnitKind.VILLAGE:
            problems.append(
                Problem(
                    "FOUR_VISITS_NOT_A_VILLAGE",
                    f"{unit.code} {unit.name} is not a village",
                    f"{field}.villageCode",
                )
            )
        if item.households < 0:
            problems.append(
                Problem(
                    "FOUR_VISITS_NEGATIVE_COUNT", "households is negative", f"{field}.households"
                )
            )
    if problems:
        raise DomainError(*problems)
    existing = {
        row.unit_id: row
        for row in await ctx.session.scalars(
            select(HouseholdCount).where(HouseholdCount.unit_id.in_([units[c].id for c in codes]))
        )
    }
    rows = []
    for item in data.counts:
        unit = units[item.village_code]
        row = existing.get(unit.id)
        if row is None:
            row = HouseholdCount(unit_id=unit.id)
            ctx.session.add(row)
            existing[unit.id] = row
        row.households = item.households
        row.set_by = ctx.actor
        row.set_at = utcnow()
        rows.append(row)
    await ctx.session.flush()
    return rows


@strawberry.type
class SetFourVisitsHouseholdsMutation:
    @strawberry.mutation(
        description="鹿城 四访四问: set how many households villages have, the denominator of "
        "coverage. Every count is written, or none."
    )
    async def set_four_visits_households(
        self, info: strawberry.Info, input: SetFourVisitsHouseholdsInput
    ) -> SetFourVisitsHouseholdsPayload:
        return await mutation_payload(
            SetFourVisitsHouseholdsPayload,
            info.context.run(
                lambda ctx: set_households(ctx, input),
                on_integrity_error=Problem(
                    "CONFLICT", "another request set these counts at the same time; send again"
                ),
            ),
            "counts",
        )
