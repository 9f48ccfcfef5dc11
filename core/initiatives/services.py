"""Commands on initiatives."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import validation as check
from core.commands import CommandContext
from core.errors import DomainError
from core.initiatives.models import Initiative, InitiativeKind, InitiativeStatus
from core.units.services import require_unit


async def initiative_by_code(session: AsyncSession, code: str) -> Initiative | None:
    return (
        await session.execute(select(Initiative).where(Initiative.code == code))
    ).scalar_one_or_none()


async def create_initiative(
    ctx: CommandContext,
    *,
    code: str,
    name: str,
    kind: InitiativeKind,
    owner_unit_code: str,
    scheme: str | None = None,
    start_date: date | None = None,
    end_date: date | None = None,
    status: InitiativeStatus | None = None,
    description: str | None = None,
) -> Initiative:
    code = check.required_text(code, "code", 64)
    if await initiative_by_code(ctx.session, code) is not None:
        raise DomainError.one("DUPLICATE", f"an initiative with the code {code!r} exists", "code")
    owner = await require_unit(ctx.session, owner_unit_code, "ownerUnitCode")
    check.date_order(start_date, end_date)
    initiative = Initiative(
        code=code,
        name=check.required_text(name, "name"),
        kind=kind,
        scheme=check.optional_text(scheme, "scheme", 100),
        owner_unit_id=owner.id,
        start_date=start_date,
        end_date=end_date,
        status=status or InitiativeStatus.ACTIVE,
        description=check.optional_text(description, "description", 4000),
    )
    await ctx.validate(
        "createInitiative", {"code": code, "owner_unit_id": owner.id, "scheme": initiative.scheme}
    )
    ctx.session.add(initiative)
    await ctx.session.flush()
    ctx.publish(
        "initiative.created",
        initiative_id=initiative.id,
        code=code,
        scheme=initiative.scheme,
        owner_unit_id=owner.id,
    )
    return initiative


async def update_initiative(
    ctx: CommandContext, *, code: str, expected_version: int | None = None, **values: Any
) -> Initiative:
    initiative = await initiative_by_code(ctx.session, code)
    if initiative is None:
        raise DomainError.one("NOT_FOUND", f"no initiative has the code {code!r}", "code")
    ctx.expect_version(initiative, expected_version)
    if values.get("name") is not None:
        initiative.name = check.required_text(values["name"], "name")
    if values.get("kind") is not None:
        initiative.kind = values["kind"]
    if values.get("status") is not None:
        initiative.status = values["status"]
    if values.get("owner_unit_code") is not None:
        initiative.owner_unit_id = (
            await require_unit(ctx.session, values["owner_unit_code"], "ownerUnitCode")
        ).id
    if "start_date" in values and values["start_date"] is not None:
        initiative.start_date = values["start_date"]
    if "end_date" in values and values["end_date"] is not None:
        initiative.end_date = values["end_date"]
    if values.get("description") is not None:
        initiative.description = check.optional_text(values["description"], "description", 4000)
    check.date_order(initiative.start_date, initiative.end_date)
    await ctx.validate(
        "updateInitiative",
        {"initiative_id": initiative.id, "owner_unit_id": initiative.owner_unit_id},
    )
    await ctx.session.flush()
    return initiative
