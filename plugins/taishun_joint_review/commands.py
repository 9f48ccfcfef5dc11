"""The plugin's commands: check the input and the caller's grants, then run the workflow.

Each command takes a ``core.CommandContext`` whose session sees everything (see :mod:`.access`
for why, and :func:`run` for how); it raises ``core.DomainError`` before writing anything when
the input or the caller is wrong, and the transaction is rolled back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func, select

from core import (
    DomainError,
    Initiative,
    Person,
    Problem,
    Unit,
    UnitTree,
    require_active,
    require_unit,
    settings_for,
)
from core.access.scope import Scope
from core.commands import CommandContext
from core.db import utcnow
from core.initiatives.models import InitiativeStatus
from core.units.models import UnitKind
from schema.ids import decode_id

from . import KEY
from .access import (
    knows_batch,
    person_visible,
    require_one_department,
    require_writer,
    reviewer_departments,
    reviews_for,
    under_any,
)
from .metrics import Recorder, record_overdue
from .models import (
    Batch,
    BatchDepartment,
    Candidate,
    CandidateStatus,
    Member,
    Request,
    Verdict,
)
from .settings import JointReviewSettings, as_utc, deadline_after
from .workflow import NewCandidate, lock_batch, open_batch, record_verdict, settle, withdraw

T = TypeVar("T")

REASON_LENGTH = 2000


async def run(
    info: Any,
    command: Callable[[CommandContext], Awaitable[T]],
    *,
    on_integrity_error: Problem | None = None,
) -> T:
    """Run ``command`` in one transaction whose session sees everything; the command checks
    the caller's grants itself (:mod:`.access`). Events reach plugins after the commit."""
    return await info.context.run(
        command,
        on_integrity_error=on_integrity_error,
        scope=Scope.everything(),
        require_write=False,
    )


#: Row ids are 32-bit integers; a global ID holding a larger one names nothing.
MAX_ROW_ID = 2**31 - 1


def decode(value: str, type_name: str, field: str) -> int:
    """The row id in a global ID of ``type_name``; NOT_FOUND when it cannot name a row."""
    row_id = decode_id(value, type_name, field)
    if row_id is None or not 0 < row_id <= MAX_ROW_ID:
        raise DomainError.one("NOT_FOUND", f"{value!r} is not the id of a {type_name}", field)
    return row_id


def _text(value: str | None, field: str, max_length: int = 200) -> str | None:
    text = (value or "").strip()
    if "\x00" in text:
        raise DomainError.one("INVALID", f"{field} holds a NUL character", field)
    if len(text) > max_length:
        raise DomainError.one("INVALID", f"{field} is longer than {max_length} characters", field)
    return text or None


# --- member departments ---------------------------------------------------------------------------


async def set_member(ctx: CommandContext, *, department_code: str, member: bool) -> Member:
    """Flag or unflag a department. Membership is the county's decision: it needs write scope
    over the department's county (its nearest DISTRICT ancestor) or ADMIN — an OPERATOR of the
    department itself is refused."""
    department = await require_unit(ctx.session, department_code, "departmentCode")
    await require_county_writer(ctx, department)
    if department.kind is not UnitKind.DEPARTMENT:
        raise DomainError.one(
            "JOINT_REVIEW_NOT_A_DEPARTMENT",
            f"{department.code} {department.name} is a {department.kind.value}, not a DEPARTMENT",
            "departmentCode",
        )
    await require_active(ctx.session, ctx.registry, KEY, department, "departmentCode")
    row = await ctx.session.scalar(select(Member).where(Member.department_id == department.id))
    if row is None:
        row = Member(department_id=department.id)
        ctx.session.add(row)
    row.active = member
    row.changed_at = utcnow()
    row.changed_by = ctx.actor
    await ctx.session.flush()
    ctx.publish(f"{KEY}.member_changed", source=KEY, department_id=department.id, member=member)
    return row


# --- submitting a batch ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateInput:
    person_id: int | None
    post: str | None
    village_code: str | None = None


async def county_of(ctx: CommandContext, town: Unit) -> Unit | None:
    """The nearest DISTRICT above a town or a department (泰顺县 for 罗阳镇 and 县纪委)."""
    return await ctx.session.scalar(
        select(Unit)
        .join(UnitTree, UnitTree.ancestor_id == Unit.id)
        .where(UnitTree.descendant_id == town.id, Unit.kind == UnitKind.DISTRICT)
        .order_by(UnitTree.distance)
        .limit(1)
    )


async def require_county_writer(ctx: CommandContext, department: Unit) -> None:
    """NOT_FOUND when the caller cannot see the unit; PERMISSION_DENIED unless the caller may
    write over its county (an OPERATOR of the department alone may not)."""
    principal = ctx.principal
    if principal is None or principal.admin:
        return
    if not await under_any(ctx.session, department.id, principal.read_roots):
        raise DomainError.one(
            "NOT_FOUND", f"no unit has the code {department.code!r}", "departmentCode"
        )
    county = await county_of(ctx, department)
    if county is not None and await under_any(ctx.session, county.id, principal.write_roots):
        return
    where = f"{county.code} {county.name}" if county is not None else "its county"
    raise DomainError.one(
        "PERMISSION_DENIED",
        f"joint-review membership of {department.code} {department.name} is the county's "
        f"decision: it needs write scope over {where} (or ADMIN)",
        "departmentCode",
    )


async def member_departments(ctx: CommandContext, county: Unit) -> list[Unit]:
    return list(
        await ctx.session.scalars(
            select(Unit)
            .join(Member, Member.department_id == Unit.id)
            .join(UnitTree, UnitTree.descendant_id == Unit.id)
            .where(
                Member.active.is_(True),
                UnitTree.ancestor_id == county.id,
                Unit.kind == UnitKind.DEPARTMENT,
            )
            .order_by(Unit.code)
        )
    )


async def submit_batch(
    ctx: CommandContext,
    *,
    unit_code: str,
    initiative_code: str,
    title: str | None,
    candidates: Sequence[CandidateInput],
    submitted_at: datetime | None,
) -> Batch:
    town = await require_unit(ctx.session, unit_code, "unitCode")
    await require_writer(ctx, town, "submit joint-review batches", "unitCode")
    if town.kind is not UnitKind.TOWN:
        raise DomainError.one(
            "JOINT_REVIEW_NOT_A_TOWN",
            f"{town.code} {town.name} is a {town.kind.value}; a town or street submits batches",
            "unitCode",
        )
    await require_active(ctx.session, ctx.registry, KEY, town, "unitCode")
    initiative = await _election(ctx, initiative_code, town)
    if submitted_at is not None:
        ctx.require_admin("date a batch's submission (submittedAt)")
        if as_utc(submitted_at) > utcnow():
            raise DomainError.one("INVALID", "submittedAt lies in the future", "submittedAt")
    at = as_utc(submitted_at) if submitted_at is not None else utcnow()
    if not candidates:
        raise DomainError.one(
            "JOINT_REVIEW_EMPTY_BATCH", "a batch needs at least one candidate", "candidates"
        )
    chosen = [
        await _candidate(ctx, town, initiative, c, i, candidates) for i, c in enumerate(candidates)
    ]
    county = await county_of(ctx, town)
    departments = await member_departments(ctx, county) if county is not None else []
    if county is None or not departments:
        where = f"{county.code} {county.name}" if county else f"the county of {town.name}"
        raise DomainError.one(
            "JOINT_REVIEW_NO_MEMBERS",
            f"{where} has no joint-review member department: flag some with setJointReviewMember",
            "unitCode",
        )
    settings: JointReviewSettings = await settings_for(ctx.session, ctx.registry, KEY, town.id)
    batch = await open_batch(
        ctx.session,
        town=town,
        county=county,
        initiative=initiative,
        title=_text(title, "title") or await _default_title(ctx, town, initiative),
        departments=departments,
        candidates=chosen,
        submitted_at=at,
        deadline_at=deadline_after(at, settings),
        submitted_by=ctx.actor,
    )
    # Count the requests of the county's open batches that fell overdue since the last write.
    await record_overdue(Recorder(ctx.session, ctx.actor), now=utcnow(), county_id=county.id)
    ctx.publish(
        f"{KEY}.batch_submitted",
        source=KEY,
        batch_id=batch.id,
        unit_id=town.id,
        candidates=len(chosen),
        departments=len(departments),
    )
    return batch


async def _election(ctx: CommandContext, code: str, town: Unit) -> Initiative:
    initiative = await ctx.session.scalar(select(Initiative).where(Initiative.code == code))
    if initiative is None:
        raise DomainError.one("NOT_FOUND", f"no initiative has the code {code!r}", "initiativeCode")
    above = await ctx.session.scalar(
        select(UnitTree.distance).where(
            UnitTree.ancestor_id == initiative.owner_unit_id, UnitTree.descendant_id == town.id
        )
    )
    if above is None:
        raise DomainError.one(
            "INVALID",
            f"the initiative {code} is not run over {town.code} {town.name}",
            "initiativeCode",
        )
    if initiative.status in (InitiativeStatus.COMPLETED, InitiativeStatus.CANCELLED):
        raise DomainError.one(
            "INVALID_STATE",
            f"the initiative {code} is {initiative.status.value.lower()}",
            "initiativeCode",
        )
    return initiative


async def _candidate(
    ctx: CommandContext,
    town: Unit,
    initiative: Initiative,
    data: CandidateInput,
    index: int,
    every: Sequence[CandidateInput],
) -> NewCandidate:
    field = f"candidates.{index}"
    person = await ctx.session.get(Person, data.person_id) if data.person_id else None
    if person is None or not await person_visible(ctx, person):
        raise DomainError.one("NOT_FOUND", "no person has this id", f"{field}.personId")
    if any(other.person_id == data.person_id for other in every[:index]):
        raise DomainError.one(
            "JOINT_REVIEW_DUPLICATE_CANDIDATE",
            f"{person.name} is twice in this batch",
            f"{field}.personId",
        )
    elsewhere = await ctx.session.scalar(
        select(Batch.title)
        .join(Candidate, Candidate.batch_id == Batch.id)
        .where(
            Candidate.initiative_id == initiative.id,
            Candidate.person_id == person.id,
            Candidate.open_slot.is_not(None),
        )
        .limit(1)
    )
    if elsewhere is not None:
        raise DomainError.one(
            "JOINT_REVIEW_DUPLICATE_CANDIDATE",
            f"{person.name} is already a candidate of {initiative.code} in the open batch "
            f"{elsewhere}",
            f"{field}.personId",
        )
    post = _text(data.post, f"{field}.post")
    if post is None:
        raise DomainError.one(
            "REQUIRED", "give the post the candidate is proposed for", f"{field}.post"
        )
    village = None
    if data.village_code:
        village = await require_unit(ctx.session, data.village_code, f"{field}.villageCode")
        if village.id == town.id or not await _under(ctx, village.id, town.id):
            raise DomainError.one(
                "INVALID",
                f"{village.code} {village.name} is not a village of {town.name}",
                f"{field}.villageCode",
            )
    return NewCandidate(person=person, post=post, post_unit=village)


async def _under(ctx: CommandContext, unit_id: int, root_id: int) -> bool:
    found = await ctx.session.scalar(
        select(UnitTree.distance).where(
            UnitTree.ancestor_id == root_id, UnitTree.descendant_id == unit_id
        )
    )
    return found is not None


async def _default_title(ctx: CommandContext, town: Unit, initiative: Initiative) -> str:
    earlier = await ctx.session.scalar(
        select(func.count(Batch.id)).where(
            Batch.unit_id == town.id, Batch.initiative_id == initiative.id
        )
    )
    return f"{town.name}第{(earlier or 0) + 1}批"


# --- verdicts -------------------------------------------------------------------------------------


async def record(
    ctx: CommandContext,
    *,
    candidate_id: int,
    department_code: str | None,
    verdict: Verdict,
    reason: str | None,
    rule: str | None,
) -> Request:
    require_one_department(ctx.principal)
    batch_id = await _known_candidate_batch(ctx, candidate_id)
    department_id = await _department(ctx, department_code, batch_id)
    member = await ctx.session.scalar(
        select(BatchDepartment).where(
            BatchDepartment.batch_id == batch_id, BatchDepartment.department_id == department_id
        )
    )
    if member is None:
        raise DomainError.one(
            "JOINT_REVIEW_NOT_A_MEMBER",
            "the department was not a member when the batch was submitted; it does not review "
            "this candidate",
            "departmentCode",
        )
    if not reviews_for(ctx.principal, department_id):
        raise DomainError.one(
            "JOINT_REVIEW_NOT_YOUR_DEPARTMENT",
            f"you do not review for {member.code} {member.name}",
            "departmentCode",
        )
    reason = _text(reason, "reason", REASON_LENGTH)
    rule = _text(rule, "rule", REASON_LENGTH)
    if verdict is not Verdict.CLEAR and reason is None:
        raise DomainError.one(
            "JOINT_REVIEW_REASON_REQUIRED",
            f"a {verdict.value} verdict needs the reason, for the town and the record",
            "reason",
        )
    if verdict is Verdict.DISQUALIFY and rule is None:
        raise DomainError.one(
            "JOINT_REVIEW_RULE_REQUIRED",
            "a DISQUALIFY verdict needs the rule the candidate breaks",
            "rule",
        )
    batch = await _locked_batch(ctx, batch_id, "candidateId")
    candidate = await ctx.session.get(Candidate, candidate_id)
    _still_open(candidate)
    request = await ctx.session.scalar(
        select(Request).where(
            Request.candidate_id == candidate_id, Request.department_id == department_id
        )
    )
    at = utcnow()
    version = await record_verdict(
        ctx.session, request, verdict=verdict, reason=reason, rule=rule, by=ctx.actor, at=at
    )
    settled = await settle(ctx.session, batch, candidate, at=at, by=ctx.actor)
    ctx.publish(
        f"{KEY}.verdict_recorded",
        source=KEY,
        request_id=request.id,
        candidate_id=candidate.id,
        department_id=department_id,
        version=version.version,
    )
    _publish_settled(ctx, batch, candidate, settled)
    return request


async def _known_candidate_batch(ctx: CommandContext, candidate_id: int) -> int:
    """The candidate's batch id; NOT_FOUND — the same as for an unknown id — when the caller
    may not know the batch (another county's candidate sent by a reviewer, say)."""
    batch = await ctx.session.scalar(
        select(Batch)
        .join(Candidate, Candidate.batch_id == Batch.id)
        .where(Candidate.id == candidate_id)
    )
    if batch is None or not await knows_batch(ctx, batch):
        raise DomainError.one("NOT_FOUND", "no candidate has this id", "candidateId")
    return batch.id


async def _department(ctx: CommandContext, code: str | None, batch_id: int) -> int:
    """The department answering. A named one the caller cannot see and that is not one of the
    batch's departments is NOT_FOUND, like an unknown code."""
    if code:
        unit = await ctx.session.scalar(select(Unit).where(Unit.code == code))
        if unit is not None and not await _may_name(ctx, unit, batch_id):
            unit = None
        if unit is None:
            raise DomainError.one("NOT_FOUND", f"no unit has the code {code!r}", "departmentCode")
        return unit.id
    mine = reviewer_departments(ctx.principal)
    if len(mine) == 1:
        return mine[0]
    raise DomainError.one(
        "REQUIRED",
        "give departmentCode: the department you answer for",
        "departmentCode",
    )


async def _may_name(ctx: CommandContext, unit: Unit, batch_id: int) -> bool:
    principal = ctx.principal
    if principal is None or principal.admin:
        return True
    if await under_any(ctx.session, unit.id, principal.read_roots):
        return True
    listed = await ctx.session.scalar(
        select(BatchDepartment.id).where(
            BatchDepartment.batch_id == batch_id, BatchDepartment.department_id == unit.id
        )
    )
    return listed is not None


async def _locked_batch(ctx: CommandContext, batch_id: int, field: str) -> Batch:
    batch = await ctx.session.get(Batch, batch_id)
    await require_active(ctx.session, ctx.registry, KEY, await ctx.session.get(Unit, batch.unit_id))
    if not await lock_batch(ctx.session, batch_id):
        raise DomainError.one(
            "JOINT_REVIEW_CONCLUDED", "the batch is complete: every candidate concluded", field
        )
    await ctx.session.refresh(batch)
    return batch


def _still_open(candidate: Candidate) -> None:
    if candidate.status is not CandidateStatus.OPEN:
        raise DomainError.one(
            "JOINT_REVIEW_CONCLUDED",
            f"{candidate.person_name} is {candidate.status.value.lower()}: nothing can change",
            "candidateId",
        )


def _publish_settled(ctx: CommandContext, batch: Batch, candidate: Candidate, settled) -> None:
    if settled.outcome is not None:
        ctx.publish(
            f"{KEY}.candidate_concluded",
            source=KEY,
            candidate_id=candidate.id,
            batch_id=batch.id,
            outcome=settled.outcome.value,
        )
    if settled.batch_completed:
        ctx.publish(f"{KEY}.batch_completed", source=KEY, batch_id=batch.id, unit_id=batch.unit_id)


# --- withdrawing a candidate ---------------------------------------------------------------------


async def withdraw_candidate(
    ctx: CommandContext, *, candidate_id: int, reason: str | None
) -> Candidate:
    batch_id = await ctx.session.scalar(
        select(Candidate.batch_id).where(Candidate.id == candidate_id)
    )
    if batch_id is None:
        raise DomainError.one("NOT_FOUND", "no candidate has this id", "candidateId")
    town_id = await ctx.session.scalar(select(Batch.unit_id).where(Batch.id == batch_id))
    town = await ctx.session.get(Unit, town_id)
    await require_writer(
        ctx, town, "withdraw joint-review candidates", "candidateId", "no candidate has this id"
    )
    reason = _text(reason, "reason", REASON_LENGTH)
    if reason is None:
        raise DomainError.one(
            "JOINT_REVIEW_REASON_REQUIRED", "say why the candidate is withdrawn", "reason"
        )
    batch = await _locked_batch(ctx, batch_id, "candidateId")
    candidate = await ctx.session.get(Candidate, candidate_id)
    _still_open(candidate)
    settled = await withdraw(
        ctx.session, batch, candidate, reason=reason, by=ctx.actor, at=utcnow()
    )
    ctx.publish(
        f"{KEY}.candidate_withdrawn", source=KEY, candidate_id=candidate.id, batch_id=batch.id
    )
    if settled.batch_completed:
        ctx.publish(f"{KEY}.batch_completed", source=KEY, batch_id=batch.id, unit_id=batch.unit_id)
    return candidate
