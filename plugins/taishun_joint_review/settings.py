"""Settings per locality (``register_settings``) and the deadline they give a batch.

By default a department has 2.5 working days (工作日) to answer: office hours of working days,
08:30–17:30 China Standard Time, Monday to Friday, minus holidays, plus make-up working days
(调休). A county or a town can switch to plain hours instead.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Literal

from pydantic import BaseModel, Field, model_validator

#: China Standard Time, the clock of every working-day calendar (no daylight saving).
CST = timezone(timedelta(hours=8), "CST")


class JointReviewSettings(BaseModel):
    deadline_mode: Literal["WORKING_DAYS", "HOURS"] = Field(
        "WORKING_DAYS",
        description="How the deadline is counted: WORKING_DAYS (office hours of working days) "
        "or HOURS (plain hours, nights and weekends included).",
    )
    deadline_working_days: float = Field(
        2.5, gt=0, le=60, description="Working days a department has to answer (WORKING_DAYS)."
    )
    deadline_hours: float = Field(
        60, gt=0, le=24 * 60, description="Plain hours a department has to answer (HOURS)."
    )
    office_opens: time = Field(time(8, 30), description="Start of a working day, CST.")
    office_closes: time = Field(time(17, 30), description="End of a working day, CST.")
    holidays: list[date] = Field(
        default_factory=list, description="Days off that would otherwise be working days."
    )
    extra_working_days: list[date] = Field(
        default_factory=list,
        description="Weekend days worked in exchange for a holiday (调休): working days.",
    )

    @model_validator(mode="after")
    def _office_hours(self) -> JointReviewSettings:
        if self.office_closes <= self.office_opens:
            raise ValueError("office_closes must be later than office_opens")
        return self


def is_working_day(day: date, settings: JointReviewSettings) -> bool:
    if day in settings.extra_working_days:
        return True
    if day in settings.holidays:
        return False
    return day.weekday() < 5


def deadline_after(submitted_at: datetime, settings: JointReviewSettings) -> datetime:
    """When requests of a batch submitted at ``submitted_at`` become overdue (UTC)."""
    submitted_at = as_utc(submitted_at)
    if settings.deadline_mode == "HOURS":
        return submitted_at + timedelta(hours=settings.deadline_hours)
    day_length = datetime.combine(date.min, settings.office_closes) - datetime.combine(
        date.min, settings.office_opens
    )
    remaining = day_length * settings.deadline_working_days
    cursor = submitted_at.astimezone(CST)
    day = cursor.date()
    for _ in range(3660):  # ten years: a calendar with no working day at all ends here
        if is_working_day(day, settings):
            opens = datetime.combine(day, settings.office_opens, CST)
            closes = datetime.combine(day, settings.office_closes, CST)
            start = max(cursor, opens)
            if start < closes:
                if remaining <= closes - start:
                    return (start + remaining).astimezone(UTC)
                remaining -= closes - start
        day += timedelta(days=1)
        cursor = datetime.combine(day, time(0), CST)
    raise ValueError("the working-day calendar has no working day in ten years")


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime (SQLite hands back naive ones, stored in UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # within hours of year 1 or 9999
        edge = datetime.min if moment.year == 1 else datetime.max
        return edge.replace(tzinfo=UTC)


def month_of(moment: datetime) -> date:
    """The first day of the month holding ``moment`` on the CST calendar."""
    local = as_utc(moment).astimezone(CST)
    return date(local.year, local.month, 1)
