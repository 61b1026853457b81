"""The progress engine: counting, caps, minimums, first renewal, statuses and JSON."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cebot.domain.catalog import load_catalog
from cebot.domain.facts import CredentialFacts, EntryFacts
from cebot.domain.hours import quarters
from cebot.domain.progress import Progress, Status, compute_progress, progress_to_json
from cebot.domain.requirements import (
    Applicability,
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
from tests.helpers.examples import examples

TODAY = date(2025, 3, 1)  # inside Sep 1, 2023 - Aug 31, 2025
AUG31_ODD = DeadlineRule(kind=DeadlineKind.FIXED, month=8, day=31, parity=YearParity.ODD)


def rset(total: float = 24, *, key: str = "XX", cycle_months: int = 24, deadline: DeadlineRule = AUG31_ODD,
         **kw: Any) -> RequirementSet:
    """A requirement set with sensible defaults; hours in ``total`` are hours, the rest as RequirementSet."""
    kw.setdefault("state", key if len(key) == 2 else "XX")
    return RequirementSet(key=key, name=f"{key} licence", kind=SetKind.STATE_LICENCE,
                          applicability=kw.pop("applicability", Applicability.CE_REQUIRED),
                          total_hours=quarters(str(total)), cycle_months=cycle_months, deadline=deadline,
                          sources=(Source(title="test"),), checked_on=date(2025, 1, 1), **kw)


def minimum(key: str, hours: float, *subjects: str, **kw: Any) -> SubjectMinimum:
    return SubjectMinimum(key=key, label=key.replace("_", " ").title(), subjects=subjects or (key,),
                          hours=quarters(str(hours)), **kw)


def cap(key: str, hours: float, *, label: str | None = None, **kw: Any) -> Cap:
    return Cap(key=key, label=label or key, hours=quarters(str(hours)), **kw)


_ids = iter(range(1, 1_000_000))


def entry(hours: float, *subjects: str, on: date = date(2024, 6, 1), fmt: str = "in_person",
          title: str = "Course", cert: bool = True, id: int | None = None) -> EntryFacts:
    return EntryFacts(id=id if id is not None else next(_ids), title=title, completed_on=on,
                      hours=quarters(str(hours)), delivery_format=fmt, subjects=subjects, has_certificate=cert)


def progress(rs: RequirementSet, entries: list[EntryFacts], today: date = TODAY, **facts: Any) -> Progress:
    return compute_progress(rs, CredentialFacts(rs.key, **facts), entries, today)


def h(hours: float) -> int:
    return quarters(str(hours))


# ------------------------------------------------------------------------ counting


def test_hours_in_window_count_and_old_ones_are_listed() -> None:
    """Courses inside the window count; older ones are listed with the window in the reason."""
    old = entry(3, on=date(2023, 8, 31), title="Old")
    new = entry(5, on=date(2023, 9, 1))
    p = progress(rset(24), [old, new])
    assert p.counted == h(5)
    assert p.required == h(24)
    assert p.remaining == h(19)
    assert p.counted_entry_ids == (new.id,)
    assert [(n.entry_id, n.hours, n.reason) for n in p.not_counted] == [
        (old.id, h(3), "outside this cycle (Sep 1, 2023 – Aug 31, 2025)")]


def test_only_recent_outside_courses_are_listed() -> None:
    """Courses older than the previous cycle are not listed; those after a passed deadline are."""
    ancient = entry(3, on=date(2019, 1, 1))
    rs = rset(12, deadline=DeadlineRule(kind=DeadlineKind.EXPIRY))
    late = entry(2, on=date(2025, 3, 5))
    p = progress(rs, [ancient, late], date(2025, 3, 10), deadline=date(2025, 3, 1))
    assert p.status is Status.OVERDUE
    assert [n.entry_id for n in p.not_counted] == [late.id]


def test_online_cap_counts_part_of_a_course() -> None:
    """A course crossing the online cap counts in part; the rest is listed with the cap."""
    rs = rset(24, caps=(cap("online", 12, label="Online and home study", formats=("live_online", "home_study")),))
    a = entry(8, fmt="home_study", on=date(2024, 1, 1))
    b = entry(6, fmt="live_online", on=date(2024, 2, 1))
    c = entry(4, fmt="in_person", on=date(2024, 3, 1))
    p = progress(rs, [c, b, a])
    assert p.counted == h(16)
    assert p.partially_counted == (b.id,)
    assert [(n.entry_id, n.hours, n.reason, n.partial) for n in p.not_counted] == [
        (b.id, h(2), "over the 12 h online and home study cap", True)]


def test_zero_cap_never_counts() -> None:
    """A zero cap (AMTA: CPR) excludes the course with a plain reason."""
    rs = rset(48, key="AMTA", cycle_months=48, deadline=DeadlineRule(kind=DeadlineKind.EXPIRY),
              caps=(cap("cpr", 0, label="CPR / first aid (does not count)", subjects=("cpr",)),))
    cpr = entry(4, "cpr")
    p = progress(rs, [cpr, entry(2)], deadline=date(2026, 1, 31))
    assert p.counted == h(2)
    assert p.not_counted[0].reason == "CPR / first aid does not count for AMTA"


def test_self_care_cap_reason() -> None:
    """Self-care beyond the cap is listed as over the cap."""
    rs = rset(24, caps=(cap("self_care", 4, label="Self-care", subjects=("self_care",)),))
    p = progress(rs, [entry(3, "self_care", on=date(2024, 1, 1)), entry(3, "self_care", on=date(2024, 2, 1))])
    assert p.counted == h(4)
    assert p.not_counted[0].reason == "over the 4 h self-care cap"
    assert p.not_counted[0].hours == h(2)


def test_ethics_counts_toward_minimum_and_total() -> None:
    """An ethics hour counts toward the ethics minimum and the total."""
    rs = rset(24, minimums=(minimum("ethics", 3),))
    p = progress(rs, [entry(3, "ethics")])
    assert p.counted == h(3)
    row = p.subject_rows[0]
    assert (row.required, row.counted, row.remaining, row.met) == (h(3), h(3), 0, True)
    assert p.remaining == h(21)


def test_unmet_minimum_keeps_remaining_above_zero() -> None:
    """With 25 h logged but 4 h of subjects missing, 20 of 24 count and 4 remain ("N of M" and "to go" agree)."""
    rs = rset(24, minimums=(minimum("ethics", 3), minimum("laws_rules", 2)))
    p = progress(rs, [entry(24), entry(1, "ethics")])
    assert p.capped == h(25)
    assert p.counted == h(20)
    assert p.remaining == h(4)
    assert p.status is not Status.COMPLETE


def test_overlapping_minimums_count_their_gap_once() -> None:
    """Nested minimums (4 h ethics/boundaries of which 2 h boundaries) are not added twice."""
    rs = rset(24, minimums=(minimum("ecl", 4, "ethics", "boundaries"), minimum("boundaries", 2)))
    p = progress(rs, [entry(24)])
    assert p.remaining == h(4)
    p2 = progress(rs, [entry(20), entry(2, "ethics"), entry(2, "ethics")])
    assert [r.remaining for r in p2.subject_rows] == [0, h(2)]
    assert p2.remaining == h(2)


def test_minimum_with_formats_counts_only_those_formats() -> None:
    """A hands-on minimum that must be in person ignores online hands-on hours."""
    rs = rset(24, minimums=(minimum("hands_on", 12, formats=("in_person",)),))
    p = progress(rs, [entry(6, "hands_on", fmt="live_online"), entry(4, "hands_on")])
    assert p.subject_rows[0].counted == h(4)
    assert p.counted == h(10)


def test_minimum_serving_courses_win_the_cap() -> None:
    """Under a cap, a course that serves a minimum counts before an earlier one that does not."""
    rs = rset(24, minimums=(minimum("ethics", 2),),
              caps=(cap("online", 4, formats=("home_study",)),))
    generic = entry(4, fmt="home_study", on=date(2024, 1, 1))
    ethics = entry(2, "ethics", fmt="home_study", on=date(2024, 5, 1))
    p = progress(rs, [generic, ethics])
    assert p.subject_rows[0].met
    assert p.counted == h(4)
    assert p.not_counted[0].entry_id == generic.id


def test_overlapping_caps_count_the_most_hours() -> None:
    """An online self-care course does not knock out two others that fit the caps separately."""
    rs = rset(24, caps=(cap("online", 1, formats=("home_study",)), cap("self_care", 1, subjects=("self_care",))))
    both = entry(1, "self_care", fmt="home_study", on=date(2024, 1, 1))
    online = entry(1, "ethics", fmt="home_study", on=date(2024, 2, 1))
    selfcare = entry(1, "self_care", on=date(2024, 3, 1))
    p = progress(rs, [both, online, selfcare])
    assert p.counted == h(2)
    assert [n.entry_id for n in p.not_counted] == [both.id]


def test_on_top_minimum_is_outside_the_total() -> None:
    """Michigan's implicit bias (1 h per cycle year) is required on top of the total."""
    rs = rset(18, cycle_months=36, deadline=DeadlineRule(kind=DeadlineKind.EXPIRY),
              minimums=(minimum("implicit_bias", 1, on_top=True, per_cycle_year=True),))
    f = {"deadline": date(2026, 6, 30)}
    p = progress(rs, [entry(18), entry(2, "implicit_bias")], **f)
    row = p.subject_rows[0]
    assert (row.required, row.counted, row.on_top) == (h(3), h(2), True)
    assert p.counted == h(18)
    assert p.remaining == h(1)
    assert p.on_top_required == h(3)
    p2 = progress(rs, [entry(17), entry(4, "implicit_bias")], **f)
    assert p2.counted == h(18)
    assert p2.remaining == 0
    assert p2.status is Status.COMPLETE


def test_in_person_minimum() -> None:
    """Least in-person hours are shown and missing ones remain."""
    rs = rset(24, min_in_person_hours=h(12))
    p = progress(rs, [entry(20, fmt="home_study"), entry(4)])
    assert p.in_person is not None
    assert (p.in_person.required, p.in_person.counted, p.in_person.remaining) == (h(12), h(4), h(8))
    assert p.remaining == h(8)
    assert progress(rset(24), []).in_person is None


def test_certificates_and_counted_ids() -> None:
    """Counted courses without a certificate are counted for the audit reminder."""
    a, b = entry(2, cert=False), entry(2, cert=True)
    p = progress(rset(24), [a, b, entry(2, cert=False, on=date(2020, 1, 1))])
    assert p.entries_without_certificate == 1
    assert set(p.counted_entry_ids) == {a.id, b.id}


def test_cpr_condition_met_from_card_expiry() -> None:
    """A CPR condition is met when the card is current at the deadline; unknown without a date."""
    rs = rset(24, conditions=(Condition(key="cpr", label="Current CPR", unconfirmed=True),),
              unconfirmed=("Whether CPR is required.",))
    assert progress(rs, []).conditions[0].met is None
    assert progress(rs, [], cpr_expires_on=date(2026, 1, 1)).conditions[0].met is True
    assert progress(rs, [], cpr_expires_on=date(2025, 1, 1)).conditions[0].met is False
    assert progress(rs, []).conditions[0].unconfirmed


# ------------------------------------------------------------------------ first renewal and no-CE sets


def test_first_renewal_exempt_still_shows_hours() -> None:
    """An exempt first renewal is exempt but shows what was logged."""
    rs = rset(24, first_renewal=FirstRenewal(rule=FirstRenewalRule.EXEMPT, note="No CE for your first renewal."))
    p = progress(rs, [entry(5)], first_cycle=True)
    assert p.status is Status.EXEMPT
    assert (p.counted, p.required, p.remaining) == (h(5), 0, 0)
    assert p.notes[0] == "No CE for your first renewal."


def test_first_renewal_prorated_by_whole_months() -> None:
    """Florida: 1 h per whole month licensed, keeping only the named minimums, window from the issue date."""
    rs = rset(24, minimums=(minimum("medical_errors", 2), minimum("ethics", 2)), min_in_person_hours=h(12),
              first_renewal=FirstRenewal(rule=FirstRenewalRule.PRORATED, hours_per_month=h(1),
                                         keep_minimums=("medical_errors",)))
    before = entry(3, on=date(2024, 2, 1))
    p = progress(rs, [before, entry(2, "medical_errors", on=date(2024, 6, 1))],
                 first_cycle=True, issue_date=date(2024, 3, 15))
    assert p.required == h(17)
    assert [r.key for r in p.subject_rows] == ["medical_errors"]
    assert p.in_person is None
    assert p.window is not None
    assert p.window.start == date(2024, 3, 15)
    assert p.not_counted[0].entry_id == before.id
    assert p.remaining == h(15)


def test_first_renewal_prorated_capped_at_total() -> None:
    """Proration never asks for more than the total."""
    rs = rset(24, first_renewal=FirstRenewal(rule=FirstRenewalRule.PRORATED, hours_per_month=h(2)))
    p = progress(rs, [], first_cycle=True, issue_date=date(2023, 9, 1))
    assert p.required == h(24)


def test_first_renewal_prorated_without_issue_date_asks() -> None:
    """Without the issue date the full total applies and we ask for the date."""
    rs = rset(24, key="FL", first_renewal=FirstRenewal(rule=FirstRenewalRule.PRORATED, hours_per_month=h(1)))
    p = progress(rs, [], first_cycle=True)
    assert p.required == h(24)
    assert p.needs == ("Tell me when your licence was issued so I can prorate your first renewal: "
                       "/ce track FL issued:YYYY-MM-DD")


def test_first_renewal_fixed_hours_in_second_half() -> None:
    """New Jersey: 10 h when first licensed in the second year of the period, else the full 20."""
    rs = rset(20, deadline=DeadlineRule(kind=DeadlineKind.FIXED, month=11, day=30, parity=YearParity.EVEN),
              first_renewal=FirstRenewal(rule=FirstRenewalRule.PRORATED, fixed_hours=h(10)))
    today = date(2026, 3, 1)
    assert progress(rs, [], today, first_cycle=True, issue_date=date(2025, 12, 1)).required == h(10)
    assert progress(rs, [], today, first_cycle=True, issue_date=date(2025, 6, 1)).required == h(20)
    assert progress(rs, [], today, first_cycle=True).needs is not None


def test_no_ce_state_is_exempt_with_a_plain_note() -> None:
    """A state without CE is exempt and says so plainly."""
    rs = rset(0, key="OH", cycle_months=0, deadline=DeadlineRule(kind=DeadlineKind.NONE), state="OH",
              applicability=Applicability.NO_CE)
    p = progress(rs, [entry(3)])
    assert p.status is Status.EXEMPT
    assert p.notes[0] == "Ohio does not require CE to renew a massage licence."
    assert p.window is None


def test_no_licence_state_note() -> None:
    """A state without a licence says there is nothing to track."""
    rs = rset(0, key="MN", cycle_months=0, deadline=DeadlineRule(kind=DeadlineKind.NONE), state="MN",
              applicability=Applicability.NO_LICENCE)
    assert progress(rs, []).notes[0] == "Minnesota does not license massage therapists, so there is no CE to track."


def test_needs_info_without_expiry() -> None:
    """An expiry-based set without the user's date cannot be computed and says what to send."""
    rs = rset(12, key="TX", deadline=DeadlineRule(kind=DeadlineKind.EXPIRY))
    p = progress(rs, [entry(3)])
    assert p.status is Status.NEEDS_INFO
    assert p.needs == "Tell me your licence expiry date: /ce track TX deadline:YYYY-MM-DD"
    assert p.window is None


# ------------------------------------------------------------------------ carry-over


def test_carry_over_from_previous_window() -> None:
    """Hours over the total in the previous window carry in, up to the maximum."""
    rs = rset(20, deadline=DeadlineRule(kind=DeadlineKind.FIXED, month=11, day=30, parity=YearParity.EVEN),
              carry_over=CarryOver(max_hours=h(18)))
    today = date(2025, 6, 1)  # window Dec 1, 2024 - Nov 30, 2026
    p = progress(rs, [entry(25, on=date(2024, 1, 10)), entry(3, on=date(2025, 1, 5))], today)
    assert p.carried_in == h(5)
    assert p.counted == h(8)
    assert "carried over" in p.notes[-1]
    big = progress(rs, [entry(40, on=date(2024, 1, 10))], today)
    assert big.carried_in == h(18)


# ------------------------------------------------------------------------ statuses


def test_status_complete() -> None:
    """Every hour and minimum met is complete."""
    rs = rset(24, minimums=(minimum("ethics", 2),))
    assert progress(rs, [entry(22), entry(2, "ethics")]).status is Status.COMPLETE


def test_status_not_started_early_in_the_cycle() -> None:
    """Early in the cycle with nothing done is not started (the pace asks nothing yet)."""
    assert progress(rset(24), [], date(2023, 10, 1)).status is Status.NOT_STARTED


def test_status_behind_pace_in_the_second_half() -> None:
    """Nine months before the deadline with nothing done is behind pace; 6 of 24 h is on pace."""
    assert progress(rset(24), [], date(2024, 12, 1)).status is Status.BEHIND_PACE
    assert progress(rset(24), [entry(6)], date(2024, 12, 1)).status is Status.ON_PACE
    assert progress(rset(24), [entry(5)], date(2024, 12, 1)).status is Status.BEHIND_PACE


def test_status_due_soon_close_to_deadline() -> None:
    """Within 90 days of the deadline anything missing is due soon."""
    assert progress(rset(24), [entry(23.75)], date(2025, 6, 2)).status is Status.DUE_SOON
    assert progress(rset(24), [entry(23.75)], date(2025, 5, 1)).status is Status.ON_PACE


def test_status_overdue_after_the_users_deadline() -> None:
    """When the credential's own deadline has passed with hours missing, it is overdue."""
    rs = rset(12, deadline=DeadlineRule(kind=DeadlineKind.EXPIRY))
    p = progress(rs, [entry(6, on=date(2024, 6, 1))], date(2025, 3, 10), deadline=date(2025, 3, 1))
    assert p.status is Status.OVERDUE
    assert p.deadline == date(2025, 3, 1)
    assert p.days_left == -9


def test_complete_past_deadline_rolls_to_next_window() -> None:
    """A complete cycle whose deadline passed shows the next cycle and asks to update the date."""
    rs = rset(12, key="TX", deadline=DeadlineRule(kind=DeadlineKind.EXPIRY))
    p = progress(rs, [entry(12, on=date(2024, 6, 1))], date(2025, 3, 10), deadline=date(2025, 3, 1))
    assert p.status is Status.NOT_STARTED
    assert p.deadline == date(2027, 3, 1)
    assert p.counted == 0
    assert "deadline:2027-03-01" in p.notes[-1]


# ------------------------------------------------------------------------ JSON


def test_progress_json_fields() -> None:
    """The JSON view has stable field names and hours as numbers."""
    rs = rset(24, minimums=(minimum("ethics", 2),), min_in_person_hours=h(12),
              caps=(cap("online", 1, formats=("home_study",)),))
    p = progress(rs, [entry(1.5, "ethics"), entry(2, fmt="home_study")])
    data = json.loads(json.dumps(progress_to_json(p)))
    assert set(data) >= {"key", "name", "status", "window", "deadline", "days_left", "required", "counted",
                         "remaining", "subjects", "in_person", "not_counted", "conditions", "unconfirmed", "needs"}
    assert data["window"] == {"start": "2023-09-01", "deadline": "2025-08-31"}
    assert data["counted"] == 2.5
    assert data["subjects"][0] == {"key": "ethics", "label": "Ethics", "required": 2.0, "counted": 1.5,
                                   "remaining": 0.5, "met": False, "on_top": False, "unconfirmed": False}
    assert data["not_counted"][0]["reason"] == "over the 1 h online cap"
    assert data["in_person"]["remaining"] == 10.5


# ------------------------------------------------------------------------ real catalog sets


def test_catalog_florida() -> None:
    """Florida: 24 h with in-person hands-on, the Aug 31 odd-year deadline."""
    rs = load_catalog().require("FL")
    entries = [entry(12, "hands_on"), entry(2, "medical_errors", fmt="home_study"),
               entry(2, "laws_rules", fmt="home_study"), entry(2, "ethics", fmt="home_study"),
               entry(1, "human_trafficking", fmt="home_study"), entry(5, fmt="home_study")]
    p = compute_progress(rs, CredentialFacts("FL"), entries, TODAY)
    assert p.deadline == date(2025, 8, 31)
    assert p.status is Status.COMPLETE
    assert p.counted == h(24)


def test_catalog_ncbtmb_self_care_and_ethics() -> None:
    """NCBTMB: self-care beyond 4 h does not count and 3 h ethics are needed."""
    rs = load_catalog().require("NCBTMB")
    p = compute_progress(rs, CredentialFacts("NCBTMB", deadline=date(2026, 1, 31)),
                         [entry(6, "self_care"), entry(20)], TODAY)
    assert p.capped == h(24)
    assert (p.counted, p.remaining) == (h(21), h(3))
    assert p.not_counted[0].reason == "over the 4 h self-care cap"


def test_catalog_michigan_implicit_bias() -> None:
    """Michigan: 3 h implicit bias on top of 18."""
    rs = load_catalog().require("MI")
    p = compute_progress(rs, CredentialFacts("MI", deadline=date(2027, 1, 31)),
                         [entry(15), entry(2, "ethics"), entry(1, "pain_management"), entry(3, "implicit_bias")],
                         TODAY)
    assert p.status is Status.COMPLETE
    assert p.counted == h(18)
    assert p.on_top_required == h(3)


def test_catalog_new_jersey_online_cap() -> None:
    """New Jersey: at most 6 h online."""
    rs = load_catalog().require("NJ")
    p = compute_progress(rs, CredentialFacts("NJ"), [entry(10, fmt="live_online", on=date(2025, 1, 5))],
                         date(2025, 6, 1))
    assert p.counted == h(6)
    assert p.deadline == date(2026, 11, 30)


def test_catalog_amtta_cpr_and_ohio() -> None:
    """AMTA does not count CPR; Ohio is exempt."""
    catalog = load_catalog()
    amta = compute_progress(catalog.require("AMTA"), CredentialFacts("AMTA", deadline=date(2027, 5, 31)),
                            [entry(6, "cpr")], TODAY)
    assert amta.counted == 0
    assert amta.not_counted[0].reason == "CPR / first aid does not count for AMTA"
    ohio = compute_progress(catalog.require("OH"), CredentialFacts("OH"), [entry(6)], TODAY)
    assert ohio.status is Status.EXEMPT
    assert ohio.notes[0] == "Ohio does not require CE to renew a massage licence."


# ------------------------------------------------------------------------ properties

SUBJECTS = ("ethics", "self_care", "cpr", "business", "hands_on")
FORMATS = ("in_person", "live_online", "home_study")
START, END = date(2023, 9, 1), date(2025, 8, 31)

entries_st = st.lists(
    st.builds(
        lambda i, d, q, f, s: EntryFacts(id=i, title=f"c{i}", completed_on=d, hours=q, delivery_format=f,
                                         subjects=tuple(sorted(s))),
        st.integers(1, 10_000), st.dates(date(2022, 1, 1), date(2025, 3, 1)), st.integers(1, 40),
        st.sampled_from(FORMATS), st.sets(st.sampled_from(SUBJECTS), max_size=2)),
    max_size=12, unique_by=lambda e: e.id)

caps_st = st.lists(
    st.builds(lambda k, q, subj, fmts: Cap(key=k, label=k, hours=q, subjects=subj, formats=fmts)
              if subj or fmts else None,
              st.sampled_from(["a", "b", "c", "d"]), st.integers(0, 48),
              st.sampled_from([(), ("self_care",), ("cpr",), ("business",), ("self_care", "business")]),
              st.sampled_from([(), ("home_study",), ("live_online", "home_study")])).filter(lambda c: c is not None),
    max_size=4, unique_by=lambda c: c.key if c is not None else "")

sets_st = st.builds(
    lambda total, caps, mins, in_person: rset(total / 4, caps=tuple(caps),
                                              minimums=tuple(m for m in mins if m.hours <= total),
                                              min_in_person_hours=min(in_person, total)),
    st.integers(4, 120), caps_st,
    st.lists(st.builds(lambda k, s, q: SubjectMinimum(key=k, label=k, subjects=s, hours=q),
                       st.sampled_from(["m1", "m2", "m3"]), st.sampled_from([("ethics",), ("hands_on", "ethics")]),
                       st.integers(1, 16)), max_size=2, unique_by=lambda m: m.key),
    st.integers(0, 48))


def _counted_by_entry(p: Progress, entries: list[EntryFacts]) -> dict[int, int]:
    lost: dict[int, int] = {}
    for n in p.not_counted:
        lost[n.entry_id] = lost.get(n.entry_id, 0) + n.hours
    return {e.id: e.hours - lost.get(e.id, 0) for e in entries}


@settings(max_examples=examples(300), deadline=None)
@given(sets_st, entries_st)
def test_property_counted_within_logged_and_caps_hold(rs: RequirementSet, entries: list[EntryFacts]) -> None:
    """Counted never exceeds hours logged in the window, every cap holds and remaining is never negative."""
    p = compute_progress(rs, CredentialFacts("XX"), entries, TODAY)
    logged = sum(e.hours for e in entries if START <= e.completed_on <= END)
    assert 0 <= p.counted <= logged
    assert p.remaining >= 0
    by_entry = _counted_by_entry(p, [e for e in entries if START <= e.completed_on <= END])
    assert sum(by_entry.values()) == p.capped
    assert p.counted <= p.capped
    assert all(0 <= by_entry[e.id] <= e.hours for e in entries if e.id in by_entry)
    for c in rs.caps:
        matched = [e for e in entries if (not c.subjects or set(c.subjects) & set(e.subjects))
                   and (not c.formats or e.delivery_format in c.formats)]
        assert sum(by_entry.get(e.id, 0) for e in matched) <= c.hours
    assert (p.status is Status.COMPLETE) == (p.remaining == 0)


@settings(max_examples=examples(300), deadline=None)
@given(sets_st, entries_st, st.integers(1, 40), st.sampled_from(FORMATS),
       st.sets(st.sampled_from(SUBJECTS), max_size=2), st.dates(date(2023, 9, 1), date(2025, 3, 1)))
def test_property_adding_an_entry_never_lowers_counted(rs: RequirementSet, entries: list[EntryFacts], q: int,
                                                      fmt: str, subjects: set[str], on: date) -> None:
    """Logging one more course never lowers the hours counted, nor raises what remains."""
    before = compute_progress(rs, CredentialFacts("XX"), entries, TODAY)
    extra = EntryFacts(id=20_000, title="new", completed_on=on, hours=q, delivery_format=fmt,
                       subjects=tuple(sorted(subjects)))
    after = compute_progress(rs, CredentialFacts("XX"), [*entries, extra], TODAY)
    assert after.counted >= before.counted
    if not rs.minimums and not rs.min_in_person_hours:
        assert after.remaining <= before.remaining


@pytest.mark.parametrize(("today", "done", "status"), [
    (date(2023, 9, 1), 0, Status.NOT_STARTED),   # 731 days left: the pace asks 0 h
    (date(2024, 9, 1), 0, Status.NOT_STARTED),   # 364 days left (half way): 0 h asked
    (date(2024, 12, 1), 0, Status.BEHIND_PACE),  # 273 days left: 6 h asked
    (date(2024, 12, 1), 6, Status.ON_PACE),
    (date(2025, 3, 1), 10, Status.BEHIND_PACE),  # 183 days left: 12 h asked
    (date(2025, 5, 1), 23, Status.ON_PACE),      # 122 days left: 16 h asked
    (date(2025, 6, 2), 23, Status.DUE_SOON),     # 90 days left, 1 h missing
])
def test_pace_rule_examples(today: date, done: int, status: Status) -> None:
    """The pace rule on the examples in docs/progress-rules.md (24 h, Sep 1, 2023 - Aug 31, 2025)."""
    entries = [entry(done, on=date(2023, 9, 1))] if done else []
    assert progress(rset(24), entries, today).status is status
