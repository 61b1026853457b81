"""Reading the clinic-target form: the catalog schema checks it, and every bad field gets its own message."""

from __future__ import annotations

from datetime import date

from cebot.domain.catalog import parse_requirement_set
from cebot.domain.clinic_target import TargetForm, form_from_set, read_target

TODAY = date(2026, 12, 1)
GOOD = TargetForm(key="amma", hours="16", cycle="12", deadline="fixed:12", minimums="medical_massage 8\nethics: 2.5h")


def test_a_good_form_is_a_set_whose_definition_parses_back() -> None:
    """Key upper-cased, 16 h a year ending Dec 31, two minimums; the stored TOML parses to the same set."""
    read = read_target(GOOD, today=TODAY, set_by="Ada Admin")
    assert read.errors == {}
    rs = read.requirement_set
    assert rs is not None
    assert (rs.key, rs.total_hours, rs.cycle_months, rs.deadline.month) == ("AMMA", 64, 12, 12)
    assert [(m.key, m.hours) for m in rs.minimums] == [("medical_massage", 32), ("ethics", 10)]
    assert rs.notes == ("Target set by your clinic (Ada Admin, Dec 1, 2026).",)
    assert parse_requirement_set(read.definition, source_name="x", workspace_defined=True) == rs


def test_every_bad_field_is_named_at_once() -> None:
    """Negative hours, a zero cycle, no deadline and an unknown subject: four field errors, no set."""
    read = read_target(TargetForm(key="AMMA", hours="-3", cycle="0", deadline="", minimums="astrology 3"),
                       today=TODAY)
    assert read.requirement_set is None
    assert set(read.errors) == {"hours", "cycle", "deadline", "minimums"}
    assert "astrology" in read.errors["minimums"]


def test_a_minimum_over_the_total_is_an_error_on_the_minimums() -> None:
    """8 h ethics inside a 6 h target cannot be met: the minimums field says so."""
    read = read_target(TargetForm(key="AMMA", hours="6", cycle="12", deadline="expiry", minimums="ethics 8"),
                       today=TODAY)
    assert "more than the 6 h total" in read.errors["minimums"]


def test_the_edit_form_is_prefilled_from_the_set() -> None:
    """Editing shows the same answers back (subjects by key, hours as hours)."""
    rs = read_target(GOOD, today=TODAY).requirement_set
    assert rs is not None
    again = form_from_set(rs)
    assert (again.key, again.hours, again.cycle, again.deadline) == ("AMMA", "16", "12", "fixed:12")
    assert again.minimums == "medical_massage 8\nethics 2.5"
