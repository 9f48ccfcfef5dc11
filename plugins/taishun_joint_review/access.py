"""Who may do what in the joint review, checked explicitly by the commands and the types.

The plugin's commands run in a session that sees everything (they read the county, its member
departments and the batch's town, which a town clerk or a department reviewer cannot see), so
each command first checks the caller's grants here:

- managing member departments and submitting or withdrawing needs write scope over the unit
  (an OPERATOR of the town or county, or an ADMIN);
- recording a verdict needs the reviewer role granted at that very department (or ADMIN).

Reads go through the request's scoped session (``core.access.scope``) and the models' criteria.
On top of them, a verdict and its reason are confidential while the candidate is open: only the
department's own reviewers and admins read them; everybody else sees that it was answered.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core import DomainError, Person, Posting, Unit, UnitTree

from . import REVIEWER
from .models import CONCLUDED, CandidateStatus


async def under_any(session: AsyncSession, unit_id: int, roots: Iterable[int]) -> bool:
    roots = list(roots)
    if not roots:
        return False
    found = await session.scalar(
        select(UnitTree.ancestor_id)
        .where(UnitTree.descendant_id == unit_id, UnitTree.ancestor_id.in_(roots))
        .limit(1)
    )
    return found is not None


async def require_writer(
    ctx: Any, unit: Unit, what: str, field: str | None, unseen: str | None = None
) -> None:
    """Refuse unless the caller may write at ``unit``: NOT_FOUND when the unit lies outside
    what the caller can see (as the core's commands do; ``unseen`` is then the message),
    PERMISSION_DENIED when it is only readable."""
    principal = ctx.principal
    if principal is None or principal.admin:
        return
    if await under_any(ctx.session, unit.id, principal.write_roots):
        return
    if await under_any(ctx.session, unit.id, principal.read_roots):
        raise DomainError.one(
            "PERMISSION_DENIED",
            f"your grants do not allow you to {what} at {unit.code} {unit.name}",
            field,
        )
    raise DomainError.one("NOT_FOUND", unseen or f"no unit has the code {unit.code!r}", field)


async def person_visible(ctx: Any, person: Person) -> bool:
    """Whether the caller can see the person: homed or posted in the caller's subtrees."""
    principal = ctx.principal
    if principal is None or principal.admin:
        return True
    roots = list(principal.read_roots)
    if not roots:
        return False
    under = select(UnitTree.descendant_id).where(UnitTree.ancestor_id.in_(roots))
    return bool(
        await ctx.session.scalar(
            select(
                or_(
                    Person.home_unit_id.in_(under),
                    exists().where(Posting.person_id == Person.id, Posting.host_unit_id.in_(under)),
                )
            ).where(Person.id == person.id)
        )
    )


def reviewer_departments(principal: Any) -> list[int]:
    if principal is None:
        return []
    return sorted(set(principal.units_with_role(REVIEWER)))


def reviews_for(principal: Any, department_id: int) -> bool:
    return principal is not None and (
        principal.admin or department_id in principal.units_with_role(REVIEWER)
    )


def reveals_verdict(principal: Any, department_id: int, status: CandidateStatus) -> bool:
    """A verdict and its reason are read by the department's reviewers and admins; by
    everybody who sees the request once the candidate has concluded."""
    return status in CONCLUDED or reviews_for(principal, department_id)
