"""Who may do what in the joint review, checked explicitly by the commands and the types.

The plugin's commands run in a session that sees everything (they read the county, its member
departments and the batch's town, which a town clerk or a department reviewer cannot see), so
each command first checks the caller's grants here:

- managing member departments and submitting or withdrawing needs write scope over the unit
  (an OPERATOR of the town or county, or an ADMIN);
- managing member departments needs write scope over the department's county (its nearest
  DISTRICT ancestor): membership is the county's decision, not the department's;
- recording a verdict needs the reviewer role granted at that very department (or ADMIN). A
  reviewer acts for exactly one department: a user holding the role at several departments is
  refused (``JOINT_REVIEW_ONE_DEPARTMENT``) and reads no confidential verdict through it.

Out-of-scope objects look exactly like missing ones: a command refuses a candidate the caller
cannot know with the very NOT_FOUND an unknown id gets (:func:`knows_batch`).

Reads go through the request's scoped session (``core.access.scope``) and the models' criteria.
On top of them, a verdict and its reason are confidential while the batch is open and the
candidate has not concluded: only the department's own reviewers and admins read them; everybody
else sees that it was answered. Once the batch is complete, every verdict of it (withdrawn
candidates' included) is read by everybody who sees the request.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core import DomainError, Person, Posting, Unit, UnitTree

from . import REVIEWER
from .models import CONCLUDED, Batch, BatchStatus, CandidateStatus, batch_visible


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
    """The departments where the principal holds the reviewer role (one, unless misgranted)."""
    if principal is None:
        return []
    return sorted(set(principal.units_with_role(REVIEWER)))


def several_departments(principal: Any) -> bool:
    """A non-admin holding the reviewer role at more than one department: refused."""
    return (
        principal is not None and not principal.admin and len(reviewer_departments(principal)) > 1
    )


def require_one_department(principal: Any) -> None:
    """Refuse a reviewer granted at several departments: a reviewer acts for exactly one."""
    if several_departments(principal):
        raise DomainError.one(
            "JOINT_REVIEW_ONE_DEPARTMENT",
            "a reviewer acts for exactly one department, and you hold the reviewer role at "
            f"{len(reviewer_departments(principal))}: ask an admin to revoke all but one",
        )


def reviews_for(principal: Any, department_id: int) -> bool:
    """Whether the principal answers for the department: an admin, or its one reviewer."""
    if principal is None:
        return False
    if principal.admin:
        return True
    return reviewer_departments(principal) == [department_id]


async def knows_batch(ctx: Any, batch: Batch) -> bool:
    """Whether the caller may know the batch exists: it lies in the caller's read scope (the
    town, the county, a department it was sent to), or the caller reviews for a department of
    the batch's county (which is then told it is not a member rather than nothing)."""
    principal = ctx.principal
    if principal is None or principal.admin:
        return True
    roots = tuple(principal.read_roots)
    if roots:
        seen = await ctx.session.scalar(
            select(Batch.id).where(
                Batch.id == batch.id, batch_visible(Batch.id, Batch.unit_id, roots)
            )
        )
        if seen is not None:
            return True
    departments = reviewer_departments(principal)
    if not departments:
        return False
    found = await ctx.session.scalar(
        select(UnitTree.descendant_id)
        .where(UnitTree.ancestor_id == batch.county_id, UnitTree.descendant_id.in_(departments))
        .limit(1)
    )
    return found is not None


def reveals_verdict(
    principal: Any, department_id: int, status: CandidateStatus, batch_status: BatchStatus
) -> bool:
    """A verdict and its reason are read by the department's reviewers and admins; by
    everybody who sees the request once the candidate has concluded or its batch is complete
    (withdrawn candidates included: the town then sees every verdict and reason)."""
    return (
        batch_status is BatchStatus.COMPLETE
        or status in CONCLUDED
        or reviews_for(principal, department_id)
    )
