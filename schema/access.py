"""Who may run what: the gate in front of every operation, admin-only fields, personal information.

Scope itself (which rows exist for a request) is not here: it lives in the database session
(``core.access.scope``), so that every read of the core and of plugins goes through it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import strawberry
from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, OperationDefinitionNode
from sqlalchemy import select
from strawberry.extensions import SchemaExtension
from strawberry.permission import BasePermission

from core.units.models import UnitTree
from schema.query_errors import QueryError

INTROSPECTION_ROOTS = {"__schema", "__type", "__typename"}


def _root_fields(document: Any, operation_name: str | None) -> list[str]:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    fragments = {
        d.name.value: d
        for d in document.definitions
        if d.__class__.__name__ == "FragmentDefinitionNode"
    }
    names: list[str] = []

    def walk(selections: Iterable[Any], seen: set[str]) -> None:
        for selection in selections:
            if isinstance(selection, FieldNode):
                names.append(selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                walk(selection.selection_set.selections, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in fragments and name not in seen:
                    walk(fragments[name].selection_set.selections, seen | {name})

    for operation in operations[:1]:
        walk(operation.selection_set.selections, set())
    return names


def _uses_introspection(document: Any) -> bool:
    """Whether any field of the document (fragments included) is __schema or __type."""
    found = False

    def visit(node: Any) -> None:
        nonlocal found
        if found:
            return
        if isinstance(node, FieldNode) and node.name.value in ("__schema", "__type"):
            found = True
            return
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            for child in selection_set.selections:
                visit(child)

    for definition in document.definitions:
        visit(definition)
    return found


class AccessGate(SchemaExtension):
    """Refuse what the caller may not run before any resolver runs.

    - Without a token only introspection runs, and only in development (GraphiQL needs it).
    - In production, introspection (``__schema``, ``__type``) is for admins only.
    """

    def on_execute(self):  # type: ignore[override]
        context = self.execution_context.context
        document = self.execution_context.graphql_document
        if document is not None:
            principal = getattr(context, "principal", None)
            production = context.settings.is_production
            roots = _root_fields(document, self.execution_context.operation_name)
            introspection_only = bool(roots) and all(r in INTROSPECTION_ROOTS for r in roots)
            if principal is None and not (introspection_only and not production):
                raise QueryError(
                    "UNAUTHENTICATED",
                    "send a token: Authorization: Bearer <token> "
                    "(create one with `yixian token create`)",
                )
            if production and not (principal and principal.admin) and _uses_introspection(document):
                raise QueryError(
                    "INTROSPECTION_DISABLED", "introspection is for admins in production"
                )
        yield


class AdminOnly(BasePermission):
    """A field only admins may read."""

    message = "only admins may read this field"
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        principal = info.context.principal
        return principal is not None and principal.admin


# --- personal information (个人信息) -------------------------------------------------------------


def mask_phone(phone: str) -> str:
    """138****5678: the first three and the last four digits."""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_id_number(id_number: str) -> str:
    """330302**********1X: the region code and the last two characters."""
    if len(id_number) <= 8:
        return "*" * len(id_number)
    return id_number[:6] + "*" * (len(id_number) - 8) + id_number[-2:]


async def pii_visible_units(ctx: Any, unit_ids: Sequence[int | None]) -> list[bool]:
    """DataLoader batch: may the principal read personal information of people homed there?"""
    principal = ctx.principal
    if principal is None:
        return [False for _ in unit_ids]
    if principal.admin:
        return [True for _ in unit_ids]
    if not principal.pii_roots:
        return [False for _ in unit_ids]
    wanted = [u for u in unit_ids if u is not None]
    visible = set(
        await ctx.scalars(
            select(UnitTree.descendant_id).where(
                UnitTree.ancestor_id.in_(principal.pii_roots),
                UnitTree.descendant_id.in_(wanted),
            )
        )
    )
    return [u in visible for u in unit_ids]


async def personal_information(
    info: strawberry.Info, person: Any, field: str, value: str | None, mask
) -> str | None:
    """The value unmasked when the principal holds the PII grant over the person's home unit
    (the read is then recorded), masked otherwise."""
    if value is None:
        return None
    ctx = info.context
    allowed = await ctx.loader(pii_visible_units).load(person.home_unit_id)
    if not allowed:
        return mask(value)
    ctx.pii_reads.append((person.id, field, person.home_unit_id))
    return value
