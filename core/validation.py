"""Small checks shared by the commands; each raises DomainError naming the field."""

from __future__ import annotations

import math
import re
from datetime import date

from core.errors import DomainError

ID_NUMBER = re.compile(r"^\d{17}[\dX]$")
PHONE = re.compile(r"^\+?[\d\- ]{5,20}$")

#: The largest magnitude of a recorded number: sums of any number of them stay finite (and
#: whole numbers exact, below 2**53), so no aggregate can overflow.
MAX_MAGNITUDE = 1e15


def required_text(value: str | None, field: str, max_length: int = 200) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError.one("REQUIRED", f"{field} must not be empty", field)
    if len(text) > max_length:
        raise DomainError.one("INVALID", f"{field} is longer than {max_length} characters", field)
    return text


def optional_text(value: str | None, field: str, max_length: int = 200) -> str | None:
    if value is None:
        return None
    text = value.strip()
    if len(text) > max_length:
        raise DomainError.one("INVALID", f"{field} is longer than {max_length} characters", field)
    return text or None


def date_order(start: date | None, end: date | None, field: str = "endDate") -> None:
    if start is not None and end is not None and end < start:
        raise DomainError.one(
            "DATE_ORDER",
            f"{field} {end.isoformat()} lies before the start {start.isoformat()}",
            field,
        )


def birth_year(value: int | None) -> int | None:
    if value is None:
        return None
    if not 1900 <= value <= date.today().year:
        raise DomainError.one(
            "INVALID", f"birthYear {value} is not between 1900 and this year", "birthYear"
        )
    return value


def id_number(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    value = value.strip().upper()
    if not ID_NUMBER.match(value):
        raise DomainError.one(
            "INVALID", "idNumber must be 18 characters: 17 digits then a digit or X", "idNumber"
        )
    return value


def phone(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    value = value.strip()
    if not PHONE.match(value):
        raise DomainError.one("INVALID", "phone must be digits (5 to 20)", "phone")
    return value


def finite_number(value: float, field: str, bound: float = MAX_MAGNITUDE) -> float:
    """A real number within ±``bound``; NaN, infinities and anything larger are refused."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DomainError.one("INVALID_VALUE", "the value must be a number", field)
    if not math.isfinite(value):
        raise DomainError.one("INVALID_VALUE", "the value must be a finite number", field)
    if abs(value) > bound:
        raise DomainError.one(
            "INVALID_VALUE",
            f"the value {value:g} lies beyond ±{bound:g}, the largest magnitude accepted",
            field,
        )
    return value
