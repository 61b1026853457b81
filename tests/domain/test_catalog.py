"""The requirement catalog: shipped TOML sets, validation errors, round-trips and workspace overrides."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cebot.domain.catalog import (
    Catalog,
    CatalogError,
    UnknownRequirementSet,
    dump_requirement_set,
    load_catalog,
    load_catalog_from,
    parse_requirement_set,
)
from cebot.domain.hours import quarters
from cebot.domain.requirements import (
    DELIVERY_FORMATS,
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
from cebot.domain.subjects import SUBJECT_KEYS
from tests.helpers.examples import examples

CE_STATES = ("FL", "TX", "NY", "IL", "PA", "NC", "GA", "WA", "MI", "NJ", "VA", "AZ", "TN", "MD", "OR", "WI", "HI",
             "NE", "NV", "MA")
NO_CE_STATES = ("OH", "CO", "ME", "IN", "UT")
CHECKED = (date(2026, 11, 25), date(2026, 12, 1))
"""The first research pass and the re-audit against primary sources (issue 13)."""

MINIMAL = """\
key = "XX"
name = "Test licence"
kind = "state_licence"
applicability = "ce_required"
state = "XX"
total_hours = 24
cycle_months = 24
checked_on = 2026-11-25

[deadline]
kind = "fixed"
month = 8
day = 31
parity = "odd"

[[minimums]]
key = "ethics"
label = "Ethics"
subjects = ["ethics"]
hours = 2

[[minimums]]
key = "laws"
label = "Laws"
subjects = ["laws_rules"]
hours = 1

[[sources]]
title = "A rule"
url = "https://example.org/rule"
"""


def _error(text: str, source: str = "XX.toml", **kwargs: object) -> CatalogError:
    with pytest.raises(CatalogError) as info:
        parse_requirement_set(text, source_name=source, **kwargs)  # type: ignore[arg-type]
    return info.value


# --------------------------------------------------------------------------- shipped sets


def test_catalog_loads_once() -> None:
    """The shipped catalog loads, validates and is cached for the process."""
    catalog = load_catalog()
    assert len(catalog) >= 30
    assert load_catalog() is catalog


def test_every_set_has_a_source_and_checked_date() -> None:
    """Every shipped set names at least one titled source and the day its facts were checked."""
    for rs in load_catalog():
        assert rs.sources, rs.key
        assert all(s.title for s in rs.sources), rs.key
        assert rs.checked_on in CHECKED, rs.key
        assert not rs.workspace_defined


def test_every_researched_state_is_present() -> None:
    """Every state row of the research notes, NCBTMB, AMTA and AMMA has a set with that key."""
    catalog = load_catalog()
    for key in (*CE_STATES, *NO_CE_STATES, "MA", "MN", "CA", "NCBTMB", "AMTA", "AMMA"):
        assert key in catalog, key
    for key in CE_STATES:
        rs = catalog.require(key)
        assert rs.kind is SetKind.STATE_LICENCE
        assert rs.state == key
        assert rs.tracks_hours, key


def test_states_without_ce_or_licence_are_marked() -> None:
    """States with no CE, no licence, voluntary or conflicting rules say so and ask for no hours."""
    catalog = load_catalog()
    expected = {**dict.fromkeys(NO_CE_STATES, Applicability.NO_CE), "MN": Applicability.NO_LICENCE,
                "CA": Applicability.VOLUNTARY, "KS": Applicability.NO_LICENCE, "WY": Applicability.NO_LICENCE,
                "VT": Applicability.NO_CE}
    for key, applicability in expected.items():
        rs = catalog.require(key)
        assert rs.applicability is applicability, key
        assert not rs.tracks_hours, key
        assert rs.total_hours == 0, key
        assert rs.notes or rs.unconfirmed, key


def test_unconfirmed_parts_are_stated() -> None:
    """Sets with unconfirmed facts carry a sentence for each, including AMMA's missing requirement."""
    catalog = load_catalog()
    for key in ("TX", "IL", "NC", "MI", "OR", "WI", "HI", "NE", "NV", "MA", "UT", "NCBTMB", "AMMA", "TN", "AZ"):
        assert catalog.require(key).unconfirmed, key
    amma = catalog.require("AMMA")
    assert amma.kind is SetKind.PATHWAY
    assert amma.total_hours == 0
    assert not amma.tracks_hours
    assert "AMMA does not publish a CE requirement; target set by your clinic" in amma.unconfirmed
    assert catalog.require("MI").deadline.kind is DeadlineKind.EXPIRY
    ncbtmb_cpr = next(c for c in catalog.require("NCBTMB").conditions if c.key == "cpr")
    assert ncbtmb_cpr.unconfirmed


def test_key_rules_are_encoded() -> None:
    """Spot checks of the mapping from research facts to the schema."""
    c = load_catalog()
    fl = c.require("FL")
    assert fl.deadline == DeadlineRule(kind=DeadlineKind.FIXED, month=8, day=31, parity=YearParity.ODD)
    assert fl.first_renewal.count_partial_months
    assert fl.first_renewal.rule is FirstRenewalRule.PRORATED
    assert fl.first_renewal.hours_per_month == 4
    assert set(fl.first_renewal.keep_minimums) == {"medical_errors", "human_trafficking"}
    hands_on = next(m for m in fl.minimums if m.key == "hands_on")
    assert hands_on.hours == quarters(12)
    assert hands_on.formats == ("in_person",)
    bias = next(m for m in c.require("MI").minimums if m.key == "implicit_bias")
    assert bias.on_top
    assert bias.per_cycle_year
    assert bias.hours == 4
    assert c.require("NJ").carry_over.max_hours == quarters(18)
    assert c.require("NJ").first_renewal.fixed_hours == quarters(10)
    assert c.require("NV").carry_over.max_hours == quarters(36)
    assert c.require("VA").deadline == DeadlineRule(kind=DeadlineKind.BIRTHDAY, parity=YearParity.BIRTH_YEAR,
                                                    anchor=BirthdayAnchor.MONTH_END)
    caps = {(k, cap.key): cap for k in ("TX", "WA", "NCBTMB", "AMTA", "NC", "NY") for cap in c.require(k).caps}
    assert caps["TX", "cpr"].hours == quarters(6)
    assert caps["WA", "cpr"].hours == quarters(4)
    assert caps["NCBTMB", "self_care"].hours == quarters(4)
    assert caps["AMTA", "cpr"].hours == 0
    assert caps["NC", "business"].hours == quarters(8)
    assert caps["NY", "self_study"].formats == ("home_study",)
    assert {cond.key for cond in c.require("OR").conditions} >= {"bls"}
    for key in ("PA", "NJ", "MD"):
        assert "cpr" in {cond.key for cond in c.require(key).conditions}, key


def test_no_shipped_set_states_its_in_person_hours_twice() -> None:
    """min_in_person_hours is only set where no in-person-only minimum already asks as many (FL: hands-on)."""
    c = load_catalog()
    for rs in c:
        covered = [m.key for m in rs.minimums
                   if m.formats == ("in_person",) and not m.on_top and m.hours >= rs.min_in_person_hours]
        assert not (rs.min_in_person_hours and covered), (rs.key, covered)
    assert c.require("FL").min_in_person_hours == 0
    assert (c.require("PA").min_in_person_hours, c.require("NC").min_in_person_hours) == (quarters(16), quarters(12))
    for key, hands_on in (("FL", 12), ("GA", 12), ("WA", 8)):
        m = next(m for m in c.require(key).minimums if m.key == "hands_on")
        assert (m.hours, m.formats) == (quarters(hands_on), ("in_person",)), key


def test_shipped_files_round_trip() -> None:
    """Dumping any shipped set and parsing it back gives an equal set."""
    for rs in load_catalog():
        assert parse_requirement_set(dump_requirement_set(rs), source_name=f"{rs.key}.toml") == rs


# --------------------------------------------------------------------------- bad files


def test_minimal_file_parses() -> None:
    """The minimal test file parses to the expected set (guards the error cases below)."""
    rs = parse_requirement_set(MINIMAL, source_name="XX.toml")
    assert rs.total_hours == quarters(24)
    assert [m.hours for m in rs.minimums] == [8, 4]
    assert rs.sources == (Source(title="A rule", url="https://example.org/rule"),)


def test_bad_hours_name_file_and_field() -> None:
    """Hours that are not a quarter multiple fail with the file, the field path and the value."""
    err = _error(MINIMAL.replace("hours = 1\n", "hours = 1.3\n"), source="FL.toml")
    assert str(err) == "FL.toml: minimums[1].hours: must be a multiple of 0.25 h, got 1.3"
    assert err.source_name == "FL.toml"
    assert err.field == "minimums[1].hours"


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("cycle_months = 24", "cycle_months = 24\ntotl_hours = 3", "totl_hours", "did you mean 'total_hours'"),
        ('subjects = ["ethics"]', 'subjects = ["ethics"]\nhour = 2', "minimums[0].hour", "unknown field"),
        ('subjects = ["ethics"]', 'subjects = ["ethic"]', "minimums[0].subjects[0]", "did you mean 'ethics'"),
        ('subjects = ["laws_rules"]', 'subjects = ["law"]', "minimums[1].subjects[0]", "'laws_rules'"),
        ("month = 8", "month = 13", "deadline.month", "must be from 1 to 12"),
        ("month = 8\nday = 31", "month = 2\nday = 29", "deadline.day", "no day 29"),
        ("total_hours = 24", "total_hours = -2", "total_hours", "must not be negative"),
        ("total_hours = 24", 'total_hours = "24"', "total_hours", "must be a number of hours"),
        ("total_hours = 24", "total_hours = true", "total_hours", "must be a number of hours"),
        ("hours = 2\n", "hours = 30\n", "minimums[0].hours", "more than total_hours"),
        ("hours = 2\n", "hours = 0\n", "minimums[0].hours", "more than 0"),
        ('kind = "state_licence"', 'kind = "licence"', "kind", "must be one of"),
        ('parity = "odd"', 'parity = "birth_year"', "deadline.parity", "birthday deadlines"),
        ("checked_on = 2026-11-25", 'checked_on = "2026-11-25"', "checked_on", "must be a date"),
        ("checked_on = 2026-11-25", "checked_on = 2026-11-25T10:00:00", "checked_on", "no time"),
        ("checked_on = 2026-11-25\n", "", "checked_on", "required"),
        ('key = "XX"', 'key = "fl"', "key", "upper-case"),
        ('state = "XX"\n', "", "state", "required for a state_licence"),
        ("cycle_months = 24", "cycle_months = 0", "cycle_months", "must be from 1"),
        ('url = "https://example.org/rule"', 'url = "example.org"', "sources[0].url", "https://"),
        ("hours = 2\n", "hours = 2\nformats = [\"in person\"]\n", "minimums[0].formats[0]",
         "did you mean 'in_person'"),
        ('key = "laws"', 'key = "ethics"', "minimums[1].key", "used by another minimum"),
        ("hours = 2\n", "hours = 2\nunconfirmed = true\n", "unconfirmed", "minimums[0] is marked unconfirmed"),
        ("hours = 2\n", "hours = 24\n", "minimums", "need 25 h together"),
        ("checked_on = 2026-11-25", "checked_on = 2026-11-25\nversion = 0", "version", "must be from 1"),
    ],
)
def test_bad_fields_fail_loudly(old: str, new: str, field: str, message: str) -> None:
    """Each kind of mistake raises CatalogError naming the file and the exact field."""
    assert old in MINIMAL
    err = _error(MINIMAL.replace(old, new, 1))
    assert err.field == field
    assert str(err).startswith(f"XX.toml: {field}: ")
    assert message in str(err)


def test_missing_source_fails_for_shipped_sets_only() -> None:
    """A shipped set without sources fails; a workspace set may leave them out."""
    text = MINIMAL.split("[[sources]]")[0]
    err = _error(text)
    assert err.field == "sources"
    assert "at least one" in str(err)
    rs = parse_requirement_set(text, source_name="workspace set XX", workspace_defined=True)
    assert rs.sources == ()
    assert rs.workspace_defined


def test_missing_required_table_and_bad_toml() -> None:
    """A missing deadline table and text that is not TOML both fail with the file name."""
    err = _error(MINIMAL.replace("[deadline]", "[deadlines]"))
    assert err.field == "deadlines"
    err = _error('key = "XX"\nname = ')
    assert str(err).startswith("XX.toml: not valid TOML")


def test_new_rule_fields_are_checked() -> None:
    """A chart needs one entry per cycle month, a tied cap a minimum of the set, partial months a monthly rate."""
    chart = MINIMAL + '\n[first_renewal]\nrule = "prorated"\nchart = [4, 3]\n'
    assert _error(chart).field == "first_renewal.chart"
    assert "one entry per month" in str(_error(chart))
    tied = MINIMAL + '\n[[caps]]\nkey = "online"\nlabel = "Online"\nhours = 4\nformats = ["home_study"]\n' \
        'applies_with = "hands_on"\n'
    assert _error(tied).field == "caps[0].applies_with"
    partial = MINIMAL + '\n[first_renewal]\nrule = "prorated"\nfixed_hours = 10\ncount_partial_months = true\n'
    assert _error(partial).field == "first_renewal.count_partial_months"
    periods = MINIMAL + "\n[carry_over]\nmax_hours = 4\nperiods = 0\n"
    assert _error(periods).field == "carry_over.periods"


def test_first_renewal_rules_are_checked() -> None:
    """A prorated rule needs a rate or fixed hours, and keep_minimums must name minimums of the set."""
    base = MINIMAL + '\n[first_renewal]\nrule = "prorated"\n'
    assert _error(base).field == "first_renewal.hours_per_month"
    err = _error(base + 'hours_per_month = 1\nkeep_minimums = ["ethcs"]\n')
    assert err.field == "first_renewal.keep_minimums[0]"
    assert "'ethics'" in str(err)
    err = _error(MINIMAL + '\n[first_renewal]\nrule = "exempt"\nfixed_hours = 3\n')
    assert err.field == "first_renewal.fixed_hours"


def test_no_ce_sets_cannot_ask_for_hours() -> None:
    """A no-CE set with hours is rejected: it would tell users two different things."""
    err = _error(MINIMAL.replace('"ce_required"', '"no_ce"'))
    assert err.field == "total_hours"


def test_file_name_must_match_key(tmp_path: Path) -> None:
    """Loading a folder checks that each file is named after its key."""
    (tmp_path / "YY.toml").write_text(MINIMAL, encoding="utf-8")
    with pytest.raises(CatalogError, match=r"^YY\.toml: key: must match the file name"):
        load_catalog_from(tmp_path)
    (tmp_path / "YY.toml").rename(tmp_path / "XX.toml")
    assert load_catalog_from(tmp_path).keys() == ["XX"]


# --------------------------------------------------------------------------- look-ups and overrides


def test_lookup_ignores_case() -> None:
    """get() and require() find sets whatever the case and surrounding spaces."""
    c = load_catalog()
    assert c.get(" fl ") is c.require("FL")
    assert c.get("ncbtmb") is c.require("NCBTMB")
    assert c.get("ZZ") is None


@pytest.mark.parametrize(("typed", "suggestion"), [("FLA", "FL"), ("ncbmtb", "NCBTMB"), ("florida", "FL"),
                                                   ("AMTAA", "AMTA")])
def test_unknown_key_suggests_closest(typed: str, suggestion: str) -> None:
    """An unknown key raises UnknownRequirementSet with the closest key and the list of keys."""
    with pytest.raises(UnknownRequirementSet) as info:
        load_catalog().require(typed)
    assert info.value.suggestion == suggestion
    assert f"Did you mean {suggestion}?" in str(info.value)
    assert "FL, GA" in str(info.value)
    assert isinstance(info.value, CatalogError)


def test_workspace_override_wins() -> None:
    """A workspace AMMA set with a target replaces the shipped AMMA set for that workspace only."""
    shipped = load_catalog()
    text = """\
key = "AMMA"
name = "AMMA medical massage target (our clinic)"
kind = "pathway"
applicability = "ce_required"
total_hours = 24
cycle_months = 24
unconfirmed = ["AMMA does not publish a CE requirement; target set by your clinic"]

[deadline]
kind = "expiry"

[[minimums]]
key = "medical_massage"
label = "Medical massage"
subjects = ["medical_massage"]
hours = 12
"""
    own = parse_requirement_set(text, source_name="workspace set AMMA", workspace_defined=True,
                                checked_on_default=date(2026, 12, 1))
    assert own.checked_on == date(2026, 12, 1)
    mine = shipped.with_overrides([own])
    assert mine.require("amma") is own
    assert mine.require("AMMA").tracks_hours
    assert shipped.require("AMMA").total_hours == 0
    assert mine.keys() == shipped.keys()
    assert parse_requirement_set(dump_requirement_set(own), source_name="w", workspace_defined=True) == own


def test_workspace_set_without_checked_date_needs_default() -> None:
    """A workspace set without checked_on fails unless the caller supplies the day it was saved."""
    text = MINIMAL.replace("checked_on = 2026-11-25\n", "")
    err = _error(text, workspace_defined=True)
    assert err.field == "checked_on"


def test_new_workspace_key_is_added() -> None:
    """A workspace set with a new key joins the catalog alongside the shipped sets."""
    rs = parse_requirement_set(MINIMAL, source_name="w", workspace_defined=True)
    merged = load_catalog().with_overrides([rs])
    assert "XX" in merged
    assert len(merged) == len(load_catalog()) + 1
    assert Catalog.of([rs]).keys() == ["XX"]


# --------------------------------------------------------------------------- round-trip property

_text = st.text(st.characters(codec="utf-8"), min_size=1, max_size=30).map(str.strip).filter(bool)
_item_key = st.from_regex(re.compile(r"[a-z][a-z0-9_]{0,10}"), fullmatch=True)
_subjects = st.lists(st.sampled_from(sorted(SUBJECT_KEYS)), min_size=1, max_size=3, unique=True).map(tuple)
_formats = st.lists(st.sampled_from(DELIVERY_FORMATS), max_size=3, unique=True).map(tuple)


@st.composite
def requirement_sets(draw: st.DrawFn) -> RequirementSet:
    total = draw(st.integers(1, 400))
    kind = draw(st.sampled_from([DeadlineKind.FIXED, DeadlineKind.BIRTHDAY, DeadlineKind.EXPIRY, DeadlineKind.NONE]))
    parity = YearParity.ANY
    if kind is DeadlineKind.NONE:
        cycle = 0
    else:
        cycle = draw(st.sampled_from([12, 24, 36, 48]))
        if cycle % 24 == 0 and kind is not DeadlineKind.EXPIRY:
            options = [YearParity.ANY, YearParity.ODD, YearParity.EVEN]
            parity = draw(st.sampled_from([*options, YearParity.BIRTH_YEAR] if kind is DeadlineKind.BIRTHDAY
                                          else options))
    if kind is DeadlineKind.FIXED:
        month = draw(st.integers(1, 12))
        day = draw(st.none() | st.integers(1, 28))
        deadline = DeadlineRule(kind=kind, month=month, day=day, parity=parity)
    elif kind is DeadlineKind.BIRTHDAY:
        deadline = DeadlineRule(kind=kind, parity=parity, anchor=draw(st.sampled_from(list(BirthdayAnchor))))
    else:
        deadline = DeadlineRule(kind=kind)
    minimum_keys = draw(st.lists(_item_key, max_size=3, unique=True))
    minimums = tuple(
        SubjectMinimum(key=k, label=draw(_text), subjects=draw(_subjects), hours=draw(st.integers(1, total)),
                       formats=draw(_formats), on_top=draw(st.booleans()))
        for k in minimum_keys
    )
    caps = tuple(Cap(key=k, label=draw(_text), hours=draw(st.integers(0, total)), subjects=draw(_subjects),
                     formats=draw(_formats), applies_with=draw(st.sampled_from([None, *minimum_keys])))
                 for k in draw(st.lists(_item_key, max_size=3, unique=True)))
    rule = draw(st.sampled_from(list(FirstRenewalRule)))
    if rule is FirstRenewalRule.PRORATED:
        how = draw(st.sampled_from(["monthly", "fixed", "chart"]))
        chart = tuple(draw(st.lists(st.integers(0, total), min_size=cycle, max_size=cycle))) \
            if how == "chart" and cycle else ()
        fixed = draw(st.integers(0, total)) if how == "fixed" or (how == "chart" and not chart) else None
        per_month = draw(st.integers(1, 8)) if how == "monthly" else 0
        first = FirstRenewal(rule=rule, hours_per_month=per_month, fixed_hours=fixed, chart=chart,
                             count_partial_months=bool(per_month) and draw(st.booleans()),
                             keep_minimums=tuple(minimum_keys[:1]), note=draw(_text))
    else:
        first = FirstRenewal(rule=rule, note=draw(st.just("") | _text))
    conditions = tuple(Condition(key=k, label=draw(_text), unconfirmed=draw(st.booleans()))
                       for k in draw(st.lists(_item_key, max_size=2, unique=True)))
    unconfirmed = tuple(draw(st.lists(_text, min_size=1 if any(c.unconfirmed for c in conditions) else 0,
                                      max_size=2)))
    fits = sum(m.hours for m in minimums if not m.on_top) <= total
    minimums = minimums if fits else tuple(m.model_copy(update={"on_top": True}) for m in minimums)
    return RequirementSet(
        key=draw(st.from_regex(re.compile(r"[A-Z][A-Z0-9_]{0,8}"), fullmatch=True)),
        name=draw(_text),
        kind=draw(st.sampled_from([SetKind.CERTIFICATION, SetKind.MEMBERSHIP, SetKind.WORKSPACE])),
        applicability=Applicability.CE_REQUIRED,
        total_hours=total,
        cycle_months=cycle,
        deadline=deadline,
        sources=tuple(Source(title=draw(_text), url=draw(st.sampled_from(["", 'https://example.org/a?b=c&d="e"'])))
                      for _ in range(draw(st.integers(1, 2)))),
        checked_on=draw(st.dates(date(1990, 1, 1), date(2100, 12, 31))),
        minimums=minimums,
        caps=caps,
        min_in_person_hours=draw(st.integers(0, total)),
        first_renewal=first,
        carry_over=CarryOver(max_hours=draw(st.integers(0, 200)), periods=draw(st.integers(1, 10)),
                             note=draw(st.just("") | _text)),
        version=draw(st.integers(1, 50)),
        change_note=draw(st.just("") | _text),
        conditions=conditions,
        unconfirmed=unconfirmed,
        notes=tuple(draw(st.lists(_text, max_size=2))),
    )


@settings(max_examples=examples(60), deadline=None)
@given(requirement_sets())
def test_dump_parse_round_trip(rs: RequirementSet) -> None:
    """Any valid set, including odd characters in its text, survives dump -> parse unchanged."""
    assert parse_requirement_set(dump_requirement_set(rs), source_name="gen.toml") == rs
