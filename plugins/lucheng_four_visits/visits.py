"""Recording a visit from a phone: idempotent under an idempotency key, also under races.

A phone on a poor network cannot tell a lost request from a lost answer, so it sends every visit
with a key it generated, and sends it again until it gets an answer. The key is unique in the
database. The first request writes the visit; any later one with the same key and the same
payload gets that visit back (``replayed``) and writes nothing; one with the same key and another
payload is refused (FOUR_VISITS_KEY_REUSED). Two retries racing each other both pass the lookup,
but only one insert survives the unique key: the loser's transaction is rolled back and
:func:`record_visit` runs it again, which now finds the winner's visit.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

import strawberry
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core import DomainError, Problem
from core.people.models import Person
from core.units.models import UnitKind
from core.units.services import require_unit
from schema.ids import decode_id

from . import KEY
from .activity import campaign_covers, campaigns_by_code, ensure_active
from .clock import today as china_today
from .metrics import FINDINGS_OPENED, HOUSEHOLDS_VISITED, VISITS_BY_ASK, Recorder
from .models import (
    ASK_OF_KIND,
    Finding,
    FindingStatus,
    Household,
    PersonMet,
    Visit,
    VisitAsk,
)
from .types import AskEnum, FindingKindEnum, MetCategoryEnum

#: Attempts at a write that lost a race on a unique key before giving up with CONFLICT.
ATTEMPTS = 4


@strawberry.input(description="Someone met on the visit.")
class FourVisitsPersonMetInput:
    name: str
    category: MetCategoryEnum
    person_id: strawberry.ID | None = strawberry.field(
        default=None, description="The person on record, if any."
    )


@strawberry.input(description="A need, grievance or piece of advice heard; it opens a finding.")
class FourVisitsFindingInput:
    kind: FindingKindEnum
    summary: str


@strawberry.input(description="A visit, as entered on a phone.")
class RecordFourVisitsVisitInput:
    client_key: str = strawberry.field(
        description="An idempotency key the phone generates once per visit (a UUID): sending the "
        "same visit again with it returns the first one and writes nothing."
    )
    campaign_code: str = strawberry.field(description="The campaign's initiative code.")
    village_code: str
    household: str = strawberry.field(
        description="Address or household code, unique within the village (spaces collapsed)."
    )
    visitor_id: strawberry.ID = strawberry.field(description="The visiting cadre (a Person).")
    visited_on: datetime.date
    asks: list[AskEnum] = strawberry.field(description="At least one of the four asks.")
    people_met: list[FourVisitsPersonMetInput] = strawberry.field(default_factory=list)
    findings: list[FourVisitsFindingInput] = strawberry.field(default_factory=list)
    notes: str | None = None


@dataclass
class Recorded:
    visit: Visit
    replayed: bool


def normalise_household(value: str) -> str:
    return re.sub(r"\s+", " ", (value or "").strip())


def payload_hash(data: RecordFourVisitsVisitInput) -> str:
    """A digest of everything but the key: the same visit sent twice hashes the same."""
    canonical = {
        "campaign": data.campaign_code.strip(),
        "village": data.village_code.strip(),
        "household": normalise_household(data.household),
        "visitor": str(data.visitor_id),
        "visitedOn": data.visited_on.isoformat(),
        "asks": sorted({a.value for a in data.asks}),
        "peopleMet": [
            [p.name.strip(), p.category.value, str(p.person_id) if p.person_id else None]
            for p in data.people_met
        ],
        "findings": [[f.kind.value, f.summary.strip()] for f in data.findings],
        "notes": (data.notes or "").strip() or None,
    }
    text = json.dumps(canonical, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _text(value: str | None, field: str, max_length: int, required: bool = True) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise DomainError.one("REQUIRED", f"{field} must not be empty", field)
        return None
    if len(text) > max_length:
        raise DomainError.one("INVALID", f"{field} is longer than {max_length} characters", field)
    return text


async def _existing(ctx: Any, key: str, digest: str) -> Visit | None:
    visit = await ctx.session.scalar(select(Visit).where(Visit.client_key == key))
    if visit is None:
        return None
    if visit.payload_hash != digest:
        raise DomainError.one(
            "FOUR_VISITS_KEY_REUSED",
            f"the key {key!r} was used for another visit (recorded {visit.recorded_at:%Y-%m-%d}); "
            "a new visit needs a new key",
            "clientKey",
        )
    return visit


async def write_visit(ctx: Any, data: RecordFourVisitsVisitInput, today: datetime.date) -> Recorded:
    """The command: replay the visit under the key, or validate and write a new one."""
    key = _text(data.client_key, "clientKey", 100)
    digest = payload_hash(data)
    existing = await _existing(ctx, key, digest)
    if existing is not None:
        return Recorded(existing, replayed=True)

    village = await require_unit(ctx.session, data.village_code, "villageCode")
    await ensure_active(ctx, village.id, "villageCode")
    if village.kind is not UnitKind.VILLAGE:
        raise DomainError.one(
            "FOUR_VISITS_NOT_A_VILLAGE",
            f"{village.code} {village.name} is a {village.kind.value.lower()}, not a village",
            "villageCode",
        )
    campaign = (await campaigns_by_code(ctx.session, [data.campaign_code])).get(data.campaign_code)
    if campaign is None:
        raise DomainError.one(
            "NOT_FOUND", f"no initiative has the code {data.campaign_code!r}", "campaignCode"
        )
    if campaign.scheme != KEY:
        raise DomainError.one(
            "FOUR_VISITS_NOT_A_CAMPAIGN",
            f"{campaign.code} belongs to the scheme {campaign.scheme or 'none'}, not {KEY}",
            "campaignCode",
        )
    if not await campaign_covers(ctx.session, campaign, village.id):
        raise DomainError.one(
            "FOUR_VISITS_CAMPAIGN_ELSEWHERE",
            f"{campaign.code} is run by a unit that does not cover {village.code} "
            f"{village.name}; visit it in a campaign of its town or district",
            "campaignCode",
        )
    problems: list[Problem] = []
    if data.visited_on > today:
        problems.append(Problem("INVALID", "visitedOn lies in the future", "visitedOn"))
    elif (campaign.start_date and data.visited_on < campaign.start_date) or (
        campaign.end_date and data.visited_on > campaign.end_date
    ):
        problems.append(
            Problem(
                "FOUR_VISITS_OUTSIDE_CAMPAIGN",
                f"{data.visited_on} lies outside the campaign {campaign.code} "
                f"({campaign.start_date} – {campaign.end_date})",
                "visitedOn",
            )
        )
    asks = set(data.asks)
    if not asks:
        problems.append(Problem("FOUR_VISITS_NO_ASK", "name at least one ask", "asks"))
    for index, finding in enumerate(data.findings):
        if ASK_OF_KIND[finding.kind] not in asks:
            problems.append(
                Problem(
                    "FOUR_VISITS_FINDING_NOT_ASKED",
                    f"a {finding.kind.value} finding needs the {ASK_OF_KIND[finding.kind].value} "
                    "ask",
                    f"findings.{index}.kind",
                )
            )
    if problems:
        raise DomainError(*problems)

    visitor_id = decode_id(data.visitor_id, "Person", "visitorId")
    if await ctx.session.scalar(select(Person.id).where(Person.id == visitor_id)) is None:
        raise DomainError.one("NOT_FOUND", "no person has this id", "visitorId")
    household_code = _text(normalise_household(data.household), "household", 200)
    met_rows = []
    for index, met in enumerate(data.people_met):
        name = _text(met.name, f"peopleMet.{index}.name", 100)
        person_id = decode_id(met.person_id, "Person", f"peopleMet.{index}.personId")
        if person_id is not None and (
            await ctx.session.scalar(select(Person.id).where(Person.id == person_id)) is None
        ):
            raise DomainError.one(
                "NOT_FOUND", "no person has this id", f"peopleMet.{index}.personId"
            )
        met_rows.append((index, name, met.category, person_id))
    summaries = [
        _text(f.summary, f"findings.{index}.summary", 4000) for index, f in enumerate(data.findings)
    ]
    notes = _text(data.notes, "notes", 4000, required=False)

    household = await ctx.session.scalar(
        select(Household).where(Household.unit_id == village.id, Household.code == household_code)
    )
    if household is None:
        household = Household(unit_id=village.id, code=household_code)
        ctx.session.add(household)
        await ctx.session.flush()
    visit = Visit(
        client_key=key,
        payload_hash=digest,
        campaign_id=campaign.id,
        unit_id=village.id,
        household_id=household.id,
        visitor_id=visitor_id,
        visited_on=data.visited_on,
        notes=notes,
        recorded_by=ctx.actor,
    )
    ctx.session.add(visit)
    await ctx.session.flush()
    ctx.session.add_all(VisitAsk(visit_id=visit.id, ask=ask) for ask in asks)
    ctx.session.add_all(
        PersonMet(visit_id=visit.id, position=i, name=n, category=c, person_id=p)
        for i, n, c, p in met_rows
    )
    findings = [
        Finding(
            visit_id=visit.id,
            unit_id=village.id,
            position=index,
            kind=f.kind,
            summary=summary,
            status=FindingStatus.OPEN,
            opened_on=data.visited_on,
        )
        for index, (f, summary) in enumerate(zip(data.findings, summaries, strict=True))
    ]
    ctx.session.add_all(findings)
    await ctx.session.flush()

    metrics = Recorder(ctx.session, ctx.actor)
    month = data.visited_on.strftime("%Y-%m")
    common = {"unit_id": village.id, "day": data.visited_on, "initiative_id": campaign.id}
    await metrics.add(HOUSEHOLDS_VISITED, key=f"hv:{campaign.id}:{household.id}:{month}", **common)
    for ask in asks:
        await metrics.add(VISITS_BY_ASK[ask], key=f"ask:{visit.id}:{ask.value}", **common)
    for finding in findings:
        await metrics.add(FINDINGS_OPENED, key=f"fo:{finding.id}", **common)
    await ctx.session.flush()
    ctx.publish(
        f"{KEY}.visit_recorded",
        source=KEY,
        visit_id=visit.id,
        unit_id=village.id,
        household_id=household.id,
        findings=[f.id for f in findings],
    )
    return Recorded(visit, replayed=False)


async def record_visit(info: strawberry.Info, data: RecordFourVisitsVisitInput) -> Recorded:
    """Run :func:`write_visit` in its own transaction, again when it lost a race on a key."""
    today = china_today()
    for _attempt in range(ATTEMPTS):
        try:
            return await info.context.run(lambda ctx: write_visit(ctx, data, today))
        except IntegrityError:
            # Another request committed the same key (or the same household, or the same
            # observation) between our reads and our insert; our transaction is rolled back.
            # Run again: the lookup by key now sees the winner's visit.
            continue
    # Still colliding: the key is held by a visit outside the caller's scope (random keys do
    # not collide otherwise), which a retry cannot fix.
    raise DomainError.one(
        "FOUR_VISITS_KEY_REUSED",
        "this key is already taken by another visit; a new visit needs a new key",
        "clientKey",
    )
