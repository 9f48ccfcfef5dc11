"""``withdrawJointReviewCandidate``: the town takes a candidate back before conclusion."""

from __future__ import annotations

import strawberry

from schema.errors import UserError, mutation_payload

from .. import commands
from ..types import JointReviewCandidate, candidate_type


@strawberry.input(description="A candidate to withdraw, and why.")
class WithdrawJointReviewCandidateInput:
    candidate_id: strawberry.ID
    reason: str


@strawberry.type
class WithdrawJointReviewCandidatePayload:
    candidate: JointReviewCandidate | None = None
    errors: list[UserError]


@strawberry.type
class WithdrawCandidateMutation:
    @strawberry.mutation(
        description="泰顺 云联审: withdraw an open candidate, with the reason; its pending "
        "requests close. Needs write scope over the batch's town (or ADMIN)."
    )
    async def withdraw_joint_review_candidate(
        self, info: strawberry.Info, input: WithdrawJointReviewCandidateInput
    ) -> WithdrawJointReviewCandidatePayload:
        async def work(ctx):
            row = await commands.withdraw_candidate(
                ctx,
                candidate_id=commands.decode(
                    input.candidate_id, "JointReviewCandidate", "candidateId"
                ),
                reason=input.reason,
            )
            return candidate_type(row)

        return await mutation_payload(
            WithdrawJointReviewCandidatePayload, commands.run(info, work), "candidate"
        )
