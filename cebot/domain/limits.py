"""Limits on what one course, entry or command may hold, defined once for the grammar, the forms and the services."""

from __future__ import annotations

from datetime import date

from cebot.domain.hours import QUARTERS_PER_HOUR, Quarters

MIN_HOURS: Quarters = 1
"""A quarter hour: the least one course can be."""
MAX_HOURS: Quarters = 40 * QUARTERS_PER_HOUR
"""40 h: the most one course can be."""
EARLIEST_DATE = date(1990, 1, 1)
"""No course, milestone or issue date before this (an older one is surely a typo)."""
MAX_DEADLINE_YEARS = 10
"""Deadlines and expiry dates may be at most this many years ahead."""
MAX_TITLE = 200
MAX_PROVIDER = 200
MAX_APPROVAL = 64
MAX_NOTES = 2000
MAX_LICENCE_NUMBER = 64
MAX_KEY = 64
LIST_DEFAULT = 10
LIST_MAX = 50
PAGE_MAX = 100_000
"""Highest page number ``page:N`` accepts (a bigger one is surely a typo)."""
SNOOZE_DEFAULT_DAYS = 7
SNOOZE_MAX_DAYS = 90
MAX_ENTRY_ID = 2**31 - 1
MAX_TEXT = 10_000
"""Longest command text read at all (Slack's own limit is lower)."""
