from __future__ import annotations

import enum

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class Gender(enum.Enum):
    MALE = "MALE"
    FEMALE = "FEMALE"
    UNSPECIFIED = "UNSPECIFIED"


class PoliticalStatus(enum.Enum):
    CPC_MEMBER = "CPC_MEMBER"
    CPC_PROBATIONARY = "CPC_PROBATIONARY"
    CYL_MEMBER = "CYL_MEMBER"
    NON_PARTISAN = "NON_PARTISAN"
    DEMOCRATIC_PARTY = "DEMOCRATIC_PARTY"
    MASSES = "MASSES"


class Rank(enum.Enum):
    NONE = "NONE"
    SECTION_DEPUTY = "SECTION_DEPUTY"
    SECTION_CHIEF = "SECTION_CHIEF"
    DIVISION_DEPUTY = "DIVISION_DEPUTY"
    DIVISION_CHIEF = "DIVISION_CHIEF"
    BUREAU_DEPUTY = "BUREAU_DEPUTY"
    BUREAU_CHIEF = "BUREAU_CHIEF"


class Person(Base):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Bumped by every change (optimistic concurrency): an UPDATE names the version it read, so
    #: a concurrent change makes it match nothing and the command is re-run on fresh state.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}
    name: Mapped[str] = mapped_column(String(100), index=True)
    gender: Mapped[Gender] = mapped_column(
        Enum(Gender, name="gender", native_enum=False), default=Gender.UNSPECIFIED
    )
    birth_year: Mapped[int | None] = mapped_column(Integer)
    political_status: Mapped[PoliticalStatus] = mapped_column(
        Enum(PoliticalStatus, name="political_status", native_enum=False),
        default=PoliticalStatus.MASSES,
    )
    rank: Mapped[Rank] = mapped_column(
        Enum(Rank, name="rank", native_enum=False), default=Rank.NONE
    )
    home_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    home_post: Mapped[str | None] = mapped_column(String(200))
    #: Personal information (个人信息): masked by access control.
    phone: Mapped[str | None] = mapped_column(String(32))
    id_number: Mapped[str | None] = mapped_column(String(32))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: A stable key for idempotent loads (demo data, imports); never shown as an identity.
    external_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    #: Where an imported row came from: the source system and the row's id there (unique
    #: together), so that importing again updates the row instead of adding one (docs/import.md).
    import_source: Mapped[str | None] = mapped_column(String(64))
    external_id: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (
        Index("uq_person_import_source", "import_source", "external_id", unique=True),
    )
