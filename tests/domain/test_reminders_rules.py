"""The pure reminder and summary schedule rules in cebot.domain.reminders."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cebot.domain import reminders as r
from cebot.domain.reminders import CredentialSnapshot, MemberSnapshot, MissingSubject, SummarySchedule

NY = ZoneInfo("America/New_York")


def at(day: date, hh: int, mm: int = 0, tz: ZoneInfo = NY) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=tz).astimezone(UTC)


def cred(deadline: date | None, status: str = "due_soon", remaining: int = 24, **kw: object) -> CredentialSnapshot:
    return CredentialSnapshot(key="FL", name="Florida licence", status=status, deadline=deadline,
                              remaining=remaining, missing=(MissingSubject("Ethics", 8),), **kw)  # type: ignore[arg-type]


def member(*creds: CredentialSnapshot, last: date = date(2026, 1, 1), tz: str = "America/New_York",
           **kw: object) -> MemberSnapshot:
    return MemberSnapshot(slack_user_id="U1", timezone=tz, last_activity_on=last, credentials=creds,
                          **kw)  # type: ignore[arg-type]


def kinds(m: MemberSnapshot, now: datetime) -> list[tuple[str, str]]:
    return [(d.kind, d.period) for d in r.reminders_due(m, now)]


def test_window_is_weekdays_nine_to_eleven_local() -> None:
    """The reminder window is 09:00-11:00 on a weekday in the member's own timezone."""
    tue = date(2026, 3, 3)
    assert r.in_reminder_window(datetime.combine(tue, time(9, 0), tzinfo=NY))
    assert r.in_reminder_window(datetime.combine(tue, time(10, 59), tzinfo=NY))
    assert not r.in_reminder_window(datetime.combine(tue, time(11, 0), tzinfo=NY))
    assert not r.in_reminder_window(datetime.combine(tue, time(8, 59), tzinfo=NY))
    assert not r.in_reminder_window(datetime.combine(date(2026, 3, 7), time(9, 30), tzinfo=NY))


def test_countdown_stage_fires_in_window_and_not_outside() -> None:
    """The 30-day countdown is due at 09:05 local on its start day, not at 08:55 nor 11:00 nor at night."""
    deadline = date(2026, 8, 31)  # a Monday; 30 days before is Saturday Aug 1 -> brought forward to Fri Jul 31
    m = member(cred(deadline))
    fri = date(2026, 7, 31)
    assert kinds(m, at(fri, 9, 5)) == [("countdown", "FL:2026-08-31:30d")]
    assert kinds(m, at(fri, 8, 55)) == []
    assert kinds(m, at(fri, 11, 0)) == []
    assert kinds(m, at(fri, 3, 0)) == []


def test_weekend_stage_start_moves_to_friday_so_one_day_notice_is_before_a_monday_deadline() -> None:
    """A stage that would start on a weekend starts the Friday before (1-day notice for a Monday deadline)."""
    deadline = date(2026, 8, 31)
    starts = dict(r.countdown_stage_starts(deadline))
    assert starts[1] == date(2026, 8, 28)
    assert starts[7] == date(2026, 8, 24)
    assert r.countdown_stage(deadline, date(2026, 8, 31)) == (1, date(2026, 8, 28))
    assert r.countdown_stage(deadline, date(2026, 9, 1)) is None


def test_countdown_is_not_sent_when_complete_or_exempt_or_far() -> None:
    """No countdown when the credential is complete, exempt, or more than 90 days out."""
    deadline = date(2026, 8, 31)
    day = date(2026, 7, 31)
    assert kinds(member(cred(deadline, status="complete", remaining=0)), at(day, 9, 30)) == []
    assert kinds(member(cred(deadline, status="exempt", remaining=0)), at(day, 9, 30)) == []
    assert kinds(member(cred(date(2027, 8, 31))), at(day, 9, 30)) == []


def test_overdue_fires_after_deadline_within_thirty_days() -> None:
    """An overdue notice is due on weekdays in the 30 days after a missed deadline, with one period per deadline."""
    deadline = date(2026, 8, 31)
    m = member(cred(deadline, status="overdue"))
    assert kinds(m, at(date(2026, 9, 1), 9, 0)) == [("overdue", "FL:2026-08-31")]
    assert kinds(m, at(date(2026, 9, 30), 9, 0)) == [("overdue", "FL:2026-08-31")]
    assert kinds(m, at(date(2026, 10, 1), 9, 0)) == []


def test_cpr_soon_and_expired_dedupe_across_credentials() -> None:
    """A CPR card two credentials need gives one notice before expiry and one after."""
    exp = date(2026, 6, 15)
    a = cred(date(2027, 8, 31), status="on_pace", needs_cpr=True, cpr_expires_on=exp)
    b = CredentialSnapshot(key="PA", name="Pennsylvania", status="complete", deadline=date(2027, 1, 31),
                           needs_cpr=True, cpr_expires_on=exp)
    m = member(a, b, last=date(2026, 5, 1))
    assert kinds(m, at(date(2026, 6, 1), 10)) == [("cpr", "2026-06-15:soon")]
    assert kinds(m, at(date(2026, 6, 15), 10)) == [("cpr", "2026-06-15:expired")]
    assert kinds(m, at(date(2026, 4, 1), 10)) == []
    due = r.reminders_due(m, at(date(2026, 6, 1), 10))
    assert {c.key for c in due[0].related} == {"FL", "PA"}


def test_nudge_after_sixty_quiet_days_when_deadline_within_a_year() -> None:
    """The nudge needs 60 days without logging and a short credential due within a year."""
    last = date(2026, 1, 5)
    near = member(cred(date(2026, 12, 31), status="on_pace"), last=last)
    far = member(cred(date(2028, 1, 31), status="on_pace"), last=last)
    day59, day60 = last + timedelta(days=59), last + timedelta(days=60)
    assert day60.weekday() < 5
    assert kinds(near, at(day59, 9, 30)) == []
    assert kinds(near, at(day60, 9, 30)) == [("nudge", "2026-01-05:1")]
    assert kinds(far, at(day60, 9, 30)) == []


def test_nudge_waits_on_the_day_a_countdown_stage_starts() -> None:
    """On the day a countdown stage starts, the countdown alone goes out; the nudge waits a day."""
    deadline = date(2026, 9, 30)  # 90-day stage starts Thu Jul 2 2026
    m = member(cred(deadline), last=date(2026, 1, 1))
    assert [k for k, _ in kinds(m, at(date(2026, 7, 2), 9, 30))] == ["countdown"]
    assert [k for k, _ in kinds(m, at(date(2026, 7, 3), 9, 30))] == ["countdown", "nudge"]


def test_opt_out_and_snooze() -> None:
    """Turned off: nothing. Snoozed: nothing until the snooze date, then the current stage."""
    deadline = date(2026, 8, 31)
    day = date(2026, 8, 3)
    assert kinds(member(cred(deadline), reminders_enabled=False), at(day, 9, 30)) == []
    snoozed = member(cred(deadline), snoozed_until=date(2026, 8, 5), last=date(2026, 7, 1))
    assert kinds(snoozed, at(day, 9, 30)) == []
    assert kinds(snoozed, at(date(2026, 8, 5), 9, 30)) == [("countdown", "FL:2026-08-31:30d")]


def test_timezones_use_member_local_time() -> None:
    """At one instant a New York member is in the window while a Los Angeles member is asleep."""
    deadline = date(2026, 8, 31)
    now = at(date(2026, 8, 3), 9, 30)  # 06:30 in Los Angeles
    assert kinds(member(cred(deadline)), now)
    assert kinds(member(cred(deadline), tz="America/Los_Angeles"), now) == []
    assert kinds(member(cred(deadline), tz="Not/AZone"), now) == []  # falls back to UTC: 13:30, outside


def test_dst_change_keeps_the_local_window() -> None:
    """After the spring DST change, 09:00 New York is 13:00 UTC (it was 14:00 UTC the week before)."""
    deadline = date(2026, 4, 8)  # 30-day stage starts Mon Mar 9, the day after the DST change
    m = member(cred(deadline))
    assert kinds(m, datetime(2026, 3, 9, 13, 5, tzinfo=UTC)) == [("countdown", "FL:2026-04-08:30d")]
    assert kinds(m, datetime(2026, 3, 9, 15, 5, tzinfo=UTC)) == []
    # The Friday before (EST), 13:05 UTC is 08:05 local: outside.
    assert kinds(member(cred(date(2026, 4, 5))), datetime(2026, 3, 6, 13, 5, tzinfo=UTC)) == []


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)))
def test_every_countdown_stage_has_a_weekday(deadline: date) -> None:
    """Each countdown stage starts on a weekday and stages start strictly in order before the deadline."""
    starts = [d for _, d in r.countdown_stage_starts(deadline)]
    assert all(d.weekday() < 5 for d in starts)
    assert starts == sorted(set(starts))
    assert starts[-1] < deadline


def test_summary_due_on_its_day_and_caught_up_same_day() -> None:
    """A Monday 09:00 summary is due from 09:00 until the end of Monday, keyed by ISO week."""
    sched = SummarySchedule(channel="C1", day="mon", at=time(9, 0))
    mon = date(2026, 3, 9)
    assert r.summary_due(sched, "America/New_York", at(mon, 8, 59)) is None
    due = r.summary_due(sched, "America/New_York", at(mon, 11, 0))
    assert due is not None
    assert due.period == "2026-W11"
    assert (due.week_start, due.week_end) == (date(2026, 3, 2), date(2026, 3, 8))
    assert r.summary_due(sched, "America/New_York", at(mon + timedelta(days=1), 9, 0)) is None
    assert r.summary_due(None, "UTC", at(mon, 9, 0)) is None
    # A schedule with its own timezone wins over the workspace's.
    london = SummarySchedule(channel="C1", day="mon", at=time(9, 0), tz="Europe/London")
    assert r.summary_due(london, "America/New_York", datetime(2026, 3, 9, 9, 5, tzinfo=UTC)) is not None


def test_summary_schedule_round_trips_settings() -> None:
    """The schedule stored in workspace settings reads back; junk reads as off."""
    sched = SummarySchedule(channel="C1", day="wed", at=time(14, 30))
    assert SummarySchedule.from_settings({"summary": sched.to_json()}) == sched
    zoned = SummarySchedule(channel="C1", tz="Europe/London")
    assert SummarySchedule.from_settings({"summary": zoned.to_json()}) == zoned
    assert SummarySchedule.from_settings({}) is None
    assert SummarySchedule.from_settings({"summary": {"channel": "C1", "day": "xyz"}}) is None


@pytest.mark.parametrize(("text", "expected"), [("09:00", time(9)), ("9", time(9)), ("2:30pm", time(14, 30)),
                                                ("12am", time(0)), ("25:00", None), ("noon", None)])
def test_parse_time(text: str, expected: time | None) -> None:
    """Times are read in 24-hour or am/pm form."""
    assert r.parse_time(text) == expected
