"""The metrics the plugin records into the core's tables, and how it records them.

Observations are written when something concludes, once: each carries an external key made from
the row it measures, unique in the core's observation table.

Overdue requests are the exception: a request is counted as soon as a write learns that its
deadline passed before its department answered (:func:`record_overdue`) — when the department
answers late, when the candidate is withdrawn with the request unanswered, and at every verdict
or withdrawal in the batch and every submission in its county while it is still unanswered (the
condition ``jointReviewOverdueRequests`` lists). Each request counts once, in the month of its
deadline, so the moment it was noticed does not change the figures.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from core import MetricSpec
from core.db import utcnow
from core.metrics.models import MetricDefinition, Observation, Period

from . import KEY
from .models import Batch, BatchStatus, Candidate, CandidateStatus, Request
from .settings import as_utc, month_of

BATCH_TURNAROUND = f"{KEY}.batch_turnaround_hours"
DEPARTMENT_TURNAROUND = f"{KEY}.department_turnaround_hours"
OVERDUE = f"{KEY}.overdue_requests"
OUTCOME = {
    CandidateStatus.CLEARED: f"{KEY}.candidates_cleared",
    CandidateStatus.FLAGGED: f"{KEY}.candidates_flagged",
    CandidateStatus.DISQUALIFIED: f"{KEY}.candidates_disqualified",
    CandidateStatus.WITHDRAWN: f"{KEY}.candidates_withdrawn",
}

METRICS = [
    MetricSpec(
        code=BATCH_TURNAROUND,
        name="联审批次用时 batch turnaround",
        unit_of_measure="小时",
        aggregation="AVG",
        value_type="DECIMAL",
        description="Hours from a town's submission to the completion of its batch; one "
        "observation per batch, at the town, in the month (CST) the batch completed.",
    ),
    MetricSpec(
        code=DEPARTMENT_TURNAROUND,
        name="部门审核用时 department turnaround",
        unit_of_measure="小时",
        aggregation="AVG",
        value_type="DECIMAL",
        description="Hours from submission to a department's first verdict; one observation per "
        "department and candidate, at the department, when the candidate concludes.",
    ),
    MetricSpec(
        code=OVERDUE,
        name="超时审核数 overdue requests",
        unit_of_measure="件",
        aggregation="SUM",
        value_type="INTEGER",
        description="Requests whose deadline passed before the department answered: answered "
        "late, never answered because the candidate was withdrawn after the deadline, or still "
        "unanswered (counted at the next verdict or withdrawal in the batch or submission in "
        "the county). One per request, at the department, in the month (CST) of the deadline.",
    ),
    MetricSpec(
        code=OUTCOME[CandidateStatus.CLEARED],
        name="联审通过人数 candidates cleared",
        unit_of_measure="人",
        aggregation="SUM",
        value_type="INTEGER",
        description="Candidates every department cleared, at the town, in the month concluded.",
    ),
    MetricSpec(
        code=OUTCOME[CandidateStatus.FLAGGED],
        name="联审存疑人数 candidates flagged",
        unit_of_measure="人",
        aggregation="SUM",
        value_type="INTEGER",
        description="Candidates with a concern and no disqualification, at the town, per month.",
    ),
    MetricSpec(
        code=OUTCOME[CandidateStatus.DISQUALIFIED],
        name="联审不合格人数 candidates disqualified",
        unit_of_measure="人",
        aggregation="SUM",
        value_type="INTEGER",
        description="Candidates a department disqualified, at the town, in the month concluded.",
    ),
    MetricSpec(
        code=OUTCOME[CandidateStatus.WITHDRAWN],
        name="撤回人选数 candidates withdrawn",
        unit_of_measure="人",
        aggregation="SUM",
        value_type="INTEGER",
        description="Candidates the town withdrew before conclusion, at the town, per month.",
    ),
]


class Recorder:
    """Adds observations to a session, looking each metric up once."""

    def __init__(self, session: AsyncSession, recorded_by: str | None):
        self.session = session
        self.recorded_by = recorded_by
        self._ids: dict[str, int | None] = {}

    async def _metric_id(self, code: str) -> int | None:
        if code not in self._ids:
            self._ids[code] = await self.session.scalar(
                select(MetricDefinition.id).where(MetricDefinition.code == code)
            )
        return self._ids[code]

    async def add(
        self,
        code: str,
        *,
        unit_id: int,
        at: datetime,
        value: float,
        key: str,
        initiative_id: int | None = None,
        person_id: int | None = None,
    ) -> None:
        metric_id = await self._metric_id(code)
        if metric_id is None:  # metrics are installed by `yixian db upgrade`; never fail a verdict
            return
        self.session.add(
            Observation(
                metric_id=metric_id,
                unit_id=unit_id,
                person_id=person_id,
                initiative_id=initiative_id,
                period=Period.MONTH,
                period_start=month_of(at),
                value=float(value),
                recorded_by=self.recorded_by,
                external_key=f"{KEY}:{key}",
            )
        )


def hours_between(start: datetime, end: datetime) -> float:
    return round((as_utc(end) - as_utc(start)).total_seconds() / 3600, 2)


async def record_candidate_outcome(
    recorder: Recorder, batch: Batch, candidate: Candidate, requests: list[Request]
) -> None:
    """The candidate's outcome at the town; each department's turnaround (lateness is counted
    by :func:`record_overdue`)."""
    at = candidate.concluded_at or candidate.withdrawn_at
    assert at is not None
    await recorder.add(
        OUTCOME[candidate.status],
        unit_id=batch.unit_id,
        at=at,
        value=1,
        key=f"candidate:{candidate.id}:outcome",
        initiative_id=batch.initiative_id,
        person_id=candidate.person_id,
    )
    if candidate.status is CandidateStatus.WITHDRAWN:
        return
    for request in requests:
        answered = request.first_answered_at
        if answered is None:
            continue
        await recorder.add(
            DEPARTMENT_TURNAROUND,
            unit_id=request.department_id,
            at=at,
            value=hours_between(batch.submitted_at, answered),
            key=f"request:{request.id}:turnaround",
            initiative_id=batch.initiative_id,
        )


def _overdue_condition(now: datetime):
    """The request's deadline passed before its department answered, judged at ``now``: it
    answered late; it never answered and the candidate was withdrawn after the deadline; or it
    has not answered yet, the candidate is open and the deadline is past (as
    ``jointReviewOverdueRequests`` lists)."""
    unanswered = Request.first_answered_at.is_(None)
    return or_(
        and_(Request.first_answered_at.is_not(None), Request.first_answered_at > Batch.deadline_at),
        and_(
            unanswered,
            Candidate.status == CandidateStatus.WITHDRAWN,
            Candidate.withdrawn_at > Batch.deadline_at,
        ),
        and_(unanswered, Candidate.status == CandidateStatus.OPEN, Batch.deadline_at < now),
    )


async def record_overdue(
    recorder: Recorder,
    *,
    now: datetime,
    batch_id: int | None = None,
    county_id: int | None = None,
) -> int:
    """Count the overdue requests of a batch (or of the open batches of a county) not counted
    yet: 1 per request, at its department, in the month of the deadline. Returns how many were
    added. Two transactions noticing the same request add it once (``ON CONFLICT DO NOTHING``
    on the observation's external key)."""
    metric_id = await recorder._metric_id(OVERDUE)
    if metric_id is None:
        return 0
    query = (
        select(Request.id, Request.department_id, Batch.deadline_at, Batch.initiative_id)
        .join(Candidate, Candidate.id == Request.candidate_id)
        .join(Batch, Batch.id == Request.batch_id)
        .where(_overdue_condition(now))
        .order_by(Request.id)
    )
    if batch_id is not None:
        query = query.where(Request.batch_id == batch_id)
    if county_id is not None:
        query = query.where(Batch.county_id == county_id, Batch.status == BatchStatus.OPEN)
    found = list(await recorder.session.execute(query))
    if not found:
        return 0
    keys = {row.id: f"{KEY}:request:{row.id}:overdue" for row in found}
    counted = set(
        await recorder.session.scalars(
            select(Observation.external_key).where(Observation.external_key.in_(keys.values()))
        )
    )
    rows = [
        {
            "metric_id": metric_id,
            "unit_id": row.department_id,
            "initiative_id": row.initiative_id,
            "period": Period.MONTH,
            "period_start": month_of(row.deadline_at),
            "value": 1.0,
            "recorded_by": recorder.recorded_by,
            "recorded_at": utcnow(),
            "external_key": keys[row.id],
        }
        for row in found
        if keys[row.id] not in counted
    ]
    if rows:
        bind = await recorder.session.connection()
        dialect = postgresql if bind.dialect.name == "postgresql" else sqlite
        for start in range(0, len(rows), 500):
            await recorder.session.execute(
                dialect.insert(Observation)
                .values(rows[start : start + 500])
                .on_conflict_do_nothing()
            )
    return len(rows)


async def record_batch_completed(recorder: Recorder, batch: Batch) -> None:
    assert batch.completed_at is not None
    await recorder.add(
        BATCH_TURNAROUND,
        unit_id=batch.unit_id,
        at=batch.completed_at,
        value=hours_between(batch.submitted_at, batch.completed_at),
        key=f"batch:{batch.id}:turnaround",
        initiative_id=batch.initiative_id,
    )
