"""Trusted documents: operations sent by hash, and (when the setting is on) only registered
documents for every role but ADMIN. Registered: the frontend teams' manifest
(``YIXIAN_TRUSTED_DOCUMENTS_FILE``) and every saved query's document."""

from __future__ import annotations

import functools
import os
from typing import Any

from sqlalchemy import select
from strawberry.extensions import SchemaExtension

from core.saved_queries.models import SavedQuery
from schema.query_errors import QueryError
from yixian.protection import document_hash, load_manifest


@functools.lru_cache(maxsize=8)
def _manifest(path: str, mtime: float) -> dict[str, str]:
    return load_manifest(path)


def manifest(settings: Any) -> dict[str, str]:
    path = settings.trusted_documents_file
    if not path:
        return {}
    return _manifest(path, os.path.getmtime(path))


async def registered_document(context: Any, digest: str) -> str | None:
    known = manifest(context.settings).get(digest)
    if known is not None:
        return known
    return await context.scalar(
        select(SavedQuery.document).where(SavedQuery.document_hash == digest).limit(1)
    )


class TrustedDocuments(SchemaExtension):
    """Run ``{"extensions": {"persistedQuery": {"sha256Hash": …}}}`` without a query, and refuse
    unregistered documents when ``YIXIAN_TRUSTED_DOCUMENTS`` is on."""

    async def on_operation(self):  # type: ignore[override]
        ec = self.execution_context
        persisted = (ec.operation_extensions or {}).get("persistedQuery") or {}
        digest = persisted.get("sha256Hash")
        if not ec.query and isinstance(digest, str):
            ec.query = await registered_document(ec.context, digest)
        yield

    async def on_execute(self):  # type: ignore[override]
        ec = self.execution_context
        settings = ec.context.settings
        principal = getattr(ec.context, "principal", None)
        if settings.trusted_documents and ec.query and not (principal and principal.admin):
            if await registered_document(ec.context, document_hash(ec.query)) is None:
                raise QueryError(
                    "TRUSTED_DOCUMENTS_ONLY",
                    "only registered documents run here: send a saved query or an operation "
                    "from the trusted documents manifest",
                )
        yield
