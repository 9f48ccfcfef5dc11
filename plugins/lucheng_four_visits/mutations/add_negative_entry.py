"""``addFourVisitsNegativeListEntry``: negative information on a prospective candidate, PENDING."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import select

from core import DomainError
from core.people.models import Person
from core.units.models import UnitKind
from core.units.services import require_unit
from schema.errors import UserError, mutation_payload
from schema.ids import decode_id

from .. import KEY
from ..activity import ensure_active
from ..models import Finding, NegativeEntry, NegativeSource, NegativeStatus, Visit, VoteRound
from ..types import FourVisitsNegativeListEntry


@strawberry.input(
    description="A negative-list entry. Name exactly one source: visitId, findingId, "
    "voteRoundId, or sourceUnitCode (another unit, then villageCode too)."
)
class AddFourVisitsNegativeListEntryInput:
    person_id: strawberry.ID = strawberry.field(description="The prospective candidate.")
    reason: str
    visit_id: strawberry.ID | None = None
    finding_id: strawberry.ID | None = None
    vote_round_id: strawberry.ID | None = None
    source_unit_code: str | None = strawberry.field(
        default=None, description="Another unit that reported it (a department, a town)."
    )
    village_code: str | None = strawberry.field(
        default=None,
        description="The village the candidate stands in; taken from the visit, finding or vote "
        "round when one is the source.",
    )


@strawberry.type
class AddFourVisitsNegativeListEntryPayload:
    entry: FourVisitsNegativeListEntry | None = None
    errors: list[UserError]


async def _source(
    ctx: Any, data: AddFourVisitsNegativeListEntryInput
) -> tuple[NegativeSource, int, dict]:
    """The source, the village it points at and the entry's source columns."""
    given = [
        name
        for name, value in (
            ("visitId", data.visit_id),
            ("findingId", data.finding_id),
            ("voteRoundId", data.vote_round_id),
            ("sourceUnitCode", data.source_unit_code),
        )
        if value
    ]
    if len(given) != 1:
        raise DomainError.one(
            "FOUR_VISITS_NEGATIVE_SOURCE",
            f"name exactly one source (visitId, findingId, voteRoundId or sourceUnitCode); "
            f"got {', '.join(given) or 'none'}",
            given[1] if len(given) > 1 else None,
        )
    if data.visit_id:
        row_id = decode_id(data.visit_id, "FourVisitsVisit", "visitId")
        visit = await ctx.session.scalar(select(Visit).where(Visit.id == row_id))
        if visit is None:
            raise DomainError.one("NOT_FOUND", "no visit has this id", "visitId")
        return NegativeSource.VISIT, visit.unit_id, {"source_visit_id": visit.id}
    if data.finding_id:
        row_id = decode_id(data.finding_id, "FourVisitsFinding", "findingId")
        finding = await ctx.session.scalar(select(Finding).where(Finding.id == row_id))
        if finding is None:
            raise DomainError.one("NOT_FOUND", "no finding has this id", "findingId")
        return NegativeSource.FINDING, finding.unit_id, {"source_finding_id": finding.id}
    if data.vote_round_id:
        row_id = decode_id(data.vote_round_id, "FourVisitsVoteRound", "voteRoundId")
        vote_round = await ctx.session.scalar(select(VoteRound).where(VoteRound.id == row_id))
        if vote_round is None:
            raise DomainError.one("NOT_FOUND", "no vote round has this id", "voteRoundId")
        return NegativeSource.VOTE, vote_round.unit_id, {"source_round_id": vote_round.id}
    source_unit = await require_unit(ctx.session, data.source_unit_code, "sourceUnitCode")
    if not data.village_code:
        raise DomainError.one(
            "REQUIRED", "with sourceUnitCode, name the candidate's village", "villageCode"
        )
    village = await require_unit(ctx.session, data.village_code, "villageCode")
    if village.kind is not UnitKind.VILLAGE:
        raise DomainError.one(
            "FOUR_VISITS_NOT_A_VILLAGE",
            f"{village.code} {village.name} is not a village",
            "villageCode",
        )
    return NegativeSource.UNIT, village.id, {"source_unit_id": source_unit.id}


async def add_entry(ctx: Any, data: AddFourVisitsNegativeListEntryInput) -> NegativeEntry:
    source, village_id, columns = await _source(ctx, data)
    await ensure_active(ctx, village_id, "villageCode" if source is NegativeSource.UNIT else None)
    person_id = decode_id(data.person_id, "Person", "personId")
    if await ctx.session.scalar(select(Person.id).where(Person.id == person_id)) is None:
        raise DomainError.one("NOT_FOUND", "no person has this id", "personId")
    reason = (data.reason or "").strip()
    if not reason:
        raise DomainError.one("REQUIRED", "give the reason", "reason")
    entry = NegativeEntry(
        person_id=person_id,
        unit_id=village_id,
        source=source,
        reason=reason,
        status=NegativeStatus.PENDING,
        entered_by=ctx.actor,
        **columns,
    )
    ctx.session.add(entry)
    await ctx.session.flush()
    ctx.publish(
        f"{KEY}.negative_entry_added",
        source=KEY,
        entry_id=entry.id,
        person_id=person_id,
        unit_id=village_id,
    )
    return entry


@strawberry.type
class AddFourVisitsNegativeListEntryMutation:
    @strawberry.mutation(
        description="鹿城 负面清单: enter negative information on a prospective candidate; it "
        "stays PENDING until a vetter confirms or clears it. Anyone who may write at the "
        "village may enter; only vetters see the list."
    )
    async def add_four_visits_negative_list_entry(
        self, info: strawberry.Info, input: AddFourVisitsNegativeListEntryInput
    ) -> AddFourVisitsNegativeListEntryPayload:
        return await mutation_payload(
            AddFourVisitsNegativeListEntryPayload,
            info.context.run(lambda ctx: add_entry(ctx, input)),
            "entry",
        )
