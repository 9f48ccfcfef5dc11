"""Batch functions of the plugin's DataLoaders: one statement per batch of keys.

They read through the request's scoped session (``info.context``), so rows outside the caller's
subtrees — another department's requests among them — never come back. Statements refresh the
rows they load (``populate_existing``): a mutation's payload reads what its command committed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select

from core.db import utcnow

from .models import (
    Batch,
    BatchDepartment,
    BatchStatus,
    Candidate,
    CandidateStatus,
    Request,
    VerdictVersion,
)

FRESH = {"populate_existing": True}


@dataclass(frozen=True)
class RequestRow:
    """A request with what its type needs from around it."""

    request: Request
    candidate_status: CandidateStatus
    department_code: str
    department_name: str
    deadline_at: datetime
    batch_submitted_at: datetime
    batch_status: BatchStatus


def request_rows():
    """Requests with their candidate's status, their department as submitted, the deadline
    and the batch's status."""
    return (
        select(
            Request,
            Candidate.status,
            BatchDepartment.code,
            BatchDepartment.name,
            Batch.deadline_at,
            Batch.submitted_at,
            Batch.status,
        )
        .join(Candidate, Candidate.id == Request.candidate_id)
        .join(Batch, Batch.id == Request.batch_id)
        .join(
            BatchDepartment,
            and_(
                BatchDepartment.batch_id == Request.batch_id,
                BatchDepartment.department_id == Request.department_id,
            ),
        )
        .execution_options(**FRESH)
    )


def as_request_rows(result) -> list[RequestRow]:
    return [RequestRow(*row) for row in result]


async def _by_id(ctx: Any, model: Any, keys: Sequence[int]) -> list[Any]:
    rows = await ctx.scalars(select(model).where(model.id.in_(keys)).execution_options(**FRESH))
    found = {row.id: row for row in rows}
    return [found.get(key) for key in keys]


async def batches_by_id(ctx: Any, keys: Sequence[int]) -> list[Batch | None]:
    return await _by_id(ctx, Batch, keys)


async def candidates_by_id(ctx: Any, keys: Sequence[int]) -> list[Candidate | None]:
    return await _by_id(ctx, Candidate, keys)


async def requests_by_id(ctx: Any, keys: Sequence[int]) -> list[RequestRow | None]:
    rows = as_request_rows(await ctx.execute(request_rows().where(Request.id.in_(keys))))
    found = {row.request.id: row for row in rows}
    return [found.get(key) for key in keys]


async def candidates_by_batch(ctx: Any, keys: Sequence[int]) -> list[list[Candidate]]:
    rows = await ctx.scalars(
        select(Candidate)
        .where(Candidate.batch_id.in_(keys))
        .order_by(Candidate.position, Candidate.id)
        .execution_options(**FRESH)
    )
    groups: dict[int, list[Candidate]] = defaultdict(list)
    for row in rows:
        groups[row.batch_id].append(row)
    return [groups.get(key, []) for key in keys]


async def departments_by_batch(ctx: Any, keys: Sequence[int]) -> list[list[BatchDepartment]]:
    rows = await ctx.scalars(
        select(BatchDepartment)
        .where(BatchDepartment.batch_id.in_(keys))
        .order_by(BatchDepartment.code)
    )
    groups: dict[int, list[BatchDepartment]] = defaultdict(list)
    for row in rows:
        groups[row.batch_id].append(row)
    return [groups.get(key, []) for key in keys]


async def requests_by_candidate(ctx: Any, keys: Sequence[int]) -> list[list[RequestRow]]:
    rows = as_request_rows(
        await ctx.execute(
            request_rows()
            .where(Request.candidate_id.in_(keys))
            .order_by(BatchDepartment.code, Request.id)
        )
    )
    groups: dict[int, list[RequestRow]] = defaultdict(list)
    for row in rows:
        groups[row.request.candidate_id].append(row)
    return [groups.get(key, []) for key in keys]


async def versions_by_request(ctx: Any, keys: Sequence[int]) -> list[list[VerdictVersion]]:
    rows = await ctx.scalars(
        select(VerdictVersion)
        .where(VerdictVersion.request_id.in_(keys))
        .order_by(VerdictVersion.version)
    )
    groups: dict[int, list[VerdictVersion]] = defaultdict(list)
    for row in rows:
        groups[row.request_id].append(row)
    return [groups.get(key, []) for key in keys]


async def candidates_by_person(ctx: Any, keys: Sequence[int]) -> list[list[Candidate]]:
    rows = await ctx.scalars(
        select(Candidate)
        .where(Candidate.person_id.in_(keys))
        .order_by(Candidate.id)
        .execution_options(**FRESH)
    )
    groups: dict[int, list[Candidate]] = defaultdict(list)
    for row in rows:
        groups[row.person_id].append(row)
    return [groups.get(key, []) for key in keys]


@dataclass(frozen=True)
class Counts:
    requests: int = 0
    answered: int = 0
    overdue: int = 0


def _request_counts(group_column):
    """Requests, answered, and overdue (open candidate, unanswered, past the deadline)."""
    late = and_(
        Request.version == 0,
        Candidate.status == CandidateStatus.OPEN,
        Batch.deadline_at < utcnow(),
    )
    return (
        select(
            group_column,
            func.count(Request.id),
            func.coalesce(func.sum(case((Request.version > 0, 1), else_=0)), 0),
            func.coalesce(func.sum(case((late, 1), else_=0)), 0),
        )
        .join(Candidate, Candidate.id == Request.candidate_id)
        .join(Batch, Batch.id == Request.batch_id)
        .group_by(group_column)
    )


async def counts_by_candidate(ctx: Any, keys: Sequence[int]) -> list[Counts]:
    rows = await ctx.execute(
        _request_counts(Request.candidate_id).where(Request.candidate_id.in_(keys))
    )
    found = {key: Counts(int(n), int(answered), int(late)) for key, n, answered, late in rows}
    return [found.get(key, Counts()) for key in keys]


async def counts_by_batch(ctx: Any, keys: Sequence[int]) -> list[Counts]:
    rows = await ctx.execute(_request_counts(Request.batch_id).where(Request.batch_id.in_(keys)))
    found = {key: Counts(int(n), int(answered), int(late)) for key, n, answered, late in rows}
    return [found.get(key, Counts()) for key in keys]


async def statuses_by_batch(ctx: Any, keys: Sequence[int]) -> list[dict[CandidateStatus, int]]:
    rows = await ctx.execute(
        select(Candidate.batch_id, Candidate.status, func.count(Candidate.id))
        .where(Candidate.batch_id.in_(keys))
        .group_by(Candidate.batch_id, Candidate.status)
    )
    groups: dict[int, dict[CandidateStatus, int]] = defaultdict(dict)
    for batch_id, status, n in rows:
        groups[batch_id][status] = int(n)
    return [groups.get(key, {}) for key in keys]
