"""The workflow on a session: open a batch, record a verdict, conclude, complete, withdraw.

These functions trust their input (the commands check it and the caller's grants first; the demo
loader passes its own data) and take the moment explicitly, so that demo data can be dated.

Concurrency: every write to a batch's candidates and requests starts with :func:`lock_batch`, a
conditional ``UPDATE … WHERE status = 'OPEN'`` of the batch row. On PostgreSQL it takes the row
lock, so the writers of one batch run one after the other and each sees what the previous one
committed; on SQLite it takes the database's write lock, to the same effect. A candidate then
concludes with another conditional UPDATE whose row count says whether this transaction did it:
two departments answering last at the same moment conclude the candidate exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core import Initiative, Person, Unit

from .metrics import Recorder, record_batch_completed, record_candidate_outcome, record_overdue
from .models import (
    Batch,
    BatchDepartment,
    BatchStatus,
    Candidate,
    CandidateStatus,
    Request,
    Verdict,
    VerdictVersion,
)


@dataclass(frozen=True)
class NewCandidate:
    person: Person
    post: str
    post_unit: Unit | None = None


@dataclass(frozen=True)
class Settled:
    """What a write concluded: the candidate's outcome, and whether the batch completed."""

    outcome: CandidateStatus | None = None
    batch_completed: bool = False


def outcome_of(verdicts: Iterable[Verdict | None]) -> CandidateStatus:
    found = set(verdicts)
    if Verdict.DISQUALIFY in found:
        return CandidateStatus.DISQUALIFIED
    if Verdict.CONCERN in found:
        return CandidateStatus.FLAGGED
    return CandidateStatus.CLEARED


async def open_batch(
    session: AsyncSession,
    *,
    town: Unit,
    county: Unit,
    initiative: Initiative,
    title: str,
    departments: Sequence[Unit],
    candidates: Sequence[NewCandidate],
    submitted_at: datetime,
    deadline_at: datetime,
    submitted_by: str | None,
    external_key: str | None = None,
) -> Batch:
    """Write the batch, its departments and candidates, and one request per candidate per
    department (the fan-out)."""
    batch = Batch(
        unit_id=town.id,
        unit_name=town.name,
        county_id=county.id,
        initiative_id=initiative.id,
        initiative_code=initiative.code,
        initiative_name=initiative.name,
        title=title,
        status=BatchStatus.OPEN,
        submitted_at=submitted_at,
        submitted_by=submitted_by,
        deadline_at=deadline_at,
        lock_version=0,
        external_key=external_key,
    )
    session.add(batch)
    await session.flush()
    session.add_all(
        BatchDepartment(batch_id=batch.id, department_id=d.id, code=d.code, name=d.name)
        for d in departments
    )
    rows = [
        Candidate(
            batch_id=batch.id,
            person_id=c.person.id,
            person_name=c.person.name,
            post=c.post,
            post_unit_id=c.post_unit.id if c.post_unit else None,
            post_unit_name=c.post_unit.name if c.post_unit else None,
            position=index,
            initiative_id=initiative.id,
            open_slot=1,
            status=CandidateStatus.OPEN,
        )
        for index, c in enumerate(candidates)
    ]
    session.add_all(rows)
    await session.flush()
    session.add_all(
        Request(batch_id=batch.id, candidate_id=c.id, department_id=d.id, version=0)
        for c in rows
        for d in departments
    )
    await session.flush()
    return batch


async def lock_batch(session: AsyncSession, batch_id: int) -> bool:
    """Take the batch's row lock; False when the batch is complete (nothing left to write)."""
    result = await session.execute(
        update(Batch)
        .where(Batch.id == batch_id, Batch.status == BatchStatus.OPEN)
        .values(lock_version=Batch.lock_version + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def record_verdict(
    session: AsyncSession,
    request: Request,
    *,
    verdict: Verdict,
    reason: str | None,
    rule: str | None,
    by: str | None,
    at: datetime,
) -> VerdictVersion:
    """Keep a new version and put it in force on the request (the batch is locked)."""
    version = VerdictVersion(
        request_id=request.id,
        version=request.version + 1,
        verdict=verdict,
        reason=reason,
        rule=rule,
        recorded_by=by,
        recorded_at=at,
    )
    session.add(version)
    request.version += 1
    request.verdict = verdict
    request.reason = reason
    request.rule = rule
    request.answered_at = at
    request.answered_by = by
    if request.first_answered_at is None:
        request.first_answered_at = at
    await session.flush()
    return version


async def settle(
    session: AsyncSession, batch: Batch, candidate: Candidate, *, at: datetime, by: str | None
) -> Settled:
    """Conclude the candidate when every department answered; complete the batch when no
    candidate is open. Records the metrics of what concluded, and the batch's requests found
    overdue at ``at``."""
    recorder = Recorder(session, by)
    outcome = None
    requests = list(
        await session.scalars(
            select(Request).where(Request.candidate_id == candidate.id).order_by(Request.id)
        )
    )
    if candidate.status is CandidateStatus.OPEN and requests and all(r.version for r in requests):
        concluded = outcome_of(r.verdict for r in requests)
        result = await session.execute(
            update(Candidate)
            .where(Candidate.id == candidate.id, Candidate.status == CandidateStatus.OPEN)
            .values(status=concluded, concluded_at=at)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            await session.refresh(candidate)
            await record_candidate_outcome(recorder, batch, candidate, requests)
            outcome = concluded
    completed = await complete_if_done(session, batch, at=at, recorder=recorder)
    await record_overdue(recorder, now=at, batch_id=batch.id)
    return Settled(outcome=outcome, batch_completed=completed)


async def withdraw(
    session: AsyncSession,
    batch: Batch,
    candidate: Candidate,
    *,
    reason: str,
    by: str | None,
    at: datetime,
) -> Settled:
    """Take an open candidate out of review (the batch is locked); its requests unanswered past
    the deadline are counted overdue."""
    result = await session.execute(
        update(Candidate)
        .where(Candidate.id == candidate.id, Candidate.status == CandidateStatus.OPEN)
        .values(
            status=CandidateStatus.WITHDRAWN,
            withdrawn_at=at,
            withdrawn_by=by,
            withdraw_reason=reason,
            open_slot=None,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return Settled()
    await session.refresh(candidate)
    recorder = Recorder(session, by)
    await record_candidate_outcome(recorder, batch, candidate, [])
    completed = await complete_if_done(session, batch, at=at, recorder=recorder)
    await record_overdue(recorder, now=at, batch_id=batch.id)
    return Settled(outcome=CandidateStatus.WITHDRAWN, batch_completed=completed)


async def complete_if_done(
    session: AsyncSession, batch: Batch, *, at: datetime, recorder: Recorder
) -> bool:
    still_open = await session.scalar(
        select(func.count(Candidate.id)).where(
            Candidate.batch_id == batch.id, Candidate.status == CandidateStatus.OPEN
        )
    )
    if still_open:
        return False
    result = await session.execute(
        update(Batch)
        .where(Batch.id == batch.id, Batch.status == BatchStatus.OPEN)
        .values(status=BatchStatus.COMPLETE, completed_at=at)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    # The batch is closed: its people may be submitted again for the same election.
    await session.execute(
        update(Candidate)
        .where(Candidate.batch_id == batch.id)
        .values(open_slot=None)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(batch)
    concluded = await session.scalar(
        select(func.count(Candidate.id)).where(
            Candidate.batch_id == batch.id, Candidate.status != CandidateStatus.WITHDRAWN
        )
    )
    if concluded:
        await record_batch_completed(recorder, batch)
    return True
