"""Frozen copy of cebot/domain/cycles.py as of commit 5ccbd1d: the reference for tests/test_progress_reference.py.

Do not edit: the differential tests check that the optimised engine gives exactly what this gave.
"""


from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from cebot.domain.facts import CredentialFacts
from cebot.domain.requirements import (
    BirthdayAnchor,
    DeadlineKind,
    DeadlineRule,
    RequirementSet,
    SetKind,
    YearParity,
)

TRACK_COMMAND = "/ce track {key}"
"""The command a user runs to tell us a credential's dates; used in :func:`needs`."""

_SEARCH_YEARS = 8


@dataclass(frozen=True)
class CycleWindow:
    """One renewal cycle: ``start`` and ``deadline`` both included."""

    start: date
    deadline: date

    def contains(self, d: date) -> bool:
        """Whether ``d`` falls inside the window (both ends included)."""
        return self.start <= d <= self.deadline

    def days_left(self, today: date) -> int:
        """Days from ``today`` to the deadline: 0 on the deadline itself, negative once it has passed."""
        return (self.deadline - today).days

    @property
    def days(self) -> int:
        """How many days the window spans, both ends included."""
        return (self.deadline - self.start).days + 1

    @property
    def months(self) -> int:
        """The window's length in whole months (24 for Sep 1, 2023 – Aug 31, 2025)."""
        delta = relativedelta(self.deadline + timedelta(days=1), self.start)
        return delta.years * 12 + delta.months


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _is_month_end(d: date) -> bool:
    return d.day == _last_day(d.year, d.month)


def _clip(year: int, month: int, day: int) -> date:
    """``year-month-day``, with a day past the month's end moved to its last day (Feb 29 -> Feb 28)."""
    return date(year, month, min(day, _last_day(year, month)))


def _month_end_rule(rule: DeadlineRule) -> bool:
    if rule.kind is DeadlineKind.FIXED:
        return rule.day is None
    return rule.kind is DeadlineKind.BIRTHDAY and rule.anchor is BirthdayAnchor.MONTH_END


def _shift(anchor: date, months: int, month_end: bool) -> date:
    """``anchor`` moved by ``months``; a month-end anchor stays on month ends when ``month_end``."""
    moved = anchor + relativedelta(months=months)
    if month_end and _is_month_end(anchor):
        return moved.replace(day=_last_day(moved.year, moved.month))
    return moved


def _rule_date(rule: DeadlineRule, facts: CredentialFacts, year: int) -> date | None:
    """The rule's deadline in ``year`` ignoring parity, or ``None`` when facts are missing."""
    if rule.kind is DeadlineKind.FIXED:
        if rule.month is None:
            return None
        if rule.day is None:
            return date(year, rule.month, _last_day(year, rule.month))
        return _clip(year, rule.month, rule.day)
    if rule.kind is DeadlineKind.BIRTHDAY:
        if facts.birth_month is None:
            return None
        if rule.anchor is BirthdayAnchor.MONTH_END:
            return date(year, facts.birth_month, _last_day(year, facts.birth_month))
        if rule.anchor is BirthdayAnchor.MONTH_START:
            return date(year, facts.birth_month, 1)
        if facts.birth_day is None:
            return None
        return _clip(year, facts.birth_month, facts.birth_day)
    return None


def _year_step(rule: DeadlineRule, cycle_months: int, facts: CredentialFacts) -> tuple[int, int] | None:
    """``(step, remainder)``: deadline years are those with ``year % step == remainder``; None if unknown."""
    if rule.parity is YearParity.ODD:
        return 2, 1
    if rule.parity is YearParity.EVEN:
        return 2, 0
    if rule.parity is YearParity.BIRTH_YEAR:
        return None if facts.birth_year is None else (2, facts.birth_year % 2)
    if cycle_months == 12:
        return 1, 0
    return None


def _anchored_deadlines(rule: DeadlineRule, cycle_months: int, anchor: date, on: date) -> tuple[date, date]:
    """(previous deadline before ``on``'s, first deadline on or after ``on``) stepping from ``anchor``."""
    month_end = _month_end_rule(rule)
    diff = relativedelta(on, anchor)
    k = (diff.years * 12 + diff.months) // cycle_months - 1
    while _shift(anchor, k * cycle_months, month_end) >= on:
        k -= 1
    while _shift(anchor, k * cycle_months, month_end) < on:
        k += 1
    return _shift(anchor, (k - 1) * cycle_months, month_end), _shift(anchor, k * cycle_months, month_end)


def _rule_deadlines(rule: DeadlineRule, cycle_months: int, facts: CredentialFacts,
                    on: date) -> tuple[date, date] | None:
    """(previous deadline, first deadline on or after ``on``) from the rule alone, or None."""
    step = _year_step(rule, cycle_months, facts)
    if step is None or _rule_date(rule, facts, on.year) is None:
        return None
    every, remainder = step
    years = [y for y in range(on.year - _SEARCH_YEARS, on.year + _SEARCH_YEARS) if y % every == remainder]
    dates = [d for y in years if (d := _rule_date(rule, facts, y)) is not None]
    nxt = min(d for d in dates if d >= on)
    prev = max(d for d in dates if d < nxt)
    return prev, nxt


def _deadlines(rule: DeadlineRule, cycle_months: int, facts: CredentialFacts, on: date) -> tuple[date, date] | None:
    if cycle_months <= 0:
        return None
    if facts.deadline is not None:
        return _anchored_deadlines(rule, cycle_months, facts.deadline, on)
    if rule.kind in (DeadlineKind.FIXED, DeadlineKind.BIRTHDAY):
        return _rule_deadlines(rule, cycle_months, facts, on)
    return None


def deadline_on_or_after(rule: DeadlineRule, cycle_months: int, facts: CredentialFacts, on: date) -> date | None:
    """The first deadline on or after ``on``; ``None`` when the credential lacks what the rule needs."""
    found = _deadlines(rule, cycle_months, facts, on)
    return None if found is None else found[1]


def window_ending(deadline: date, cycle_months: int, *, month_end: bool | None = None) -> CycleWindow:
    """The ``cycle_months`` window that ends on ``deadline``.

    The start is the day after the previous deadline. A deadline on the last day
    of its month is taken to follow a month-end rule (Aug 31 -> previous Aug 31,
    Feb 29 -> previous Feb 28) unless ``month_end=False`` says otherwise.
    """
    if month_end is None:
        month_end = _is_month_end(deadline)
    return CycleWindow(_shift(deadline, -cycle_months, month_end) + timedelta(days=1), deadline)


def current_window(rs: RequirementSet, facts: CredentialFacts, today: date) -> CycleWindow | None:
    """The window that contains ``today``; ``None`` when the deadline cannot be worked out (see :func:`needs`)."""
    found = _deadlines(rs.deadline, rs.cycle_months, facts, today)
    if found is None:
        return None
    prev, nxt = found
    return CycleWindow(prev + timedelta(days=1), nxt)


def next_window(rs: RequirementSet, facts: CredentialFacts, today: date) -> CycleWindow | None:
    """The window after the one that contains ``today``."""
    current = current_window(rs, facts, today)
    if current is None:
        return None
    return current_window(rs, facts, current.deadline + timedelta(days=1))


def window_for_deadline(rs: RequirementSet, facts: CredentialFacts, deadline: date) -> CycleWindow | None:
    """The window that ends on ``deadline`` (a deadline the rule or the user's anchor produced)."""
    found = _deadlines(rs.deadline, rs.cycle_months, facts, deadline)
    if found is None:
        return None
    prev, nxt = found
    return CycleWindow(prev + timedelta(days=1), nxt)


def needs(rs: RequirementSet, facts: CredentialFacts) -> str | None:
    """What the user must tell us before a window can be worked out, as one sentence with the command.

    The options match ``/ce track``: ``deadline:YYYY-MM-DD``, ``birthday:MM-DD`` and, when the birth year
    matters (Virginia), the full date ``birthday:YYYY-MM-DD``.
    """
    if not rs.tracks_hours or rs.cycle_months <= 0 or facts.deadline is not None:
        return None
    rule = rs.deadline
    command = TRACK_COMMAND.format(key=rs.key)
    deadline = f"{command} deadline:YYYY-MM-DD"
    if rule.kind is DeadlineKind.EXPIRY:
        what = {SetKind.STATE_LICENCE: "licence expiry date", SetKind.CERTIFICATION: "certification expiry date",
                SetKind.MEMBERSHIP: "membership renewal date"}.get(rs.kind, "renewal deadline")
        return f"Tell me your {what}: {deadline}"
    if rule.kind is DeadlineKind.NONE or (rule.kind is DeadlineKind.FIXED and rule.month is None):
        return f"Tell me your next renewal deadline: {deadline}"
    if rule.parity is not YearParity.BIRTH_YEAR and _year_step(rule, rs.cycle_months, facts) is None:
        # "Every other year" without a parity: only the user's own deadline says which year.
        return f"Tell me your next renewal deadline: {deadline}"
    if rule.parity is YearParity.BIRTH_YEAR and facts.birth_year is None:
        return (f"Tell me your date of birth ({command} birthday:YYYY-MM-DD) "
                f"or your next renewal deadline ({deadline})")
    if rule.kind is DeadlineKind.BIRTHDAY:
        missing_day = rule.anchor is BirthdayAnchor.BIRTHDAY and facts.birth_day is None
        if facts.birth_month is None or missing_day:
            return f"Tell me your birthday ({command} birthday:MM-DD) or your next renewal deadline ({deadline})"
    return None
