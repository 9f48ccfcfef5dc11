"""Install the saved queries plugins ship (``register_saved_queries``) on ``yixian db upgrade``."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import PluginError
from core.saved_queries.models import SavedQuery

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,99}$")


def document_hash(document: str) -> str:
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


async def latest_version(session: AsyncSession, name: str) -> SavedQuery | None:
    return (
        await session.execute(
            select(SavedQuery)
            .where(SavedQuery.name == name)
            .order_by(SavedQuery.version.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def install_plugin_queries(session: AsyncSession, registry: Any) -> int:
    """Add a version for every shipped query that is new or changed; returns versions added."""
    added = 0
    for key, specs in registry.call_each("register_saved_queries"):
        for spec in specs:
            if not NAME_PATTERN.match(spec.name):
                raise PluginError(
                    f"plugin {key}: saved query name {spec.name!r} must be a slug "
                    "(lower-case letters, digits, '-', '_', '.')",
                    key,
                )
            current = await latest_version(session, spec.name)
            if current is not None and current.plugin_key != key:
                raise PluginError(
                    f"plugin {key} ships the saved query {spec.name!r}, which belongs to "
                    f"{current.plugin_key or current.owner}: rename it (prefix it with {key})",
                    key,
                )
            values = {
                "title": spec.title,
                "description": spec.description or None,
                "tags": list(spec.tags),
                "document": spec.document,
                "roles": list(spec.roles),
            }
            if current is not None and all(getattr(current, k) == v for k, v in values.items()):
                continue
            session.add(
                SavedQuery(
                    name=spec.name,
                    version=(current.version + 1) if current else 1,
                    document_hash=document_hash(spec.document),
                    owner=key,
                    plugin_key=key,
                    shared=True,  # shipped in the plugin's code: nothing to hide
                    **values,
                )
            )
            added += 1
    await session.flush()
    return added
