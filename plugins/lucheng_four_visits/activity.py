"""Where the plugin serves (``PLUGIN_NOT_ACTIVE`` outside 鹿城区), and which campaign is meant.

Both are read past the caller's scope, and nothing else is:

- The core's ``require_active`` reads the activation switches and the localities' codes through
  the caller's session, which only sees the caller's subtree: for a village-resident cadre,
  whose scope is the village, the district 330302 that makes the plugin active is out of sight,
  and the check would refuse them. Activation is configuration, not data.
- A campaign (an initiative) is owned by the district, so a village cadre cannot see it, yet
  records visits in it. Only its id, code, scheme, dates and owner unit are read, by the code
  the caller gives, and whether that owner unit lies above the village (the closure table),
  since a campaign covers the villages under the unit that owns it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from core import DomainError
from core.access.scope import past_scope
from core.initiatives.models import Initiative
from core.plugin_state.services import is_active
from core.units.models import Unit, UnitTree

from . import KEY


@dataclass(frozen=True)
class CampaignRef:
    id: int
    code: str
    scheme: str | None
    start_date: date | None
    end_date: date | None
    owner_unit_id: int


system_scope = past_scope


async def ensure_active(ctx: Any, unit_id: int, field: str | None) -> None:
    """Refuse with PLUGIN_NOT_ACTIVE unless the plugin serves the unit ``unit_id``."""
    with system_scope(ctx.session):
        if await is_active(ctx.session, ctx.registry, KEY, unit_id):
            return
        code, name = (
            await ctx.session.execute(select(Unit.code, Unit.name).where(Unit.id == unit_id))
        ).one()
    raise DomainError.one(
        "PLUGIN_NOT_ACTIVE",
        f"plugin {KEY} is not active at {code} {name}; an admin can activate it there with "
        "activatePlugin",
        field,
    )


async def campaigns_by_code(session: Any, codes: list[str]) -> dict[str, CampaignRef]:
    """Initiatives by code, whoever owns them (see the module's docstring)."""
    columns = (
        Initiative.id,
        Initiative.code,
        Initiative.scheme,
        Initiative.start_date,
        Initiative.end_date,
        Initiative.owner_unit_id,
    )
    with system_scope(session):
        rows = (await session.execute(select(*columns).where(Initiative.code.in_(codes)))).all()
    return {row.code: CampaignRef(*row) for row in rows}


async def campaign_covers(session: Any, campaign: CampaignRef, unit_id: int) -> bool:
    """Whether the unit lies in the subtree of the campaign's owner unit (itself included)."""
    with system_scope(session):
        found = await session.scalar(
            select(UnitTree.descendant_id).where(
                UnitTree.ancestor_id == campaign.owner_unit_id,
                UnitTree.descendant_id == unit_id,
            )
        )
    return found is not None
