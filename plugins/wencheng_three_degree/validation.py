"""The plugin's say on core commands: a trial posting ends with its record, not on its own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from core import Problem

from .models import ReserveCadre, State


async def check_command(command: str, data: Mapping[str, Any], session: Any) -> list[Problem]:
    if command != "endPosting":
        return []
    state = (
        await session.execute(
            select(ReserveCadre.state).where(ReserveCadre.trial_posting_id == data["posting_id"])
        )
    ).scalar_one_or_none()
    if state is State.TRIAL:
        return [
            Problem(
                "THREE_DEGREE_TRIAL_POSTING",
                "this posting is the trial post (试岗) of a reserve cadre on trial: end it with "
                "threeDegreePool or threeDegreeReject, which keep the record in step",
                "id",
            )
        ]
    return []
