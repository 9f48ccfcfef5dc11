from __future__ import annotations

import enum

from sqlalchemy import Enum, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class UnitKind(enum.Enum):
    PROVINCE = "PROVINCE"
    CITY = "CITY"
    DISTRICT = "DISTRICT"
    TOWN = "TOWN"
    VILLAGE = "VILLAGE"
    GRID = "GRID"
    DEPARTMENT = "DEPARTMENT"
    OTHER = "OTHER"


class Unit(Base):
    """A unit: an administrative division (省/市/区县/乡镇街道/村社区/网格) or a department."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Bumped by every change (optimistic concurrency): an UPDATE names the version it read, so
    #: a concurrent change makes it match nothing and the command is re-run on fresh state.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[UnitKind] = mapped_column(Enum(UnitKind, name="unit_kind", native_enum=False))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    #: Distance from the root of the tree (a province is 0).
    depth: Mapped[int] = mapped_column(Integer, default=0)
    #: Where an imported row came from: the source system and the row's id there (unique
    #: together), so that importing again updates the row instead of adding one (docs/import.md).
    import_source: Mapped[str | None] = mapped_column(String(64))
    external_id: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (Index("uq_unit_import_source", "import_source", "external_id", unique=True),)


class UnitTree(Base):
    """The closure of the unit tree: one row per (ancestor, descendant) pair, self included.

    "Everything under 鹿城区" is ``descendant_id IN (SELECT descendant_id FROM unit_tree WHERE
    ancestor_id = :id)``: one indexed lookup, whatever the depth of the tree.
    """

    __tablename__ = "unit_tree"

    ancestor_id: Mapped[int] = mapped_column(
        ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True
    )
    descendant_id: Mapped[int] = mapped_column(
        ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True
    )
    distance: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_unit_tree_descendant", "descendant_id", "ancestor_id"),)
