"""Differential tests: the optimised progress engine and cycle maths give exactly what the originals gave.

The originals (commit 5ccbd1d) are frozen in ``tests/reference/``. Every field of every result is compared:
hours, rows, not-counted lists and their order, reasons, notes, statuses, windows. Set
``CEBOT_REFERENCE_EXAMPLES`` (default 200) to run more random examples, e.g. after changing the engine.
"""

from __future__ import annotations

import calendar
import dataclasses
import functools
import os
import random
from collections.abc import Callable
from datetime import date, timedelta
from enum import Enum
from typing import Any

from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from cebot.domain import cycles
from cebot.domain.catalog import load_catalog
from cebot.domain.facts import CredentialFacts, EntryFacts
from cebot.domain.progress import compute_progress
from cebot.domain.requirements import (
    Applicability,
    BirthdayAnchor,
    Cap,
    CarryOver,
    Condition,
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
from cebot.models import Credential, Member
from cebot.services import credentials, ledger
from cebot.services import progress as progress_service
from tests._services_helpers import add_credential, seed_entries, workspace_with
from tests.reference import cycles as ref_cycles
from tests.reference import progress as ref_progress

FORMATS = ("in_person", "live_online", "home_study")
SUBJECTS = ("ethics", "laws_rules", "hands_on", "self_care", "cpr", "business", "implicit_bias", "boundaries",
            "medical_errors", "pain_management")
CATALOG = tuple(load_catalog().sets.values())
EXAMPLES = int(os.environ.get("CEBOT_REFERENCE_EXAMPLES", "200"))


def plain(value: Any) -> Any:
    """A result as plain data (dataclasses -> (class name, fields), enums -> values), comparable across modules."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__,
                tuple((f.name, plain(getattr(value, f.name))) for f in dataclasses.fields(value)))
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return tuple(plain(v) for v in value)
    return value


def outcome(fn: Callable[..., Any], *args: Any) -> Any:
    """What ``fn(*args)`` returns as plain data, or the type of the error it raises."""
    try:
        return plain(fn(*args))
    except Exception as exc:  # the reference's errors must be matched too
        return ("raised", type(exc).__name__)


def assert_same_progress(rs: RequirementSet, facts: CredentialFacts, entries: list[EntryFacts],
                         today: date) -> None:
    new = outcome(compute_progress, rs, facts, entries, today)
    old = outcome(ref_progress.compute_progress, rs, facts, entries, today)
    assert new == old, (rs, facts, entries, today)


# ------------------------------------------------------------------------ strategies


def _month_day(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


# Plain days, and the days where month arithmetic is delicate (the 28th to the 31st, Feb 29).
days = st.one_of(
    st.dates(date(2015, 1, 1), date(2034, 12, 31)),
    st.builds(_month_day, st.integers(2015, 2034), st.integers(1, 12), st.integers(28, 31)),
)

rules = st.builds(
    DeadlineRule,
    kind=st.sampled_from(list(DeadlineKind)),
    month=st.one_of(st.none(), st.integers(1, 12)),
    day=st.one_of(st.none(), st.integers(1, 31)),
    parity=st.sampled_from(list(YearParity)),
    anchor=st.sampled_from(list(BirthdayAnchor)),
)

# Few subjects, so that minimums overlap, caps compete and courses match them often.
FEW = SUBJECTS[:3]
subject_tuples = st.lists(st.sampled_from(FEW), min_size=1, max_size=2, unique=True).map(tuple)
format_tuples = st.sampled_from([(), ("in_person",), ("home_study",), ("live_online", "home_study")])

minimums_st = st.lists(
    st.builds(SubjectMinimum, key=st.sampled_from(["m1", "m2", "m3", "m4"]), label=st.sampled_from(["M", "Ethics"]),
              subjects=subject_tuples, hours=st.integers(0, 40), formats=format_tuples, on_top=st.booleans(),
              per_cycle_year=st.booleans(), unconfirmed=st.booleans()),
    max_size=4, unique_by=lambda m: m.key)

caps_st = st.lists(
    st.builds(Cap, key=st.sampled_from(["a", "b", "c", "d"]),
              label=st.sampled_from(["Online (live or recorded)", "Self-care", "CPR", "business"]),
              hours=st.one_of(st.sampled_from([0, 0, 4, 8, 16]), st.integers(0, 60)),
              subjects=st.one_of(st.just(()), subject_tuples), formats=format_tuples, unconfirmed=st.booleans()),
    max_size=4)

first_renewals = st.builds(
    FirstRenewal, rule=st.sampled_from(list(FirstRenewalRule)), hours_per_month=st.sampled_from([0, 2, 4]),
    fixed_hours=st.one_of(st.none(), st.integers(0, 60)),
    keep_minimums=st.lists(st.sampled_from(["m1", "m2", "in_person"]), max_size=2, unique=True).map(tuple),
    note=st.sampled_from(["", "First renewal note."]))


@st.composite
def requirement_sets(draw: st.DrawFn) -> RequirementSet:
    return RequirementSet(
        key="XX", name="XX licence", kind=draw(st.sampled_from(list(SetKind))),
        applicability=draw(st.sampled_from([Applicability.CE_REQUIRED] * 6 + list(Applicability))),
        total_hours=draw(st.one_of(st.integers(0, 40), st.integers(0, 160))),
        cycle_months=draw(st.sampled_from([0, 6, 12, 12, 24, 24, 24, 36, 48])),
        deadline=draw(rules), sources=(Source("test"),), checked_on=date(2025, 1, 1),
        minimums=tuple(draw(minimums_st)), caps=tuple(draw(caps_st)),
        min_in_person_hours=draw(st.sampled_from([0, 0, 16, 48])), first_renewal=draw(first_renewals),
        carry_over=CarryOver(max_hours=draw(st.sampled_from([0, 0, 24, 144]))),
        conditions=draw(st.sampled_from([(), (Condition("cpr", "Current CPR"),), (Condition("other", "Other"),)])),
        unconfirmed=draw(st.sampled_from([(), ("Something unconfirmed.",)])),
        notes=draw(st.sampled_from([(), ("A note.",)])), state=draw(st.sampled_from([None, "FL", "MN", "ZZ"])))


credential_facts = st.builds(
    CredentialFacts, requirement_key=st.just("XX"), deadline=st.one_of(st.none(), days),
    issue_date=st.one_of(st.none(), days), birth_month=st.one_of(st.none(), st.integers(1, 12)),
    birth_day=st.one_of(st.none(), st.integers(1, 31)), birth_year=st.one_of(st.none(), st.integers(1950, 2005)),
    first_cycle=st.sampled_from([False, True, True]), cpr_expires_on=st.one_of(st.none(), days))


@st.composite
def entry_lists(draw: st.DrawFn, max_size: int = 40) -> list[EntryFacts]:
    base = draw(days)
    spread = draw(st.sampled_from([30, 400, 1500, 4000]))
    pool = draw(st.sampled_from([FEW, SUBJECTS]))
    rows = draw(st.lists(
        st.tuples(st.integers(0, spread), st.integers(1, 40), st.sampled_from(FORMATS),
                  st.lists(st.sampled_from(pool), max_size=3, unique=True), st.booleans()),
        max_size=max_size))
    ids = draw(st.permutations(range(1, len(rows) + 1)))
    return [EntryFacts(id=i, title=f"Course {i}", completed_on=base + timedelta(days=offset - spread // 2),
                       hours=hours, delivery_format=fmt, subjects=tuple(subjects), has_certificate=cert)
            for i, (offset, hours, fmt, subjects, cert) in zip(ids, rows, strict=True)]


# ------------------------------------------------------------------------ progress


@settings(max_examples=EXAMPLES, deadline=None)
@given(requirement_sets(), credential_facts, entry_lists(), days)
def test_progress_matches_reference_on_random_sets(rs: RequirementSet, facts: CredentialFacts,
                                                   entries: list[EntryFacts], today: date) -> None:
    """Random sets, credentials, ledgers and days: every field of the result is what the original gave."""
    assert_same_progress(rs, facts, entries, today)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.sampled_from(CATALOG), credential_facts, entry_lists(), days)
def test_progress_matches_reference_on_the_catalog(rs: RequirementSet, facts: CredentialFacts,
                                                   entries: list[EntryFacts], today: date) -> None:
    """Every shipped set with random credentials, ledgers and days gives what the original gave."""
    assert_same_progress(rs, replace_key(facts, rs.key), entries, today)


def replace_key(facts: CredentialFacts, key: str) -> CredentialFacts:
    return dataclasses.replace(facts, requirement_key=key)


def test_progress_matches_reference_on_big_ledgers_of_the_catalog() -> None:
    """Seeded sweep: every shipped set, long ledgers (up to 600 courses), many deadlines: same results."""
    rng = random.Random(20260301)
    for n in range(EXAMPLES // 2):
        rs = CATALOG[n % len(CATALOG)]
        today = date(2020, 1, 1) + timedelta(days=rng.randrange(3650))
        deadline = rng.choice([None, today + timedelta(days=rng.randrange(-400, 900))])
        facts = CredentialFacts(
            rs.key, deadline=deadline, issue_date=rng.choice([None, today - timedelta(days=rng.randrange(1500))]),
            birth_month=rng.choice([None, rng.randrange(1, 13)]), birth_day=rng.choice([None, rng.randrange(1, 32)]),
            birth_year=rng.choice([None, rng.randrange(1950, 2000)]), first_cycle=rng.random() < 0.3,
            cpr_expires_on=rng.choice([None, today + timedelta(days=rng.randrange(-300, 900))]))
        entries = [
            EntryFacts(id=i, title=f"Seminar {i}", completed_on=today - timedelta(days=rng.randrange(-200, 2500)),
                       hours=rng.choice([1, 2, 4, 6, 8, 12, 16, 40]), delivery_format=rng.choice(FORMATS),
                       subjects=tuple(rng.sample((*SUBJECTS, "human_trafficking", "child_abuse"), rng.randrange(3))),
                       has_certificate=rng.random() < 0.5)
            for i in rng.sample(range(1, 100_000), rng.randrange(0, 600))
        ]
        assert_same_progress(rs, facts, entries, today)


# ------------------------------------------------------------------------ cycle maths


@settings(max_examples=5 * EXAMPLES, deadline=None)
@given(days, days, st.integers(-130, 130))
def test_month_arithmetic_matches_dateutil(start: date, end: date, months: int) -> None:
    """add_months and months_between give what dateutil's relativedelta gives."""
    assert cycles.add_months(start, months) == start + relativedelta(months=months)
    delta = relativedelta(end, start)
    assert cycles.months_between(start, end) == delta.years * 12 + delta.months


@settings(max_examples=EXAMPLES, deadline=None)
@given(requirement_sets(), credential_facts, days)
def test_cycle_maths_matches_reference(rs: RequirementSet, facts: CredentialFacts, on: date) -> None:
    """Current, next and ending windows, deadlines and what to ask: the same as the original cycle maths."""
    for name in ("current_window", "next_window", "window_for_deadline", "needs"):
        args = (rs, facts) if name == "needs" else (rs, facts, on)
        assert outcome(getattr(cycles, name), *args) == outcome(getattr(ref_cycles, name), *args), name
    rule_args = (rs.deadline, rs.cycle_months, facts, on)
    assert outcome(cycles.deadline_on_or_after, *rule_args) == outcome(ref_cycles.deadline_on_or_after, *rule_args)
    if rs.cycle_months:
        for month_end in (None, True, False):
            new = outcome(functools.partial(cycles.window_ending, month_end=month_end), on, rs.cycle_months)
            old = outcome(functools.partial(ref_cycles.window_ending, month_end=month_end), on, rs.cycle_months)
            assert new == old
        window = cycles.window_ending(on, rs.cycle_months)
        assert window.months == ref_cycles.CycleWindow(window.start, window.deadline).months


# ------------------------------------------------------------------------ services

SERVICE_TODAY = date(2026, 3, 1)
SERVICE_CREDENTIALS: list[list[tuple[str, dict[str, Any]]]] = [
    [("FL", {"deadline": date(2027, 8, 31)})],
    [("FL", {"deadline": date(2025, 8, 31)}), ("NCBTMB", {"deadline": date(2027, 6, 30)})],  # FL lapsed
    [("VA", {"birth_month": 5, "birth_day": 17, "birth_year": 1985}), ("AMTA", {"deadline": date(2026, 5, 31)})],
    [("NJ", {"first_cycle": True, "issue_date": date(2025, 2, 1), "licence_number": "NJ-1"}),
     ("MI", {"deadline": date(2027, 1, 31)})],
    [("NV", {"deadline": date(2026, 12, 31)}), ("WA", {"deadline": date(2026, 9, 30),
                                                      "cpr_expires_on": date(2027, 1, 1)})],
    [("TN", {"first_cycle": True, "issue_date": date(2024, 10, 15), "deadline": date(2026, 10, 15)}), ("MN", {})],
]


def test_services_match_the_reference_engine(session: Session) -> None:
    """Member and team progress (read as column tuples, sorted per member) equal the original engine run on each
    credential's courses from its floor on, for every kind of rule; credential facts equal credential_facts()."""
    w, members = workspace_with(session, "T1", [f"U{i}" for i in range(len(SERVICE_CREDENTIALS))])
    tracked: dict[int, list[Credential]] = {}
    for i, (m, spec) in enumerate(zip(members, SERVICE_CREDENTIALS, strict=True)):
        tracked[m.id or 0] = [add_credential(session, m, key, **kw) for key, kw in spec]
        seed_entries(session, m, 150, start=date(2019, 1, 1), days=2600, seed=i)
    session.commit()
    catalog = credentials.shipped_catalog()

    def expected(m: Member, lookback: int) -> list[Any]:
        ledger_facts = [ledger.entry_facts(e) for e in ledger.list_entries(session=session, member=m, limit=10_000)]
        out = []
        for c in sorted(tracked[m.id or 0], key=lambda c: c.requirement_key):
            rs = catalog.require(c.requirement_key)
            facts = credentials.credential_facts(c)
            floor = progress_service.entry_floor(rs, facts, SERVICE_TODAY, lookback)
            mine = [e for e in ledger_facts if floor is not None and e.completed_on >= floor]
            out.append(ref_progress.compute_progress(rs, facts, mine, SERVICE_TODAY))
        return plain(out)

    team = progress_service.team_progress(session=session, workspace=w, today=SERVICE_TODAY)
    full = progress_service.team_progress(session=session, workspace=w, today=SERVICE_TODAY,
                                          lookback_months=progress_service.LOOKBACK_MONTHS)
    by_member = {mp.member.id: mp.progress for mp in team}
    full_by_member = {mp.member.id: mp.progress for mp in full}
    for m in members:
        own = progress_service.member_progress(session=session, member=m, today=SERVICE_TODAY)
        assert plain(own) == expected(m, progress_service.LOOKBACK_MONTHS)
        assert plain(full_by_member[m.id]) == expected(m, progress_service.LOOKBACK_MONTHS)
        assert plain(by_member[m.id]) == expected(m, 0)
        for c in tracked[m.id or 0]:
            (row,) = progress_service._credential_rows(session, Credential.id == c.id)
            assert progress_service._facts(row, None) == credentials.credential_facts(c)
