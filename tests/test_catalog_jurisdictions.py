"""Every state and DC has a shipped set, and each set gives the answer its source gives in one scenario."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import count
from typing import Any

import pytest

from cebot.domain.catalog import load_catalog
from cebot.domain.facts import CredentialFacts, EntryFacts
from cebot.domain.hours import quarters
from cebot.domain.progress import Progress, Status, compute_progress
from cebot.domain.requirements import Applicability, SetKind

JURISDICTIONS = (
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA",
    "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR",
    "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
)
_ids = count(1)


def h(hours: float) -> int:
    return quarters(str(hours))


def e(hours: float, *subjects: str, fmt: str = "in_person", on: date | None = None) -> EntryFacts:
    i = next(_ids)
    return EntryFacts(id=i, title=f"Course {i}", completed_on=on or date(2000, 1, 1), hours=h(hours),
                      delivery_format=fmt, subjects=subjects)


@dataclass(frozen=True)
class Case:
    """One scenario: a credential with ``deadline``, courses logged 100 days before it, and what must hold."""

    deadline: date
    entries: tuple[EntryFacts, ...]
    check: Callable[[Progress], bool]
    facts: dict[str, Any] = field(default_factory=dict)
    why: str = ""


def hours_of(p: Progress) -> tuple[int, int]:
    return p.counted, p.remaining


def exempt(p: Progress) -> bool:
    return p.status is Status.EXEMPT and p.required == 0


D = date
CASES: dict[str, Case] = {
    "AL": Case(D(2027, 3, 1), (e(10),), lambda p: hours_of(p) == (h(10), h(6)), why="16 h in 24 months"),
    "AK": Case(D(2027, 9, 30), (e(14), e(4, "cpr")), lambda p: p.capped == h(16) and hours_of(p) == (h(14), h(2)),
               why="CPR counts 2 h at most; 2 h ethics"),
    "AZ": Case(D(2027, 6, 14), (e(20, fmt="home_study"), e(5)), lambda p: p.capped == h(17) and p.remaining == h(8),
               facts={"birth_month": 6, "birth_day": 14}, why="25 h, at most 12 by distance"),
    "AR": Case(D(2027, 6, 14), (e(18),), lambda p: p.status is Status.COMPLETE,
               facts={"birth_month": 6, "birth_day": 14}, why="18 h, licence expires on the birthday"),
    "CA": Case(D(2027, 1, 1), (), exempt, why="certification is voluntary"),
    "CO": Case(D(2027, 1, 1), (), exempt, why="no CE"),
    "CT": Case(D(2028, 5, 31), (e(24, fmt="home_study"),), lambda p: p.capped == h(18) and p.remaining == h(6),
               why="24 h in 4 years, at most 18 online"),
    "DE": Case(D(2027, 8, 31), (e(24),), lambda p: p.status is Status.COMPLETE, why="24 h per period"),
    "DC": Case(D(2027, 1, 31), (e(3, "ethics"), e(9, "massage_related", fmt="home_study"), e(2, "cultural_competency")),
               lambda p: hours_of(p) == (h(8), h(6)), why="6 of the 9 massage hours hands-on in a live classroom"),
    "FL": Case(D(2027, 8, 31), (e(20, fmt="home_study"),),
               lambda p: hours_of(p) == (h(5), h(19)) and p.not_counted[0].hours == h(8),
               why="12 classroom hours: home study over the other 12 does not count"),
    "GA": Case(D(2026, 10, 31), (e(24, fmt="home_study"),), lambda p: p.remaining == h(12),
               why="12 direct hands-on supervised hours"),
    "HI": Case(D(2026, 6, 30), (e(12),), lambda p: hours_of(p) == (h(10), h(2)), why="2 h first aid / CPR"),
    "ID": Case(D(2027, 4, 30), (e(6),), lambda p: hours_of(p) == (h(5), h(1)), why="6 h a year, 1 in ethics"),
    "IL": Case(D(2026, 12, 31), (e(21, fmt="home_study"), e(2, "ethics", fmt="home_study"),
                                  e(1, "domestic_violence", fmt="home_study"),
                                  e(1, "sexual_harassment", fmt="home_study")),
               lambda p: p.status is Status.COMPLETE, why="all 25 h may be self-study"),
    "IN": Case(D(2027, 1, 1), (), exempt, why="no CE"),
    "IA": Case(D(2027, 3, 1), (e(16, fmt="home_study"),), lambda p: p.capped == h(8) and p.remaining == h(8),
               why="at least 8 of 16 h in person or live"),
    "KS": Case(D(2027, 1, 1), (), exempt, why="no state licence"),
    "KY": Case(D(2027, 3, 1), (e(24),), lambda p: hours_of(p) == (h(21), h(3)), why="3 h ethics"),
    "LA": Case(D(2027, 3, 31), (e(12),), lambda p: p.status is Status.COMPLETE and p.window is not None
               and p.window.start == D(2026, 4, 1), why="12 h a year, all licences expire March 31"),
    "ME": Case(D(2027, 1, 1), (), exempt, why="no CE"),
    "MD": Case(D(2026, 10, 31), (e(17, "hands_on"), e(3, "ethics"), e(3, "communicable_disease"),
                                  e(1, "cultural_competency")),
               lambda p: p.status is Status.COMPLETE, why="3 + 3 + 17 + 1 h"),
    "MA": Case(D(2027, 5, 31), (e(2, "ethics"), e(1, "human_trafficking")), lambda p: p.status is Status.COMPLETE,
               why="3 h a year on ethics or human trafficking"),
    "MI": Case(D(2027, 1, 31), (e(15), e(2, "ethics"), e(1, "pain_management")), lambda p: p.remaining == h(3),
               why="implicit bias 1 h per year on top of 18"),
    "MN": Case(D(2027, 1, 1), (), exempt, why="no state licence"),
    "MS": Case(D(2027, 5, 31), (e(20), e(4, "cpr")), lambda p: p.capped == h(23) and hours_of(p) == (h(18), h(6)),
               why="3 h law and 3 h ethics; CPR and first aid count 3 h"),
    "MO": Case(D(2027, 1, 31), (e(12),), lambda p: p.status is Status.COMPLETE, why="12 h in the 2-year period"),
    "MT": Case(D(2027, 8, 31), (e(11),), lambda p: p.remaining == h(1), why="12 h"),
    "NE": Case(D(2027, 3, 1), (e(16, fmt="home_study"),), lambda p: p.capped == h(8), why="at most 50% online"),
    "NV": Case(D(2026, 12, 31), (e(30, on=D(2024, 5, 1)), e(12, on=D(2025, 5, 1))),
               lambda p: p.carried_in == h(18) and p.status is Status.COMPLETE,
               why="18 extra hours of 2024 still carry into 2026 (the next 3 years)"),
    "NH": Case(D(2027, 3, 1), (e(12),), lambda p: p.status is Status.COMPLETE, why="12 h every two years"),
    "NJ": Case(D(2026, 11, 30), (e(10),), lambda p: p.required == h(10) and hours_of(p) == (h(8), h(2)),
               facts={"first_cycle": True, "issue_date": D(2026, 1, 10)},
               why="10 h in the second year, including 2 h ethics"),
    "NM": Case(D(2026, 10, 31), (e(16, fmt="live_online"),), lambda p: p.capped == h(8), why="at most 8 h online"),
    "NY": Case(D(2027, 6, 30), (e(36, fmt="home_study"),), lambda p: p.capped == h(12), why="at most 12 h self-study"),
    "NC": Case(D(2026, 11, 1), (e(24, fmt="home_study"),),
               lambda p: p.capped == h(12) and p.window is not None and p.window.deadline == D(2026, 11, 1),
               why="Nov 1 deadline, at most 12 h distance"),
    "ND": Case(D(2027, 2, 28), (e(24, fmt="home_study"),), lambda p: p.capped == h(12) and p.remaining == h(12),
               why="12 classroom hands-on hours, at most half remote"),
    "OH": Case(D(2027, 1, 1), (), exempt, why="no CE"),
    "OK": Case(D(2027, 6, 30), (e(10),), lambda p: p.status is Status.COMPLETE,
               facts={"birth_month": 6, "birth_day": 2}, why="10 h, renews the last day of the birth month"),
    "OR": Case(D(2026, 6, 1), (e(25),), lambda p: p.remaining == h(5), facts={"birth_month": 6, "birth_day": 9},
               why="4 h ethics/boundaries in person and 1 h cultural competency"),
    "PA": Case(D(2027, 1, 31), (e(24),), lambda p: p.remaining == h(6), why="4 h ethics, 2 h child abuse"),
    "RI": Case(D(2027, 3, 1), (e(6, fmt="home_study"),), lambda p: p.status is Status.COMPLETE, why="6 h a year"),
    "SC": Case(D(2027, 3, 1), (e(12),), lambda p: p.remaining == h(3), why="3 h ethics"),
    "SD": Case(D(2026, 9, 30), (e(8),), lambda p: p.status is Status.COMPLETE and p.window is not None
               and p.window.start == D(2024, 10, 1), why="8 h, cycle Oct 1 even year to Sep 30"),
    "TN": Case(D(2026, 12, 31), (e(4, on=D(2026, 11, 1)),), lambda p: p.required == h(4) and p.remaining == h(4),
               facts={"first_cycle": True, "issue_date": D(2026, 10, 2)},
               why="licensed in October of the second year: the 4 subject hours"),
    "TX": Case(D(2027, 3, 1), (e(6, "human_trafficking"), e(6)), lambda p: p.capped == h(9) and p.remaining == h(3),
               why="human-trafficking training counts at most 3 h"),
    "UT": Case(D(2027, 1, 1), (), exempt, why="no CE"),
    "VT": Case(D(2027, 1, 1), (), exempt, why="registration only"),
    "VA": Case(D(2026, 5, 31), (e(24),), lambda p: p.remaining == h(1),
               facts={"birth_month": 5, "birth_day": 3, "birth_year": 1986}, why="1 h ethics"),
    "WA": Case(D(2026, 9, 30), (e(12, "hands_on"), e(4, "boundaries"), e(2, "health_equity"), e(6)),
               lambda p: p.status is Status.COMPLETE, facts={"birth_month": 9, "birth_day": 30},
               why="8 h hands-on, 4 h ethics group incl. 2 h boundaries, 2 h health equity"),
    "WV": Case(D(2027, 3, 31), (e(24),), lambda p: p.remaining == h(3), why="3 h ethics"),
    "WI": Case(D(2027, 2, 28), (e(24),), lambda p: p.remaining == h(2), why="2 h ethics"),
    "WY": Case(D(2027, 1, 1), (), exempt, why="no state licence"),
}


def test_every_jurisdiction_has_a_set() -> None:
    """All 50 states and DC have a shipped set, as a state licence set with its own state code."""
    catalog = load_catalog()
    missing = [key for key in JURISDICTIONS if key not in catalog]
    assert not missing, f"no requirement set for {missing}"
    for key in JURISDICTIONS:
        rs = catalog.require(key)
        assert (rs.kind, rs.state) == (SetKind.STATE_LICENCE, key), key
        assert rs.sources, key
    assert sorted(CASES) == sorted(JURISDICTIONS)


def test_sets_without_ce_say_so() -> None:
    """A jurisdiction without a licence or without CE says so plainly and asks no hours."""
    for key in ("KS", "MN", "WY", "VT", "OH", "CO", "ME", "IN", "UT", "CA"):
        rs = load_catalog().require(key)
        assert rs.applicability is not Applicability.CE_REQUIRED, key
        assert not rs.tracks_hours, key


@pytest.mark.parametrize("key", JURISDICTIONS)
def test_jurisdiction_scenario_from_its_source(key: str) -> None:
    """One scenario per jurisdiction from its source (hours, a minimum or cap, the deadline rule)."""
    case = CASES[key]
    rs = load_catalog().require(key)
    on = case.deadline - timedelta(days=100)
    entries = [e if e.completed_on != date(2000, 1, 1) else EntryFacts(
        id=e.id, title=e.title, completed_on=on, hours=e.hours, delivery_format=e.delivery_format,
        subjects=e.subjects) for e in case.entries]
    facts = CredentialFacts(key, deadline=case.deadline, **case.facts)
    p = compute_progress(rs, facts, entries, case.deadline - timedelta(days=30))
    assert case.check(p), (key, case.why, p.counted, p.capped, p.required, p.remaining, p.status)
