"""Filter inputs of the root lists and the conditions they make. Every filter takes ``underUnit``:
the code of a unit whose whole subtree the list is limited to."""

from __future__ import annotations

import datetime

import strawberry
from sqlalchemy import ColumnElement, Select, select

from core.units.models import Unit
from core.units.tree import in_subtree
from schema.query_errors import QueryError
from schema.types.enums import (
    InitiativeKindEnum,
    InitiativeStatusEnum,
    PoliticalStatusEnum,
    PostingRoleEnum,
    PostingStatusEnum,
    RankEnum,
    UnitKindEnum,
)

UNDER_UNIT = "A unit code: only what lies in that unit's subtree (the unit itself included)."


async def unit_id_for(info: strawberry.Info, code: str, field: str = "underUnit") -> int:
    unit_id = await info.context.scalar(select(Unit.id).where(Unit.code == code))
    if unit_id is None:
        raise QueryError("NOT_FOUND", f"no unit has the code {code!r}", field)
    return unit_id


async def under(
    info: strawberry.Info, column, code: str | None, field: str = "filter.underUnit"
) -> list[ColumnElement[bool]]:
    if code is None:
        return []
    return [in_subtree(column, await unit_id_for(info, code, field))]


#: The longest text a ``search`` (or ``tag``) filter takes: no name is longer than 200
#: characters, and SQLite refuses LIKE patterns over 50,000 bytes.
MAX_SEARCH_LENGTH = 200


def searchable(text: str | None, field: str) -> str | None:
    if text is not None and len(text) > MAX_SEARCH_LENGTH:
        raise QueryError(
            "INVALID",
            f"{field} is {len(text)} characters long; search for at most {MAX_SEARCH_LENGTH}",
            field,
        )
    return text


def search_condition(column, text: str | None) -> list[ColumnElement[bool]]:
    """``column`` contains ``text`` (its length is checked by the filter inputs: ``searchable``)."""
    if not text:
        return []
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return [column.like(f"%{escaped}%", escape="\\")]


@strawberry.input(description="Which units to list.")
class UnitFilter:
    under_unit: str | None = strawberry.field(default=None, description=UNDER_UNIT)
    kind: UnitKindEnum | None = None
    search: str | None = strawberry.field(default=None, description="Part of the name, e.g. 镇.")

    def __post_init__(self):
        searchable(self.search, "filter.search")


@strawberry.input(description="Which people to list.")
class PersonFilter:
    under_unit: str | None = strawberry.field(
        default=None, description=UNDER_UNIT + " Matches the person's home unit."
    )
    political_status: PoliticalStatusEnum | None = None
    rank: RankEnum | None = None
    tag: str | None = None
    search: str | None = strawberry.field(default=None, description="Part of the name.")

    def __post_init__(self):
        searchable(self.search, "filter.search")
        searchable(self.tag, "filter.tag")


@strawberry.input(description="Which postings to list.")
class PostingFilter:
    under_unit: str | None = strawberry.field(
        default=None, description=UNDER_UNIT + " Matches the host unit."
    )
    status: PostingStatusEnum | None = None
    role: PostingRoleEnum | None = None
    initiative_code: str | None = None
    person_id: strawberry.ID | None = None


@strawberry.input(description="Which initiatives to list.")
class InitiativeFilter:
    under_unit: str | None = strawberry.field(
        default=None, description=UNDER_UNIT + " Matches the owner unit."
    )
    kind: InitiativeKindEnum | None = None
    status: InitiativeStatusEnum | None = None
    scheme: str | None = None


@strawberry.input(description="Which observations to list.")
class ObservationFilter:
    under_unit: str | None = strawberry.field(default=None, description=UNDER_UNIT)
    metric: str | None = strawberry.field(default=None, description="A metric code.")
    date_from: datetime.date | None = strawberry.field(
        default=None, name="from", description="Periods starting on or after this day."
    )
    date_to: datetime.date | None = strawberry.field(
        default=None, name="to", description="Periods starting on or before this day."
    )
    initiative_code: str | None = None


def ordered(statement: Select, *columns) -> Select:
    return statement.order_by(*columns)
