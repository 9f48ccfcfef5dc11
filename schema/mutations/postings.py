from __future__ import annotations

import datetime
import enum

import strawberry

from core.errors import Problem
from core.postings import services
from core.postings.models import PostingStatus
from schema.errors import UserError, mutation_payload
from schema.ids import decode_id
from schema.refs import LazyPosting
from schema.types.enums import PostingRoleEnum


@strawberry.input(description="Send a person to a host unit.")
class StartPostingInput:
    person_id: strawberry.ID
    host_unit_code: str
    role: PostingRoleEnum
    start_date: datetime.date = strawberry.field(
        description="A start in the future makes the posting PLANNED; otherwise it is ACTIVE."
    )
    end_date: datetime.date | None = strawberry.field(default=None, description="Planned end.")
    title: str | None = None
    initiative_code: str | None = None


@strawberry.enum(description="How a posting ends.")
class PostingOutcome(enum.Enum):
    COMPLETED = "COMPLETED"
    RECALLED = "RECALLED"


@strawberry.input(description="End a posting: completed (期满) or recalled (召回, with a reason).")
class EndPostingInput:
    id: strawberry.ID
    outcome: PostingOutcome
    end_date: datetime.date
    recall_reason: str | None = None
    expected_version: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="The version you read (`version`): the change is refused with "
        "VERSION_CONFLICT if someone changed the record since.",
    )


@strawberry.type
class PostingPayload:
    posting: LazyPosting | None = None
    errors: list[UserError]


ACTIVE_CLASH = Problem(
    "CONFLICT", "the person already has an ACTIVE posting at this unit in this role", "role"
)


@strawberry.type
class PostingMutations:
    @strawberry.mutation(description="Start a posting (挂职/下沉/驻村).")
    async def start_posting(
        self, info: strawberry.Info, input: StartPostingInput
    ) -> PostingPayload:
        async def work(ctx):
            return await services.start_posting(
                ctx,
                person_id=decode_id(input.person_id, "Person", "personId"),
                host_unit_code=input.host_unit_code,
                role=input.role,
                start_date=input.start_date,
                end_date=input.end_date,
                title=input.title,
                initiative_code=input.initiative_code,
            )

        return await mutation_payload(
            PostingPayload, info.context.run(work, on_integrity_error=ACTIVE_CLASH), "posting"
        )

    @strawberry.mutation(description="End a posting.")
    async def end_posting(self, info: strawberry.Info, input: EndPostingInput) -> PostingPayload:
        async def work(ctx):
            return await services.end_posting(
                ctx,
                posting_id=decode_id(input.id, "Posting", "id"),
                outcome=PostingStatus(input.outcome.value),
                end_date=input.end_date,
                recall_reason=input.recall_reason,
                expected_version=input.expected_version,
            )

        return await mutation_payload(PostingPayload, info.context.run(work), "posting")
