"""``clearFourVisitsNegativeListEntry``: a vetter clears an entry; it stays on record."""

from __future__ import annotations

import strawberry

from schema.errors import mutation_payload

from ..negative_list import settle
from .confirm_negative_entry import (
    SettleFourVisitsNegativeListEntryInput,
    SettleFourVisitsNegativeListEntryPayload,
)


@strawberry.type
class ClearFourVisitsNegativeListEntryMutation:
    @strawberry.mutation(
        description="鹿城 负面清单: clear a PENDING or CONFIRMED entry, with a reason (vetters and "
        "admins). The entry is kept, marked CLEARED."
    )
    async def clear_four_visits_negative_list_entry(
        self, info: strawberry.Info, input: SettleFourVisitsNegativeListEntryInput
    ) -> SettleFourVisitsNegativeListEntryPayload:
        return await mutation_payload(
            SettleFourVisitsNegativeListEntryPayload,
            info.context.run(lambda ctx: settle(ctx, input.entry_id, input.reason, confirm=False)),
            "entry",
        )
