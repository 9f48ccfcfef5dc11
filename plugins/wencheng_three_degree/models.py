"""The plugin's tables; names start with its table prefix ``wencheng_three_degree_``.

A reserve cadre record (one candidacy of a person for a village) carries its state, the
configuration its assessment is scored under and, once closed, the scores. Ratings, objections and
the transition history hang off it and are seen with it (access control follows its village).
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core import Base

PREFIX = "wencheng_three_degree_"


def utcnow() -> datetime:
    return datetime.now(UTC)


class State(enum.Enum):
    NOMINATED = "NOMINATED"
    ASSESSED = "ASSESSED"
    APPROVED = "APPROVED"
    NOTICE = "NOTICE"
    TRIAL = "TRIAL"
    POOLED = "POOLED"
    REJECTED = "REJECTED"


#: States a record never leaves.
FINAL_STATES = (State.POOLED, State.REJECTED)


class RaterGroup(enum.Enum):
    SELF = "SELF"
    MASSES = "MASSES"
    NOTABLES = "NOTABLES"
    TEAM = "TEAM"


class ObjectionStatus(enum.Enum):
    OPEN = "OPEN"
    UPHELD = "UPHELD"
    DISMISSED = "DISMISSED"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=PREFIX + name, native_enum=False, length=20)


class ReserveCadre(Base):
    """One candidacy: a person named reserve cadre (后备干部) for a village, and where it stands."""

    __tablename__ = PREFIX + "reserve_cadre"
    #: Access control shows a record only to those who hold its village.
    __scope_column__ = "unit_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    #: The village the person is reserve cadre for.
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    state: Mapped[State] = mapped_column(_enum(State, "state"), index=True)
    #: Bumped by every transition: a transition applies only to the version it read.
    version: Mapped[int] = mapped_column(Integer, default=1)
    #: The day the record entered its current state (the effective day of its last transition).
    state_since: Mapped[date] = mapped_column(Date)
    nominated_on: Mapped[date] = mapped_column(Date)
    nomination_reason: Mapped[str | None] = mapped_column(Text)
    #: Weights, pass mark and minimum ratings in force at the village when it was nominated.
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The assessment, once closed: its scores under ``config``.
    assessed_on: Mapped[date | None] = mapped_column(Date)
    loyalty: Mapped[float | None] = mapped_column(Float)
    satisfaction: Mapped[float | None] = mapped_column(Float)
    competence: Mapped[float | None] = mapped_column(Float)
    overall: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    # The evaluation meeting (测评会议).
    meeting_on: Mapped[date | None] = mapped_column(Date)
    meeting_note: Mapped[str | None] = mapped_column(Text)
    # The public notice (公示).
    notice_start: Mapped[date | None] = mapped_column(Date)
    notice_end: Mapped[date | None] = mapped_column(Date)
    # The trial post (试岗): a core posting with role TRIAL_POST at the village.
    trial_posting_id: Mapped[int | None] = mapped_column(ForeignKey("posting.id"), index=True)
    # The outcome.
    decided_on: Mapped[date | None] = mapped_column(Date)
    outcome_reason: Mapped[str | None] = mapped_column(Text)
    #: The state the record was in when it was rejected.
    rejected_at_stage: Mapped[State | None] = mapped_column(_enum(State, "stage"))
    #: The election initiative whose candidate pool (人选库) a POOLED cadre entered.
    election_initiative_id: Mapped[int | None] = mapped_column(
        ForeignKey("initiative.id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: A stable key for idempotent loads (demo data).
    external_key: Mapped[str | None] = mapped_column(String(100), unique=True)

    __table_args__ = (
        # A person is in at most one open candidacy, enforced by the database too so that two
        # concurrent nominations cannot both succeed.
        Index(
            "uq_wencheng_three_degree_open_candidacy",
            "person_id",
            unique=True,
            sqlite_where=text("state NOT IN ('POOLED', 'REJECTED')"),
            postgresql_where=text("state NOT IN ('POOLED', 'REJECTED')"),
        ),
    )


def _seen_with_cadre(cls: Any, roots: tuple[int, ...]) -> Any:
    from core.access.scope import under_roots

    return cls.reserve_cadre_id.in_(
        select(ReserveCadre.id).where(under_roots(ReserveCadre.unit_id, roots))
    )


class Rating(Base):
    """One rating of the three degrees by one rater of a group."""

    __tablename__ = PREFIX + "rating"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reserve_cadre_id: Mapped[int] = mapped_column(
        ForeignKey(PREFIX + "reserve_cadre.id"), index=True
    )
    rater_group: Mapped[RaterGroup] = mapped_column(_enum(RaterGroup, "rater_group"))
    loyalty: Mapped[float] = mapped_column(Float)
    satisfaction: Mapped[float] = mapped_column(Float)
    competence: Mapped[float] = mapped_column(Float)
    comment: Mapped[str | None] = mapped_column(Text)
    #: Who gave the rating; never shown when ``anonymous``.
    rater_name: Mapped[str | None] = mapped_column(String(100))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    rated_on: Mapped[date] = mapped_column(Date)
    #: The user who entered the rating: always kept.
    entered_by: Mapped[str | None] = mapped_column(String(100))
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @classmethod
    def __scope_criteria__(cls, roots):
        """A rating is seen with its reserve cadre."""
        return _seen_with_cadre(cls, roots)


class Objection(Base):
    """An objection lodged during the public notice, open until upheld or dismissed."""

    __tablename__ = PREFIX + "objection"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reserve_cadre_id: Mapped[int] = mapped_column(
        ForeignKey(PREFIX + "reserve_cadre.id"), index=True
    )
    lodged_on: Mapped[date] = mapped_column(Date)
    objector: Mapped[str | None] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[ObjectionStatus] = mapped_column(
        _enum(ObjectionStatus, "objection_status"), default=ObjectionStatus.OPEN
    )
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_on: Mapped[date | None] = mapped_column(Date)
    lodged_by: Mapped[str | None] = mapped_column(String(100))
    resolved_by: Mapped[str | None] = mapped_column(String(100))

    @classmethod
    def __scope_criteria__(cls, roots):
        """An objection is seen with its reserve cadre."""
        return _seen_with_cadre(cls, roots)


class Transition(Base):
    """One step of a record through the workflow: who, when, why."""

    __tablename__ = PREFIX + "transition"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reserve_cadre_id: Mapped[int] = mapped_column(
        ForeignKey(PREFIX + "reserve_cadre.id"), index=True
    )
    #: None for the nomination, which creates the record.
    from_state: Mapped[State | None] = mapped_column(_enum(State, "from_state"))
    to_state: Mapped[State] = mapped_column(_enum(State, "to_state"))
    #: The day it happened in the scheme (the meeting's date, the notice's start…).
    effective_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str | None] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @classmethod
    def __scope_criteria__(cls, roots):
        """A transition is seen with its reserve cadre."""
        return _seen_with_cadre(cls, roots)
