"""The countdown at a member's own lead times, and the calendar feed built from plain data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest

from cebot.domain import reminders as r
from cebot.domain.calendar_feed import DeadlineEvent, build_ics
from cebot.domain.parsing import ParseError, parse_remind


def snapshot(lead: tuple[int, ...], deadline: date) -> r.MemberSnapshot:
    cred = r.CredentialSnapshot(key="FL", name="Florida LMT", status="behind_pace", deadline=deadline, remaining=8)
    return r.MemberSnapshot(slack_user_id="U1", timezone="America/New_York", last_activity_on=date(2026, 4, 30),
                            credentials=(cred,), lead_days=lead)


def test_countdown_stages_follow_the_lead_times() -> None:
    """With lead times 45 and 10 the stages are 45 and 10 days out (a weekend start moves to the Friday)."""
    deadline = date(2026, 6, 15)  # a Monday
    assert r.countdown_stage_starts(deadline, (45, 10)) == ((45, date(2026, 5, 1)), (10, date(2026, 6, 5)))
    monday_10am = datetime(2026, 5, 4, 14, 0, tzinfo=UTC)
    [due] = r.reminders_due(snapshot((45, 10), deadline), monday_10am)
    assert (due.kind, due.stage) == (r.COUNTDOWN, 45)
    assert r.reminders_due(snapshot((30, 10), deadline), monday_10am) == []


@pytest.mark.parametrize(("text", "days"), [("days:90,30,7", (90, 30, 7)), ("days:7, 30 ,90", (90, 30, 7)),
                                            ("days:14", (14,)), ("lead:1,1,2", (2, 1))])
def test_parse_lead_days(text: str, days: tuple[int, ...]) -> None:
    """`/ce remind days:...` reads distinct lead times, longest first."""
    request = parse_remind(text)
    assert (request.action, request.lead_days) == ("days", days)


@pytest.mark.parametrize("text", ["days:", "days:soon", "days:0", "days:181", "days:1,2,3,4,5,6,7"])
def test_parse_lead_days_refuses(text: str) -> None:
    """Lead times outside 1-180 days, more than six, or not numbers are refused with the example."""
    with pytest.raises(ParseError) as info:
        parse_remind(text)
    assert "/ce remind days:90,30,7" in info.value.message


def test_stored_lead_days_round_trip_and_fall_back() -> None:
    """Stored text reads back; empty or unreadable text gives the defaults."""
    assert r.lead_days_from_text(r.lead_days_text((30, 7))) == (30, 7)
    assert r.lead_days_from_text(None) == r.COUNTDOWN_DAYS
    assert r.lead_days_from_text("x,y") == r.COUNTDOWN_DAYS


def test_ics_is_deterministic_and_all_day() -> None:
    """The same data gives the same bytes; each deadline is an all-day event with one alarm per lead time."""
    stamp = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    events = [DeadlineEvent("FL", "Florida LMT", date(2027, 8, 31), "24 h to go")]
    one = build_ics(member_uid="1-1", timezone="America/New_York", events=events, lead_days=(30, 7), stamp=stamp)
    assert one == build_ics(member_uid="1-1", timezone="America/New_York", events=events, lead_days=(30, 7),
                            stamp=stamp)
    assert b"DTSTART;VALUE=DATE:20270831" in one
    [event] = icalendar.Calendar.from_ical(one).walk("VEVENT")
    assert [a.decoded("TRIGGER") for a in event.walk("VALARM")] == [-timedelta(days=30), -timedelta(days=7)]
