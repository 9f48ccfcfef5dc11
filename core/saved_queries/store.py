"""Saved queries in the database: versions are added, never overwritten."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import DomainError
from core.saved_queries.install import NAME_PATTERN, document_hash, latest_version
from core.saved_queries.models import SavedQuery


async def get_version(session: AsyncSession, name: str, version: int | None) -> SavedQuery | None:
    if version is None:
        return await latest_version(session, name)
    return (
        await session.execute(
            select(SavedQuery).where(SavedQuery.name == name, SavedQuery.version == version)
        )
    ).scalar_one_or_none()


async def latest_versions(session: AsyncSession, tag: str | None = None) -> list[SavedQuery]:
    newest = (
        select(SavedQuery.name, func.max(SavedQuery.version).label("version"))
        .group_by(SavedQuery.name)
        .subquery()
    )
    rows = (
        (
            await session.execute(
                select(SavedQuery)
                .join(
                    newest,
                    (newest.c.name == SavedQuery.name) & (newest.c.version == SavedQuery.version),
                )
                .order_by(SavedQuery.name)
            )
        )
        .scalars()
        .all()
    )
    return [r for r in rows if tag is None or tag in (r.tags or [])]


async def versions_of(session: AsyncSession, name: str) -> list[SavedQuery]:
    return list(
        (
            await session.execute(
                select(SavedQuery).where(SavedQuery.name == name).order_by(SavedQuery.version)
            )
        ).scalars()
    )


async def save_version(
    session: AsyncSession,
    *,
    name: str,
    title: str,
    document: str,
    owner: str,
    variables: list[dict[str, Any]],
    description: str | None = None,
    tags: Sequence[str] = (),
    roles: Sequence[str] = ("ADMIN", "AUDITOR"),
) -> SavedQuery:
    """A new version of ``name`` (version 1 when new). A name shipped by a plugin belongs to it."""
    if not NAME_PATTERN.match(name or ""):
        raise DomainError.one(
            "INVALID", "name must be a slug: lower-case letters, digits, '-', '_', '.'", "name"
        )
    if not (title or "").strip():
        raise DomainError.one("REQUIRED", "a saved query needs a title", "title")
    if not roles:
        raise DomainError.one("REQUIRED", "name at least one role allowed to run it", "roles")
    current = await latest_version(session, name)
    if current is not None and current.plugin_key:
        raise DomainError.one(
            "INVALID",
            f"{name} is shipped by plugin {current.plugin_key}; save yours under another name",
            "name",
        )
    row = SavedQuery(
        name=name,
        version=(current.version + 1) if current else 1,
        title=title.strip(),
        description=(description or "").strip() or None,
        tags=list(dict.fromkeys(t.strip() for t in tags if t.strip())),
        document=document,
        document_hash=document_hash(document),
        roles=list(roles),
        owner=owner,
        variables=variables,
    )
    session.add(row)
    await session.flush()
    return row
