"""Running saved queries: one function behind GraphQL, HTTP and the command line, so the three
give the same result, scoped to the runner's grants, and each run is an audit event."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    parse,
    print_ast,
    validate,
    value_from_ast_untyped,
)
from graphql.error import GraphQLSyntaxError
from sqlalchemy.ext.asyncio import async_sessionmaker

from core.access.scope import Scope
from core.audit.chain import append, digest
from core.errors import DomainError, Problem
from core.saved_queries.models import SavedQuery
from core.saved_queries.store import get_version
from core.saved_queries.tabular import rows as table_rows
from schema.context import Context

UNIT_VARIABLE = re.compile(r"(unit|Unit)(Code)?$|^under", re.ASCII)


def document_problems(schema: GraphQLSchema, document: str) -> list[Problem]:
    """Why a document cannot be saved: GraphQL errors against the live schema, or not one query."""
    try:
        tree = parse(document)
    except GraphQLSyntaxError as exc:
        return [Problem("INVALID_DOCUMENT", exc.message, "document")]
    problems = [Problem("INVALID_DOCUMENT", e.message, "document") for e in validate(schema, tree)]
    operations = [d for d in tree.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].operation is not OperationType.QUERY:
        problems.append(
            Problem(
                "INVALID_DOCUMENT",
                "a saved query is exactly one query operation (no mutations)",
                "document",
            )
        )
    return problems


def describe_variables(
    schema: GraphQLSchema, document: str, descriptions: dict[str, str]
) -> list[dict[str, Any]]:
    """The variables as the auditor fills them in: type, default, description, and a kind that
    tells the page to offer a choice (ENUM, UNIT_CODE) instead of free text."""
    tree = parse(document)
    operation = next(d for d in tree.definitions if isinstance(d, OperationDefinitionNode))
    found = []
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        type_text = print_ast(definition.type)
        named = type_text.strip("[]!")
        graphql_type = schema.get_type(named)
        kind, choices = "TEXT", None
        if isinstance(graphql_type, GraphQLEnumType):
            kind, choices = "ENUM", list(graphql_type.values)
        elif named in ("Int", "Float"):
            kind = "NUMBER"
        elif named == "Boolean":
            kind = "BOOLEAN"
        elif named in ("Date", "DateTime"):
            kind = "DATE"
        elif named in ("String", "ID") and UNIT_VARIABLE.search(name):
            kind = "UNIT_CODE"
        default = (
            value_from_ast_untyped(definition.default_value)
            if definition.default_value is not None
            else None
        )
        found.append(
            {
                "name": name,
                "type": type_text,
                "default": default,
                "description": descriptions.get(name),
                "kind": kind,
                "choices": choices,
                "required": type_text.endswith("!") and definition.default_value is None,
            }
        )
    return found


def variables_of(query: SavedQuery, schema: GraphQLSchema) -> list[dict[str, Any]]:
    """The stored description of the variables; for queries a plugin ships (stored without
    one), described from the document now."""
    if query.variables:
        return list(query.variables)
    return describe_variables(schema, query.document, {})


def coerce_text_variables(
    query: SavedQuery, given: dict[str, str], described: list[dict[str, Any]]
) -> dict[str, Any]:
    """Variables arriving as text (query string, command line) in the types the document wants."""
    known = {v["name"]: v for v in described}
    values: dict[str, Any] = {}
    for name, text in given.items():
        if name not in known:
            raise DomainError.one(
                "INVALID",
                f"{query.name} has no variable {name!r} (it has: {', '.join(known) or 'none'})",
                name,
            )
        kind, type_text = known[name]["kind"], known[name]["type"]
        try:
            if type_text.startswith("["):
                values[name] = [part.strip() for part in text.split(",") if part.strip()]
            elif kind == "NUMBER":
                values[name] = int(text) if type_text.strip("!") == "Int" else float(text)
            elif kind == "BOOLEAN":
                if text.lower() not in ("true", "false", "1", "0"):
                    raise ValueError(text)
                values[name] = text.lower() in ("true", "1")
            else:
                values[name] = text
        except ValueError as exc:
            raise DomainError.one(
                "INVALID", f"{name}: {text!r} is not a {type_text}", name
            ) from exc
    return values


@dataclass
class RunResult:
    name: str
    version: int
    title: str
    data: Any
    errors: list[dict[str, Any]]
    row_count: int
    digest: str
    event_seq: int


def may_run(query: SavedQuery, principal: Any) -> bool:
    if principal is None:
        return False
    if principal.admin:
        return True
    held = {role for role, _unit in principal.grants}
    return bool(held & set(query.roles or []))


async def run_saved_query(
    *,
    app_state: Any,
    principal: Any,
    name: str,
    version: int | None,
    variables: dict[str, Any] | None,
    channel: str,
    text_variables: bool = False,
) -> RunResult:
    """Run version ``version`` (latest when None) of ``name`` as ``principal``; append a
    QUERY_RUN event with the row count and the SHA-256 of the canonical result."""
    system: async_sessionmaker = app_state.sessionmaker
    async with system(info={"scope": Scope.everything()}) as session:
        query = await get_version(session, name, version, reader=principal)
    if query is None or not may_run(query, principal):
        # a query one may not read or run looks like one that does not exist
        raise DomainError.one(
            "NOT_FOUND",
            f"no saved query {name!r}" + (f" version {version}" if version else ""),
            "name",
        )
    if variables is not None and not isinstance(variables, dict):
        raise DomainError.one(
            "INVALID", 'variables must be an object: {"name": value}', "variables"
        )
    values = dict(variables or {})
    described = variables_of(query, app_state.schema._schema)
    if text_variables:
        values = coerce_text_variables(query, values, described)
    for variable in described:
        if variable["required"] and variable["name"] not in values:
            raise DomainError.one(
                "REQUIRED", f"variable {variable['name']} is required", variable["name"]
            )
    context = Context(
        sessionmaker=system,
        registry=app_state.registry,
        settings=app_state.settings,
        principal=principal,
    )
    result = await app_state.schema.execute(
        query.document, variable_values=values, context_value=context
    )
    data = result.data
    errors = [{"message": e.message, "extensions": e.extensions} for e in result.errors or []]
    _columns, table = table_rows(data)
    result_digest = digest(data)
    async with system(info={"scope": Scope.everything()}) as session:
        event = await append(
            session,
            actor=principal.name,
            kind="QUERY_RUN",
            name=query.name,
            channel=channel,
            version=query.version,
            document_hash=query.document_hash,
            variables=values,
            row_count=len(table),
            result_digest=result_digest,
            units=principal.read_roots,
        )
        await session.commit()
    return RunResult(
        query.name, query.version, query.title, data, errors, len(table), result_digest, event.seq
    )
