"""Subtree conditions and tree maintenance, done in SQL on the closure table."""

from __future__ import annotations

from sqlalchemy import ColumnElement, delete, insert, literal, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core.units.models import Unit, UnitTree


def in_subtree(unit_id_column, root_id: int) -> ColumnElement[bool]:
    """A condition: ``unit_id_column`` names a unit in the subtree of ``root_id`` (itself too)."""
    return unit_id_column.in_(select(UnitTree.descendant_id).where(UnitTree.ancestor_id == root_id))


async def link_new_unit(session: AsyncSession, unit: Unit) -> None:
    """Insert the closure rows of a freshly flushed unit: itself, then its parent's ancestors."""
    await session.execute(
        insert(UnitTree).values(ancestor_id=unit.id, descendant_id=unit.id, distance=0)
    )
    if unit.parent_id is not None:
        await session.execute(
            insert(UnitTree).from_select(
                ["ancestor_id", "descendant_id", "distance"],
                select(UnitTree.ancestor_id, literal(unit.id), UnitTree.distance + 1).where(
                    UnitTree.descendant_id == unit.parent_id
                ),
            )
        )


async def is_in_subtree(session: AsyncSession, unit_id: int, root_id: int) -> bool:
    row = await session.execute(
        select(UnitTree.distance).where(
            UnitTree.ancestor_id == root_id, UnitTree.descendant_id == unit_id
        )
    )
    return row.first() is not None


async def move_subtree(session: AsyncSession, unit: Unit, new_parent_id: int | None) -> None:
    """Re-hang ``unit`` (and everything under it) below ``new_parent_id``.

    The caller has checked that the new parent is not inside the subtree (no cycle).
    """
    unit.parent_id = new_parent_id
    await session.flush()
    subtree = select(UnitTree.descendant_id).where(UnitTree.ancestor_id == unit.id)
    # Cut the links from the old ancestors (outside the subtree) to every node of the subtree.
    await session.execute(
        delete(UnitTree).where(
            UnitTree.descendant_id.in_(subtree),
            UnitTree.ancestor_id.not_in(subtree),
        )
    )
    if new_parent_id is not None:
        above = aliased(UnitTree)
        below = aliased(UnitTree)
        await session.execute(
            insert(UnitTree).from_select(
                ["ancestor_id", "descendant_id", "distance"],
                select(
                    above.ancestor_id,
                    below.descendant_id,
                    above.distance + below.distance + 1,
                )
                .select_from(above)
                .join(below, true())  # every ancestor above x every node below: intended
                .where(above.descendant_id == new_parent_id, below.ancestor_id == unit.id),
            )
        )
    new_depth = 0
    if new_parent_id is not None:
        new_depth = (
            await session.execute(select(Unit.depth).where(Unit.id == new_parent_id))
        ).scalar_one() + 1
    # Depth of every node = new depth of the moved unit + its distance below it.
    distance_below = (
        select(UnitTree.distance)
        .where(UnitTree.ancestor_id == unit.id, UnitTree.descendant_id == Unit.id)
        .scalar_subquery()
    )
    await session.execute(
        update(Unit)
        .where(Unit.id.in_(subtree))
        .values(depth=literal(new_depth) + distance_below)
        .execution_options(synchronize_session=False)
    )
