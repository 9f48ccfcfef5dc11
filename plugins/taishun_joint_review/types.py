"""The plugin's GraphQL types: batches, candidates, requests and their verdicts.

Confidentiality lives in :class:`JointReviewRequest`: until its candidate concludes or its batch
completes, the verdict, reason, rule and versions of a request are read only by the department's
own reviewers and by admins (``confidential`` tells the others that they were hidden, not
missing). A complete batch shows every verdict, withdrawn candidates' included. Names the
departments and towns cannot see through the scope (a town, a person) are snapshots taken at
submission, next to fields returning the live core objects (null outside your scope).
"""

from __future__ import annotations

import datetime
import enum

import strawberry
from strawberry import relay

from core.db import utcnow
from schema import loaders as core_loaders
from schema.refs import LazyInitiative, LazyPerson, LazyUnit

from . import loaders
from .access import reveals_verdict
from .models import Batch, BatchDepartment, BatchStatus, Candidate, CandidateStatus, Verdict
from .settings import as_utc

VerdictEnum = strawberry.enum(
    Verdict,
    name="JointReviewVerdict",
    description="A department's verdict on a candidate: CLEAR (无异议), CONCERN (有疑点, with a "
    "reason) or DISQUALIFY (不宜提名, with a reason and the rule broken).",
)
CandidateStatusEnum = strawberry.enum(
    CandidateStatus,
    name="JointReviewCandidateStatus",
    description="OPEN until every department answered; then CLEARED (all clear), FLAGGED (a "
    "concern, no disqualification) or DISQUALIFIED (any disqualification); WITHDRAWN when the "
    "town took the candidate back before that.",
)
BatchStatusEnum = strawberry.enum(
    BatchStatus,
    name="JointReviewBatchStatus",
    description="OPEN while a candidate is open; COMPLETE when every candidate concluded or was "
    "withdrawn.",
)


@strawberry.enum(name="JointReviewRequestStatus", description="Where a department's review is.")
class RequestStatus(enum.Enum):
    PENDING = "PENDING"
    ANSWERED = "ANSWERED"
    CLOSED = "CLOSED"


def _row_ids(node_ids) -> list[int]:
    """Node ids as row ids; one too large for a row names none (0)."""
    return [int(i) if 0 < int(i) < 2**31 else 0 for i in node_ids]


def _utc(moment: datetime.datetime | None) -> datetime.datetime | None:
    return as_utc(moment) if moment is not None else None


# --- departments and verdict versions -----------------------------------------------------------


@strawberry.type(description="A member department as the batch was submitted to it.")
class JointReviewDepartment:
    code: str
    name: str
    department_id: strawberry.Private[int]

    @strawberry.field(description="The department's unit; null outside your scope.")
    async def unit(self, info: strawberry.Info) -> LazyUnit | None:
        return await info.context.loader(core_loaders.units_by_id).load(self.department_id)


def department_type(row: BatchDepartment) -> JointReviewDepartment:
    return JointReviewDepartment(code=row.code, name=row.name, department_id=row.department_id)


@strawberry.type(description="One verdict a department recorded; amendments add versions.")
class JointReviewVerdictVersion:
    version: int
    verdict: VerdictEnum
    reason: str | None
    rule: str | None
    recorded_by: str | None
    recorded_at: datetime.datetime


# --- requests ------------------------------------------------------------------------------------


@strawberry.type(
    description="One department's review of one candidate (审核请求). Until the candidate "
    "concludes or the batch completes, its verdict is read only by that department's reviewers "
    "and by admins; once the batch is complete, by everybody who sees the request."
)
class JointReviewRequest(relay.Node):
    id: relay.NodeID[int]
    status: RequestStatus
    first_answered_at: datetime.datetime | None = strawberry.field(
        description="When the department first answered."
    )
    answered_at: datetime.datetime | None = strawberry.field(
        description="When the verdict in force was recorded."
    )
    deadline: datetime.datetime = strawberry.field(description="The batch's deadline.")
    confidential: bool = strawberry.field(
        description="True when the verdict, reason, rule and versions are hidden from you: the "
        "candidate has not concluded, its batch is not complete, and you do not review for this "
        "department."
    )
    department: JointReviewDepartment
    candidate_id: strawberry.Private[int]
    batch_submitted_at: strawberry.Private[datetime.datetime]
    shown: strawberry.Private[dict]

    @classmethod
    async def resolve_nodes(cls, *, info, node_ids, required=False):
        rows = await info.context.loader(loaders.requests_by_id).load_many(_row_ids(node_ids))
        return [request_type(info, row) if row else None for row in rows]

    @strawberry.field(description="Past the deadline with no answer while the candidate is open.")
    def overdue(self) -> bool:
        return self.status is RequestStatus.PENDING and self.deadline < utcnow()

    @strawberry.field(description="The verdict in force; null while pending or confidential.")
    def verdict(self) -> VerdictEnum | None:
        return self.shown.get("verdict")

    @strawberry.field(description="Why, for CONCERN and DISQUALIFY; null when confidential.")
    def reason(self) -> str | None:
        return self.shown.get("reason")

    @strawberry.field(description="The rule a DISQUALIFY verdict invokes; null when confidential.")
    def rule(self) -> str | None:
        return self.shown.get("rule")

    @strawberry.field(description="Who recorded the verdict in force; null when confidential.")
    def answered_by(self) -> str | None:
        return self.shown.get("answered_by")

    @strawberry.field(description="Every verdict recorded, oldest first; empty when confidential.")
    async def versions(self, info: strawberry.Info) -> list[JointReviewVerdictVersion]:
        if self.confidential:
            return []
        rows = await info.context.loader(loaders.versions_by_request).load(self.id)
        return [
            JointReviewVerdictVersion(
                version=v.version,
                verdict=v.verdict,
                reason=v.reason,
                rule=v.rule,
                recorded_by=v.recorded_by,
                recorded_at=as_utc(v.recorded_at),
            )
            for v in rows
        ]

    @strawberry.field(description="Hours from submission to the department's first answer.")
    def turnaround_hours(self) -> float | None:
        if self.first_answered_at is None:
            return None
        return round((self.first_answered_at - self.batch_submitted_at).total_seconds() / 3600, 2)

    @strawberry.field
    async def candidate(self, info: strawberry.Info) -> JointReviewCandidate | None:
        row = await info.context.loader(loaders.candidates_by_id).load(self.candidate_id)
        return candidate_type(row) if row else None


def request_type(info: strawberry.Info, row: loaders.RequestRow) -> JointReviewRequest:
    request = row.request
    answered = request.version > 0
    if answered:
        status = RequestStatus.ANSWERED
    elif row.candidate_status is CandidateStatus.OPEN:
        status = RequestStatus.PENDING
    else:
        status = RequestStatus.CLOSED
    revealed = reveals_verdict(
        info.context.principal, request.department_id, row.candidate_status, row.batch_status
    )
    shown = (
        {
            "verdict": request.verdict,
            "reason": request.reason,
            "rule": request.rule,
            "answered_by": request.answered_by,
        }
        if revealed
        else {}
    )
    return JointReviewRequest(
        id=request.id,
        status=status,
        first_answered_at=_utc(request.first_answered_at),
        answered_at=_utc(request.answered_at),
        deadline=as_utc(row.deadline_at),
        confidential=answered and not revealed,
        department=JointReviewDepartment(
            code=row.department_code, name=row.department_name, department_id=request.department_id
        ),
        candidate_id=request.candidate_id,
        batch_submitted_at=as_utc(row.batch_submitted_at),
        shown=shown,
    )


# --- candidates ----------------------------------------------------------------------------------


@strawberry.type(description="How far a candidate's (or a batch's) review has come.")
class JointReviewProgress:
    requests: int = strawberry.field(description="Requests you can see.")
    answered: int
    pending: int
    overdue: int


@strawberry.type(
    description="A person proposed for a post (初步人选), reviewed by every department of the "
    "batch."
)
class JointReviewCandidate(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="The person's name when the batch was submitted.")
    post: str = strawberry.field(description="The post proposed, e.g. 村党组织书记.")
    village_name: str | None = strawberry.field(description="The village of the post, if given.")
    status: CandidateStatusEnum
    concluded_at: datetime.datetime | None
    withdrawn_at: datetime.datetime | None
    withdraw_reason: str | None
    batch_id: strawberry.Private[int]
    person_id: strawberry.Private[int]
    village_id: strawberry.Private[int | None]

    @classmethod
    async def resolve_nodes(cls, *, info, node_ids, required=False):
        rows = await info.context.loader(loaders.candidates_by_id).load_many(_row_ids(node_ids))
        return [candidate_type(row) if row else None for row in rows]

    @strawberry.field(description="The person; null outside your scope (use `name`).")
    async def person(self, info: strawberry.Info) -> LazyPerson | None:
        return await info.context.loader(core_loaders.people_by_id).load(self.person_id)

    @strawberry.field(description="The village of the post; null outside your scope.")
    async def village(self, info: strawberry.Info) -> LazyUnit | None:
        if self.village_id is None:
            return None
        return await info.context.loader(core_loaders.units_by_id).load(self.village_id)

    @strawberry.field
    async def batch(self, info: strawberry.Info) -> JointReviewBatch | None:
        row = await info.context.loader(loaders.batches_by_id).load(self.batch_id)
        return batch_type(row) if row else None

    @strawberry.field(
        description="The requests you can see, by department code: a department sees its own; "
        "the town and the county see all. `verdicts` keeps those whose verdict you can read and "
        "is one of these."
    )
    async def requests(
        self, info: strawberry.Info, verdicts: list[VerdictEnum] | None = None
    ) -> list[JointReviewRequest]:
        rows = await info.context.loader(loaders.requests_by_candidate).load(self.id)
        found = [request_type(info, row) for row in rows]
        if verdicts is not None:
            found = [r for r in found if r.shown.get("verdict") in verdicts]
        return found

    @strawberry.field(description="Answered and pending requests among those you can see.")
    async def progress(self, info: strawberry.Info) -> JointReviewProgress:
        counts = await info.context.loader(loaders.counts_by_candidate).load(self.id)
        return _progress(counts)


def candidate_type(row: Candidate) -> JointReviewCandidate:
    return JointReviewCandidate(
        id=row.id,
        name=row.person_name,
        post=row.post,
        village_name=row.post_unit_name,
        status=row.status,
        concluded_at=_utc(row.concluded_at),
        withdrawn_at=_utc(row.withdrawn_at),
        withdraw_reason=row.withdraw_reason,
        batch_id=row.batch_id,
        person_id=row.person_id,
        village_id=row.post_unit_id,
    )


def _progress(counts: loaders.Counts) -> JointReviewProgress:
    return JointReviewProgress(
        requests=counts.requests,
        answered=counts.answered,
        pending=counts.requests - counts.answered,
        overdue=counts.overdue,
    )


# --- batches -------------------------------------------------------------------------------------


@strawberry.type(description="How many candidates of a batch stand where.")
class JointReviewOutcomes:
    candidates: int
    open: int
    cleared: int
    flagged: int
    disqualified: int
    withdrawn: int


@strawberry.type(
    description="Candidates a town submitted at once for an election (送审批次), reviewed by "
    "the member departments it was submitted to."
)
class JointReviewBatch(relay.Node):
    id: relay.NodeID[int]
    title: str
    status: BatchStatusEnum
    town_name: str = strawberry.field(description="The submitting town, as named at submission.")
    initiative_code: str = strawberry.field(description="The election initiative's code.")
    initiative_name: str
    submitted_at: datetime.datetime
    submitted_by: str | None
    deadline: datetime.datetime = strawberry.field(
        description="When unanswered requests become overdue (2.5 working days by default)."
    )
    completed_at: datetime.datetime | None
    unit_id: strawberry.Private[int]
    initiative_id: strawberry.Private[int]

    @classmethod
    async def resolve_nodes(cls, *, info, node_ids, required=False):
        rows = await info.context.loader(loaders.batches_by_id).load_many(_row_ids(node_ids))
        return [batch_type(row) if row else None for row in rows]

    @strawberry.field(description="The submitting town; null outside your scope.")
    async def town(self, info: strawberry.Info) -> LazyUnit | None:
        return await info.context.loader(core_loaders.units_by_id).load(self.unit_id)

    @strawberry.field(description="The election initiative; null outside your scope.")
    async def initiative(self, info: strawberry.Info) -> LazyInitiative | None:
        return await info.context.loader(core_loaders.initiatives_by_id).load(self.initiative_id)

    @strawberry.field(description="The member departments the batch was submitted to, by code.")
    async def departments(self, info: strawberry.Info) -> list[JointReviewDepartment]:
        rows = await info.context.loader(loaders.departments_by_batch).load(self.id)
        return [department_type(row) for row in rows]

    @strawberry.field(
        description="The candidates in submission order; `status` keeps those in that state."
    )
    async def candidates(
        self, info: strawberry.Info, status: CandidateStatusEnum | None = None
    ) -> list[JointReviewCandidate]:
        rows = await info.context.loader(loaders.candidates_by_batch).load(self.id)
        return [candidate_type(r) for r in rows if status is None or r.status == status]

    @strawberry.field(description="Candidates by state.")
    async def outcomes(self, info: strawberry.Info) -> JointReviewOutcomes:
        found = await info.context.loader(loaders.statuses_by_batch).load(self.id)
        return JointReviewOutcomes(
            candidates=sum(found.values()),
            open=found.get(CandidateStatus.OPEN, 0),
            cleared=found.get(CandidateStatus.CLEARED, 0),
            flagged=found.get(CandidateStatus.FLAGGED, 0),
            disqualified=found.get(CandidateStatus.DISQUALIFIED, 0),
            withdrawn=found.get(CandidateStatus.WITHDRAWN, 0),
        )

    @strawberry.field(description="Answered, pending and overdue requests among those you see.")
    async def progress(self, info: strawberry.Info) -> JointReviewProgress:
        counts = await info.context.loader(loaders.counts_by_batch).load(self.id)
        return _progress(counts)


def batch_type(row: Batch) -> JointReviewBatch:
    return JointReviewBatch(
        id=row.id,
        title=row.title,
        status=row.status,
        town_name=row.unit_name,
        initiative_code=row.initiative_code,
        initiative_name=row.initiative_name,
        submitted_at=as_utc(row.submitted_at),
        submitted_by=row.submitted_by,
        deadline=as_utc(row.deadline_at),
        completed_at=_utc(row.completed_at),
        unit_id=row.unit_id,
        initiative_id=row.initiative_id,
    )


# --- member departments and the overdue list ----------------------------------------------------


@strawberry.type(description="A department's joint-review membership flag.")
class JointReviewMember:
    code: str
    name: str
    member: bool = strawberry.field(description="Whether new batches are sent to it.")
    changed_at: datetime.datetime
    changed_by: str | None
    department_id: strawberry.Private[int]

    @strawberry.field
    async def department(self, info: strawberry.Info) -> LazyUnit | None:
        return await info.context.loader(core_loaders.units_by_id).load(self.department_id)


@strawberry.type(description="One department's overdue requests, oldest batch first.")
class JointReviewOverdueDepartment:
    department: JointReviewDepartment
    count: int
    requests: list[JointReviewRequest]


@strawberry.type
class PersonJointReviews:
    @strawberry.field(
        description="泰顺 云联审: the person's joint reviews as a candidate, oldest first (those "
        "you can see)."
    )
    async def joint_reviews(self, info: strawberry.Info) -> list[JointReviewCandidate]:
        rows = await info.context.loader(loaders.candidates_by_person).load(self.id)
        return [candidate_type(row) for row in rows]
