"""The plugin's GraphQL types, and its fields on the core's ``Unit`` and ``Person``.

Objects are the ORM rows themselves (as in the core): a field reads the row's attribute, and
anything joined is loaded through a DataLoader, so lists cost one query per level, not per row.
"""

from __future__ import annotations

import datetime
from functools import partial
from typing import Any

import strawberry
from strawberry import relay

from schema import loaders as core_loaders
from schema.ids import MAX_ROW_ID
from schema.refs import LazyInitiative, LazyPerson, LazyUnit

from . import loaders
from .clock import today as china_today
from .coverage import CoverageRow, Level, ResolutionRow, coverage_of_units
from .models import (
    Ask,
    Finding,
    FindingKind,
    FindingStatus,
    MetCategory,
    NegativeEntry,
    NegativeSource,
    NegativeStatus,
    Visit,
    VoteRound,
)

AskEnum = strawberry.enum(
    Ask,
    name="FourVisitsAsk",
    description="The four asks (四问): NEEDS 访民问需, GRIEVANCE 访怨问由, ADVICE 访贤问计, "
    "EFFECT 访能问效.",
)
MetCategoryEnum = strawberry.enum(
    MetCategory,
    name="FourVisitsMetCategory",
    description="Who was met: PARTY_MEMBER 党员, CADRE 干部, VILLAGER 村民群众, NOTABLE 乡贤能人, "
    "DEPUTY 两代表一委员 (people's congress and party congress deputies, CPPCC members).",
)
FindingKindEnum = strawberry.enum(
    FindingKind,
    name="FourVisitsFindingKind",
    description="What was heard: a NEED (问需), a GRIEVANCE (问由) or ADVICE (问计).",
)
FindingStatusEnum = strawberry.enum(
    FindingStatus,
    name="FourVisitsFindingStatus",
    description="OPEN → ASSIGNED (a responsible unit and a due date) → RESOLVED or "
    "CLOSED_UNRESOLVABLE (with why and the report it was escalated in).",
)
NegativeSourceEnum = strawberry.enum(
    NegativeSource,
    name="FourVisitsNegativeListSource",
    description="Where negative information came from: a VISIT, a FINDING, a VOTE round or "
    "another UNIT (a department, a town).",
)
NegativeStatusEnum = strawberry.enum(
    NegativeStatus,
    name="FourVisitsNegativeListStatus",
    description="PENDING until a vetter CONFIRMS or CLEARS it (a confirmed entry can still be "
    "cleared); entries are never deleted.",
)
LevelEnum = strawberry.enum(
    Level, name="FourVisitsLevel", description="The level to group by: VILLAGE, TOWN, DISTRICT."
)


def _today() -> datetime.date:
    return china_today()


def _row_id(node_id: Any) -> int | None:
    """A node id as a row id; None when it is not a number from 1 to MAX_ROW_ID (such an id
    names no row, and PostgreSQL refuses to compare an int4 column with a larger number)."""
    try:
        row_id = int(node_id)
    except (TypeError, ValueError):
        return None
    return row_id if 0 < row_id <= MAX_ROW_ID else None


async def _load_nodes(info: strawberry.Info, batch: Any, node_ids: Any) -> list[Any]:
    """The rows of ``node_ids`` through the loader of ``batch``, None for ids that name none."""
    row_ids = [_row_id(i) for i in node_ids]
    valid = [i for i in row_ids if i is not None]
    rows = iter(await info.context.loader(batch).load_many(valid)) if valid else iter(())
    return [next(rows) if i is not None else None for i in row_ids]


# --- visits --------------------------------------------------------------------------------------


@strawberry.type(description="A household (户) of a village, by address or household code.")
class FourVisitsHousehold:
    code: str = strawberry.field(description="Address or household code, unique in the village.")

    @strawberry.field(description="The village.")
    async def village(self, info: strawberry.Info) -> LazyUnit | None:
        return await info.context.loader(core_loaders.units_by_id).load(self.unit_id)


@strawberry.type(description="Someone met on a visit, with their category.")
class FourVisitsPersonMet:
    name: str
    category: MetCategoryEnum

    @strawberry.field(description="The person on record, when the visitor linked one.")
    async def person(self, info: strawberry.Info) -> LazyPerson | None:
        if self.person_id is None:
            return None
        return await info.context.loader(core_loaders.people_by_id).load(self.person_id)


@strawberry.type(description="A door-to-door visit (走访) of 四访四问, entered from a phone.")
class FourVisitsVisit(relay.Node):
    id: relay.NodeID[int]
    client_key: str = strawberry.field(
        description="The idempotency key the phone sent: sending it again returns this visit."
    )
    visited_on: datetime.date
    notes: str | None
    recorded_by: str | None = strawberry.field(description="The user who uploaded it.")
    recorded_at: datetime.datetime

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, Visit)

    @classmethod
    async def resolve_nodes(cls, *, info, node_ids, required=False):
        return await _load_nodes(info, loaders.visits_by_id, node_ids)

    @strawberry.field(description="The campaign (an initiative of scheme lucheng.four_visits).")
    async def campaign(self, info: strawberry.Info) -> LazyInitiative | None:
        return await info.context.loader(core_loaders.initiatives_by_id).load(self.campaign_id)

    @strawberry.field(description="The village visited.")
    async def village(self, info: strawberry.Info) -> LazyUnit | None:
        return await info.context.loader(core_loaders.units_by_id).load(self.unit_id)

    @strawberry.field(description="The household visited.")
    async def household(self, info: strawberry.Info) -> FourVisitsHousehold | None:
        return await info.context.loader(loaders.households_by_id).load(self.household_id)

    @strawberry.field(description="The visitor: a town leader or village-resident cadre.")
    async def visitor(self, info: strawberry.Info) -> LazyPerson | None:
        return await info.context.loader(core_loaders.people_by_id).load(self.visitor_id)

    @strawberry.field(description="The asks the visit covered, in the order of 四问.")
    async def asks(self, info: strawberry.Info) -> list[AskEnum]:
        return [row.ask for row in await info.context.loader(loaders.asks_by_visit).load(self.id)]

    @strawberry.field(description="The people met, in the order given.")
    async def people_met(self, info: strawberry.Info) -> list[FourVisitsPersonMet]:
        return await info.context.loader(loaders.people_met_by_visit).load(self.id)

    @strawberry.field(description="The needs, grievances and advice heard.")
    async def findings(self, info: strawberry.Info) -> list[FourVisitsFinding]:
        return await info.context.loader(loaders.findings_by_visit).load(self.id)


# --- findings ------------------------------------------------------------------------------------


@strawberry.type(description="A need, grievance or piece of advice heard, closed in a loop.")
class FourVisitsFinding(relay.Node):
    id: relay.NodeID[int]
    kind: FindingKindEnum
    summary: str
    status: FindingStatusEnum
    opened_on: datetime.date = strawberry.field(description="The day it was heard.")
    due_on: datetime.date | None = strawberry.field(description="Set when ASSIGNED.")
    assigned_on: datetime.date | None
    assigned_by: str | None
    resolved_on: datetime.date | None
    resolution: str | None = strawberry.field(description="What was done (RESOLVED).")
    resolved_by: str | None
    resolution_days: int | None = strawberry.field(description="Days from heard to resolved.")
    closed_on: datetime.date | None
    closed_reason: str | None = strawberry.field(
        description="Why it cannot be resolved (CLOSED_UNRESOLVABLE)."
    )
    escalated_in: str | None = strawberry.field(
        description="The report it was escalated in (CLOSED_UNRESOLVABLE)."
    )
    closed_by: str | None

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, Finding)

    @classmethod
    async def resolve_nodes(cls, *, info, node_ids, required=False):
        return await _load_nodes(info, loaders.findings_by_id, node_ids)

    @strawberry.field(description="ASSIGNED and past its due date, as of today.")
    def overdue(self) -> bool:
        return (
            self.status == FindingStatus.ASSIGNED
            and self.due_on is not None
            and self.due_on < _today()
        )

    @strawberry.field(description="The village where it was heard.")
    async def village(self, info: strawberry.Info) -> LazyUnit | None:
        return await info.context.loader(core_loaders.units_by_id).load(self.unit_id)

    @strawberry.field(description="The unit responsible for it, once ASSIGNED.")
    async def responsible_unit(self, info: strawberry.Info) -> LazyUnit | None:
        if self.assigned_unit_id is None:
            return None
        return await info.context.loader(core_loaders.units_by_id).load(self.assigned_unit_id)

    @strawberry.field(description="The visit it was heard on.")
    async def visit(self, info: strawberry.Info) -> FourVisitsVisit | None:
        return await info.context.loader(loaders.visits_by_id).load(self.visit_id)


@strawberry.type(description="The overdue findings of one responsible unit.")
class FourVisitsOverdueGroup:
    count: int
    oldest_due_on: datetime.date
    unit_id: strawberry.Private[int]
    as_of: strawberry.Private[datetime.date]
    root: strawberry.Private[int]

    @strawberry.field(description="The responsible unit.")
    async def responsible_unit(self, info: strawberry.Info) -> LazyUnit | None:
        return await info.context.loader(core_loaders.units_by_id).load(self.unit_id)

    @strawberry.field(description="Its overdue findings, oldest due date first.")
    async def findings(self, info: strawberry.Info) -> list[FourVisitsFinding]:
        batch = partial(loaders.overdue_by_responsible_unit, as_of=self.as_of, root=self.root)
        key = (loaders.overdue_by_responsible_unit, self.as_of, self.root)
        loader = info.context.loader(batch, key=key)
        return await loader.load(self.unit_id)


@strawberry.type(description="Days to resolve findings in a unit's subtree.")
class FourVisitsResolutionTime:
    resolved: int = strawberry.field(description="Findings resolved.")
    median_days: float | None
    mean_days: float | None
    unit_id: strawberry.Private[int]

    @strawberry.field
    async def unit(self, info: strawberry.Info) -> LazyUnit | None:
        return await info.context.loader(core_loaders.units_by_id).load(self.unit_id)

    @classmethod
    def of(cls, row: ResolutionRow) -> FourVisitsResolutionTime:
        return cls(
            resolved=row.resolved,
            median_days=row.median_days,
            mean_days=row.mean_days,
            unit_id=row.unit_id,
        )


# --- coverage ------------------------------------------------------------------------------------


@strawberry.type(
    description="Coverage of a village, or of the villages of a town or district, in a campaign."
)
class FourVisitsCoverage:
    villages: int = strawberry.field(description="Villages counted (1 for a village).")
    villages_without_count: int = strawberry.field(
        description="Villages whose number of households is not set (left out of the rate)."
    )
    households: int | None = strawberry.field(
        description="Households of the villages that have a count; null if none has."
    )
    households_visited: int = strawberry.field(
        description="Distinct households visited in the campaign, in every village."
    )
    rate: float | None = strawberry.field(
        description="Households visited in the villages with a count / their households (0–1)."
    )
    unit_id: strawberry.Private[int]

    @strawberry.field(description="The village, town or district.")
    async def unit(self, info: strawberry.Info) -> LazyUnit | None:
        return await info.context.loader(core_loaders.units_by_id).load(self.unit_id)

    @classmethod
    def of(cls, row: CoverageRow) -> FourVisitsCoverage:
        return cls(
            villages=row.villages,
            villages_without_count=row.villages_without_count,
            households=row.households,
            households_visited=row.households_visited,
            rate=row.rate,
            unit_id=row.unit_id,
        )


@strawberry.type(description="Villages under a coverage rate near the end of a campaign.")
class FourVisitsLaggingVillages:
    as_of: datetime.date
    ends_on: datetime.date | None = strawberry.field(description="The campaign's end date.")
    days_left: int | None = strawberry.field(description="Days from asOf to the end.")
    below_rate: float
    within_days: int = strawberry.field(
        description="Villages are listed once the campaign has at most this many days left."
    )
    alerting: bool = strawberry.field(description="Whether daysLeft ≤ withinDays.")
    villages: list[FourVisitsCoverage] = strawberry.field(
        description="Villages under belowRate, lowest first (empty while not alerting)."
    )


@strawberry.type(description="How many households a village has (the coverage denominator).")
class FourVisitsHouseholdCount:
    households: int
    set_by: str | None
    set_at: datetime.datetime

    @strawberry.field
    async def village(self, info: strawberry.Info) -> LazyUnit | None:
        return await info.context.loader(core_loaders.units_by_id).load(self.unit_id)


# --- votes ---------------------------------------------------------------------------------------


@strawberry.type(description="A trust vote (信任票): ballots and approval.")
class FourVisitsBallots:
    in_favour: int
    against: int
    abstain: int
    approval: float = strawberry.field(description="In favour / ballots cast (0–1).")

    @strawberry.field(description="Ballots cast.")
    def cast(self) -> int:
        return self.in_favour + self.against + self.abstain


@strawberry.type(description="A satisfaction rating (满意度).")
class FourVisitsRating:
    satisfied: int
    basically_satisfied: int
    dissatisfied: int
    score: float = strawberry.field(
        description="(satisfied + credit × basically satisfied) / ratings (0–1)."
    )


@strawberry.type(description="The weights a round was computed with (normalised to add up to 1).")
class FourVisitsWeights:
    party_member: float
    representative: float
    satisfaction: float
    basically_satisfied_credit: float


@strawberry.type(description="The two votes, the rating and the composite of the team or a member.")
class FourVisitsTally:
    composite: float = strawberry.field(
        description="w₁ × party-member approval + w₂ × representative approval + w₃ × "
        "satisfaction (0–1), with the round's weights."
    )

    @strawberry.field(description="The member; null for the team as a whole.")
    async def person(self, info: strawberry.Info) -> LazyPerson | None:
        if self.person_id is None:
            return None
        return await info.context.loader(core_loaders.people_by_id).load(self.person_id)

    @strawberry.field(description="党员信任票.")
    def party_member_vote(self) -> FourVisitsBallots:
        return FourVisitsBallots(
            in_favour=self.party_for,
            against=self.party_against,
            abstain=self.party_abstain,
            approval=self.party_approval,
        )

    @strawberry.field(description="村民代表信任票.")
    def representative_vote(self) -> FourVisitsBallots:
        return FourVisitsBallots(
            in_favour=self.representative_for,
            against=self.representative_against,
            abstain=self.representative_abstain,
            approval=self.representative_approval,
        )

    @strawberry.field(description="满意度.")
    def satisfaction(self) -> FourVisitsRating:
        return FourVisitsRating(
            satisfied=self.satisfied,
            basically_satisfied=self.basically_satisfied,
            dissatisfied=self.dissatisfied,
            score=self.satisfaction,
        )


@strawberry.type(description="两票一度 of a village team for an election initiative.")
class FourVisitsVoteRound(relay.Node):
    id: relay.NodeID[int]
    held_on: datetime.date
    party_members_eligible: int
    representatives_eligible: int
    raters_eligible: int | None
    recorded_by: str | None

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, VoteRound)

    @classmethod
    async def resolve_nodes(cls, *, info, node_ids, required=False):
        return await _load_nodes(info, loaders.rounds_by_id, node_ids)

    @strawberry.field(description="The weights the composites were computed with.")
    def weights(self) -> FourVisitsWeights:
        return FourVisitsWeights(
            party_member=self.party_weight,
            representative=self.representative_weight,
            satisfaction=self.satisfaction_weight,
            basically_satisfied_credit=self.basically_satisfied_credit,
        )

    @strawberry.field(description="The village.")
    async def village(self, info: strawberry.Info) -> LazyUnit | None:
        return await info.context.loader(core_loaders.units_by_id).load(self.unit_id)

    @strawberry.field(description="The election initiative.")
    async def initiative(self, info: strawberry.Info) -> LazyInitiative | None:
        return await info.context.loader(core_loaders.initiatives_by_id).load(self.initiative_id)

    @strawberry.field(description="The team as a whole (村社班子).")
    async def team(self, info: strawberry.Info) -> FourVisitsTally | None:
        rows = await info.context.loader(loaders.tallies_by_round).load(self.id)
        return next((t for t in rows if t.person_id is None), None)

    @strawberry.field(description="Each member (班子成员), in the order given.")
    async def members(self, info: strawberry.Info) -> list[FourVisitsTally]:
        rows = await info.context.loader(loaders.tallies_by_round).load(self.id)
        return [t for t in rows if t.person_id is not None]


# --- negative list -------------------------------------------------------------------------------


@strawberry.type(description="An entry of the negative list (负面清单) of prospective candidates.")
class FourVisitsNegativeListEntry(relay.Node):
    id: relay.NodeID[int]
    source: NegativeSourceEnum
    reason: str
    status: NegativeStatusEnum
    entered_by: str | None = strawberry.field(description="The user who entered it.")
    entered_at: datetime.datetime
    confirmed_by: str | None
    confirmed_at: datetime.datetime | None
    confirm_reason: str | None
    cleared_by: str | None
    cleared_at: datetime.datetime | None
    clear_reason: str | None

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, NegativeEntry)

    @classmethod
    async def resolve_nodes(cls, *, info, node_ids, required=False):
        rows = await _load_nodes(info, loaders.entries_by_id, node_ids)
        allowed = await info.context.loader(loaders.negative_entries_by_person).load_many(
            [r.person_id for r in rows if r is not None]
        )
        visible = {e.id for entries in allowed if entries for e in entries}
        return [r if r is not None and r.id in visible else None for r in rows]

    @strawberry.field(description="The prospective candidate.")
    async def person(self, info: strawberry.Info) -> LazyPerson | None:
        return await info.context.loader(core_loaders.people_by_id).load(self.person_id)

    @strawberry.field(description="The village the candidate stands in.")
    async def village(self, info: strawberry.Info) -> LazyUnit | None:
        return await info.context.loader(core_loaders.units_by_id).load(self.unit_id)

    @strawberry.field(description="The visit it came from (source VISIT).")
    async def source_visit(self, info: strawberry.Info) -> FourVisitsVisit | None:
        if self.source_visit_id is None:
            return None
        return await info.context.loader(loaders.visits_by_id).load(self.source_visit_id)

    @strawberry.field(description="The finding it came from (source FINDING).")
    async def source_finding(self, info: strawberry.Info) -> FourVisitsFinding | None:
        if self.source_finding_id is None:
            return None
        return await info.context.loader(loaders.findings_by_id).load(self.source_finding_id)

    @strawberry.field(description="The vote round it came from (source VOTE).")
    async def source_vote_round(self, info: strawberry.Info) -> FourVisitsVoteRound | None:
        if self.source_round_id is None:
            return None
        return await info.context.loader(loaders.rounds_by_id).load(self.source_round_id)

    @strawberry.field(description="The unit that reported it (source UNIT).")
    async def source_unit(self, info: strawberry.Info) -> LazyUnit | None:
        if self.source_unit_id is None:
            return None
        return await info.context.loader(core_loaders.units_by_id).load(self.source_unit_id)


# --- fields on core types ------------------------------------------------------------------------


@strawberry.type(description="四访四问 and 两票一度 at a unit.")
class FourVisitsUnit:
    unit_id: strawberry.Private[int]

    @strawberry.field(description="The village's number of households, when set.")
    async def households(self, info: strawberry.Info) -> int | None:
        row = await info.context.loader(loaders.household_counts_by_unit).load(self.unit_id)
        return row.households if row is not None else None

    @strawberry.field(
        description="Coverage of the unit's villages in a campaign (an initiative code)."
    )
    async def coverage(self, info: strawberry.Info, campaign: str) -> FourVisitsCoverage | None:
        from .queries import campaign_id_for

        campaign_id = await campaign_id_for(info, campaign)
        loader = info.context.loader(
            partial(_coverage_batch, campaign_id=campaign_id), key=(_coverage_batch, campaign_id)
        )
        return await loader.load(self.unit_id)

    @strawberry.field(description="Findings this unit is responsible for that are overdue today.")
    async def overdue_findings(self, info: strawberry.Info) -> list[FourVisitsFinding]:
        today = _today()
        batch = partial(loaders.overdue_by_responsible_unit, as_of=today)
        loader = info.context.loader(batch, key=(loaders.overdue_by_responsible_unit, today))
        return await loader.load(self.unit_id)

    @strawberry.field(description="The village team's vote rounds, latest first.")
    async def vote_rounds(self, info: strawberry.Info) -> list[FourVisitsVoteRound]:
        return await info.context.loader(loaders.rounds_by_unit).load(self.unit_id)


async def _coverage_batch(
    ctx: Any, keys: list[int], *, campaign_id: int
) -> list[FourVisitsCoverage | None]:
    rows = {r.unit_id: r for r in await coverage_of_units(ctx, campaign_id, list(keys))}
    return [FourVisitsCoverage.of(rows[k]) if k in rows else None for k in keys]


@strawberry.type
class UnitFourVisits:
    @strawberry.field(description="鹿城 四访四问 · 两票一度: coverage, overdue findings, votes.")
    def four_visits(self) -> FourVisitsUnit:
        return FourVisitsUnit(unit_id=self.id)


@strawberry.type
class PersonFourVisits:
    @strawberry.field(
        description="鹿城 负面清单: the person's negative-list entries, oldest first, for admins "
        "and vetters (lucheng.four_visits.vetter) of the entries' villages; null for anybody "
        "else."
    )
    async def four_visits_negative_list(
        self, info: strawberry.Info
    ) -> list[FourVisitsNegativeListEntry] | None:
        return await info.context.loader(loaders.negative_entries_by_person).load(self.id)
