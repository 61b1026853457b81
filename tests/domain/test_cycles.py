"""Cycle maths: windows and deadlines for every deadline rule kind, leap years and month ends."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from cebot.domain.cycles import (
    CycleWindow,
    add_months,
    current_window,
    deadline_on_or_after,
    months_between,
    needs,
    next_window,
    window_ending,
    window_for_deadline,
)
from cebot.domain.facts import CredentialFacts
from cebot.domain.requirements import (
    Applicability,
    BirthdayAnchor,
    DeadlineKind,
    DeadlineRule,
    RequirementSet,
    SetKind,
    Source,
    YearParity,
)
from tests.helpers.examples import examples


def rset(rule: DeadlineRule, cycle_months: int = 24, key: str = "XX", total: int = 96) -> RequirementSet:
    return RequirementSet(key=key, name=f"{key} licence", kind=SetKind.STATE_LICENCE, state="XX",
                          applicability=Applicability.CE_REQUIRED, total_hours=total, cycle_months=cycle_months,
                          deadline=rule, sources=(Source(title="test"),), checked_on=date(2025, 1, 1))


def facts(**kw: Any) -> CredentialFacts:
    return CredentialFacts("XX", **kw)


FIXED_AUG31_ODD = DeadlineRule(kind=DeadlineKind.FIXED, month=8, day=31, parity=YearParity.ODD)


def test_fixed_odd_years_window_contains_today() -> None:
    """Aug 31 of odd years: in Mar 2025 the window is Sep 1, 2023 - Aug 31, 2025."""
    w = current_window(rset(FIXED_AUG31_ODD), facts(), date(2025, 3, 1))
    assert w == CycleWindow(date(2023, 9, 1), date(2025, 8, 31))
    assert w.months == 24
    assert w.days_left(date(2025, 3, 1)) == 183


def test_fixed_odd_deadline_day_itself_is_in_the_window() -> None:
    """On the deadline day the window still ends that day; the next day a new one starts."""
    rs = rset(FIXED_AUG31_ODD)
    assert current_window(rs, facts(), date(2025, 8, 31)) == CycleWindow(date(2023, 9, 1), date(2025, 8, 31))
    assert current_window(rs, facts(), date(2025, 9, 1)) == CycleWindow(date(2025, 9, 1), date(2027, 8, 31))


def test_fixed_even_years() -> None:
    """Dec 31 of even years (Illinois): in 2025 the deadline is Dec 31, 2026."""
    rule = DeadlineRule(kind=DeadlineKind.FIXED, month=12, day=31, parity=YearParity.EVEN)
    w = current_window(rset(rule), facts(), date(2025, 6, 1))
    assert w == CycleWindow(date(2025, 1, 1), date(2026, 12, 31))


def test_fixed_last_day_of_february_odd_years() -> None:
    """Feb 28 of odd years (Wisconsin) never lands in a leap year, and starts on Mar 1."""
    rule = DeadlineRule(kind=DeadlineKind.FIXED, month=2, day=28, parity=YearParity.ODD)
    w = current_window(rset(rule), facts(), date(2024, 2, 29))
    assert w == CycleWindow(date(2023, 3, 1), date(2025, 2, 28))


def test_fixed_day_none_means_last_day_of_month_in_leap_years() -> None:
    """``day=None`` is the last day of the month: Feb 29 in leap years, Feb 28 otherwise."""
    rule = DeadlineRule(kind=DeadlineKind.FIXED, month=2, day=None)
    rs = rset(rule, cycle_months=12)
    assert current_window(rs, facts(), date(2024, 1, 10)) == CycleWindow(date(2023, 3, 1), date(2024, 2, 29))
    assert current_window(rs, facts(), date(2024, 3, 1)) == CycleWindow(date(2024, 3, 1), date(2025, 2, 28))


def test_fixed_any_parity_yearly() -> None:
    """A yearly fixed date (Jun 30) with any parity."""
    rule = DeadlineRule(kind=DeadlineKind.FIXED, month=6, day=30)
    assert current_window(rset(rule, 12), facts(), date(2025, 7, 1)) == CycleWindow(date(2025, 7, 1),
                                                                                   date(2026, 6, 30))


def test_fixed_two_year_cycle_without_parity_needs_the_deadline() -> None:
    """A two-year fixed date with no parity cannot pick the year: no window, and we ask for the deadline."""
    rule = DeadlineRule(kind=DeadlineKind.FIXED, month=6, day=30)
    rs = rset(rule, 24)
    assert current_window(rs, facts(), date(2025, 7, 1)) is None
    assert "deadline:YYYY-MM-DD" in (needs(rs, facts()) or "")
    assert current_window(rs, facts(deadline=date(2026, 6, 30)), date(2025, 7, 1)) == CycleWindow(
        date(2024, 7, 1), date(2026, 6, 30))


def test_birthday_yearly() -> None:
    """A yearly birthday rule: window runs from the day after last birthday to this one."""
    rule = DeadlineRule(kind=DeadlineKind.BIRTHDAY, anchor=BirthdayAnchor.BIRTHDAY)
    f = facts(birth_month=7, birth_day=14)
    assert current_window(rset(rule, 12), f, date(2025, 7, 15)) == CycleWindow(date(2025, 7, 15),
                                                                              date(2026, 7, 14))


def test_feb29_birthday_falls_on_feb28_in_common_years() -> None:
    """A Feb 29 birthday deadline is Feb 28 in common years and Feb 29 in leap years."""
    rule = DeadlineRule(kind=DeadlineKind.BIRTHDAY, anchor=BirthdayAnchor.BIRTHDAY)
    rs = rset(rule, 12)
    f = facts(birth_month=2, birth_day=29)
    assert current_window(rs, f, date(2025, 1, 1)) == CycleWindow(date(2024, 3, 1), date(2025, 2, 28))
    assert current_window(rs, f, date(2024, 1, 1)) == CycleWindow(date(2023, 3, 1), date(2024, 2, 29))
    assert current_window(rs, f, date(2024, 2, 29)) == CycleWindow(date(2023, 3, 1), date(2024, 2, 29))
    assert current_window(rs, f, date(2023, 3, 1)) == CycleWindow(date(2023, 3, 1), date(2024, 2, 29))


def test_birth_month_end_with_birth_year_parity() -> None:
    """Virginia: last day of birth month, in years with the parity of the birth year."""
    rule = DeadlineRule(kind=DeadlineKind.BIRTHDAY, parity=YearParity.BIRTH_YEAR, anchor=BirthdayAnchor.MONTH_END)
    rs = rset(rule)
    even = facts(birth_month=2, birth_year=1990)
    assert current_window(rs, even, date(2023, 5, 1)) == CycleWindow(date(2022, 3, 1), date(2024, 2, 29))
    odd = facts(birth_month=4, birth_year=1991)
    assert current_window(rs, odd, date(2025, 5, 1)) == CycleWindow(date(2025, 5, 1), date(2027, 4, 30))


def test_birth_year_parity_without_birth_year_asks() -> None:
    """Without a birth year the parity is unknown: no window and a clear request."""
    rule = DeadlineRule(kind=DeadlineKind.BIRTHDAY, parity=YearParity.BIRTH_YEAR, anchor=BirthdayAnchor.MONTH_END)
    rs = rset(rule, key="VA")
    f = facts(birth_month=4)
    assert current_window(rs, f, date(2025, 5, 1)) is None
    assert needs(rs, f) == ("Tell me your date of birth (/ce track VA birthday:YYYY-MM-DD) "
                            "or your next renewal deadline (/ce track VA deadline:YYYY-MM-DD)")
    assert needs(rs, facts()) == needs(rs, f)


def test_birth_month_start() -> None:
    """A month-start anchor: the deadline is the 1st of the birth month."""
    rule = DeadlineRule(kind=DeadlineKind.BIRTHDAY, parity=YearParity.EVEN, anchor=BirthdayAnchor.MONTH_START)
    w = current_window(rset(rule), facts(birth_month=3), date(2025, 1, 1))
    assert w == CycleWindow(date(2024, 3, 2), date(2026, 3, 1))


def test_birthday_rule_without_birthday_asks() -> None:
    """A birthday rule without the birthday gives no deadline and asks for it."""
    rule = DeadlineRule(kind=DeadlineKind.BIRTHDAY)
    rs = rset(rule, 12, key="WA")
    assert needs(rset(rule, 24, key="AZ"), facts(birth_month=5, birth_day=2)) == (
        "Tell me your next renewal deadline: /ce track AZ deadline:YYYY-MM-DD")
    assert deadline_on_or_after(rule, 12, facts(), date(2025, 1, 1)) is None
    assert deadline_on_or_after(rule, 12, facts(birth_month=5), date(2025, 1, 1)) is None
    assert "birthday:MM-DD" in (needs(rs, facts()) or "")
    month_end = DeadlineRule(kind=DeadlineKind.BIRTHDAY, anchor=BirthdayAnchor.MONTH_END)
    assert deadline_on_or_after(month_end, 12, facts(birth_month=5), date(2025, 1, 1)) == date(2025, 5, 31)


def test_expiry_needs_the_users_date() -> None:
    """An expiry rule has no deadline until the user gives it; then cycles step from it."""
    rule = DeadlineRule(kind=DeadlineKind.EXPIRY)
    rs = rset(rule, key="TX")
    assert current_window(rs, facts(), date(2025, 1, 1)) is None
    assert needs(rs, facts()) == "Tell me your licence expiry date: /ce track TX deadline:YYYY-MM-DD"
    f = facts(deadline=date(2025, 10, 15))
    assert needs(rs, f) is None
    assert current_window(rs, f, date(2025, 1, 1)) == CycleWindow(date(2023, 10, 16), date(2025, 10, 15))
    assert next_window(rs, f, date(2025, 1, 1)) == CycleWindow(date(2025, 10, 16), date(2027, 10, 15))
    assert current_window(rs, f, date(2022, 1, 1)) == CycleWindow(date(2021, 10, 16), date(2023, 10, 15))


def test_none_rule_has_no_window() -> None:
    """A rule of kind none has no deadline and no window."""
    rule = DeadlineRule(kind=DeadlineKind.NONE)
    assert deadline_on_or_after(rule, 24, facts(), date(2025, 1, 1)) is None
    assert current_window(rset(rule, 0), facts(), date(2025, 1, 1)) is None


def test_no_ce_set_needs_nothing() -> None:
    """A set that tracks no hours never asks for dates."""
    rs = RequirementSet(key="OH", name="Ohio", kind=SetKind.STATE_LICENCE, state="OH",
                        applicability=Applicability.NO_CE,
                        total_hours=0, cycle_months=0, deadline=DeadlineRule(kind=DeadlineKind.NONE),
                        sources=(Source(title="x"),), checked_on=date(2025, 1, 1))
    assert needs(rs, facts()) is None
    assert current_window(rs, facts(), date(2025, 1, 1)) is None


def test_explicit_deadline_overrides_the_rule() -> None:
    """The user's own deadline anchors the cycle even when the rule would say otherwise."""
    rs = rset(FIXED_AUG31_ODD)
    f = facts(deadline=date(2026, 8, 31))
    assert current_window(rs, f, date(2025, 3, 1)) == CycleWindow(date(2024, 9, 1), date(2026, 8, 31))


def test_anchor_feb29_steps_from_the_anchor() -> None:
    """A Feb 29 expiry steps to Feb 28 in common years and back to Feb 29, never drifting."""
    rs = rset(DeadlineRule(kind=DeadlineKind.EXPIRY), 24)
    f = facts(deadline=date(2024, 2, 29))
    assert current_window(rs, f, date(2025, 1, 1)) == CycleWindow(date(2024, 3, 1), date(2026, 2, 28))
    assert current_window(rs, f, date(2027, 1, 1)) == CycleWindow(date(2026, 3, 1), date(2028, 2, 29))


def test_anchor_month_end_rule_keeps_month_ends() -> None:
    """A month-end rule anchored on Feb 28 of a common year moves to Feb 29 in a leap year."""
    rule = DeadlineRule(kind=DeadlineKind.BIRTHDAY, anchor=BirthdayAnchor.MONTH_END)
    rs = rset(rule, 12)
    f = facts(deadline=date(2023, 2, 28))
    assert current_window(rs, f, date(2023, 6, 1)) == CycleWindow(date(2023, 3, 1), date(2024, 2, 29))


def test_window_ending_month_ends() -> None:
    """A window ending on a month end starts right after the previous month end."""
    assert window_ending(date(2025, 8, 31), 24) == CycleWindow(date(2023, 9, 1), date(2025, 8, 31))
    assert window_ending(date(2024, 2, 29), 24) == CycleWindow(date(2022, 3, 1), date(2024, 2, 29))
    assert window_ending(date(2025, 2, 28), 12) == CycleWindow(date(2024, 3, 1), date(2025, 2, 28))
    assert window_ending(date(2025, 2, 28), 12, month_end=False) == CycleWindow(date(2024, 2, 29),
                                                                                date(2025, 2, 28))
    assert window_ending(date(2025, 10, 15), 24) == CycleWindow(date(2023, 10, 16), date(2025, 10, 15))


def test_window_for_deadline() -> None:
    """The window that ends on a known deadline."""
    rs = rset(FIXED_AUG31_ODD)
    assert window_for_deadline(rs, facts(), date(2023, 8, 31)) == CycleWindow(date(2021, 9, 1), date(2023, 8, 31))


def test_days_left_is_negative_after_the_deadline() -> None:
    """days_left counts down to 0 on the deadline and goes negative after it."""
    w = CycleWindow(date(2024, 1, 1), date(2024, 12, 31))
    assert w.days_left(date(2024, 12, 31)) == 0
    assert w.days_left(date(2025, 1, 2)) == -2
    assert w.contains(date(2024, 1, 1))
    assert not w.contains(date(2025, 1, 1))
    assert w.days == 366


RULES = st.sampled_from([
    (FIXED_AUG31_ODD, 24, CredentialFacts("XX")),
    (DeadlineRule(kind=DeadlineKind.FIXED, month=2, day=None, parity=YearParity.EVEN), 24, CredentialFacts("XX")),
    (DeadlineRule(kind=DeadlineKind.BIRTHDAY), 12, CredentialFacts("XX", birth_month=2, birth_day=29)),
    (DeadlineRule(kind=DeadlineKind.BIRTHDAY, parity=YearParity.BIRTH_YEAR, anchor=BirthdayAnchor.MONTH_END), 24,
     CredentialFacts("XX", birth_month=11, birth_year=1987)),
    (DeadlineRule(kind=DeadlineKind.EXPIRY), 24, CredentialFacts("XX", deadline=date(2024, 2, 29))),
    (DeadlineRule(kind=DeadlineKind.EXPIRY), 36, CredentialFacts("XX", deadline=date(2025, 1, 31))),
])


@given(RULES, st.dates(min_value=date(1995, 1, 1), max_value=date(2060, 12, 31)))
def test_windows_tile_the_calendar(case: tuple[DeadlineRule, int, CredentialFacts], today: date) -> None:
    """The current window contains today and the next one starts the day after its deadline."""
    rule, months, f = case
    rs = rset(rule, months)
    w = current_window(rs, f, today)
    assert w is not None
    assert w.contains(today)
    nxt = next_window(rs, f, today)
    assert nxt is not None
    assert nxt.start == w.deadline + timedelta(days=1)
    assert months - 1 <= w.months <= months
    assert deadline_on_or_after(rule, months, f, today) == w.deadline


@pytest.mark.parametrize("key", ["FL", "VA", "NJ", "NCBTMB", "IL", "WI"])
def test_catalog_sets_give_windows(key: str) -> None:
    """Shipped sets give a window once the credential has what the rule needs."""
    from cebot.domain.catalog import load_catalog

    rs = load_catalog().require(key)
    f = CredentialFacts(key, birth_month=4, birth_day=2, birth_year=1980)
    if needs(rs, f) is not None:
        f = CredentialFacts(key, deadline=date(2026, 4, 30))
    w = current_window(rs, f, date(2025, 12, 1))
    assert w is not None
    assert w.contains(date(2025, 12, 1))
    assert w.months == rs.cycle_months


def test_needs_names_the_kind_of_credential() -> None:
    """Certifications and memberships are not called licences when we ask for a date."""
    rule = DeadlineRule(kind=DeadlineKind.EXPIRY)
    cert = rset(rule, key="NCBTMB").model_copy(update={"kind": SetKind.CERTIFICATION})
    member = rset(rule, 48, key="AMTA").model_copy(update={"kind": SetKind.MEMBERSHIP})
    assert needs(cert, facts()) == "Tell me your certification expiry date: /ce track NCBTMB deadline:YYYY-MM-DD"
    assert needs(member, facts()) == "Tell me your membership renewal date: /ce track AMTA deadline:YYYY-MM-DD"


@settings(max_examples=examples(300), deadline=None)
@given(st.dates(date(2015, 1, 1), date(2034, 12, 31)), st.dates(date(2015, 1, 1), date(2034, 12, 31)),
       st.integers(-130, 130))
def test_month_arithmetic_matches_dateutil(start: date, end: date, months: int) -> None:
    """add_months and months_between give what dateutil's relativedelta gives (kept from the retired oracle)."""
    assert add_months(start, months) == start + relativedelta(months=months)
    delta = relativedelta(end, start)
    assert months_between(start, end) == delta.years * 12 + delta.months
