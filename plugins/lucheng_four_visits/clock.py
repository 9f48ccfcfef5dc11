"""What "today" is for the plugin: the date in China (Asia/Shanghai), whatever the server's zone.

Visits, assignments, resolutions and votes are dated by people in 鹿城; a server running in UTC
would otherwise still be on yesterday until 08:00 Beijing time, and refuse a visit made this
morning as lying in the future.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def utc_now() -> datetime.datetime:
    """The current moment (aware, UTC)."""
    return datetime.datetime.now(datetime.UTC)


def today() -> datetime.date:
    """Today's date in China."""
    return utc_now().astimezone(CHINA).date()
