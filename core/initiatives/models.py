from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import Date, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class InitiativeKind(enum.Enum):
    CAMPAIGN = "CAMPAIGN"
    ASSESSMENT = "ASSESSMENT"
    REVIEW = "REVIEW"
    PROGRAM = "PROGRAM"
    PROJECT = "PROJECT"


class InitiativeStatus(enum.Enum):
    PLANNED = "PLANNED"
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class Initiative(Base):
    __tablename__ = "initiative"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Bumped by every change (optimistic concurrency): an UPDATE names the version it read, so
    #: a concurrent change makes it match nothing and the command is re-run on fresh state.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[InitiativeKind] = mapped_column(
        Enum(InitiativeKind, name="initiative_kind", native_enum=False)
    )
    scheme: Mapped[str | None] = mapped_column(String(100), index=True)
    owner_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[InitiativeStatus] = mapped_column(
        Enum(InitiativeStatus, name="initiative_status", native_enum=False),
        default=InitiativeStatus.ACTIVE,
    )
    description: Mapped[str | None] = mapped_column(Text)
