"""``setJointReviewMember``: flag a department as a joint-review member, or unflag it."""

from __future__ import annotations

import strawberry

from core import Unit
from schema.errors import UserError, mutation_payload

from .. import commands
from ..queries import member_type
from ..types import JointReviewMember


@strawberry.input(description="A department joining or leaving the joint review.")
class SetJointReviewMemberInput:
    department_code: str = strawberry.field(description="A DEPARTMENT unit, e.g. 330329D01.")
    member: bool = strawberry.field(
        default=True, description="False: new batches are no longer sent to it."
    )


@strawberry.type
class SetJointReviewMemberPayload:
    member: JointReviewMember | None = None
    errors: list[UserError]


@strawberry.type
class SetMemberMutation:
    @strawberry.mutation(
        description="泰顺 云联审: flag a department as a member (联审成员单位) or unflag it. "
        "Batches already submitted keep their departments. Membership is the county's "
        "decision: needs write scope over the department's county (its nearest DISTRICT, e.g. "
        "the county's OPERATOR) or ADMIN; an OPERATOR of the department itself is refused."
    )
    async def set_joint_review_member(
        self, info: strawberry.Info, input: SetJointReviewMemberInput
    ) -> SetJointReviewMemberPayload:
        async def work(ctx):
            row = await commands.set_member(
                ctx, department_code=input.department_code, member=input.member
            )
            unit = await ctx.session.get(Unit, row.department_id)
            return member_type(row, unit)

        return await mutation_payload(
            SetJointReviewMemberPayload, commands.run(info, work), "member"
        )
