"""The plugin's root query fields. Every read goes through the request's scoped session."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Annotated

import strawberry
from sqlalchemy import or_, select

from core import DomainError, Unit, in_subtree
from core.db import utcnow
from schema.query_errors import QueryError

from . import loaders
from .access import reviewer_departments, several_departments
from .commands import decode
from .models import Batch, BatchDepartment, Candidate, CandidateStatus, Member, Request
from .settings import CST, as_utc
from .types import (
    BatchStatusEnum,
    CandidateStatusEnum,
    JointReviewBatch,
    JointReviewCandidate,
    JointReviewMember,
    JointReviewOverdueDepartment,
    JointReviewRequest,
    batch_type,
    candidate_type,
    request_type,
)

MAX_FIRST = 200
UNDER_UNIT = (
    "A unit code: batches of towns in its subtree, and batches sent to departments in it "
    "(a reviewer gives their department)."
)
FIRST = (
    f"How many to return; at most {MAX_FIRST}: a larger value is silently capped at {MAX_FIRST} "
    "(narrow the filters to see the rest)."
)


def _first(first: int) -> int:
    if first < 1:
        raise DomainError.one("INVALID", "first must be at least 1", "first")
    return min(first, MAX_FIRST)


async def _unit_id(info: strawberry.Info, code: str | None) -> int | None:
    if not code:
        return None
    return await info.context.scalar(select(Unit.id).where(Unit.code == code))


def _batch_under(unit_id: int, batch_column=Batch.id, town_column=Batch.unit_id):
    """The batch's town lies under the unit, or the batch was sent to a department under it."""
    return or_(
        in_subtree(town_column, unit_id),
        batch_column.in_(
            select(BatchDepartment.batch_id).where(
                in_subtree(BatchDepartment.department_id, unit_id)
            )
        ),
    )


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight CST of ``day``, in UTC (clamped at the ends of the calendar)."""
    try:
        return datetime.datetime.combine(day, datetime.time(0), CST).astimezone(datetime.UTC)
    except OverflowError:
        return datetime.datetime.min.replace(tzinfo=datetime.UTC)


@strawberry.type
class JointReviewQuery:
    @strawberry.field(description="泰顺 云联审: a batch by its ID; null outside your scope.")
    async def joint_review_batch(
        self, info: strawberry.Info, id: strawberry.ID
    ) -> JointReviewBatch | None:
        try:
            batch_id = decode(id, "JointReviewBatch", "id")
        except DomainError:
            return None
        row = await info.context.loader(loaders.batches_by_id).load(batch_id)
        return batch_type(row) if row else None

    @strawberry.field(
        description=f"泰顺 云联审: batches under a unit, newest first; at most {MAX_FIRST}."
    )
    async def joint_review_batches(
        self,
        info: strawberry.Info,
        under_unit: Annotated[str, strawberry.argument(description=UNDER_UNIT)],
        status: BatchStatusEnum | None = None,
        initiative_code: str | None = None,
        first: Annotated[int, strawberry.argument(description=FIRST)] = 50,
    ) -> list[JointReviewBatch]:
        unit_id = await _unit_id(info, under_unit)
        if unit_id is None:
            return []
        conditions = [_batch_under(unit_id)]
        if status is not None:
            conditions.append(Batch.status == status)
        if initiative_code is not None:
            conditions.append(Batch.initiative_code == initiative_code)
        rows = await info.context.scalars(
            select(Batch)
            .where(*conditions)
            .order_by(Batch.submitted_at.desc(), Batch.id.desc())
            .limit(_first(first))
            .execution_options(**loaders.FRESH)
        )
        return [batch_type(row) for row in rows]

    @strawberry.field(
        description="泰顺 云联审: candidates of batches under a unit, by status and by the CST "
        f"day they concluded, newest conclusion first (open ones last); at most {MAX_FIRST}."
    )
    async def joint_review_candidates(
        self,
        info: strawberry.Info,
        under_unit: Annotated[str, strawberry.argument(description=UNDER_UNIT)],
        statuses: list[CandidateStatusEnum] | None = None,
        initiative_code: str | None = None,
        concluded_from: datetime.date | None = None,
        concluded_to: datetime.date | None = None,
        first: Annotated[int, strawberry.argument(description=FIRST)] = 100,
    ) -> list[JointReviewCandidate]:
        unit_id = await _unit_id(info, under_unit)
        if unit_id is None:
            return []
        conditions = [_batch_under(unit_id)]
        if statuses:
            conditions.append(Candidate.status.in_(statuses))
        if initiative_code is not None:
            conditions.append(Batch.initiative_code == initiative_code)
        if concluded_from is not None:
            conditions.append(Candidate.concluded_at >= _day_start(concluded_from))
        if concluded_to is not None and concluded_to < datetime.date.max:
            next_day = concluded_to + datetime.timedelta(days=1)
            conditions.append(Candidate.concluded_at < _day_start(next_day))
        rows = await info.context.scalars(
            select(Candidate)
            .join(Batch, Batch.id == Candidate.batch_id)
            .where(*conditions)
            .order_by(
                Candidate.concluded_at.is_(None),
                Candidate.concluded_at.desc(),
                Candidate.id.desc(),
            )
            .limit(_first(first))
            .execution_options(**loaders.FRESH)
        )
        return [candidate_type(row) for row in rows]

    @strawberry.field(
        description="泰顺 云联审: a department's requests for open candidates, oldest submission "
        "first — the reviewer's queue. Without `departmentCode`, the department you review for. "
        f"At most {MAX_FIRST}. A reviewer granted at several departments is refused "
        "(JOINT_REVIEW_ONE_DEPARTMENT)."
    )
    async def joint_review_queue(
        self,
        info: strawberry.Info,
        department_code: str | None = None,
        include_answered: Annotated[
            bool,
            strawberry.argument(description="Also the requests answered and still amendable."),
        ] = False,
        first: Annotated[int, strawberry.argument(description=FIRST)] = 100,
    ) -> list[JointReviewRequest]:
        if several_departments(info.context.principal):
            raise QueryError(
                "JOINT_REVIEW_ONE_DEPARTMENT",
                "a reviewer acts for exactly one department, and you hold the reviewer role at "
                "several: ask an admin to revoke all but one",
            )
        if department_code is None:
            mine = reviewer_departments(info.context.principal)
            if len(mine) != 1:
                raise DomainError.one(
                    "REQUIRED", "give departmentCode: the department whose queue to show"
                )
            department_id = mine[0]
        else:
            department_id = await _unit_id(info, department_code)
            if department_id is None:
                return []
        conditions = [
            Request.department_id == department_id,
            Candidate.status == CandidateStatus.OPEN,
        ]
        if not include_answered:
            conditions.append(Request.version == 0)
        result = await info.context.execute(
            loaders.request_rows()
            .where(*conditions)
            .order_by(Batch.submitted_at, Batch.id, Candidate.position, Request.id)
            .limit(_first(first))
        )
        return [request_type(info, row) for row in loaders.as_request_rows(result)]

    @strawberry.field(
        description="泰顺 云联审: unanswered requests of open candidates past their deadline, per "
        "department (by code), oldest deadline first."
    )
    async def joint_review_overdue_requests(
        self,
        info: strawberry.Info,
        under_unit: Annotated[str | None, strawberry.argument(description=UNDER_UNIT)] = None,
        department_code: str | None = None,
        as_of: Annotated[
            datetime.datetime | None,
            strawberry.argument(description="The moment to judge at; now by default."),
        ] = None,
    ) -> list[JointReviewOverdueDepartment]:
        moment = as_utc(as_of) if as_of is not None else utcnow()
        conditions = [
            Request.version == 0,
            Candidate.status == CandidateStatus.OPEN,
            Batch.deadline_at < moment,
        ]
        if under_unit is not None:
            unit_id = await _unit_id(info, under_unit)
            if unit_id is None:
                return []
            conditions.append(_batch_under(unit_id))
        if department_code is not None:
            department_id = await _unit_id(info, department_code)
            if department_id is None:
                return []
            conditions.append(Request.department_id == department_id)
        result = await info.context.execute(
            loaders.request_rows()
            .where(*conditions)
            .order_by(Batch.deadline_at, Batch.id, Candidate.position, Request.id)
        )
        groups: dict[str, list[JointReviewRequest]] = defaultdict(list)
        for row in loaders.as_request_rows(result):
            groups[row.department_code].append(request_type(info, row))
        return [
            JointReviewOverdueDepartment(
                department=requests[0].department, count=len(requests), requests=requests
            )
            for _code, requests in sorted(groups.items())
        ]

    @strawberry.field(
        description="泰顺 云联审: the departments flagged as members under a county, by code."
    )
    async def joint_review_members(
        self,
        info: strawberry.Info,
        county_code: str,
        include_former: Annotated[
            bool, strawberry.argument(description="Also departments no longer members.")
        ] = False,
    ) -> list[JointReviewMember]:
        county_id = await _unit_id(info, county_code)
        if county_id is None:
            return []
        conditions = [in_subtree(Unit.id, county_id)]
        if not include_former:
            conditions.append(Member.active.is_(True))
        rows = await info.context.execute(
            select(Member, Unit)
            .join(Unit, Unit.id == Member.department_id)
            .where(*conditions)
            .order_by(Unit.code)
            .execution_options(**loaders.FRESH)
        )
        return [member_type(member, unit) for member, unit in rows]


def member_type(member: Member, unit: Unit) -> JointReviewMember:
    return JointReviewMember(
        code=unit.code,
        name=unit.name,
        member=member.active,
        changed_at=as_utc(member.changed_at),
        changed_by=member.changed_by,
        department_id=unit.id,
    )
