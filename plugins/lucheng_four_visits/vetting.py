"""Who may see and settle the negative list (负面清单): admins and vetters of the entry's unit.

The negative list holds unproven information about prospective candidates, so it is not shown to
everybody who can see a village: only to holders of the plugin role ``lucheng.four_visits.vetter``
(the organisation department's 资格审查 staff) over a subtree that holds the entry's village.
Anyone who may write at the village may *enter* information; only vetters confirm or clear it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core import DomainError, RoleSpec
from core.units.models import UnitTree

from . import KEY

VETTER = f"{KEY}.vetter"

ROLES = [
    RoleSpec(
        name=VETTER,
        description="资格审查: reads the negative list (负面清单) of prospective candidates in the "
        "subtree and confirms or clears its entries (with write scope there, as confirming is "
        "a write).",
        unit_kind="DISTRICT",
        reads=True,
        writes=True,
    )
]


def vetter_roots(principal: Any) -> set[int] | None:
    """The units whose subtrees the caller vets; None when everywhere (admins, the system)."""
    if principal is None or principal.admin:
        return None
    return set(principal.units_with_role(VETTER))


async def require_vetter(session: Any, principal: Any, unit_id: int, field: str) -> None:
    roots = vetter_roots(principal)
    if roots is None:
        return
    if roots:
        found = await session.scalar(
            select(UnitTree.ancestor_id)
            .where(UnitTree.descendant_id == unit_id, UnitTree.ancestor_id.in_(roots))
            .limit(1)
        )
        if found is not None:
            return
    raise DomainError.one(
        "FOUR_VISITS_NOT_VETTER",
        f"confirming or clearing a negative-list entry needs the role {VETTER} over its village",
        field,
    )
