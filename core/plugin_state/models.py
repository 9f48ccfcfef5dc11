from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow


class PluginActivation(Base):
    """A plugin switched on (or off) for a unit's subtree by an admin, beyond its localities."""

    __tablename__ = "plugin_activation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plugin_key: Mapped[str] = mapped_column(String(100))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    active: Mapped[bool] = mapped_column(Boolean)
    changed_by: Mapped[str | None] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("plugin_key", "unit_id", name="uq_plugin_activation"),)


class PluginSetting(Base):
    """The value of one plugin setting in force for a unit's subtree."""

    __tablename__ = "plugin_setting"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plugin_key: Mapped[str] = mapped_column(String(100))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    name: Mapped[str] = mapped_column(String(100))
    value: Mapped[object] = mapped_column(JSON)

    __table_args__ = (UniqueConstraint("plugin_key", "unit_id", "name", name="uq_plugin_setting"),)


class PluginSettingChange(Base):
    """Every change of a plugin setting, kept with who made it."""

    __tablename__ = "plugin_setting_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plugin_key: Mapped[str] = mapped_column(String(100))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    name: Mapped[str] = mapped_column(String(100))
    old_value: Mapped[object | None] = mapped_column(JSON)
    new_value: Mapped[object | None] = mapped_column(JSON)
    changed_by: Mapped[str | None] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PluginFailure(Base):
    """A plugin's event handler that raised after a commit: kept for admins to read."""

    __tablename__ = "plugin_failure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plugin_key: Mapped[str] = mapped_column(String(100), index=True)
    event: Mapped[str] = mapped_column(String(100))
    error: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
