""""Nothing due before": the first local day on which a member could have a reminder due, from what is known now.

The clock stores it per member (``member.reminder_quiet_until``) so later ticks skip, in SQL, members who cannot
have anything due yet: most members most days (complete, or their current countdown stage already sent). It is
only valid while the member's data is unchanged; the services void it on every change
(:mod:`cebot.services.reminder_plan`), and the clock clears all of them when it starts.

Reminders fall due or change period only on a few days, so the rules are evaluated on those days only: countdown
stage starts (and the day after, when a nudge held back by a stage start comes due), a deadline entering the
nudge's one-year horizon, a CPR card's notice and expiry days, and every 60 quiet days for the nudge; a day on a
weekend counts from the Monday after. A progress snapshot is valid up to the earliest deadline (after it the cycle
window, and so the hours, change), and no date is more than :data:`MAX_QUIET_DAYS` ahead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from cebot.domain import reminders as r
from cebot.domain.reminders import MemberSnapshot

MAX_QUIET_DAYS = 62
"""A bound on how far ahead a date may be, so rules that change with a deploy are picked up within weeks even if
a clock never restarts (a starting clock clears every date)."""
CHECK_AT = time(9, 30)
"""The local time the rules are evaluated at on a candidate day (inside the 09:00-11:00 window)."""


def _weekday_on_or_after(d: date) -> date:
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def candidate_days(*, today: date, limit: date, deadlines: Iterable[date], cpr_expiries: Iterable[date],
                   last_activity_on: date) -> list[date]:
    """The days in ``(today, limit]`` on which what is due can change, in order (weekends moved to Monday)."""
    days: set[date] = set()
    for deadline in deadlines:
        for _, start in r.countdown_stage_starts(deadline):
            days.update((start, start + timedelta(days=1)))
        days.add(deadline - timedelta(days=r.NUDGE_HORIZON_DAYS))
    for expires in cpr_expiries:
        days.update((expires - timedelta(days=r.CPR_NOTICE_DAYS), expires))
    step = timedelta(days=r.NUDGE_AFTER_DAYS)
    nudge = last_activity_on + step
    while nudge <= limit:
        days.add(nudge)
        nudge += step
    moved = {_weekday_on_or_after(d) for d in days if d > today}
    return sorted(d for d in moved if d <= limit)


def first_possible_day(days: Iterable[date], could_be_due: Callable[[date], bool], limit: date) -> date:
    """The first of ``days`` on which ``could_be_due``, else the day after ``limit``."""
    for day in days:
        if could_be_due(day):
            return day
    return limit + timedelta(days=1)


def quiet_from_snapshot(snapshot: MemberSnapshot, today: date, done: Callable[[str, str], bool]) -> date | None:
    """The first day after ``today`` on which a reminder not ``done`` (sent) could be due for ``snapshot``'s
    member, assuming its data stays as it is; None when no such day can be vouched for (a deadline today or past).

    Snooze and the on/off switch are left out (they only hold reminders back); ``done(kind, period)`` says
    whether that message was sent already.
    """
    deadlines = [c.deadline for c in snapshot.credentials if c.deadline is not None]
    limit = today + timedelta(days=MAX_QUIET_DAYS)
    if deadlines:
        limit = min(limit, min(deadlines))
    if limit <= today:
        return None
    tz = r.zone(snapshot.timezone)
    plain = replace(snapshot, reminders_enabled=True, snoozed_until=None)

    def could_be_due(day: date) -> bool:
        instant = datetime.combine(day, CHECK_AT, tzinfo=tz)
        return any(not done(due.kind, due.period) for due in r.reminders_due(plain, instant))

    days = candidate_days(today=today, limit=limit, deadlines=deadlines,
                          cpr_expiries=[c.cpr_expires_on for c in snapshot.credentials
                                        if c.needs_cpr and c.cpr_expires_on is not None],
                          last_activity_on=snapshot.last_activity_on)
    return first_possible_day(days, could_be_due, limit)
