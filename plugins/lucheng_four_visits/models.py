"""The plugin's tables; names start with its table prefix ``lucheng_four_visits_``.

Every table is scoped by access control: rows with a village (``unit_id``) are seen by those who
hold that village's subtree; rows hanging off a visit or a vote round are seen with their parent.
A finding is also seen by the unit responsible for it.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from core import Base
from core.db import utcnow


class Ask(enum.Enum):
    """The four asks of 四访四问."""

    NEEDS = "NEEDS"  # 访民问需: residents, their needs
    GRIEVANCE = "GRIEVANCE"  # 访怨问由: the aggrieved, the causes
    ADVICE = "ADVICE"  # 访贤问计: the capable, their advice
    EFFECT = "EFFECT"  # 访能问效: the able, the results


class MetCategory(enum.Enum):
    PARTY_MEMBER = "PARTY_MEMBER"
    CADRE = "CADRE"
    VILLAGER = "VILLAGER"
    NOTABLE = "NOTABLE"  # 乡贤能人
    DEPUTY = "DEPUTY"  # 两代表一委员


class FindingKind(enum.Enum):
    NEED = "NEED"
    GRIEVANCE = "GRIEVANCE"
    ADVICE = "ADVICE"


#: The ask a visit must have covered for a finding of each kind.
ASK_OF_KIND = {
    FindingKind.NEED: Ask.NEEDS,
    FindingKind.GRIEVANCE: Ask.GRIEVANCE,
    FindingKind.ADVICE: Ask.ADVICE,
}


class FindingStatus(enum.Enum):
    OPEN = "OPEN"
    ASSIGNED = "ASSIGNED"
    RESOLVED = "RESOLVED"
    CLOSED_UNRESOLVABLE = "CLOSED_UNRESOLVABLE"


class NegativeSource(enum.Enum):
    VISIT = "VISIT"
    FINDING = "FINDING"
    VOTE = "VOTE"
    UNIT = "UNIT"


class NegativeStatus(enum.Enum):
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    CLEARED = "CLEARED"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=f"lucheng_four_visits_{name}", native_enum=False)


def _under(column, roots):
    from core.access.scope import under_roots

    return under_roots(column, roots)


class Household(Base):
    """A household of a village (户), by its address or household code, unique in the village."""

    __tablename__ = "lucheng_four_visits_household"
    __scope_column__ = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    code: Mapped[str] = mapped_column(String(200))

    __table_args__ = (UniqueConstraint("unit_id", "code", name="uq_lucheng_four_visits_household"),)


class HouseholdCount(Base):
    """How many households a village has: the denominator of coverage."""

    __tablename__ = "lucheng_four_visits_household_count"
    __scope_column__ = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), unique=True)
    households: Mapped[int] = mapped_column(Integer)
    set_by: Mapped[str | None] = mapped_column(String(100))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Visit(Base):
    """One door-to-door visit (走访) of a household, entered from a phone."""

    __tablename__ = "lucheng_four_visits_visit"
    __scope_column__ = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The client-generated idempotency key: a retry with it returns this visit.
    client_key: Mapped[str] = mapped_column(String(100), unique=True)
    #: SHA-256 of the canonical payload, to tell a retry from another visit under a used key.
    payload_hash: Mapped[str] = mapped_column(String(64))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("lucheng_four_visits_household.id"))
    visitor_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    visited_on: Mapped[date] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str | None] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        Index("ix_lucheng_four_visits_visit_coverage", "campaign_id", "unit_id", "household_id"),
    )


class VisitAsk(Base):
    """Which of the four asks a visit covered."""

    __tablename__ = "lucheng_four_visits_visit_ask"

    visit_id: Mapped[int] = mapped_column(
        ForeignKey("lucheng_four_visits_visit.id"), primary_key=True
    )
    ask: Mapped[Ask] = mapped_column(_enum(Ask, "ask"), primary_key=True)

    @classmethod
    def __scope_criteria__(cls, roots):
        return cls.visit_id.in_(select(Visit.id).where(_under(Visit.unit_id, roots)))


class PersonMet(Base):
    """Someone met on a visit, with their category; linked to a person when one is on record."""

    __tablename__ = "lucheng_four_visits_person_met"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("lucheng_four_visits_visit.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[MetCategory] = mapped_column(_enum(MetCategory, "met_category"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    @classmethod
    def __scope_criteria__(cls, roots):
        return cls.visit_id.in_(select(Visit.id).where(_under(Visit.unit_id, roots)))


class Finding(Base):
    """A need, grievance or piece of advice heard on a visit, closed in a loop."""

    __tablename__ = "lucheng_four_visits_finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("lucheng_four_visits_visit.id"), index=True)
    #: The village where it was heard.
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[FindingKind] = mapped_column(_enum(FindingKind, "finding_kind"))
    summary: Mapped[str] = mapped_column(Text)
    status: Mapped[FindingStatus] = mapped_column(_enum(FindingStatus, "finding_status"))
    opened_on: Mapped[date] = mapped_column(Date)
    assigned_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    due_on: Mapped[date | None] = mapped_column(Date)
    assigned_on: Mapped[date | None] = mapped_column(Date)
    assigned_by: Mapped[str | None] = mapped_column(String(100))
    resolved_on: Mapped[date | None] = mapped_column(Date)
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    #: Days from opened to resolved, kept for the median resolution time.
    resolution_days: Mapped[int | None] = mapped_column(Integer)
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_reason: Mapped[str | None] = mapped_column(Text)
    escalated_in: Mapped[str | None] = mapped_column(String(300))
    closed_by: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (Index("ix_lucheng_four_visits_finding_status", "status", "due_on"),)

    @classmethod
    def __scope_criteria__(cls, roots):
        """Seen in its village's subtree and by the unit responsible for it."""
        return or_(_under(cls.unit_id, roots), _under(cls.assigned_unit_id, roots))


class VoteRound(Base):
    """两票一度 of one village team for one election initiative; keeps the weights it used."""

    __tablename__ = "lucheng_four_visits_vote_round"
    __scope_column__ = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    party_members_eligible: Mapped[int] = mapped_column(Integer)
    representatives_eligible: Mapped[int] = mapped_column(Integer)
    raters_eligible: Mapped[int | None] = mapped_column(Integer)
    party_weight: Mapped[float] = mapped_column(Float)
    representative_weight: Mapped[float] = mapped_column(Float)
    satisfaction_weight: Mapped[float] = mapped_column(Float)
    basically_satisfied_credit: Mapped[float] = mapped_column(Float)
    recorded_by: Mapped[str | None] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        UniqueConstraint("unit_id", "initiative_id", name="uq_lucheng_four_visits_vote_round"),
    )


class Tally(Base):
    """The counts and scores of the team (``person_id`` null) or of one member in a round."""

    __tablename__ = "lucheng_four_visits_tally"
    __scope_column__ = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("lucheng_four_visits_vote_round.id"), index=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    party_for: Mapped[int] = mapped_column(Integer)
    party_against: Mapped[int] = mapped_column(Integer)
    party_abstain: Mapped[int] = mapped_column(Integer)
    representative_for: Mapped[int] = mapped_column(Integer)
    representative_against: Mapped[int] = mapped_column(Integer)
    representative_abstain: Mapped[int] = mapped_column(Integer)
    satisfied: Mapped[int] = mapped_column(Integer)
    basically_satisfied: Mapped[int] = mapped_column(Integer)
    dissatisfied: Mapped[int] = mapped_column(Integer)
    party_approval: Mapped[float] = mapped_column(Float)
    representative_approval: Mapped[float] = mapped_column(Float)
    satisfaction: Mapped[float] = mapped_column(Float)
    composite: Mapped[float] = mapped_column(Float, index=True)

    __table_args__ = (
        UniqueConstraint("round_id", "person_id", name="uq_lucheng_four_visits_tally"),
    )


class NegativeEntry(Base):
    """An entry of the negative list (负面清单): never deleted, only confirmed or cleared."""

    __tablename__ = "lucheng_four_visits_negative_entry"
    __scope_column__ = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    #: The village the prospective candidate stands in.
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    source: Mapped[NegativeSource] = mapped_column(_enum(NegativeSource, "negative_source"))
    source_visit_id: Mapped[int | None] = mapped_column(ForeignKey("lucheng_four_visits_visit.id"))
    source_finding_id: Mapped[int | None] = mapped_column(
        ForeignKey("lucheng_four_visits_finding.id")
    )
    source_round_id: Mapped[int | None] = mapped_column(
        ForeignKey("lucheng_four_visits_vote_round.id")
    )
    source_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[NegativeStatus] = mapped_column(_enum(NegativeStatus, "negative_status"))
    entered_by: Mapped[str | None] = mapped_column(String(100))
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    confirmed_by: Mapped[str | None] = mapped_column(String(100))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    confirm_reason: Mapped[str | None] = mapped_column(Text)
    cleared_by: Mapped[str | None] = mapped_column(String(100))
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    clear_reason: Mapped[str | None] = mapped_column(Text)


MODELS = [
    Household,
    HouseholdCount,
    Visit,
    VisitAsk,
    PersonMet,
    Finding,
    VoteRound,
    Tally,
    NegativeEntry,
]
