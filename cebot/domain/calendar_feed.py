"""The private calendar feed (RFC 5545), built with the ``icalendar`` library from plain data.

One all-day event per credential deadline. An all-day date (``VALUE=DATE``) is the member's own local date, so
a calendar in any timezone shows it on that day; ``X-WR-TIMEZONE`` names the member's zone for clients that
place alarms by it. Each event has one display alarm per lead time (``TRIGGER:-P{N}D``, N days before the
start of the deadline day), the same lead times the reminder DMs use.

The output is deterministic for the same input (``DTSTAMP`` is the feed's last change, not the fetch time), so
its sha256 is a stable ETag.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from icalendar import Alarm, Calendar, Event

PRODID = "-//cebot//CE deadlines//EN"


@dataclass(frozen=True)
class DeadlineEvent:
    key: str
    """The credential's requirement key (``FL``): part of the event's stable UID."""
    name: str
    deadline: date
    summary_line: str
    """What is left, e.g. ``6 h to go``."""


def build_ics(*, member_uid: str, timezone: str, events: list[DeadlineEvent], lead_days: tuple[int, ...],
              stamp: datetime) -> bytes:
    """The feed as bytes (CRLF lines, folded by icalendar)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "CE deadlines")
    cal.add("x-wr-timezone", timezone or "UTC")
    for item in sorted(events, key=lambda e: (e.deadline, e.key)):
        event = Event()
        event.add("uid", f"deadline-{item.key.lower()}-{item.deadline.isoformat()}-{member_uid}@cebot")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.deadline)
        event.add("dtend", item.deadline + timedelta(days=1))
        event.add("summary", f"{item.name}: CE deadline")
        event.add("description", f"{item.summary_line}. See /ce progress in Slack.")
        event.add("transp", "TRANSPARENT")
        for days in lead_days:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{item.name}: CE deadline in {days} day{'s' if days != 1 else ''}")
            alarm.add("trigger", -timedelta(days=days))
            event.add_component(alarm)
        cal.add_component(event)
    return bytes(cal.to_ical())
