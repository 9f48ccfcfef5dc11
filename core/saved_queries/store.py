"""Saved queries in the database: versions are added, never overwritten.

Who reads a version (the rule, docs/auditing.md "Who sees which saved queries"): admins; its
owner; anyone whose read scope covers the whole scope its owner had when saving it (every root
unit stored with it lies in the reader's subtrees); and, when it is shared, everyone. A version
saved by an admin (scope: everything) is read by admins and its owner only, unless shared. Roles
(``SavedQuery.roles``) then decide who may run it. Any other reader finds nothing, as for a name
that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.scope import under_roots
from core.errors import DomainError
from core.saved_queries.install import NAME_PATTERN, document_hash
from core.saved_queries.models import SavedQuery, SavedQueryUnit

#: The reader of the system's own work (installing, checking): every version.
SYSTEM = object()


def visible_to(reader: Any) -> Any:
    """The criterion of the versions ``reader`` (a principal, or :data:`SYSTEM`) may read."""
    if reader is SYSTEM or (reader is not None and reader.admin):
        return true()
    if reader is None:
        return SavedQuery.id.is_(None)  # nobody: no version
    roots = tuple(sorted(reader.read_roots)) or (-1,)
    held = select(SavedQueryUnit.query_id).where(SavedQueryUnit.query_id == SavedQuery.id)
    outside = held.where(~under_roots(SavedQueryUnit.unit_id, roots))
    return or_(
        SavedQuery.shared.is_(True),
        SavedQuery.owner == reader.name,
        and_(held.exists(), ~outside.exists()),
    )


async def get_version(
    session: AsyncSession, name: str, version: int | None, *, reader: Any
) -> SavedQuery | None:
    """Version ``version`` of ``name`` (the newest ``reader`` may read when None)."""
    statement = select(SavedQuery).where(SavedQuery.name == name, visible_to(reader))
    if version is None:
        statement = statement.order_by(SavedQuery.version.desc()).limit(1)
    else:
        statement = statement.where(SavedQuery.version == version)
    return (await session.execute(statement)).scalar_one_or_none()


async def latest_versions(
    session: AsyncSession, tag: str | None = None, *, reader: Any
) -> list[SavedQuery]:
    """The newest version ``reader`` may read of every saved query, by name."""
    newest = (
        select(SavedQuery.name, func.max(SavedQuery.version).label("version"))
        .where(visible_to(reader))
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


async def versions_of(session: AsyncSession, name: str, *, reader: Any) -> list[SavedQuery]:
    """The versions of ``name`` that ``reader`` may read, oldest first."""
    return list(
        (
            await session.execute(
                select(SavedQuery)
                .where(SavedQuery.name == name, visible_to(reader))
                .order_by(SavedQuery.version)
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
    units: Iterable[int] = (),
    shared: bool | None = None,
) -> SavedQuery:
    """A new version of ``name`` (version 1 when new). A name shipped by a plugin belongs to it.

    ``units``: the saver's read roots (none for an admin); ``shared`` None keeps the previous
    version's setting (not shared for a new name)."""
    if not NAME_PATTERN.match(name or ""):
        raise DomainError.one(
            "INVALID", "name must be a slug: lower-case letters, digits, '-', '_', '.'", "name"
        )
    if not (title or "").strip():
        raise DomainError.one("REQUIRED", "a saved query needs a title", "title")
    if not roles:
        raise DomainError.one("REQUIRED", "name at least one role allowed to run it", "roles")
    current = await get_version(session, name, None, reader=SYSTEM)
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
        shared=bool(current.shared if shared is None and current is not None else shared),
    )
    session.add(row)
    await session.flush()
    session.add_all(SavedQueryUnit(query_id=row.id, unit_id=u) for u in sorted(set(units)))
    await session.flush()
    return row
