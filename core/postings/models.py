from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import Date, Enum, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class PostingRole(enum.Enum):
    FIRST_SECRETARY = "FIRST_SECRETARY"
    RESIDENT_CADRE = "RESIDENT_CADRE"
    SECONDED = "SECONDED"
    GRID_MEMBER = "GRID_MEMBER"
    SUPERVISOR = "SUPERVISOR"
    GUIDE = "GUIDE"
    LIAISON = "LIAISON"
    ASSISTANT = "ASSISTANT"
    TRIAL_POST = "TRIAL_POST"
    OTHER = "OTHER"


class PostingStatus(enum.Enum):
    PLANNED = "PLANNED"
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    RECALLED = "RECALLED"


class Posting(Base):
    __tablename__ = "posting"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Bumped by every change (optimistic concurrency): an UPDATE names the version it read, so
    #: a concurrent change makes it match nothing and the command is re-run on fresh state.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    host_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    role: Mapped[PostingRole] = mapped_column(
        Enum(PostingRole, name="posting_role", native_enum=False)
    )
    title: Mapped[str | None] = mapped_column(String(200))
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiative.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[PostingStatus] = mapped_column(
        Enum(PostingStatus, name="posting_status", native_enum=False)
    )
    recall_reason: Mapped[str | None] = mapped_column(Text)
    #: Where an imported row came from: the source system and the row's id there (unique
    #: together), so that importing again updates the row instead of adding one (docs/import.md).
    import_source: Mapped[str | None] = mapped_column(String(64))
    external_id: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (
        # At most one ACTIVE posting of a person to a unit in a role, enforced by the database
        # too, so that two concurrent requests cannot both succeed.
        Index(
            "uq_posting_active",
            "person_id",
            "host_unit_id",
            "role",
            unique=True,
            sqlite_where=text("status = 'ACTIVE'"),
            postgresql_where=text("status = 'ACTIVE'"),
        ),
        Index("uq_posting_import_source", "import_source", "external_id", unique=True),
    )
