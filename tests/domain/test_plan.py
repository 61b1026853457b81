"""The plan to finish: as few hours as an exhaustive search finds, complete once logged, and fast inputs exact."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cebot.domain.catalog import load_catalog
from cebot.domain.facts import CredentialFacts, EntryFacts
from cebot.domain.plan import CourseKind, Target, _condensed, _Problem, make_plan, plan_is_complete
from cebot.domain.progress import compute_progress
from tests.domain.test_progress import TODAY, cap, entry, minimum, rset

ONLINE = ("live_online", "home_study")


def exhaustive(targets: list[Target], today: date, limit: int = 12) -> int | None:
    """The fewest whole hours, over every mix of the planner's course kinds, that complete every target."""
    problem = _Problem(targets, today)
    kinds = problem.kinds
    for total in range(limit + 1):
        for cut in itertools.combinations(range(total + len(kinds) - 1), len(kinds) - 1):
            parts = [b - a - 1 for a, b in zip((-1, *cut), (*cut, total + len(kinds) - 1), strict=True)]
            if problem.done({k: 4 * n for k, n in zip(kinds, parts, strict=True)}):
                return 4 * total
    return None


@st.composite
def small_sets(draw: st.DrawFn, key: str) -> Target:
    total = draw(st.integers(1, 4))
    kw: dict[str, Any] = {}
    mins = []
    if draw(st.booleans()):
        mins.append(minimum("ethics", draw(st.integers(1, total)), "ethics",
                            formats=draw(st.sampled_from([(), ("in_person",)]))))
    if draw(st.booleans()) and total - sum(m.hours for m in mins) // 4 >= 1:
        mins.append(minimum("laws_rules", draw(st.integers(1, total - sum(m.hours for m in mins) // 4)),
                            "laws_rules"))
    kw["minimums"] = tuple(mins)
    if draw(st.booleans()):
        kw["caps"] = (cap("online", draw(st.integers(0, total)), formats=ONLINE),)
    if draw(st.booleans()):
        kw["min_in_person_hours"] = 4 * draw(st.integers(1, total))
    rs = rset(total, key=key, **kw)
    logged = draw(st.lists(st.builds(lambda h, s, f: entry(h, *s, fmt=f), st.integers(1, 2),
                                     st.sampled_from([(), ("ethics",), ("laws_rules",)]),
                                     st.sampled_from(["in_person", "live_online"])), max_size=2))
    return Target(rs, CredentialFacts(rs.key, deadline=date(2025, 8, 31)), logged)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(a=small_sets("AA"), b=small_sets("BB"))
def test_plan_is_as_short_as_an_exhaustive_search(a: Target, b: Target) -> None:
    """On two small random credentials the plan's hours equal the exhaustive optimum, and it completes both."""
    plan = make_plan([a, b], TODAY)
    assert plan_is_complete([a, b], plan, TODAY)
    open_targets = [t for t in (a, b) if compute_progress(t.requirement_set, t.facts, t.entries, TODAY).remaining]
    best = exhaustive(open_targets, TODAY) if open_targets else 0
    assert plan.hours == best


def test_one_ethics_course_serves_two_credentials() -> None:
    """Two sets each asking for 2 h of ethics within 4 h: 4 h in all, the ethics hours counted for both."""
    a = rset(4, key="AA", minimums=(minimum("ethics", 2),))
    b = rset(4, key="BB", minimums=(minimum("ethics", 2),))
    targets = [Target(rs, CredentialFacts(rs.key, deadline=date(2025, 8, 31)), []) for rs in (a, b)]
    plan = make_plan(targets, TODAY)
    assert plan.hours == 16
    ethics = [i for i in plan.items if i.kind.subject == "ethics"]
    assert [(i.hours, i.serves) for i in ethics] == [(8, ("AA", "BB"))]
    assert plan_is_complete(targets, plan, TODAY)


def test_online_cap_asks_for_in_person_hours() -> None:
    """With online hours capped at 1 of 3, the plan asks for 2 h in person and 1 h online."""
    rs = rset(3, caps=(cap("online", 1, formats=ONLINE),))
    plan = make_plan([Target(rs, CredentialFacts(rs.key, deadline=date(2025, 8, 31)), [])], TODAY)
    assert sorted((i.kind.delivery_format, i.hours) for i in plan.items) == [("in_person", 8), ("live_online", 4)]
    assert plan.items[0].latest == date(2025, 8, 31)


def test_complete_and_overdue_credentials_are_left_out() -> None:
    """A complete credential and one past its deadline are named as left out, with why."""
    done = rset(1, key="AA")
    late = rset(4, key="BB")
    targets = [Target(done, CredentialFacts("AA", deadline=date(2025, 8, 31)), [entry(1)]),
               Target(late, CredentialFacts("BB", deadline=date(2023, 8, 31)), [])]
    plan = make_plan(targets, TODAY)
    assert plan.items == ()
    assert dict(plan.left_out) == {"AA": "complete", "BB": "its deadline has passed"}


def test_catalog_plan_completes_five_credentials() -> None:
    """FL, NCBTMB, TX, MI and NY from the catalog: the plan, logged today, completes every one."""
    catalog = load_catalog()
    today = date(2026, 12, 1)
    targets = []
    for key in ("FL", "NCBTMB", "TX", "MI", "NY"):
        rs = catalog.get(key)
        assert rs is not None
        targets.append(Target(rs, CredentialFacts(key, deadline=date(2027, 8, 31)), []))
    plan = make_plan(targets, today)
    assert plan.items
    assert plan_is_complete(targets, plan, today)
    assert plan.hours <= sum(compute_progress(t.requirement_set, t.facts, [], today).remaining for t in targets)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(target=small_sets("AA"), extra=st.lists(st.builds(
    lambda h, s, f, d: entry(h, *s, fmt=f, on=date(2023, 6, 1) + (date(2025, 8, 1) - date(2023, 6, 1)) * d),
    st.integers(1, 3), st.sampled_from([(), ("ethics",), ("laws_rules",), ("ethics", "laws_rules")]),
    st.sampled_from(["in_person", "live_online", "home_study"]), st.floats(0, 1)), max_size=6))
def test_merged_ledger_counts_the_same(target: Target, extra: list[EntryFacts]) -> None:
    """Merging a window's courses by kind (the planner's speed-up) changes no count, with or without a plan."""
    full = Target(target.requirement_set, target.facts, sorted([*target.entries, *extra],
                                                               key=lambda e: (e.completed_on, e.id)))
    merged = _condensed(full, TODAY)
    planned = _Problem([], TODAY).entries({CourseKind("live_online", "ethics"): 4, CourseKind("in_person"): 2})
    for more in ([], planned):
        want = compute_progress(full.requirement_set, full.facts, [*full.entries, *more], TODAY)
        got = compute_progress(merged.requirement_set, merged.facts, [*merged.entries, *more], TODAY)
        assert (got.remaining, got.counted, got.status) == (want.remaining, want.counted, want.status)
