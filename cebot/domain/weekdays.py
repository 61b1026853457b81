"""Weekdays and times of day as people write them: the one table the grammar, reminders and replies share."""

from __future__ import annotations

import re
from datetime import time

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Stored weekday keys, Monday first (``date.weekday()`` indexes them)."""
WEEKDAY_NAMES: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAY_ALIASES: dict[str, int] = {name: i for i, names in enumerate((
    ("mon", "monday", "mo"), ("tue", "tues", "tuesday", "tu"), ("wed", "wednesday", "we"),
    ("thu", "thur", "thurs", "thursday", "th"), ("fri", "friday", "fr"), ("sat", "saturday", "sa"),
    ("sun", "sunday", "su"))) for name in names}
"""What people type for a weekday -> its index (0 = Monday)."""

_TIME = re.compile(r"(\d{1,2})(?::(\d{2}))?(am|pm)?")


def read_time(text: str) -> time | None:
    """``09:00``, ``9``, ``9am``, ``2:30 pm``, ``9 a.m.`` -> a time; None if it is not one."""
    m = _TIME.fullmatch(" ".join(str(text).split()).lower().replace(" ", "").replace(".", ""))
    if not m:
        return None
    hour, minute, half = int(m.group(1)), int(m.group(2) or 0), m.group(3)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)
