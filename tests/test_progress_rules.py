"""Scenario tests for the rule features boards need: tied format caps, partial months, kept minimums, proration
charts and carry-over across several cycles (each on a small set built for the purpose)."""

from __future__ import annotations

from datetime import date
from itertools import count
from typing import Any

from cebot.domain.facts import CredentialFacts, EntryFacts
from cebot.domain.hours import quarters
from cebot.domain.progress import Progress, compute_progress
from cebot.domain.requirements import (
    Applicability,
    Cap,
    CarryOver,
    DeadlineKind,
    DeadlineRule,
    FirstRenewal,
    FirstRenewalRule,
    RequirementSet,
    SetKind,
    Source,
    SubjectMinimum,
    YearParity,
)

_ids = count(1)


def h(hours: float) -> int:
    return quarters(str(hours))


def rset(total: float, **kw: Any) -> RequirementSet:
    kw.setdefault("deadline", DeadlineRule(kind=DeadlineKind.FIXED, month=8, day=31, parity=YearParity.ODD))
    kw.setdefault("cycle_months", 24)
    return RequirementSet(key="XX", name="XX licence", kind=SetKind.STATE_LICENCE, state="XX",
                          applicability=Applicability.CE_REQUIRED, total_hours=h(total),
                          sources=(Source(title="test"),), checked_on=date(2026, 12, 1), **kw)


def minimum(key: str, hours: float, *formats: str) -> SubjectMinimum:
    return SubjectMinimum(key=key, label=key, subjects=(key,), hours=h(hours), formats=formats)


def entry(hours: float, *subjects: str, fmt: str = "in_person", on: date = date(2024, 6, 1)) -> EntryFacts:
    i = next(_ids)
    return EntryFacts(id=i, title=f"Course {i}", completed_on=on, hours=h(hours), delivery_format=fmt,
                      subjects=subjects)


def progress(rs: RequirementSet, entries: list[EntryFacts], today: date = date(2025, 3, 1), **facts: Any) -> Progress:
    facts.setdefault("deadline", date(2025, 8, 31))
    return compute_progress(rs, CredentialFacts("XX", **facts), entries, today)


CLASSROOM = rset(24, minimums=(minimum("hands_on", 12, "in_person"), minimum("ethics", 2)),
                 caps=(Cap(key="not_classroom", label="Not in a classroom", hours=h(12),
                           formats=("live_online", "home_study"), applies_with="hands_on"),),
                 first_renewal=FirstRenewal(rule=FirstRenewalRule.PRORATED, hours_per_month=h(1),
                                            count_partial_months=True))


def test_home_study_beyond_the_non_classroom_part_does_not_count() -> None:
    """20 h home study toward 24 h with 12 classroom hours required: 12 count at most, 8 are listed as over."""
    p = progress(CLASSROOM, [entry(20, fmt="home_study")])
    assert p.capped == h(12)
    assert (p.counted, p.remaining) == (h(10), h(14))  # 12 hands-on and 2 ethics still to take
    assert [(n.hours, n.reason) for n in p.not_counted] == [(h(8), "over the 12 h not in a classroom cap")]


def test_format_cap_tied_to_a_minimum_goes_with_it() -> None:
    """A first renewal that keeps no classroom minimum keeps no classroom cap: home study counts in full."""
    p = progress(CLASSROOM, [entry(20, fmt="home_study", on=date(2024, 9, 1))], first_cycle=True,
                 issue_date=date(2024, 3, 15))
    assert p.not_counted == ()
    assert p.required == h(18)
    assert p.counted == h(18) + h(2)


def test_partial_months_count_when_the_board_says_so() -> None:
    """Florida's "each month or partial month": issued Mar 15, 2024, deadline Aug 31, 2025 is 18 h, not 17."""
    partial = progress(CLASSROOM, [], first_cycle=True, issue_date=date(2024, 3, 15))
    assert partial.required == h(18)
    whole = rset(24, first_renewal=FirstRenewal(rule=FirstRenewalRule.PRORATED, hours_per_month=h(1)))
    assert progress(whole, [], first_cycle=True, issue_date=date(2024, 3, 15)).required == h(17)
    assert progress(CLASSROOM, [], first_cycle=True, issue_date=date(2024, 3, 1)).required == h(18)


def test_kept_minimums_are_part_of_a_short_first_renewal() -> None:
    """Licensed a month before the deadline: 1 h prorated, but the kept 2 h errors + 1 h trafficking need 3."""
    rs = rset(24, minimums=(minimum("medical_errors", 2), minimum("human_trafficking", 1), minimum("ethics", 2)),
              first_renewal=FirstRenewal(rule=FirstRenewalRule.PRORATED, hours_per_month=h(1),
                                         keep_minimums=("medical_errors", "human_trafficking")))
    p = progress(rs, [], today=date(2025, 7, 1), first_cycle=True, issue_date=date(2025, 7, 1))
    assert p.required == h(3)
    assert [r.key for r in p.subject_rows] == ["medical_errors", "human_trafficking"]


def test_fixed_first_renewal_keeps_its_minimum() -> None:
    """New Jersey: licensed in the second year, 10 h that must include the 2 h ethics."""
    rs = rset(20, deadline=DeadlineRule(kind=DeadlineKind.FIXED, month=11, day=30, parity=YearParity.EVEN),
              minimums=(minimum("ethics", 2), minimum("laws_rules", 1)),
              first_renewal=FirstRenewal(rule=FirstRenewalRule.PRORATED, fixed_hours=h(10), keep_minimums=("ethics",)))
    p = progress(rs, [entry(10, on=date(2026, 3, 1))], today=date(2026, 6, 1), deadline=date(2026, 11, 30),
                 first_cycle=True, issue_date=date(2026, 1, 10))
    assert p.required == h(10)
    assert [(r.key, r.required) for r in p.subject_rows] == [("ethics", h(2))]
    assert (p.counted, p.remaining) == (h(8), h(2))


TN_CHART = tuple(h(x) for x in (*range(24, 12, -1), *range(12, 4, -1), 4, 4, 4, 4))
TENNESSEE_LIKE = rset(24, deadline=DeadlineRule(kind=DeadlineKind.FIXED, month=12, day=31, parity=YearParity.EVEN),
                      minimums=(minimum("laws_rules", 2), minimum("ethics", 2)),
                      first_renewal=FirstRenewal(rule=FirstRenewalRule.PRORATED, chart=TN_CHART,
                                                 keep_minimums=("laws_rules", "ethics")))


def tn(issued: date, entries: list[EntryFacts] | None = None) -> Progress:
    return progress(TENNESSEE_LIKE, entries or [], today=date(2026, 12, 1), deadline=date(2026, 12, 31),
                    first_cycle=True, issue_date=issued)


def test_proration_chart_is_read_by_the_month_licensed() -> None:
    """A published chart: March of the first year 22 h, January of the second 12 h, August 5 h, September on 4 h."""
    assert tn(date(2025, 3, 20)).required == h(22)
    assert tn(date(2026, 1, 5)).required == h(12)
    assert tn(date(2026, 8, 31)).required == h(5)
    assert tn(date(2026, 9, 1)).required == h(4)
    assert tn(date(2026, 12, 31)).required == h(4)


def test_late_in_the_cycle_the_chart_hours_are_the_subject_hours() -> None:
    """Licensed in October of the second year: 4 h, and they must be the 2 h laws and 2 h ethics."""
    p = tn(date(2026, 10, 2), [entry(4, on=date(2026, 11, 1))])
    assert (p.counted, p.remaining) == (0, h(4))
    done = tn(date(2026, 10, 2), [entry(2, "laws_rules", on=date(2026, 11, 1)),
                                  entry(2, "ethics", on=date(2026, 11, 2))])
    assert done.remaining == 0


ANNUAL = DeadlineRule(kind=DeadlineKind.FIXED, month=12, day=31)


def test_extra_hours_carry_over_the_next_three_cycles() -> None:
    """Nevada-like: 30 h in 2022 (18 over), 6 h in 2023 (6 short, drawn from the bank), 12 h in 2024: 12 carry."""
    rs = rset(12, cycle_months=12, deadline=ANNUAL, carry_over=CarryOver(max_hours=h(36), periods=3))
    ledger = [entry(30, on=date(2022, 5, 1)), entry(6, on=date(2023, 5, 1)), entry(12, on=date(2024, 5, 1))]
    p = progress(rs, ledger, today=date(2025, 2, 1), deadline=date(2025, 12, 31))
    assert p.carried_in == h(12)
    assert p.counted == h(12)
    one_cycle = rs.model_copy(update={"carry_over": CarryOver(max_hours=h(36))})
    assert progress(one_cycle, ledger, today=date(2025, 2, 1), deadline=date(2025, 12, 31)).carried_in == 0


def test_carried_hours_expire_after_their_cycles() -> None:
    """Hours banked four cycles back no longer carry in when the rule allows three."""
    rs = rset(12, cycle_months=12, deadline=ANNUAL, carry_over=CarryOver(max_hours=h(36), periods=3))
    ledger = [entry(40, on=date(2021, 5, 1)), *(entry(12, on=date(y, 5, 1)) for y in (2022, 2023, 2024))]
    assert progress(rs, ledger, today=date(2025, 2, 1), deadline=date(2025, 12, 31)).carried_in == 0
    recent = [*ledger[1:], entry(40, on=date(2022, 6, 1))]
    assert progress(rs, recent, today=date(2025, 2, 1), deadline=date(2025, 12, 31)).carried_in == h(36)
