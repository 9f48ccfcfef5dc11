"""Trusted documents: operations sent by hash, and (when the setting is on) only registered
documents for every role but ADMIN. Registered: the frontend teams' manifest
(``YIXIAN_TRUSTED_DOCUMENTS_FILE``) and every saved query's document."""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy import select
from strawberry.extensions import SchemaExtension

from core.saved_queries.models import SavedQuery
from schema.query_errors import QueryError


def document_hash(document: str) -> str:
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def load_manifest(path: str | None) -> dict[str, str]:
    """Trusted documents of frontend teams: ``{"<sha256 hex>": "<document>"}``; the hashes are
    checked, so a manifest cannot smuggle a document under another's hash."""
    if not path:
        return {}
    manifest = json.loads(Path(path).read_text(encoding="utf-8"))
    documents = {}
    for key, document in manifest.items():
        digest = key.removeprefix("sha256:")
        if document_hash(document) != digest:
            raise ValueError(f"trusted documents manifest: {key} is not the hash of its document")
        documents[digest] = document
    return documents


@functools.lru_cache(maxsize=8)
def _manifest(path: str, mtime: float) -> dict[str, str]:
    return load_manifest(path)


def manifest(settings: Any) -> dict[str, str]:
    path = settings.trusted_documents_file
    if not path:
        return {}
    return _manifest(path, os.path.getmtime(path))


async def registered_document(
    context: Any, digest: str, built_in: dict[str, str] | None = None
) -> str | None:
    known = (built_in or {}).get(digest) or manifest(context.settings).get(digest)
    if known is not None:
        return known
    return await context.scalar(
        select(SavedQuery.document).where(SavedQuery.document_hash == digest).limit(1)
    )


class TrustedDocuments(SchemaExtension):
    """Run ``{"extensions": {"persistedQuery": {"sha256Hash": …}}}`` without a query, and refuse
    unregistered documents when ``YIXIAN_TRUSTED_DOCUMENTS`` is on. ``built_in`` documents (the
    console's own operations) are always registered."""

    def __init__(self, *, execution_context: Any = None, built_in: dict[str, str] | None = None):
        super().__init__(execution_context=execution_context)
        self.built_in = built_in or {}

    async def on_operation(self):  # type: ignore[override]
        ec = self.execution_context
        persisted = (ec.operation_extensions or {}).get("persistedQuery") or {}
        digest = persisted.get("sha256Hash")
        if not ec.query and isinstance(digest, str):
            ec.query = await registered_document(ec.context, digest, self.built_in)
        yield

    async def on_execute(self):  # type: ignore[override]
        ec = self.execution_context
        settings = ec.context.settings
        principal = getattr(ec.context, "principal", None)
        if settings.trusted_documents and ec.query and not (principal and principal.admin):
            if (
                await registered_document(ec.context, document_hash(ec.query), self.built_in)
                is None
            ):
                raise QueryError(
                    "TRUSTED_DOCUMENTS_ONLY",
                    "only registered documents run here: send a saved query or an operation "
                    "from the trusted documents manifest",
                )
        yield
