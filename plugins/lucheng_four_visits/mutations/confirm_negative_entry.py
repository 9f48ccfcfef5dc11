"""``confirmFourVisitsNegativeListEntry``: a vetter confirms a PENDING entry; plugins hear it."""

from __future__ import annotations

import strawberry

from schema.errors import UserError, mutation_payload

from ..negative_list import settle
from ..types import FourVisitsNegativeListEntry


@strawberry.input
class SettleFourVisitsNegativeListEntryInput:
    entry_id: strawberry.ID
    reason: str = strawberry.field(description="Why: what the vetting found.")


@strawberry.type
class SettleFourVisitsNegativeListEntryPayload:
    entry: FourVisitsNegativeListEntry | None = None
    errors: list[UserError]


@strawberry.type
class ConfirmFourVisitsNegativeListEntryMutation:
    @strawberry.mutation(
        description="鹿城 负面清单: confirm a PENDING entry, with a reason (vetters and admins). "
        "Publishes lucheng.four_visits.negative_entry_confirmed."
    )
    async def confirm_four_visits_negative_list_entry(
        self, info: strawberry.Info, input: SettleFourVisitsNegativeListEntryInput
    ) -> SettleFourVisitsNegativeListEntryPayload:
        return await mutation_payload(
            SettleFourVisitsNegativeListEntryPayload,
            info.context.run(lambda ctx: settle(ctx, input.entry_id, input.reason, confirm=True)),
            "entry",
        )
