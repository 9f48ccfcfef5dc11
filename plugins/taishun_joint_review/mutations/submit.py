"""``submitJointReviewBatch``: a town submits candidates; requests fan out at once."""

from __future__ import annotations

import datetime

import strawberry

from core import Problem
from schema.errors import UserError, mutation_payload

from .. import commands
from ..types import JointReviewBatch, batch_type


@strawberry.input(description="A candidate (初步人选) and the post proposed.")
class JointReviewCandidateInput:
    person_id: strawberry.ID = strawberry.field(description="The person's global ID.")
    post: str = strawberry.field(description="The post proposed, e.g. 村党组织书记.")
    village_code: str | None = strawberry.field(
        default=None, description="The village or community of the post, under the town."
    )


@strawberry.input(description="A batch of candidates for an election.")
class SubmitJointReviewBatchInput:
    unit_code: str = strawberry.field(description="The submitting town or street.")
    initiative_code: str = strawberry.field(
        description="The election initiative, run by the town or a unit above it."
    )
    candidates: list[JointReviewCandidateInput]
    title: str | None = strawberry.field(default=None, description="Default: 罗阳镇第1批…")
    submitted_at: datetime.datetime | None = strawberry.field(
        default=None,
        description="ADMIN only: when a batch received on paper was submitted (default: now).",
    )


@strawberry.type
class SubmitJointReviewBatchPayload:
    batch: JointReviewBatch | None = None
    errors: list[UserError]


DUPLICATE = Problem(
    "JOINT_REVIEW_DUPLICATE_CANDIDATE",
    "a candidate was submitted for the same election at the same moment; submit again",
    "candidates",
)


@strawberry.type
class SubmitBatchMutation:
    @strawberry.mutation(
        description="泰顺 云联审: a town submits candidates for an election; one review request "
        "per candidate goes to every member department of the county at once, due in 2.5 "
        "working days by default. Needs write scope over the town (its OPERATOR) or ADMIN."
    )
    async def submit_joint_review_batch(
        self, info: strawberry.Info, input: SubmitJointReviewBatchInput
    ) -> SubmitJointReviewBatchPayload:
        async def work(ctx):
            candidates = [
                commands.CandidateInput(
                    person_id=commands.decode(c.person_id, "Person", f"candidates.{i}.personId"),
                    post=c.post,
                    village_code=c.village_code,
                )
                for i, c in enumerate(input.candidates)
            ]
            row = await commands.submit_batch(
                ctx,
                unit_code=input.unit_code,
                initiative_code=input.initiative_code,
                title=input.title,
                candidates=candidates,
                submitted_at=input.submitted_at,
            )
            return batch_type(row)

        return await mutation_payload(
            SubmitJointReviewBatchPayload,
            commands.run(info, work, on_integrity_error=DUPLICATE),
            "batch",
        )
