"""The only place the schema is composed from hook results.

Core types (Unit, Person, Posting, Initiative) are bases; each plugin's ``extend_core_types``
mixins are merged into them, and every ``extend_query``/``extend_mutation`` type into the roots.
Before anything is merged, every contributed name is claimed by its owner: two owners claiming one
name is a :class:`core.PluginError` naming both and the name.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import strawberry
from strawberry.exceptions import DuplicatedTypeName
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.name_converter import NameConverter

from core.db import unavailable
from core.errors import PluginError
from schema import composed
from schema.access import AccessGate
from schema.audit_hooks import watch_mutations
from schema.query_errors import is_expected
from schema.types.initiatives import InitiativeBase
from schema.types.people import PersonBase
from schema.types.postings import PostingBase
from schema.types.units import UnitBase

log = logging.getLogger("yixian")

CORE_TYPES: dict[str, type] = {
    "Unit": UnitBase,
    "Person": PersonBase,
    "Posting": PostingBase,
    "Initiative": InitiativeBase,
}


@dataclass
class Claims:
    """Who owns each contributed name (``Query.units``, ``Person.jointReviews``…)."""

    owners: dict[str, str] = field(default_factory=dict)

    def claim(self, name: str, owner: str) -> None:
        other = self.owners.get(name)
        if other is not None and other != owner:
            raise PluginError(
                f"plugins {other} and {owner} both define {name}: rename it in one of them "
                "(prefix it with the scheme's name)",
                owner,
            )
        self.owners[name] = owner


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _require_type(owner: str, hook: str, value: Any) -> type:
    if not hasattr(value, "__strawberry_definition__"):
        raise PluginError(
            f"plugin {owner}: {hook}() must return @strawberry.type classes, got {value!r}", owner
        )
    return value


def _field_names(t: type) -> Iterable[str]:
    converter = NameConverter()
    for f in t.__strawberry_definition__.fields:
        yield converter.get_graphql_name(f)


def _owner_of(cls: type | None, registry: Any) -> str:
    if cls is None:
        return "?"
    module = cls.__module__
    best = ("core", 0)
    for key, plugin in registry.plugins.items():
        package = (
            plugin.module.__name__.rsplit(".", 1)[0]
            if "." in plugin.module.__name__
            else plugin.module.__name__
        )
        if (module == plugin.module.__name__ or module.startswith(package + ".")) and len(
            package
        ) > best[1]:
            best = (key, len(package))
    if module.startswith(("schema.", "core.")) and best[1] == 0:
        return "core"
    return best[0]


def merge(name: str, parts: tuple[type, ...], description: str | None) -> type:
    """One strawberry type with the fields of every part (names were claimed beforehand)."""
    return strawberry.type(type(name, parts, {}), name=name, description=description)


def error_code_enum(registry: Any, claims: Claims) -> type[enum.Enum]:
    members: dict[str, Any] = {}
    for key, codes in registry.call_each("register_error_codes"):
        for code, description in dict(codes).items():
            claims.claim(f"ErrorCode.{code}", key)
            members[code] = strawberry.enum_value(code, description=description)
    codes_enum = enum.Enum("ErrorCode", members)  # type: ignore[misc]
    return strawberry.enum(
        codes_enum,
        description="Why a mutation refused its input. Plugins add codes of their own.",
    )


class EndOfRequest(SchemaExtension):
    """When the operation ends: record the unmasked reads of personal information, close the
    request's read session."""

    async def on_operation(self):  # type: ignore[override]
        yield
        context = self.execution_context.context
        if hasattr(context, "finish"):
            await context.finish(self.execution_context.operation_name)


class Schema(strawberry.Schema):
    """Strawberry's schema, logging only unexpected errors (bugs) with their traceback."""

    def process_errors(self, errors, execution_context=None) -> None:
        unexpected = []
        for error in errors:
            if is_expected(error):
                continue
            if unavailable(error.original_error) is not None:
                # a busy or unreachable database is not a bug: one line, not a traceback
                log.warning("%s: database unavailable (%r)", error.path, error.original_error)
                continue
            unexpected.append(error)
        super().process_errors(unexpected, execution_context)


@dataclass
class BuiltSchema:
    schema: strawberry.Schema
    owners: dict[str, str]


def compose(
    registry: Any, extensions: Sequence[Any] = (), config: StrawberryConfig | None = None
) -> BuiltSchema:
    claims = Claims()
    for type_name, base in CORE_TYPES.items():
        for name in _field_names(base):
            claims.claim(f"{type_name}.{name}", "core")

    mixins: dict[str, list[type]] = {name: [] for name in CORE_TYPES}
    for key, extension in registry.call_each("extend_core_types"):
        if not isinstance(extension, dict):
            raise PluginError(
                f"plugin {key}: extend_core_types() must return a dict such as "
                "{'Person': PersonFields}",
                key,
            )
        for type_name, mixin_value in extension.items():
            if type_name not in CORE_TYPES:
                raise PluginError(
                    f"plugin {key}: extend_core_types() names {type_name!r}; core types that can "
                    f"be extended are {', '.join(CORE_TYPES)}",
                    key,
                )
            for mixin in _as_list(mixin_value):
                _require_type(key, "extend_core_types", mixin)
                for name in _field_names(mixin):
                    claims.claim(f"{type_name}.{name}", key)
                mixins[type_name].append(mixin)

    roots: dict[str, list[type]] = {"Query": [], "Mutation": []}
    for root, hook in (("Query", "extend_query"), ("Mutation", "extend_mutation")):
        for key, value in registry.call_each(hook):
            for part in _as_list(value):
                _require_type(key, hook, part)
                for name in _field_names(part):
                    claims.claim(f"{root}.{name}", key)
                roots[root].append(part)

    extra_types: list[type] = []
    for key, value in registry.call_each("register_types"):
        for t in _as_list(value):
            definition = getattr(t, "__strawberry_definition__", None)
            if definition is not None:
                claims.claim(f"type {definition.name}", key)
            extra_types.append(t)

    composed.ErrorCode = error_code_enum(registry, claims)
    final_types = []
    for type_name, base in CORE_TYPES.items():
        final = merge(
            type_name, (base, *mixins[type_name]), base.__strawberry_definition__.description
        )
        setattr(composed, type_name, final)
        final_types.append(final)

    query = merge(
        "Query", tuple(roots["Query"]), "Every read: the core's lists and plugins' fields."
    )
    mutation = (
        merge("Mutation", tuple(roots["Mutation"]), "Every write; payloads carry typed errors.")
        if roots["Mutation"]
        else None
    )
    watch_mutations(mutation)
    try:
        schema = Schema(
            query=query,
            mutation=mutation,
            types=[*final_types, *extra_types],
            extensions=[EndOfRequest, AccessGate, *extensions],
            config=config or StrawberryConfig(),
        )
    except DuplicatedTypeName as exc:
        first, second = _owner_of(exc.first_cls, registry), _owner_of(exc.second_cls, registry)
        raise PluginError(
            f"plugins {first} and {second} both define the type "
            f"{exc.message.split()[1]}: rename it in one of them (prefix it with the scheme's "
            "name)",
            second,
        ) from exc
    return BuiltSchema(schema=schema, owners=claims.owners)


def sdl(schema: strawberry.Schema) -> str:
    return schema.as_str() + "\n"


__all__ = ["BuiltSchema", "compose", "sdl"]
