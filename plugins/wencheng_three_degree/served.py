"""Where the plugin is active: ``core.require_active``, plus a workaround for principals whose
scope lies below the plugin's locality.

The core decides "active inside its declared localities" by reading the locality's ``Unit`` row
through the caller's session; for an operator of 峃口镇 the row of 文成县 lies outside their scope,
so the core finds the plugin inactive at every village of the town. Here the locality is matched
on the unscoped closure table, by the ids of the declared locality codes. Only those ids are read
outside the scope (the codes come from ``plugin_info``, not from the caller), and an explicit
switch (``activatePlugin``) on the unit's path still decides first, exactly as in the core.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import Unit, UnitTree, is_active, require_active
from core.plugin_state.models import PluginActivation

from . import KEY


async def _served_by_locality(session: AsyncSession, registry: Any, unit_id: int) -> bool:
    switched = (
        await session.execute(
            select(PluginActivation.id)
            .join(UnitTree, UnitTree.ancestor_id == PluginActivation.unit_id)
            .where(PluginActivation.plugin_key == KEY, UnitTree.descendant_id == unit_id)
            .limit(1)
        )
    ).first()
    localities = registry.plugins[KEY].info.localities
    if switched is not None or not localities:
        return False
    units = Unit.__table__  # the table, not the entity: the locality ids only, unscoped
    locality_ids = select(units.c.id).where(units.c.code.in_(localities))
    found = await session.execute(
        select(UnitTree.ancestor_id)
        .where(UnitTree.descendant_id == unit_id, UnitTree.ancestor_id.in_(locality_ids))
        .limit(1)
    )
    return found.first() is not None


async def require_served(
    session: AsyncSession, registry: Any, unit: Unit, field: str | None = None
) -> None:
    """Refuse with PLUGIN_NOT_ACTIVE when the plugin does not serve ``unit``."""
    if await is_active(session, registry, KEY, unit.id):
        return
    if await _served_by_locality(session, registry, unit.id):
        return
    await require_active(session, registry, KEY, unit, field)
