"""Relay connections paginated by the database: ``first``/``after`` with ``totalCount``."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy import Select, func, select
from strawberry import relay
from strawberry.relay.utils import from_base64, to_base64

from core.errors import DomainError
from schema.query_errors import QueryError

NodeType = TypeVar("NodeType")
CURSOR_PREFIX = "offset"


@strawberry.type(description="A page of a list, with Relay edges and the total number of items.")
class Connection(relay.Connection[NodeType], Generic[NodeType]):
    total_count: int = strawberry.field(
        description="How many items match, over all pages (within your scope)."
    )


def encode_cursor(offset: int) -> str:
    return to_base64(CURSOR_PREFIX, offset)


def decode_cursor(cursor: str) -> int:
    try:
        prefix, value = from_base64(cursor)
        offset = int(value)
    except ValueError as exc:
        raise InvalidCursor(cursor) from exc
    if prefix != CURSOR_PREFIX or offset < 0:
        raise InvalidCursor(cursor)
    return offset


class InvalidCursor(ValueError):
    def __init__(self, cursor: str):
        super().__init__(f"the cursor {cursor!r} was not issued by this list")


class PageSizeError(ValueError):
    pass


def page_window(settings: Any, first: int | None, after: str | None) -> tuple[int, int]:
    limit = settings.default_page_size if first is None else first
    if limit < 0:
        raise PageSizeError("first must not be negative")
    if limit > settings.max_page_size:
        raise PageSizeError(
            f"first may be at most {settings.max_page_size}; ask for the next page with `after`"
        )
    offset = decode_cursor(after) + 1 if after else 0
    return offset, limit


async def paginate(
    info: strawberry.Info, statement: Select, first: int | None, after: str | None
) -> Connection[Any]:
    """Page ``statement`` (already filtered and ordered) with two queries: count and slice."""
    ctx = info.context
    try:
        offset, limit = page_window(ctx.settings, first, after)
    except InvalidCursor as exc:
        raise QueryError("BAD_CURSOR", str(exc), "after") from exc
    except PageSizeError as exc:
        raise QueryError("PAGE_SIZE", str(exc), "first") from exc
    total = (
        await ctx.execute(select(func.count()).select_from(statement.order_by(None).subquery()))
    ).scalar_one()
    rows = await ctx.scalars(statement.offset(offset).limit(limit)) if limit else []
    edges = [
        relay.Edge(node=row, cursor=encode_cursor(offset + index)) for index, row in enumerate(rows)
    ]
    return Connection(
        edges=edges,
        page_info=relay.PageInfo(
            has_next_page=offset + len(rows) < total,
            has_previous_page=offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=total,
    )


__all__ = ["Connection", "DomainError", "paginate"]
