"""``confirmNegativeListEntry``: a vetter confirms a PENDING entry; other plugins hear it."""

from __future__ import annotations

import strawberry

from schema.errors import UserError, mutation_payload

from ..negative_list import settle
from ..types import NegativeListEntry


@strawberry.input
class SettleNegativeListEntryInput:
    entry_id: strawberry.ID
    reason: str = strawberry.field(description="Why: what the vetting found.")


@strawberry.type
class SettleNegativeListEntryPayload:
    entry: NegativeListEntry | None = None
    errors: list[UserError]


@strawberry.type
class ConfirmNegativeListEntryMutation:
    @strawberry.mutation(
        description="鹿城 负面清单: confirm a PENDING entry, with a reason (vetters and admins). "
        "Publishes lucheng.four_visits.negative_entry_confirmed."
    )
    async def confirm_negative_list_entry(
        self, info: strawberry.Info, input: SettleNegativeListEntryInput
    ) -> SettleNegativeListEntryPayload:
        return await mutation_payload(
            SettleNegativeListEntryPayload,
            info.context.run(lambda ctx: settle(ctx, input.entry_id, input.reason, confirm=True)),
            "entry",
        )
