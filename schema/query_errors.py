"""Errors of queries (not mutations): GraphQL errors with ``extensions.code`` and ``field``."""

from __future__ import annotations

from graphql import GraphQLError


class QueryError(GraphQLError):
    """An expected failure of a query: shown to the client as is (never masked)."""

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message, extensions={"code": code, "field": field})
