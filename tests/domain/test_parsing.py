"""The /ce command grammar: table-driven examples, friendly errors and hypothesis properties."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date, time, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cebot.domain.facts import LogRequest
from cebot.domain.parsing import (
    EXAMPLES,
    MILESTONE_STEPS,
    SUBCOMMANDS,
    USAGE,
    AdminRequest,
    EditRequest,
    ExportRequest,
    MilestoneRequest,
    MyDataRequest,
    ParseError,
    RemindRequest,
    TrackRequest,
    format_log,
    parse_admin,
    parse_command,
    parse_date,
    parse_edit,
    parse_entry_id,
    parse_export,
    parse_format,
    parse_help,
    parse_hours,
    parse_list,
    parse_log,
    parse_milestone,
    parse_month_day,
    parse_mydata,
    parse_remind,
    parse_requirements,
    parse_subject,
    parse_time,
    parse_track,
    parse_untrack,
    quote,
    tokenize,
)
from cebot.domain.requirements import DELIVERY_FORMATS
from cebot.domain.subjects import SUBJECT_KEYS
from tests.helpers.examples import examples

TODAY = date(2026, 3, 20)


def err(fn: Callable[..., object], *args: object, **kwargs: object) -> ParseError:
    with pytest.raises(ParseError) as info:
        fn(*args, **kwargs)
    return info.value


# --- hours -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "quarters"),
    [
        ("3", 12), ("3h", 12), ("3 h", 12), ("3hr", 12), ("3 hrs", 12), ("3 hours", 12), ("1.5h", 6),
        ("1.5 hrs", 6), ("1h30m", 6), ("1h30", 6), ("1h 30m", 6), ("1 hour 30 minutes", 6), ("90m", 6),
        ("90 min", 6), ("15m", 1), ("2.25", 9), (".25", 1), ("0.25", 1), ("40", 160), ("40h", 160), ("3.", 12),
        ("2.50", 10), ("1.7500000", 7), ("2400m", 160), ("3H", 12), (" 3 ", 12),
    ],
)
def test_parse_hours_accepts_common_forms(text: str, quarters: int) -> None:
    """Hours written as therapists write them become exact quarters."""
    assert parse_hours(text) == quarters


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("1.3", "quarter hours, like 1.25 or 1.5"),
        ("0.1", "quarter hours"),
        ("0.2500000000000000000000000000001", "quarter hours"),
        ("20m", "steps of 15"),
        ("1h20m", "steps of 15"),
        ("41", "more than 40 h"),
        ("40.25", "more than 40 h"),
        ("99999999999999999999999999999", "more than 40 h"),
        ("1" * 5000, "more than 40 h"),
        ("0", "at least 0.25"),
        ("0m", "at least 0.25"),
        ("-3", "negative"),
        ("three", "couldn't read"),
        ("3,5", "couldn't read"),
        ("", "couldn't read"),
    ],
)
def test_parse_hours_refuses_with_friendly_message(text: str, fragment: str) -> None:
    """Bad hours get a message that says what is wrong and how to write it."""
    e = err(parse_hours, text)
    assert fragment in e.message
    assert e.field == "hours"


# --- dates -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-14", date(2026, 3, 14)),
        ("2026/3/14", date(2026, 3, 14)),
        ("3/14", date(2026, 3, 14)),
        ("3/14/2026", date(2026, 3, 14)),
        ("3/14/26", date(2026, 3, 14)),
        ("3/14/95", date(1995, 3, 14)),
        ("3-14-2026", date(2026, 3, 14)),
        ("Mar 14 2026", date(2026, 3, 14)),
        ("Mar. 14, 2026", date(2026, 3, 14)),
        ("March 14, 2026", date(2026, 3, 14)),
        ("march 14th 2026", date(2026, 3, 14)),
        ("14 Mar 2026", date(2026, 3, 14)),
        ("14 March", date(2026, 3, 14)),
        ("14-Mar-2026", date(2026, 3, 14)),
        ("Sept 30 2025", date(2025, 9, 30)),
        ("today", TODAY),
        ("Today", TODAY),
        ("yesterday", date(2026, 3, 19)),
        ("12/10", date(2025, 12, 10)),  # no year, in the future this year -> last year
        ("3/20", TODAY),
        ("2024-02-29", date(2024, 2, 29)),
        ("2/29", date(2024, 2, 29)),  # the most recent Feb 29
        ("1990-01-01", date(1990, 1, 1)),
    ],
)
def test_parse_date_accepts_common_forms(text: str, expected: date) -> None:
    """Dates in ISO, US, month-name and relative forms resolve against the given today."""
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("hello", "couldn't read"),
        ("Mar", "couldn't read"),
        ("14", "couldn't read"),
        ("next tuesday", "couldn't read"),
        ("2026-02-30", "February 30 isn't a real date (February 2026 has 28 days)"),
        ("2/30", "February 30 isn't a real date"),
        ("2025-02-29", "February 29 isn't a real date"),
        ("13/1/2026", "no month 13"),
        ("2026-04-31", "April 31 isn't a real date"),
        ("2026-03-21", "in the future"),
        ("2030-01-01", "in the future"),
        ("1989-12-31", "before 1990"),
        ("Foo 14 2026", "couldn't read"),
        ("", "couldn't read"),
    ],
)
def test_parse_date_refuses_with_friendly_message(text: str, fragment: str) -> None:
    """Garbage, impossible, future and ancient dates are refused clearly."""
    assert fragment in err(parse_date, text, today=TODAY).message


def test_parse_date_future_mode_allows_deadlines_ahead() -> None:
    """Deadlines may be in the future; a date without a year is the next one; ten years ahead is the limit."""
    assert parse_date("2027-08-31", today=TODAY, future=True) == date(2027, 8, 31)
    assert parse_date("8/31", today=TODAY, future=True) == date(2026, 8, 31)
    assert parse_date("1/31", today=TODAY, future=True) == date(2027, 1, 31)
    assert parse_date("2/29", today=TODAY, future=True) == date(2028, 2, 29)
    assert parse_date("3/14/30", today=TODAY, future=True) == date(2030, 3, 14)
    assert "10 years" in err(parse_date, "2040-01-01", today=TODAY, future=True).message


def test_parse_month_day_allows_feb_29_and_full_birth_dates() -> None:
    """Birthdays are month-day (Feb 29 allowed), or a full date that also gives the year."""
    assert parse_month_day("03-14") == (3, 14, None)
    assert parse_month_day("2-29") == (2, 29, None)
    assert parse_month_day("Mar 14") == (3, 14, None)
    assert parse_month_day("1985-03-14") == (3, 14, 1985)
    assert "isn't a real date" in err(parse_month_day, "02-30").message
    assert "birthday" in err(parse_month_day, "soon").message


# --- subjects and formats --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [("ethics", "ethics"), ("#ethics", "ethics"), ("Law", "laws_rules"), ("laws & rules", "laws_rules"),
     ("#laws-and-rules", "laws_rules"), ("#jurisprudence", "laws_rules"), ("self-care", "self_care"),
     ("CPR", "cpr"), ("#a&p", "anatomy")],
)
def test_parse_subject_accepts_aliases(text: str, key: str) -> None:
    """Subject names, aliases and #tags become canonical keys."""
    assert parse_subject(text) == key


def test_parse_subject_suggests_the_closest() -> None:
    """An unknown subject says "Did you mean" and lists some valid ones."""
    e = err(parse_subject, "#etics")
    assert "Did you mean #ethics?" in e.message
    assert "#laws_rules" in e.message
    assert e.field == "subjects"
    assert "Did you mean" not in err(parse_subject, "zzqqxx").message


def test_every_subject_key_is_its_own_canonical_form() -> None:
    """format_log writes subjects as #key, so every key must read back as itself."""
    assert all(parse_subject(f"#{k}") == k for k in SUBJECT_KEYS)


@pytest.mark.parametrize(
    ("text", "key"),
    [("in-person", "in_person"), ("in_person", "in_person"), ("In Person", "in_person"), ("live", "in_person"),
     ("classroom", "in_person"), ("online", "live_online"), ("live-online", "live_online"),
     ("webinar", "live_online"), ("home-study", "home_study"), ("self-study", "home_study"),
     ("recorded", "home_study"), ("on-demand", "home_study"), ("home_study", "home_study")],
)
def test_parse_format_aliases(text: str, key: str) -> None:
    """Delivery-format words map to the three format keys."""
    assert parse_format(text) == key


def test_parse_format_refuses_unknown() -> None:
    """An unknown format names the three accepted ones."""
    e = err(parse_format, "carrier pigeon")
    assert "format:in-person" in e.message
    assert "format:home-study" in e.message
    assert e.field == "delivery_format"


# --- tokenizer -------------------------------------------------------------------------------------------------------


def test_tokenize_quotes_options_and_entities() -> None:
    """Straight, single and smart quotes group words; key:"value" is one word; Slack entities are decoded."""
    words = tokenize('a "b c" \'d e\' “f g” provider:"Acme Co" O\'Brien A&amp;P &lt;!channel&gt;')
    assert [w.text for w in words][:5] == ["a", "b c", "d e", "f g", 'provider:"Acme Co"']
    assert (words[4].key, words[4].value, words[4].quoted) == ("provider", "Acme Co", True)
    assert [w.text for w in words][5:] == ["O'Brien", "A&P", "<!channel>"]


def test_tokenize_unclosed_double_quote_is_an_error_but_apostrophe_is_a_letter() -> None:
    """A double quote that never closes is reported; a lone apostrophe is kept as typed."""
    assert "never closed" in err(tokenize, '3 "Ethics in touch').message
    assert [w.text for w in tokenize("'90s massage")] == ["'90s", "massage"]


@given(st.text(max_size=60))
@example('a\\"b')
@example("&amp;lt;")
@example("'x'")
@example(" ")
def test_quote_round_trips_any_value(value: str) -> None:
    """Any clean value survives quote() then tokenize() as exactly one word."""
    value = " ".join("".join(" " if ord(c) < 32 or 127 <= ord(c) < 160 else c for c in value).split())
    if not value:
        return
    words = tokenize(quote(value, force=True))
    assert [w.text for w in words] == [value]
    words = tokenize("k:" + quote(value))
    assert [(w.key, w.value) for w in words] == [("k", value)]


# --- /ce log ---------------------------------------------------------------------------------------------------------


def log(**kw: object) -> LogRequest:
    base: dict[str, object] = {"hours": 12, "title": "Ethics in Touch", "completed_on": TODAY}
    base.update(kw)
    return LogRequest(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3h Ethics in Touch #ethics", log(subjects=("ethics",))),
        ("3 Ethics in Touch", log()),
        ("3 hours Ethics in Touch", log()),
        ("1.5 hrs Ethics in Touch", log(hours=6)),
        ("1h 30m Ethics in Touch", log(hours=6)),
        ('3h "Ethics in Touch"', log()),
        ("3h “Ethics in Touch”", log()),
        ("3h Ethics   in\tTouch", log()),
        ("3h Ethics in Touch date:2026-03-14", log(completed_on=date(2026, 3, 14))),
        ("3h date:3/14 Ethics in Touch", log(completed_on=date(2026, 3, 14))),
        ("3h Ethics in Touch date:Mar 14 2026", log(completed_on=date(2026, 3, 14))),
        ("3h Ethics in Touch date:March 14, 2026", log(completed_on=date(2026, 3, 14))),
        ("3h Ethics date:14 Mar in Touch", log(completed_on=date(2026, 3, 14))),
        ('3h Ethics in Touch date:"Mar 14 2026"', log(completed_on=date(2026, 3, 14))),
        ("3h Ethics in Touch date:yesterday", log(completed_on=date(2026, 3, 19))),
        ('3h Ethics in Touch provider:"Acme Seminars" approval:451234-00',
         log(provider="Acme Seminars", approval_number="451234-00")),
        ("3h Ethics in Touch format:online", log(delivery_format="live_online")),
        ("3h Ethics in Touch FORMAT:home-study", log(delivery_format="home_study")),
        ("3h Ethics in Touch subject:law #ethics #law #laws", log(subjects=("laws_rules", "ethics"))),
        ("3h Ethics in Touch subject:ethics,law", log(subjects=("ethics", "laws_rules"))),
        ("3h Ethics in Touch <#C0123|ethics>", log(subjects=("ethics",))),
        ('3h Ethics in Touch notes:"cert in email"', log(notes="cert in email")),
        ("3h Ethics: boundaries", log(title="Ethics: boundaries")),
        ("3h Ethics at 10:30 see https://x.org/a", log(title="Ethics at 10:30 see https://x.org/a")),
        ('3h "Ethics:Boundaries"', log(title="Ethics:Boundaries")),
        ('3h "date:3/14 is a title"', log(title="date:3/14 is a title")),
        ("3h Course #2 of 3", log(title="Course #2 of 3")),
        ("3h O'Brien's Ethics", log(title="O'Brien's Ethics")),
        ("3h &lt;!channel&gt; free pizza", log(title="<!channel> free pizza")),
        ("3h A&amp;P review #a&amp;p", log(title="A&P review", subjects=("anatomy",))),
    ],
)
def test_parse_log_examples(text: str, expected: LogRequest) -> None:
    """/ce log reads hours, title words, options anywhere after the hours, quoted values and #tags."""
    assert parse_log(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "fragment", "field"),
    [
        ("", "hours and the course title", None),
        ("Ethics in Touch 3h", "Start with the hours", "hours"),
        ("3h", "Add the course title", "title"),
        ("3h #ethics date:3/14", "Add the course title", "title"),
        ("1.3 Ethics", "quarter hours", "hours"),
        ("50 Ethics", "more than 40 h", "hours"),
        ("3h Ethics date:2026-02-30", "February 30 isn't a real date", "completed_on"),
        ("3h Ethics date:tomorrow", "couldn't read", "completed_on"),
        ("3h Ethics date:2027-01-01", "in the future. Log a course on or after the day you finish it",
         "completed_on"),
        ("3h Ethics date: 3/14", "right after “date:” with no space", "completed_on"),
        ("3h Ethics #etics", "Did you mean #ethics?", "subjects"),
        ("3h Ethics format:smoke-signal", "format:in-person", "delivery_format"),
        ("3h Ethics dte:3/14", "Did you mean date:?", None),
        ("3h Ethics colour:blue", "Options are date:, provider:", None),
        ("3h Ethics date:3/14 date:3/15", "given twice", "completed_on"),
        ('3h "Ethics', "never closed", None),
        ("3h " + "x" * 201, "keep it to 200", "title"),
        ('3h Ethics provider:""', "provider is empty", "provider"),
        ("3h Ethics approval:" + "9" * 65, "keep it to 64", "approval_number"),
    ],
)
def test_parse_log_refuses_with_friendly_message(text: str, fragment: str, field: str | None) -> None:
    """Bad /ce log text gets a message naming the problem, and the field when there is one."""
    e = err(parse_log, text, today=TODAY)
    assert fragment in e.message
    assert e.field == field


def test_parse_log_errors_show_an_example() -> None:
    """Errors about the command's shape show the right form with an example."""
    assert EXAMPLES["log"] in err(parse_log, "Ethics 3h", today=TODAY).message


def test_format_log_is_readable_command_text() -> None:
    """format_log writes hours, quoted title, ISO date and options in a fixed order."""
    r = log(provider="Acme Seminars", approval_number="451234-00", delivery_format="live_online",
            subjects=("ethics", "laws_rules"), notes="cert in email")
    assert format_log(r) == ('3h "Ethics in Touch" date:2026-03-20 provider:"Acme Seminars" approval:451234-00 '
                             'format:online #ethics #laws_rules notes:"cert in email"')


# --- hypothesis properties -------------------------------------------------------------------------------------------

SLACKY = st.sampled_from(['"', "'", "“", "”", "‘", "’", "\\", ":", "#", "<!channel>", "<@U123|bob>", "<#C1|ethics>",
                          "&amp;", "&lt;", "date:", "provider:", "format:", "notes:", "subject:", "h", "m", "1.5",
                          "3h", "90m", " ", "\n", "\t", "\u00a0", "\u2028", "é", "🙂", "2026-02-30", "99999999999"])
ANY_TEXT = st.one_of(st.text(max_size=200), st.lists(SLACKY, max_size=20).map("".join),
                     st.lists(st.one_of(SLACKY, st.text(max_size=5)), max_size=15).map(" ".join))


@settings(max_examples=examples(400), suppress_health_check=[HealthCheck.too_slow])
@given(ANY_TEXT)
@example('3h "unbalanced')
@example("3h “smart ‘quotes")
@example("9" * 5000 + "h title")
@example("3h x date:" + "9" * 5000)
@example("<!channel>")
@example("3h x #" + "é" * 3000)
def test_parse_log_never_raises_anything_but_parse_error(text: str) -> None:
    """Whatever the text, parse_log returns a valid LogRequest or raises ParseError with a message."""
    try:
        r = parse_log(text, today=TODAY)
    except ParseError as e:
        error: ParseError | None = e
    else:
        error = None
    if error is not None:
        assert error.message.strip()
        return
    assert 1 <= r.hours <= 160
    assert 1 <= len(r.title) <= 200
    assert date(1990, 1, 1) <= r.completed_on <= TODAY
    assert r.delivery_format in DELIVERY_FORMATS
    assert set(r.subjects) <= SUBJECT_KEYS
    assert len(set(r.subjects)) == len(r.subjects)


PARSERS_WITH_TODAY = [parse_edit, parse_track, parse_milestone]
PARSERS = [parse_command, parse_list, parse_entry_id, parse_untrack, parse_requirements, parse_remind, parse_admin,
           parse_export, parse_mydata, parse_help, parse_hours, parse_subject, parse_format, parse_time,
           parse_month_day, tokenize]


@settings(max_examples=examples(150), suppress_health_check=[HealthCheck.too_slow])
@given(ANY_TEXT)
def test_every_parser_raises_only_parse_error(text: str) -> None:
    """Every subcommand parser either returns or raises ParseError, for any text."""
    for fn in PARSERS:
        with contextlib.suppress(ParseError):
            fn(text)
    dated: list[Callable[..., object]] = [*PARSERS_WITH_TODAY, parse_date]
    for fn in dated:
        with contextlib.suppress(ParseError):
            fn(text, today=TODAY)


def clean_text(max_size: int) -> st.SearchStrategy[str]:
    """Values as the parser produces them: no control characters, trimmed, single spaces."""
    alphabet = st.one_of(
        st.characters(blacklist_categories=("Cc", "Cs")),
        st.sampled_from([*list('"\'“”„‘’\\#:&<>;'), "&amp;", "&lt;", "date:", "#ethics", "3h", " "]),
    )
    return (st.lists(alphabet, min_size=1, max_size=max_size).map("".join).map(lambda s: " ".join(s.split()))
            .filter(lambda s: 1 <= len(s) <= max_size))


log_requests = st.builds(
    LogRequest,
    hours=st.integers(min_value=1, max_value=160),
    title=clean_text(200),
    completed_on=st.dates(min_value=date(1990, 1, 1), max_value=TODAY),
    provider=st.none() | clean_text(200),
    approval_number=st.none() | clean_text(64),
    delivery_format=st.sampled_from(DELIVERY_FORMATS),
    subjects=st.lists(st.sampled_from(sorted(SUBJECT_KEYS)), unique=True, max_size=5).map(tuple),
    notes=st.none() | clean_text(300),
)


@settings(max_examples=examples(400), suppress_health_check=[HealthCheck.too_slow])
@given(log_requests)
@example(log(title='a" b', provider="'x'", notes="\\"))
@example(log(title="&amp;lt;", provider="date:3/14", approval_number="#1"))
@example(log(title="hours of fun", provider="“quoted”"))
def test_format_log_round_trips(r: LogRequest) -> None:
    """parse_log(format_log(r)) == r for every valid LogRequest."""
    assert parse_log(format_log(r), today=TODAY) == r


@given(st.integers(min_value=-1000, max_value=1000), st.sampled_from(["", "h", " hrs", "m", " min"]))
def test_parse_hours_is_in_range_and_quarters(n: int, unit: str) -> None:
    """Accepted hours are always 1..160 quarters; the number of quarters matches the text exactly."""
    for text in (f"{n / 4}{unit}" if unit in ("", "h", " hrs") else f"{n}{unit}", f"{n}{unit}"):
        try:
            q = parse_hours(text)
        except ParseError:
            continue
        assert 1 <= q <= 160
        minutes = float(text.rstrip("hrsmin ").strip()) * (60 if unit in ("", "h", " hrs") else 1)
        assert q * 15 == minutes


@given(st.decimals(min_value=-100, max_value=100, places=3, allow_nan=False, allow_infinity=False))
def test_parse_hours_accepts_exactly_the_quarter_multiples_in_range(value: object) -> None:
    """A decimal number of hours is accepted iff it is a quarter multiple from 0.25 to 40."""
    text = str(value)
    quarters = value * 4  # type: ignore[operator]
    ok = quarters == int(quarters) and 1 <= quarters <= 160
    if ok:
        assert parse_hours(text) == int(quarters)
    else:
        with pytest.raises(ParseError):
            parse_hours(text)


# --- /ce <subcommand> ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("help", "")), ("?", ("help", "")), ("help", ("help", "")), ("HELP log", ("help", "log")),
        ("log 3h Ethics in Touch", ("log", "3h Ethics in Touch")), ("Log  3h  x", ("log", "3h  x")),
        ("/ce list 5", ("list", "5")), ("ls", ("list", "")), ("rm 12", ("delete", "12")),
        ("status", ("progress", "")), ("track FL deadline:2027-08-31", ("track", "FL deadline:2027-08-31")),
        ("my-data export", ("mydata", "export")), ("reminders off", ("remind", "off")),
    ],
)
def test_parse_command_splits_and_normalises(text: str, expected: tuple[str, str]) -> None:
    """The subcommand is case-insensitive with aliases; the rest is kept as typed."""
    assert parse_command(text) == expected


def test_parse_command_unknown_suggests() -> None:
    """A typo suggests the closest subcommand; hours without 'log' suggest /ce log."""
    assert "Did you mean `/ce progress`?" in err(parse_command, "progres").message
    assert "/ce log 3h Ethics" in err(parse_command, "3h Ethics").message
    assert "/ce help" in err(parse_command, "frobnicate").message


def test_usage_covers_every_subcommand_with_an_example() -> None:
    """USAGE has a usage line and an example for every subcommand, and each example parses."""
    assert set(USAGE) == set(SUBCOMMANDS) == set(EXAMPLES)
    for name, text in USAGE.items():
        assert f"/ce {name}" in text
        assert "For example:" in text
        sub, _ = parse_command(EXAMPLES[name])
        assert sub == name


def test_every_usage_example_parses() -> None:
    """The examples shown to users are themselves valid commands."""
    parsers = {"log": parse_log, "edit": parse_edit, "track": parse_track, "milestone": parse_milestone}
    simple = {"list": parse_list, "delete": parse_entry_id, "untrack": parse_untrack,
              "requirements": parse_requirements, "remind": parse_remind, "export": parse_export,
              "mydata": parse_mydata, "help": parse_help}
    for _name, text in EXAMPLES.items():
        sub, rest = parse_command(text)
        if sub in parsers:
            parsers[sub](rest, today=TODAY)
        elif sub in simple:
            simple[sub](rest)
    assert parse_admin("managers add <@U0DANA|dana>") == AdminRequest("managers_add", user_ids=("U0DANA",))


@pytest.mark.parametrize(("text", "n"), [("", 10), ("5", 5), ("50", 50), ("all", 50), (" 1 ", 1)])
def test_parse_list(text: str, n: int) -> None:
    """/ce list takes an optional count from 1 to 50, default 10."""
    assert parse_list(text) == n


@pytest.mark.parametrize("text", ["0", "51", "-1", "ten", "5 6", "99999999999999999999"])
def test_parse_list_refuses(text: str) -> None:
    """Out-of-range or non-numeric counts are refused with the range."""
    assert "/ce list" in err(parse_list, text).message


@pytest.mark.parametrize(("text", "n"), [("12", 12), ("#12", 12), (" 7 ", 7)])
def test_parse_entry_id(text: str, n: int) -> None:
    """Entry ids are written 12 or #12."""
    assert parse_entry_id(text) == n


@pytest.mark.parametrize("text", ["", "abc", "0", "12 13", "#", "1" * 13, "99999999999"])
def test_parse_entry_id_refuses(text: str) -> None:
    """A missing or malformed entry id points to /ce list."""
    assert "/ce list" in err(parse_entry_id, text).message


# --- /ce edit --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "changes"),
    [
        ("12 hours:2.5", {"hours": 10}),
        ("#12 title:\"New title\" date:3/14", {"title": "New title", "date": date(2026, 3, 14)}),
        ("12 date:Mar 14 2026 format:online", {"date": date(2026, 3, 14), "format": "live_online"}),
        ("12 provider:\"Acme Co\" approval:A-1 notes:x", {"provider": "Acme Co", "approval": "A-1", "notes": "x"}),
        ("12 provider:- approval:none notes:\"\"", {"provider": None, "approval": None, "notes": None}),
        ("12 #ethics #law", {"subjects": ("ethics", "laws_rules")}),
        ("12 subjects:ethics,law #ethics", {"subjects": ("ethics", "laws_rules")}),
        ("12 subjects:none", {"subjects": ()}),
        ("12 hours:1h30m", {"hours": 6}),
    ],
)
def test_parse_edit(text: str, changes: dict[str, object]) -> None:
    """/ce edit takes an id and key:value changes; subjects replace the set; '-'/none/"" clear a value."""
    assert parse_edit(text, today=TODAY) == EditRequest(entry_id=int(text.split()[0].lstrip("#")), changes=changes)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("", "Which entry?"), ("12", "Say what to change"), ("12 new title", "Say what to change as key:value"),
     ("12 hours:1.3", "quarter hours"), ("12 date:2099-01-01", "in the future"), ("12 colour:red", "Options are"),
     ("12 title:\"\"", "course title is empty"), ("12 #etics", "Did you mean #ethics?"),
     ("12 hours:1 hours:2", "given twice"), ("abc hours:2", "isn't an entry number")],
)
def test_parse_edit_refuses(text: str, fragment: str) -> None:
    """Bad /ce edit text names the problem."""
    assert fragment in err(parse_edit, text, today=TODAY).message


# --- /ce track, untrack, requirements --------------------------------------------------------------------------------


def test_parse_track_full() -> None:
    """/ce track reads the key and every option; deadlines and CPR expiry may be in the future."""
    r = parse_track("fl deadline:2027-08-31 number:MA12345 birthday:02-29 issued:2024-01-15 first:yes "
                    "cpr:Mar 1 2027", today=TODAY)
    assert r == TrackRequest(key="FL", deadline=date(2027, 8, 31), licence_number="MA12345", birthday=(2, 29),
                             issue_date=date(2024, 1, 15), first_cycle=True, cpr_expires=date(2027, 3, 1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NCBTMB", TrackRequest(key="NCBTMB")),
        ("va birthday:1985-03-14", TrackRequest(key="VA", birthday=(3, 14), birth_year=1985)),
        ("TX expires:8/31 first:no", TrackRequest(key="TX", deadline=date(2026, 8, 31), first_cycle=False)),
        ('NY licence:"MT 123 456"', TrackRequest(key="NY", licence_number="MT 123 456")),
    ],
)
def test_parse_track_examples(text: str, expected: TrackRequest) -> None:
    """/ce track options are optional and have friendly aliases."""
    assert parse_track(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("", "Which licence"), ("deadline:2027-08-31", "Start with the key"), ("FL TX", "one key at a time"),
     ("FL deadline:2027-02-30", "isn't a real date"), ("FL issued:2027-01-01", "Give the date your licence was issued"),
     ("FL birthday:13-01", "no month 13"), ("FL first:maybe", "first:yes"), ("FL deadlin:2027-08-31", "deadline:"),
     ("FL deadline:2050-01-01", "10 years"), ("F$L", "isn't a requirement key")],
)
def test_parse_track_refuses(text: str, fragment: str) -> None:
    """Bad /ce track text names the problem."""
    assert fragment in err(parse_track, text, today=TODAY).message


def test_parse_untrack_and_requirements() -> None:
    """/ce untrack needs one key; /ce requirements takes an optional key."""
    assert parse_untrack(" fl ") == "FL"
    assert "Which licence" in err(parse_untrack, "").message
    assert "didn't understand" in err(parse_untrack, "FL TX").message
    assert parse_requirements("") is None
    assert parse_requirements("ncbtmb") == "NCBTMB"


def test_parse_help_topics() -> None:
    """/ce help takes an optional subcommand or topic."""
    assert parse_help("") is None
    assert parse_help("log") == "log"
    assert parse_help("rm") == "delete"
    assert parse_help("subject") == "subjects"
    assert parse_help("nonsense") is None


# --- /ce milestone ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "step", "on"),
    [
        ("program", "accredited_program", TODAY), ("school date:2019-06-01", "accredited_program", date(2019, 6, 1)),
        ("accredited program", "accredited_program", TODAY), ("MBLEx 2024-05-01", "mblex", date(2024, 5, 1)),
        ("mblex Mar 14 2024", "mblex", date(2024, 3, 14)), ("experience", "experience", TODAY),
        ("ce", "continuing_education", TODAY), ("seminars", "continuing_education", TODAY),
        ("exam", "amma_exam", TODAY), ("amma_exam yesterday", "amma_exam", date(2026, 3, 19)),
        ("2", "mblex", TODAY), ("continuing_education", "continuing_education", TODAY),
    ],
)
def test_parse_milestone(text: str, step: str, on: date) -> None:
    """Milestone steps accept aliases and step numbers; the date defaults to today."""
    assert parse_milestone(text, today=TODAY) == MilestoneRequest(step=step, completed_on=on)
    assert step in MILESTONE_STEPS


@pytest.mark.parametrize(("text", "fragment"), [("", "Which step?"), ("graduation party", "don't know the step"),
                                                ("mblex date:2030-01-01", "future. Mark a step once you've done it"),
                                                ("exam 2030-01-01", "Mark a step once you've done it")])
def test_parse_milestone_refuses(text: str, fragment: str) -> None:
    """Unknown steps list the five; future dates are refused."""
    assert fragment in err(parse_milestone, text, today=TODAY).message


# --- /ce remind, admin, export, mydata -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("on", RemindRequest("on")), ("OFF", RemindRequest("off")), ("snooze", RemindRequest("snooze", 7)),
     ("snooze 14", RemindRequest("snooze", 14)), ("snooze 3d", RemindRequest("snooze", 3)),
     ("snooze 2 weeks", RemindRequest("snooze", 14))],
)
def test_parse_remind(text: str, expected: RemindRequest) -> None:
    """/ce remind on|off|snooze [days]."""
    assert parse_remind(text) == expected


@pytest.mark.parametrize(("text", "fragment"), [("maybe", "on, off or snooze"),
                                                ("snooze 0", "1 to 90"), ("snooze 20w", "1 to 90"),
                                                ("snooze soon", "number of days"), ("on 3", "didn't understand")])
def test_parse_remind_refuses(text: str, fragment: str) -> None:
    """Bad /ce remind text names the choices."""
    assert fragment in err(parse_remind, text).message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("managers add <@U123|dana>", AdminRequest("managers_add", user_ids=("U123",))),
        ("managers add <@U123> <@W456|lee> <@U123>", AdminRequest("managers_add", user_ids=("U123", "W456"))),
        ("Managers remove <@U123>", AdminRequest("managers_remove", user_ids=("U123",))),
        ("managers", AdminRequest("managers_list")),
        ("summary <#C123|team-ce>", AdminRequest("summary_on", channel_id="C123", weekday=0, at=time(9, 0))),
        ("summary <#C123|> day:fri time:4:30pm", AdminRequest("summary_on", channel_id="C123", weekday=4,
                                                              at=time(16, 30))),
        ("summary <#G99> time:08:15 day:Tuesday", AdminRequest("summary_on", channel_id="G99", weekday=1,
                                                               at=time(8, 15))),
        ("summary off", AdminRequest("summary_off")),
    ],
)
def test_parse_admin(text: str, expected: AdminRequest) -> None:
    """/ce admin reads Slack's user mentions and channel links."""
    assert parse_admin(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("", "managers or summary"), ("managers add", "Who?"), ("managers add @dana", "@mention that Slack links"),
     ("managers promote <@U1>", "managers add or managers remove"), ("summary", "Which channel?"),
     ("summary #general", "#channel that Slack links"), ("summary <#C1> day:someday", "weekday"),
     ("summary <#C1> time:25:00", "as a time"), ("summary <#C1> colour:red", "Options are"),
     ("party", "managers or summary"), ("managers add <!channel>", "@mention")],
)
def test_parse_admin_refuses(text: str, fragment: str) -> None:
    """Plain @names and #names (not linked by Slack) and bad options are explained."""
    assert fragment in err(parse_admin, text).message


def test_parse_export_and_mydata() -> None:
    """/ce export csv|pdf [KEY] | team csv; /ce mydata export|delete."""
    assert parse_export("") == ExportRequest(fmt="csv")
    assert parse_export("PDF fl") == ExportRequest(fmt="pdf", key="FL")
    assert parse_export("team csv") == ExportRequest(fmt="csv", scope="team")
    assert parse_export("team") == ExportRequest(fmt="csv", scope="team")
    assert "team export is a CSV" in err(parse_export, "team pdf").message
    assert "csv or pdf" in err(parse_export, "xlsx").message
    assert parse_mydata("export") == MyDataRequest("export")
    assert parse_mydata("DELETE") == MyDataRequest("delete")
    assert "delete (erase it)" in err(parse_mydata, "").message
    assert "export or delete" in err(parse_mydata, "burn").message


def test_parse_time_forms() -> None:
    """Times of day in 24 h and am/pm forms."""
    assert parse_time("09:00") == time(9)
    assert parse_time("9am") == time(9)
    assert parse_time("12am") == time(0)
    assert parse_time("12pm") == time(12)
    assert parse_time("17") == time(17)
    assert "as a time" in err(parse_time, "13pm").message


def test_parse_date_relative_forms_follow_today() -> None:
    """'today' and 'yesterday' follow the today passed in, not the clock."""
    other = date(2024, 3, 1)
    assert parse_date("yesterday", today=other) == other - timedelta(days=1) == date(2024, 2, 29)
