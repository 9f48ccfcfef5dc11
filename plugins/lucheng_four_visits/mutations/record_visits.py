"""``recordFourVisitsVisits``: a phone's offline backlog in one request, each visit on its own."""

from __future__ import annotations

import strawberry

from core import DomainError
from schema.errors import UserError, user_errors

from ..types import FourVisitsVisit
from ..visits import RecordFourVisitsVisitInput, record_visit

#: The most visits one request may carry; a longer backlog goes in parts.
MAX_BATCH = 200


@strawberry.input(description="A phone's offline backlog.")
class RecordFourVisitsVisitsInput:
    visits: list[RecordFourVisitsVisitInput] = strawberry.field(
        description=f"At most {MAX_BATCH} visits, each with its own clientKey."
    )


@strawberry.type(description="What became of one visit of the backlog.")
class RecordFourVisitsVisitsItem:
    client_key: str
    visit: FourVisitsVisit | None = None
    replayed: bool = strawberry.field(
        default=False, description="Already recorded under this key: nothing was written."
    )
    errors: list[UserError] = strawberry.field(
        description="Why this visit was refused (field paths start with visits.<index>)."
    )


@strawberry.type(description="One result per visit, in the order sent.")
class RecordFourVisitsVisitsPayload:
    results: list[RecordFourVisitsVisitsItem] = strawberry.field(default_factory=list)
    errors: list[UserError] = strawberry.field(
        description="Refusals of the request as a whole (too many visits)."
    )


def _prefixed(exc: DomainError, index: int) -> list[UserError]:
    errors = user_errors(exc)
    for error in errors:
        error.field = f"visits.{index}.{error.field}" if error.field else f"visits.{index}"
    return errors


@strawberry.type
class RecordFourVisitsVisitsMutation:
    @strawberry.mutation(
        description="鹿城 四访四问: upload a phone's offline backlog. Each visit is written in a "
        "transaction of its own and succeeds or fails alone; resend the failed ones after fixing "
        "them, and any with a lost answer as they are (their keys make that safe)."
    )
    async def record_four_visits_visits(
        self, info: strawberry.Info, input: RecordFourVisitsVisitsInput
    ) -> RecordFourVisitsVisitsPayload:
        if len(input.visits) > MAX_BATCH:
            problem = DomainError.one(
                "FOUR_VISITS_BATCH_TOO_LARGE",
                f"{len(input.visits)} visits in one batch; send at most {MAX_BATCH} at a time",
                "visits",
            )
            return RecordFourVisitsVisitsPayload(errors=user_errors(problem))
        results = []
        for index, item in enumerate(input.visits):
            try:
                recorded = await record_visit(info, item)
            except DomainError as exc:
                results.append(
                    RecordFourVisitsVisitsItem(
                        client_key=item.client_key, errors=_prefixed(exc, index)
                    )
                )
                continue
            results.append(
                RecordFourVisitsVisitsItem(
                    client_key=item.client_key,
                    visit=recorded.visit,
                    replayed=recorded.replayed,
                    errors=[],
                )
            )
        return RecordFourVisitsVisitsPayload(results=results, errors=[])
