"""The plugin's tables; names start with its table prefix ``taishun_joint_review_``.

A batch (送审批次) is submitted by a town for an election initiative. It keeps the member
departments it was submitted to (:class:`BatchDepartment`, with their names as they were), holds
candidates, and fans out one :class:`Request` per candidate per department. Every verdict a
department records is kept as a :class:`VerdictVersion`; the request carries the one in force.

Access control (``core.access.scope``): a batch is seen under its town and by the departments it
was sent to; a request is seen under its batch's town and by its own department only, so that a
department never sees another department's requests; candidates, departments and verdict
versions follow their batch or request. Member flags are not secret and are not scoped.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from core import Base


class Verdict(enum.Enum):
    CLEAR = "CLEAR"
    CONCERN = "CONCERN"
    DISQUALIFY = "DISQUALIFY"


class CandidateStatus(enum.Enum):
    OPEN = "OPEN"
    CLEARED = "CLEARED"
    FLAGGED = "FLAGGED"
    DISQUALIFIED = "DISQUALIFIED"
    WITHDRAWN = "WITHDRAWN"


#: The outcomes of a candidate every department answered for.
CONCLUDED = frozenset(
    {CandidateStatus.CLEARED, CandidateStatus.FLAGGED, CandidateStatus.DISQUALIFIED}
)


class BatchStatus(enum.Enum):
    OPEN = "OPEN"
    COMPLETE = "COMPLETE"


def _under(column, roots):
    from core.access.scope import under_roots

    return under_roots(column, roots)


class Member(Base):
    """A department flagged as a joint-review member (联审成员单位). Unflagging keeps the row."""

    __tablename__ = "taishun_joint_review_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    changed_by: Mapped[str | None] = mapped_column(String(100))


class Batch(Base):
    """Candidates a town submits at once for one election initiative."""

    __tablename__ = "taishun_joint_review_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The submitting town (or street).
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    #: The town's name when it submitted: departments read it without seeing the town's unit.
    unit_name: Mapped[str] = mapped_column(String(200))
    #: The county whose member departments review the batch.
    county_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"), index=True)
    initiative_code: Mapped[str] = mapped_column(String(64))
    initiative_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[BatchStatus] = mapped_column(
        Enum(BatchStatus, name="taishun_joint_review_batch_status", native_enum=False),
        default=BatchStatus.OPEN,
    )
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    submitted_by: Mapped[str | None] = mapped_column(String(100))
    deadline_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Bumped by every write to the batch: the row every writer locks first (see workflow).
    lock_version: Mapped[int] = mapped_column(Integer, default=0)
    #: A stable key for idempotent loads (demo data).
    external_key: Mapped[str | None] = mapped_column(String(100), unique=True)

    @classmethod
    def __scope_criteria__(cls, roots):
        """Seen under the submitting town, and by every department the batch was sent to."""
        return batch_visible(cls.id, cls.unit_id, roots)


class BatchDepartment(Base):
    """A member department a batch was submitted to, with its code and name at the time."""

    __tablename__ = "taishun_joint_review_batch_department"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("taishun_joint_review_batch.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))

    __table_args__ = (
        UniqueConstraint("batch_id", "department_id", name="uq_taishun_joint_review_batch_dept"),
    )

    @classmethod
    def __scope_criteria__(cls, roots):
        return cls.batch_id.in_(visible_batch_ids(roots))


class Candidate(Base):
    """A person proposed for a post, reviewed by every department of the batch."""

    __tablename__ = "taishun_joint_review_candidate"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("taishun_joint_review_batch.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    #: The person's name when submitted: departments read it without seeing the person's record.
    person_name: Mapped[str] = mapped_column(String(100))
    post: Mapped[str] = mapped_column(String(200))
    #: The village or community the post is in, when given.
    post_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    post_unit_name: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"))
    #: 1 while the candidate takes a place in an open batch of the election, NULL after: with
    #: the unique constraint below, a person is in at most one open batch per election, even
    #: when two towns submit at the same moment.
    open_slot: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[CandidateStatus] = mapped_column(
        Enum(CandidateStatus, name="taishun_joint_review_candidate_status", native_enum=False),
        default=CandidateStatus.OPEN,
    )
    concluded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_by: Mapped[str | None] = mapped_column(String(100))
    withdraw_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint(
            "initiative_id", "person_id", "open_slot", name="uq_taishun_joint_review_open_candidate"
        ),
    )

    @classmethod
    def __scope_criteria__(cls, roots):
        return cls.batch_id.in_(visible_batch_ids(roots))


class Request(Base):
    """One department's review of one candidate, with the verdict in force."""

    __tablename__ = "taishun_joint_review_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("taishun_joint_review_batch.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("taishun_joint_review_candidate.id"), index=True
    )
    department_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    verdict: Mapped[Verdict | None] = mapped_column(
        Enum(Verdict, name="taishun_joint_review_verdict", native_enum=False)
    )
    reason: Mapped[str | None] = mapped_column(Text)
    rule: Mapped[str | None] = mapped_column(Text)
    #: How many verdicts the department recorded (0: not answered yet).
    version: Mapped[int] = mapped_column(Integer, default=0)
    first_answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_by: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (
        UniqueConstraint("candidate_id", "department_id", name="uq_taishun_joint_review_request"),
    )

    @classmethod
    def __scope_criteria__(cls, roots):
        """Seen by its own department and under the submitting town — never by another
        department."""
        return request_visible(cls.department_id, cls.batch_id, roots)


class VerdictVersion(Base):
    """Every verdict a department recorded for a request, amendments included."""

    __tablename__ = "taishun_joint_review_verdict"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("taishun_joint_review_request.id"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    verdict: Mapped[Verdict] = mapped_column(
        Enum(Verdict, name="taishun_joint_review_verdict", native_enum=False)
    )
    reason: Mapped[str | None] = mapped_column(Text)
    rule: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str | None] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("request_id", "version", name="uq_taishun_joint_review_verdict"),
    )

    @classmethod
    def __scope_criteria__(cls, roots):
        requests = Request.__table__
        return cls.request_id.in_(
            select(requests.c.id).where(
                request_visible(requests.c.department_id, requests.c.batch_id, roots)
            )
        )


# --- scope conditions, on plain tables so that they do not scope themselves ----------------------


def visible_batch_ids(roots):
    batches = Batch.__table__
    return select(batches.c.id).where(batch_visible(batches.c.id, batches.c.unit_id, roots))


def batch_visible(id_column, unit_column, roots):
    departments = BatchDepartment.__table__
    return or_(
        _under(unit_column, roots),
        id_column.in_(
            select(departments.c.batch_id).where(_under(departments.c.department_id, roots))
        ),
    )


def request_visible(department_column, batch_column, roots):
    batches = Batch.__table__
    return or_(
        _under(department_column, roots),
        batch_column.in_(select(batches.c.id).where(_under(batches.c.unit_id, roots))),
    )
