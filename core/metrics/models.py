from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, DateTime, Enum, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow


class Aggregation(enum.Enum):
    SUM = "SUM"
    AVG = "AVG"
    MIN = "MIN"
    MAX = "MAX"
    COUNT = "COUNT"
    LAST = "LAST"


class ValueType(enum.Enum):
    INTEGER = "INTEGER"
    DECIMAL = "DECIMAL"
    PERCENT = "PERCENT"


class Period(enum.Enum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    QUARTER = "QUARTER"
    YEAR = "YEAR"


class MetricDefinition(Base):
    __tablename__ = "metric_definition"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_of_measure: Mapped[str] = mapped_column(String(50))
    aggregation: Mapped[Aggregation] = mapped_column(
        Enum(Aggregation, name="aggregation", native_enum=False)
    )
    value_type: Mapped[ValueType] = mapped_column(
        Enum(ValueType, name="value_type", native_enum=False), default=ValueType.DECIMAL
    )
    #: "core" or the key of the plugin that declared the metric.
    source: Mapped[str] = mapped_column(String(100), default="core")
    description: Mapped[str | None] = mapped_column(Text)
    #: Where an imported row came from: the source system and the row's id there (unique
    #: together), so that importing again updates the row instead of adding one (docs/import.md).
    import_source: Mapped[str | None] = mapped_column(String(64))
    external_id: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (
        Index("uq_metric_definition_import_source", "import_source", "external_id", unique=True),
    )


class Observation(Base):
    __tablename__ = "observation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    metric_id: Mapped[int] = mapped_column(ForeignKey("metric_definition.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiative.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period: Mapped[Period] = mapped_column(Enum(Period, name="period", native_enum=False))
    value: Mapped[float] = mapped_column(Float)
    recorded_by: Mapped[str | None] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: A stable key for idempotent loads (demo data, imports).
    external_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    #: Where an imported row came from: the source system and the row's id there (unique
    #: together), so that importing again updates the row instead of adding one (docs/import.md).
    import_source: Mapped[str | None] = mapped_column(String(64))
    external_id: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (
        Index("ix_observation_metric_period", "metric_id", "period_start"),
        # metricSeries walks a subtree's units and reads each unit's values of one metric in a
        # date range: from this index alone on PostgreSQL (measured 57 ms -> see
        # docs/performance.md); it also serves every lookup by unit.
        Index(
            "ix_observation_unit_metric_period",
            "unit_id",
            "metric_id",
            "period_start",
            postgresql_include=["value"],
        ),
        Index("uq_observation_import_source", "import_source", "external_id", unique=True),
    )
