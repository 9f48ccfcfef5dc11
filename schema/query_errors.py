"""Errors of queries (not mutations): GraphQL errors with ``extensions.code`` and ``field``."""

from __future__ import annotations

from graphql import GraphQLError


class QueryError(GraphQLError):
    """An expected failure of a query: shown to the client as is (never masked)."""

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message, extensions={"code": code, "field": field})


def is_expected(error: GraphQLError) -> bool:
    """Errors that are about the request (validation, query errors, typed refusals, permission):
    shown to the client as they are and not logged as failures. Anything else is a bug."""
    from core.errors import DomainError

    original = error.original_error
    if original is None:
        return True
    if isinstance(original, (QueryError, DomainError)):
        return True
    return isinstance(original, GraphQLError) and original.original_error is None
