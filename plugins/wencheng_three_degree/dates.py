"""Calendar arithmetic the workflow needs."""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def trial_end(start: date, months: int) -> date:
    """The last day of a trial of ``months`` starting on ``start`` (2020-05-06 → 2020-07-05)."""
    return add_months(start, months) - timedelta(days=1)
