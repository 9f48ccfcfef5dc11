"""``recordJointReviewVerdict``: a department's reviewer records or amends its verdict."""

from __future__ import annotations

import strawberry

from schema.errors import UserError, mutation_payload

from .. import commands, loaders
from ..types import JointReviewRequest, VerdictEnum, request_type


@strawberry.input(description="A department's verdict on a candidate.")
class RecordJointReviewVerdictInput:
    candidate_id: strawberry.ID = strawberry.field(description="The candidate's global ID.")
    verdict: VerdictEnum
    reason: str | None = strawberry.field(
        default=None, description="Required for CONCERN and DISQUALIFY."
    )
    rule: str | None = strawberry.field(
        default=None, description="Required for DISQUALIFY: the rule the candidate breaks."
    )
    department_code: str | None = strawberry.field(
        default=None,
        description="The department answering; default: the one you review for. Admins give it.",
    )


@strawberry.type
class RecordJointReviewVerdictPayload:
    request: JointReviewRequest | None = None
    errors: list[UserError]


@strawberry.type
class RecordVerdictMutation:
    @strawberry.mutation(
        description="泰顺 云联审: record the verdict of your department on a candidate, or amend "
        "it while the candidate is open (every version is kept). The candidate concludes when "
        "the last department answers. Needs the reviewer role at the department, and at no "
        "other (JOINT_REVIEW_ONE_DEPARTMENT), or ADMIN. A candidate you may not know is "
        "NOT_FOUND, like an unknown id."
    )
    async def record_joint_review_verdict(
        self, info: strawberry.Info, input: RecordJointReviewVerdictInput
    ) -> RecordJointReviewVerdictPayload:
        async def work(ctx):
            row = await commands.record(
                ctx,
                candidate_id=commands.decode(
                    input.candidate_id, "JointReviewCandidate", "candidateId"
                ),
                department_code=input.department_code,
                verdict=input.verdict,
                reason=input.reason,
                rule=input.rule,
            )
            return row.id

        async def payload():
            request_id = await commands.run(info, work)
            row = await info.context.loader(loaders.requests_by_id).load(request_id)
            return request_type(info, row) if row else None

        return await mutation_payload(RecordJointReviewVerdictPayload, payload(), "request")
