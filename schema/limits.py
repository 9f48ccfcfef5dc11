"""Limits on what one operation may ask: its estimated cost."""

from __future__ import annotations

import math
import re
from typing import Any

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, OperationDefinitionNode
from graphql.language import IntValueNode, VariableNode
from strawberry.extensions import SchemaExtension

from schema.query_errors import QueryError

#: A list field without a ``first`` argument (``children``, ``postings``) is costed as this many.
LIST_GUESS = 10


def _page_size(field: FieldNode, variables: dict[str, Any], default: int) -> int | None:
    for argument in field.arguments or ():
        if argument.name.value in ("first", "limit"):
            value = argument.value
            if isinstance(value, IntValueNode):
                return int(value.value)
            if isinstance(value, VariableNode):
                given = variables.get(value.name.value)
                return int(given) if isinstance(given, int) else default
    return None


def estimate_cost(
    document: Any, variables: dict[str, Any] | None, operation_name: str | None, default_page: int
) -> int:
    """1 per field, times the page size asked (``first``) for everything below a list.

    ``{ units(first: 100) { edges { node { postings { person { name } } } } } }`` costs about
    1 + 100 × (edges, node, postings ×10 × (person, name)).
    """
    variables = variables or {}
    fragments = {
        d.name.value: d
        for d in document.definitions
        if d.__class__.__name__ == "FragmentDefinitionNode"
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        operations = [o for o in operations if o.name and o.name.value == operation_name]

    def cost(selections, seen: frozenset[str]) -> int:
        total = 0
        for node in selections:
            if isinstance(node, FieldNode):
                if node.name.value.startswith("__"):
                    continue
                below = cost(node.selection_set.selections, seen) if node.selection_set else 0
                size = _page_size(node, variables, default_page)
                if size is None and node.selection_set and node.name.value in LISTISH:
                    size = LIST_GUESS
                total += 1 + (size or 1) * below
            elif isinstance(node, InlineFragmentNode):
                total += cost(node.selection_set.selections, seen)
            elif isinstance(node, FragmentSpreadNode):
                name = node.name.value
                if name in fragments and name not in seen:
                    total += cost(fragments[name].selection_set.selections, seen | {name})
        return total

    return max((cost(o.selection_set.selections, frozenset()) for o in operations[:1]), default=0)


#: Field names that return lists without paging arguments, costed as LIST_GUESS items.
LISTISH = {"children", "ancestors", "postings", "metrics", "metricSeries"}


class QueryCostLimit(SchemaExtension):
    """Refuse an operation whose estimated cost exceeds ``YIXIAN_MAX_QUERY_COST``."""

    def on_execute(self):  # type: ignore[override]
        ec = self.execution_context
        if ec.graphql_document is not None:
            settings = ec.context.settings
            cost = estimate_cost(
                ec.graphql_document, ec.variables, ec.operation_name, settings.default_page_size
            )
            if cost > settings.max_query_cost:
                raise QueryError(
                    "QUERY_TOO_COSTLY",
                    f"this query would cost about {cost} (limit {settings.max_query_cost}): "
                    "ask for smaller pages (`first`) or fewer nested lists",
                )
        yield


def _strings_and_numbers(value: Any) -> tuple[list[str], list[float]]:
    """Every string and float in a variables value (iteratively; its depth is limited anyway)."""
    strings: list[str] = []
    numbers: list[float] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            strings.append(item)
        elif isinstance(item, float):
            numbers.append(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return strings, numbers


def variable_depth(value: Any) -> int:
    """Nesting of lists and objects in a value: 0 for a scalar, 1 for ``[1]``, 2 for ``[[1]]``."""
    deepest = 0
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            depth += 1
            deepest = max(deepest, depth)
            stack.extend((v, depth) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


_SURROGATE = re.compile("[\ud800-\udfff]")


class NoNulCharacters(SchemaExtension):
    """Refuse, before anything runs, input no backend can store, in literals and variables
    alike: text with NUL characters (``\\u0000``, PostgreSQL refuses it outright) or lone
    surrogates (``\\ud800``, not Unicode: no driver can encode it), numbers that are not finite
    (NaN, Infinity, a literal such as ``1e400`` that overflows a Float), and variables nested
    deeper than ``YIXIAN_MAX_VARIABLE_DEPTH``."""

    def on_execute(self):  # type: ignore[override]
        ec = self.execution_context
        document = ec.graphql_document
        strings: list[str] = []
        numbers: list[float] = []
        if document is not None:
            from graphql import FloatValueNode, StringValueNode, visit
            from graphql.language import Visitor

            class Collect(Visitor):
                def enter_string_value(self, node: StringValueNode, *_args):
                    strings.append(node.value)

                def enter_float_value(self, node: FloatValueNode, *_args):
                    numbers.append(float(node.value))

            visit(document, Collect())
        variables = ec.variables or {}
        limit = getattr(ec.context.settings, "max_variable_depth", None)
        if limit is not None:
            for name, value in variables.items():
                if variable_depth(value) > limit:
                    raise QueryError(
                        "INVALID",
                        f"${name} nests lists and objects deeper than {limit} levels",
                        name,
                    )
        given_strings, given_numbers = _strings_and_numbers(variables)
        strings += given_strings
        numbers += given_numbers
        if any("\x00" in s for s in strings):
            raise QueryError("INVALID", "text must not contain NUL characters (\\u0000)")
        if any(_SURROGATE.search(s) for s in strings):
            raise QueryError(
                "INVALID", "text must not contain lone surrogates (\\ud800–\\udfff): not Unicode"
            )
        if any(not math.isfinite(n) for n in numbers):
            raise QueryError(
                "INVALID_VALUE",
                "numbers must be finite: NaN, Infinity and literals beyond ±1.8e308 "
                "(such as 1e400) are refused",
            )
        yield
