"""The plugin's tables; names start with its table prefix ``pingyang_volunteers_``."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import Date, Enum, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from core import Base


class Duty(enum.Enum):
    PUBLICITY = "PUBLICITY"
    SURVEY = "SURVEY"
    MEDIATION = "MEDIATION"
    SUPERVISION = "SUPERVISION"


class Team(Base):
    __tablename__ = "pingyang_volunteers_team"
    #: Access control shows a team only to those who hold its village.
    __scope_column__ = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    formed_on: Mapped[date] = mapped_column(Date)


class Member(Base):
    __tablename__ = "pingyang_volunteers_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("pingyang_volunteers_team.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    duty: Mapped[Duty] = mapped_column(
        Enum(Duty, name="pingyang_volunteers_duty", native_enum=False)
    )

    __table_args__ = (UniqueConstraint("team_id", "person_id", name="uq_pingyang_member"),)

    @classmethod
    def __scope_criteria__(cls, roots):
        """A member is seen with their team."""
        from core.access.scope import under_roots

        return cls.team_id.in_(select(Team.id).where(under_roots(Team.unit_id, roots)))
