"""Commands on postings: start one, end one (complete or recall)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import validation as check
from core.commands import CommandContext
from core.errors import DomainError
from core.initiatives.models import Initiative
from core.people.services import require_person
from core.postings.models import Posting, PostingRole, PostingStatus
from core.units.services import require_unit


async def require_posting(session: AsyncSession, posting_id: int | None) -> Posting:
    posting = await session.get(Posting, posting_id) if posting_id is not None else None
    if posting is None:
        raise DomainError.one("NOT_FOUND", "no posting has this id", "id")
    return posting


async def start_posting(
    ctx: CommandContext,
    *,
    person_id: int,
    host_unit_code: str,
    role: PostingRole,
    start_date: date,
    title: str | None = None,
    initiative_code: str | None = None,
    end_date: date | None = None,
    today: date | None = None,
) -> Posting:
    """Send a person to a host unit. Starts ACTIVE, or PLANNED when the start lies ahead."""
    today = today or date.today()
    person = await require_person(ctx.session, person_id, "personId")
    host = await require_unit(ctx.session, host_unit_code, "hostUnitCode")
    initiative_id = None
    if initiative_code:
        initiative = (
            await ctx.session.execute(select(Initiative).where(Initiative.code == initiative_code))
        ).scalar_one_or_none()
        if initiative is None:
            raise DomainError.one(
                "NOT_FOUND", f"no initiative has the code {initiative_code!r}", "initiativeCode"
            )
        initiative_id = initiative.id
    check.date_order(start_date, end_date)
    status = PostingStatus.PLANNED if start_date > today else PostingStatus.ACTIVE
    clash = (
        (
            await ctx.session.execute(
                select(Posting.status).where(
                    Posting.person_id == person.id,
                    Posting.host_unit_id == host.id,
                    Posting.role == role,
                    Posting.status.in_([PostingStatus.ACTIVE, PostingStatus.PLANNED]),
                )
            )
        )
        .scalars()
        .first()
    )
    if clash is not None:
        raise DomainError.one(
            "CONFLICT",
            f"{person.name} already has a {clash.value} {role.value} posting at {host.name}; "
            "end it first",
            "role",
        )
    posting = Posting(
        person_id=person.id,
        host_unit_id=host.id,
        role=role,
        title=check.optional_text(title, "title"),
        initiative_id=initiative_id,
        start_date=start_date,
        end_date=end_date,
        status=status,
    )
    await ctx.validate(
        "startPosting",
        {
            "person_id": person.id,
            "host_unit_id": host.id,
            "role": role,
            "initiative_id": initiative_id,
            "start_date": start_date,
            "end_date": end_date,
        },
    )
    ctx.session.add(posting)
    await ctx.session.flush()
    ctx.publish(
        "posting.started",
        posting_id=posting.id,
        person_id=person.id,
        host_unit_id=host.id,
        role=role.value,
        status=status.value,
    )
    return posting


async def end_posting(
    ctx: CommandContext,
    *,
    posting_id: int,
    outcome: PostingStatus,
    end_date: date,
    recall_reason: str | None = None,
    expected_version: int | None = None,
) -> Posting:
    """Complete or recall a PLANNED or ACTIVE posting. A recall needs a reason.

    Ending is a compare-and-set on the posting's version: of concurrent calls exactly one
    ends it; the others are re-run (``core.commands.run_command``) and find it ended."""
    posting = await require_posting(ctx.session, posting_id)
    ctx.expect_version(posting, expected_version)
    if outcome not in (PostingStatus.COMPLETED, PostingStatus.RECALLED):
        raise DomainError.one("INVALID", "outcome must be COMPLETED or RECALLED", "outcome")
    if posting.status not in (PostingStatus.ACTIVE, PostingStatus.PLANNED):
        raise DomainError.one(
            "INVALID_STATE", f"the posting has already ended ({posting.status.value})", "id"
        )
    check.date_order(posting.start_date, end_date)
    reason = check.optional_text(recall_reason, "recallReason", 2000)
    if outcome is PostingStatus.RECALLED and not reason:
        raise DomainError.one("REQUIRED", "a recall needs a reason", "recallReason")
    await ctx.validate(
        "endPosting",
        {
            "posting_id": posting.id,
            "outcome": outcome,
            "end_date": end_date,
            "recall_reason": reason,
        },
    )
    posting.status = outcome
    posting.end_date = end_date
    posting.recall_reason = reason if outcome is PostingStatus.RECALLED else None
    await ctx.session.flush()
    ctx.publish(
        "posting.ended",
        posting_id=posting.id,
        person_id=posting.person_id,
        host_unit_id=posting.host_unit_id,
        outcome=outcome.value,
    )
    return posting
