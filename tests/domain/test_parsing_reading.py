"""How free /ce log text is read: dates, hours in words, subjects and formats in the title (issue 13 part 4)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cebot.domain.parsing import ParseError, parse_log, read_log
from cebot.domain.parsing.reading import TITLE_SUBJECTS

TODAY = date(2026, 12, 1)


def test_issue_example_laws_and_rules_yesterday() -> None:
    """`2 hours laws and rules yesterday`: 2 h, dated yesterday, tagged laws & rules, title without the date."""
    r = read_log("2 hours laws and rules yesterday", today=TODAY)
    assert (r.request.hours, r.request.title, r.request.completed_on) == (8, "laws and rules", date(2026, 11, 30))
    assert r.request.subjects == ("laws_rules",)
    assert r.date_from == "yesterday"
    assert r.title_subjects == ("laws_rules",)


def test_issue_example_ethics_gets_ethics_credit() -> None:
    """`2h ethics` is tagged ethics, and says the tag came from the title."""
    r = read_log("2h ethics", today=TODAY)
    assert r.request.subjects == ("ethics",)
    assert r.title_subjects == ("ethics",)


def test_issue_example_date_after_on_leaves_the_title() -> None:
    """`2h Ethics on 11/20`: dated Nov 20 (the most recent one), title just Ethics."""
    r = read_log("2h Ethics on 11/20", today=TODAY)
    assert (r.request.title, r.request.completed_on, r.date_from) == ("Ethics", date(2026, 11, 20), "on 11/20")


@pytest.mark.parametrize(("text", "expected"), [
    ("3h Ethics yesterday", date(2026, 11, 30)),
    ("3h Ethics 11/20", date(2026, 11, 20)),
    ("3h Ethics Nov 20", date(2026, 11, 20)),
    ("3h Ethics 2026-11-20", date(2026, 11, 20)),
    ("3h Ethics on Dec 25", date(2025, 12, 25)),
    ("3h Ethics on 12/25/2025", date(2025, 12, 25)),
])
def test_dates_at_the_end_or_after_on(text: str, expected: date) -> None:
    """A date at the end or after "on" is read; no year typed means the most recent such day not in the future."""
    r = read_log(text, today=TODAY)
    assert r.request.completed_on == expected
    assert r.request.title == "Ethics"


@pytest.mark.parametrize(("text", "quarters"), [
    ("2 hours Ethics", 8), ("90 minutes Ethics", 6), ("1.5 hrs Ethics", 6), ("two hours Ethics", 8),
    ("ninety minutes Ethics", 6), ("half an hour Ethics", 2), ("1 hour 30 min Ethics", 6),
])
def test_hours_in_words_with_units(text: str, quarters: int) -> None:
    """Hours are read with units and as number words."""
    assert read_log(text, today=TODAY).request.hours == quarters


@pytest.mark.parametrize(("text", "subjects"), [
    ("2h Preventing medical errors", ("medical_errors",)),
    ("2h CPR and first aid refresher", ("cpr",)),
    ("2h Human trafficking awareness", ("human_trafficking",)),
    ("2h Florida laws and rules", ("laws_rules",)),
    ("2h Deep tissue massage", ()),
    ("2h House rules", ()),
])
def test_subject_words_in_the_title(text: str, subjects: tuple[str, ...]) -> None:
    """Only names that mean one subject are tagged from the title; broad words are not."""
    assert read_log(text, today=TODAY).request.subjects == subjects


def test_multi_word_tags() -> None:
    """`#medical errors` and `#laws and rules` are one tag each, not a tag plus title words."""
    r = parse_log("2h Safety course #medical errors #laws and rules", today=TODAY)
    assert (r.title, r.subjects) == ("Safety course", ("medical_errors", "laws_rules"))


def test_online_asks_and_clear_words_settle_the_format() -> None:
    """A bare "online" asks live or self-paced; "webinar" and "self-paced" settle it; format: wins."""
    assert read_log("3h Myofascial release online", today=TODAY).ask_format
    assert read_log("3h Myofascial webinar", today=TODAY).request.delivery_format == "live_online"
    assert read_log("3h Myofascial self-paced", today=TODAY).request.delivery_format == "home_study"
    explicit = read_log("3h Myofascial online format:home-study", today=TODAY)
    assert (explicit.ask_format, explicit.request.delivery_format) == (False, "home_study")


def test_quoted_titles_are_kept_as_typed() -> None:
    """A quoted title is never read for dates, subjects or formats."""
    r = read_log('3h "Ethics online on 11/20"', today=TODAY)
    assert (r.request.title, r.request.completed_on, r.request.subjects, r.ask_format) == (
        "Ethics online on 11/20", TODAY, (), False)


def test_a_wrong_date_is_an_error_and_names_no_year() -> None:
    """`Feb 30` typed without a year is refused with a message that names no year; nothing lands in the title."""
    with pytest.raises(ParseError) as info:
        read_log("3h Ethics Feb 30", today=TODAY)
    assert "February has at most 29 days" in info.value.message
    assert "20" not in info.value.message.replace("February 30", "")


def test_part_numbers_at_the_end_are_not_dates() -> None:
    """`Module 1-2` keeps its part number (only `on 1-2` is a date)."""
    assert read_log("3h Module 1-2", today=TODAY).request.title == "Module 1-2"


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(days_ago=st.integers(min_value=0, max_value=360), title=st.sampled_from(sorted(TITLE_SUBJECTS)))
def test_property_a_trailing_date_and_subject_are_read(days_ago: int, title: str) -> None:
    """For any recent day written as M/D and any one-subject phrase, the date and the subject are read."""
    day = TODAY - timedelta(days=days_ago)
    r = read_log(f"2h Course on {title} {day.month}/{day.day}", today=TODAY)
    assert r.request.completed_on == day
    assert TITLE_SUBJECTS[title] in r.request.subjects
    assert f"{day.month}/{day.day}" not in r.request.title


@settings(max_examples=80, deadline=None, derandomize=True, database=None)
@given(st.text(max_size=60))
def test_property_read_log_raises_only_parse_error(text: str) -> None:
    """Whatever the text, read_log returns a reading or raises ParseError."""
    try:
        r = read_log("2h " + text, today=TODAY)
    except ParseError as exc:
        message = exc.message
        assert message
        return
    assert date(1990, 1, 1) <= r.request.completed_on <= TODAY
    assert r.request.title


@pytest.mark.parametrize(("text", "fragment"), [
    ("3h Ethics Nov 20 review", "“Nov 20” stayed in the title"),
    ("3h House rules", "#laws_rules"),
    ("3h Myofascial format:online", "format:online is read as live online"),
])
def test_what_stays_in_the_title_is_pointed_out(text: str, fragment: str) -> None:
    """A date or subject word left in the title, and format:online, come with a hint: nothing is dropped silently."""
    assert any(fragment in hint for hint in read_log(text, today=TODAY).hints)


def test_no_hints_for_a_plain_title() -> None:
    """A title with nothing date- or subject-like gets no hint."""
    assert read_log("3h Myofascial release", today=TODAY).hints == ()
