from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class AuditEvent(Base):
    """One event of the chain. ``hash`` = SHA-256 of the canonical JSON of every other field,
    ``prev_hash`` included; the application never updates or deletes a row (and on PostgreSQL
    and SQLite a trigger refuses it)."""

    __tablename__ = "audit_event"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(100))
    #: MUTATION, MUTATION_REFUSED, QUERY_RUN, PII_READ
    kind: Mapped[str] = mapped_column(String(30), index=True)
    #: The mutation's field name, or the saved query's name.
    name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str | None] = mapped_column(String(20))
    version: Mapped[int | None] = mapped_column(Integer)
    document_hash: Mapped[str | None] = mapped_column(String(64))
    variables: Mapped[object | None] = mapped_column(JSON)
    #: For mutations: [{"table", "id", "before", "after"}]; for PII reads: the fields read.
    changes: Mapped[object | None] = mapped_column(JSON)
    row_count: Mapped[int | None] = mapped_column(Integer)
    result_digest: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: How ``hash`` is computed: 1 (NULL, before core_0006) the fields above; 2 those, the format
    #: and the sorted ids of the event's units (``audit_event_unit``).
    chain_format: Mapped[int | None] = mapped_column(Integer)


class AuditHead(Base):
    """A single row: the last sequence number and hash. Updating it first serialises appends,
    so the chain never forks under concurrent writers."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class AuditEventUnit(Base):
    """The units an event concerns (rows changed, records read, the runner's scope): auditors of a
    subtree read the events that concern it. Evidence like the event: hashed with it (chain
    format 2), and append-only (triggers refuse UPDATE and DELETE, and rows for any event but
    the one being appended)."""

    __tablename__ = "audit_event_unit"

    seq: Mapped[int] = mapped_column(ForeignKey("audit_event.seq"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)
