"""Commands on units."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.commands import CommandContext
from core.errors import DomainError
from core.units.models import Unit, UnitKind
from core.units.tree import is_in_subtree, link_new_unit, move_subtree
from core.validation import required_text


async def unit_by_code(session: AsyncSession, code: str | None) -> Unit | None:
    if not code:
        return None
    return (await session.execute(select(Unit).where(Unit.code == code))).scalar_one_or_none()


async def require_unit(session: AsyncSession, code: str | None, field: str) -> Unit:
    unit = await unit_by_code(session, code)
    if unit is None:
        raise DomainError.one("NOT_FOUND", f"no unit has the code {code!r}", field)
    return unit


async def create_unit(
    ctx: CommandContext, *, code: str, name: str, kind: UnitKind, parent_code: str | None
) -> Unit:
    code = required_text(code, "code", 32)
    name = required_text(name, "name")
    if await unit_by_code(ctx.session, code) is not None:
        raise DomainError.one("DUPLICATE", f"a unit with the code {code!r} exists", "code")
    if not parent_code:
        ctx.require_admin("create a unit without a parent")
    parent = await require_unit(ctx.session, parent_code, "parentCode") if parent_code else None
    unit = Unit(
        code=code,
        name=name,
        kind=kind,
        parent_id=parent.id if parent else None,
        depth=parent.depth + 1 if parent else 0,
    )
    await ctx.validate(
        "createUnit", {"code": code, "name": name, "kind": kind, "parent_id": unit.parent_id}
    )
    ctx.session.add(unit)
    await ctx.session.flush()
    await link_new_unit(ctx.session, unit)
    return unit


async def update_unit(
    ctx: CommandContext,
    *,
    code: str,
    name: str | None = None,
    kind: UnitKind | None = None,
    parent_code: str | None = None,
    detach: bool = False,
    expected_version: int | None = None,
) -> Unit:
    """Rename, re-kind or move a unit. ``detach`` makes it a root."""
    unit = await require_unit(ctx.session, code, "code")
    ctx.expect_version(unit, expected_version)
    if name is not None:
        unit.name = required_text(name, "name")
    if kind is not None:
        unit.kind = kind
    new_parent_id = unit.parent_id
    if detach:
        ctx.require_admin("make a unit a root")
        new_parent_id = None
    elif parent_code is not None:
        parent = await require_unit(ctx.session, parent_code, "parentCode")
        if await is_in_subtree(ctx.session, parent.id, unit.id):
            raise DomainError.one(
                "CYCLE",
                f"{parent.code} {parent.name} lies under {unit.code} {unit.name}; "
                "a unit cannot move below itself",
                "parentCode",
            )
        new_parent_id = parent.id
    await ctx.validate(
        "updateUnit",
        {"unit_id": unit.id, "name": unit.name, "kind": unit.kind, "parent_id": new_parent_id},
    )
    if new_parent_id != unit.parent_id:
        await move_subtree(ctx.session, unit, new_parent_id)
        await ctx.session.refresh(unit)
    await ctx.session.flush()
    return unit
