from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow


class SavedQuery(Base):
    """One version of a saved query. Versions are never overwritten: editing adds a row.

    Who reads a version (its title, description, document, variables) is decided by its owner's
    scope when it was saved (``saved_query_unit``) and ``shared``; see
    :func:`core.saved_queries.store.visible_to`."""

    __tablename__ = "saved_query"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    document: Mapped[str] = mapped_column(Text)
    #: The document's variables: [{name, type, default, description, kind, choices, required}].
    variables: Mapped[list[dict]] = mapped_column(JSON, default=list)
    #: SHA-256 of the document text, hex.
    document_hash: Mapped[str] = mapped_column(String(64))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Who saved it: a user name, or the key of the plugin that ships it.
    owner: Mapped[str] = mapped_column(String(100))
    #: Set when a plugin ships the query (installed by ``yixian db upgrade``).
    plugin_key: Mapped[str | None] = mapped_column(String(100))
    #: Shared by its owner or an admin: listed to everyone whose roles may run it, whatever their
    #: scope. Plugin-shipped queries are shared.
    shared: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("name", "version", name="uq_saved_query_version"),)


class SavedQueryUnit(Base):
    """The owner's read scope when the version was saved: one row per root unit. None for an
    admin's (or a plugin's) version, whose scope is everything."""

    __tablename__ = "saved_query_unit"

    query_id: Mapped[int] = mapped_column(ForeignKey("saved_query.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True, index=True)
