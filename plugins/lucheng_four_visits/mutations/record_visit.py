"""``recordFourVisitsVisit``: one visit from a phone, idempotent under its client key."""

from __future__ import annotations

import strawberry

from core import DomainError
from schema.errors import UserError, user_errors

from ..types import FourVisitsVisit
from ..visits import RecordFourVisitsVisitInput, record_visit


@strawberry.type(description="The visit recorded (or found again under its key), or why not.")
class RecordFourVisitsVisitPayload:
    visit: FourVisitsVisit | None = None
    replayed: bool = strawberry.field(
        default=False,
        description="True when the key was already used for this same visit: nothing was "
        "written and the first visit is returned.",
    )
    errors: list[UserError]


@strawberry.type
class RecordFourVisitsVisitMutation:
    @strawberry.mutation(
        description="鹿城 四访四问: record a visit. Send it again with the same clientKey until an "
        "answer arrives: the visit is written once."
    )
    async def record_four_visits_visit(
        self, info: strawberry.Info, input: RecordFourVisitsVisitInput
    ) -> RecordFourVisitsVisitPayload:
        try:
            recorded = await record_visit(info, input)
        except DomainError as exc:
            return RecordFourVisitsVisitPayload(errors=user_errors(exc))
        return RecordFourVisitsVisitPayload(
            visit=recorded.visit, replayed=recorded.replayed, errors=[]
        )
