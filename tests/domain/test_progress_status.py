"""Statuses people understand (issue 13 part 5): one scenario per status on shipped rules, and the pace rule."""

from __future__ import annotations

from datetime import date, timedelta

from cebot.domain.catalog import load_catalog
from cebot.domain.cycles import CycleWindow
from cebot.domain.facts import CredentialFacts, EntryFacts
from cebot.domain.progress import Status, compute_progress, pace_expected

TODAY = date(2026, 12, 1)


def course(hours: float, on: date, *subjects: str, id: int = 1) -> EntryFacts:
    return EntryFacts(id=id, title="Course", completed_on=on, hours=int(hours * 4), delivery_format="in_person",
                      subjects=subjects, has_certificate=True)


def status(key: str, deadline: date | None, entries: list[EntryFacts], today: date = TODAY,
           **facts: object) -> Status:
    rs = load_catalog().get(key)
    assert rs is not None
    return compute_progress(rs, CredentialFacts(key, deadline=deadline, **facts), entries,  # type: ignore[arg-type]
                            today).status


def test_new_york_with_700_days_left_is_not_started() -> None:
    """New York (36-month cycle) freshly tracked with 700 days left is "not started", not at risk."""
    assert status("NY", TODAY + timedelta(days=700), []) is Status.NOT_STARTED


def test_amta_with_942_days_left_is_not_started() -> None:
    """AMTA (48-month cycle) freshly tracked with 942 days left is "not started"."""
    assert status("AMTA", TODAY + timedelta(days=942), []) is Status.NOT_STARTED


def test_a_fresh_two_year_cycle_is_not_started() -> None:
    """Florida tracked on the first day of its two-year cycle, nothing logged: not started."""
    assert status("FL", date(2028, 8, 31), [], today=date(2026, 9, 1)) is Status.NOT_STARTED


def test_some_hours_early_in_the_cycle_are_on_pace() -> None:
    """One course logged early in a cycle is on pace."""
    assert status("FL", date(2028, 8, 31), [course(3, date(2026, 11, 1), "ethics")]) is Status.ON_PACE


def test_nothing_done_late_in_the_second_half_is_behind_pace() -> None:
    """Florida, 8 months before the deadline with 2 of 24 h: behind pace (the pace asks 8 h by then)."""
    assert status("FL", date(2027, 8, 31), [course(2, date(2026, 11, 1))], today=date(2027, 1, 1)) \
        is Status.BEHIND_PACE


def test_within_90_days_anything_missing_is_due_soon() -> None:
    """Sixty days before the deadline with hours missing: due soon (whatever the pace)."""
    assert status("FL", date(2027, 1, 30), [course(20, date(2026, 6, 1))]) is Status.DUE_SOON


def test_a_passed_deadline_with_hours_missing_is_overdue() -> None:
    """The member's own deadline passed with hours missing: overdue."""
    assert status("FL", date(2026, 11, 30), [course(20, date(2026, 6, 1))]) is Status.OVERDUE


def test_every_hour_met_is_complete() -> None:
    """AMTA with all 48 h logged, two years before renewal: complete."""
    entries = [course(40, date(2026, 6, 1), id=1), course(8, date(2026, 6, 2), id=2)]
    assert status("AMTA", date(2028, 12, 1), entries) is Status.COMPLETE


def test_no_ce_state_is_exempt_and_unknown_window_needs_info() -> None:
    """A state without CE is exempt; New York without a deadline needs info."""
    assert status("WY", None, []) is Status.EXEMPT
    assert status("NY", None, []) is Status.NEEDS_INFO


def test_pace_asks_nothing_in_the_first_half_then_a_steady_share() -> None:
    """24 h over Sep 1, 2025 - Aug 31, 2027: 0 h at half way, about 12 h six months before, 24 h at the deadline."""
    w = CycleWindow(date(2025, 9, 1), date(2027, 8, 31))
    assert pace_expected(96, w, date(2026, 8, 31)) == 0
    assert pace_expected(96, w, date(2027, 3, 1)) == 47  # 47 quarters: rounded down from 11.9 h
    assert pace_expected(96, w, date(2027, 8, 31)) == 96
    assert pace_expected(0, w, date(2027, 3, 1)) == 0
