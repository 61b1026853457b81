"""Values inside command text: hours, dates, delivery formats, subjects and free text."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from cebot.domain.hours import Quarters
from cebot.domain.limits import (
    EARLIEST_DATE,
    MAX_APPROVAL,
    MAX_DEADLINE_YEARS,
    MAX_HOURS,
    MAX_NOTES,
    MAX_PROVIDER,
    MAX_TITLE,
    MIN_HOURS,
)
from cebot.domain.parsing.tokens import ParseError, _clean, _short
from cebot.domain.requirements import DELIVERY_FORMATS
from cebot.domain.subjects import SUBJECTS, canonical, suggest

# Hours
# ---------------------------------------------------------------------------------------------------------------------

_H_UNIT = r"(?:h|hr|hrs|hour|hours)"
_M_UNIT = r"(?:m|min|mins|minute|minutes)"
_NUM = r"-?(?:\d+(?:\.\d*)?|\.\d+)"
_HOURS_FORMS = (
    re.compile(rf"(?P<h>{_NUM}) ?{_H_UNIT}?"),
    re.compile(rf"(?P<h>-?\d+){_H_UNIT}(?P<m>\d+){_M_UNIT}?"),
    re.compile(rf"(?P<h>-?\d+) ?{_H_UNIT} ?(?P<m>\d+) ?{_M_UNIT}"),
    re.compile(rf"(?P<m>-?\d+) ?{_M_UNIT}"),
)
HOURS_EXAMPLE = "3, 1.5h, 1h30m or 90m"


def _hours_form(text: str) -> re.Match[str] | None:
    t = _clean(text).lower()
    if len(t) > 40:  # no hours are written this long; keeps the regexes linear
        return None
    for form in _HOURS_FORMS:
        m = form.fullmatch(t)
        if m:
            return m
    return None


def parse_hours(text: str) -> Quarters:
    """Hours as quarters: ``3``, ``3h``, ``1.5h``, ``1.5 hrs``, ``1h30m``, ``1h 30m``, ``90m``, ``2.25``.

    From 0.25 h to 40 h, in whole quarter hours.
    """
    m = _hours_form(str(text))
    if m is None and re.fullmatch(r"\d{20,}(?:\.\d*)? ?h?", _clean(str(text)).lower()):
        raise ParseError("That's more than 40 h for one course. If it really was, log it as separate entries; "
                         "otherwise check the number.", field="hours")
    if m is None:
        raise ParseError(f"I couldn't read “{_short(str(text))}” as hours. Write hours like {HOURS_EXAMPLE}.",
                         field="hours")
    h_text = m.groupdict().get("h")
    m_text = m.groupdict().get("m")
    if (h_text or "").startswith("-") or (m_text or "").startswith("-"):
        raise ParseError("Hours can't be negative. Write hours like " + HOURS_EXAMPLE + ".", field="hours")
    whole, _, frac = (h_text or "0").partition(".")
    frac = frac.rstrip("0")
    if len(whole.lstrip("0")) > 4 or len((m_text or "").lstrip("0")) > 6:
        raise ParseError("That's more than 40 h for one course. If it really was, log it as separate entries; "
                         "otherwise check the number.", field="hours")
    if len(frac) > 2:
        raise ParseError(f"Hours must be in quarter hours, like 1.25 or 1.5 (you wrote {_short(str(text))}).",
                         field="hours")
    minutes = Fraction(f"{whole or 0}.{frac or 0}") * 60 + int(m_text or 0)
    scaled = minutes / 15
    if scaled.denominator != 1:
        if h_text is None or m_text is not None:
            raise ParseError("Minutes must be in steps of 15, like 45m, 90m or 1h15m.", field="hours")
        raise ParseError(f"Hours must be in quarter hours, like 1.25 or 1.5 (you wrote {_short(str(text))}).",
                         field="hours")
    q = int(scaled)
    if q < MIN_HOURS:
        raise ParseError("A course must be at least 0.25 h (15 minutes). Write hours like " + HOURS_EXAMPLE + ".",
                         field="hours")
    if q > MAX_HOURS:
        raise ParseError("That's more than 40 h for one course. If it really was, log it as separate entries; "
                         "otherwise check the number.", field="hours")
    return q


# ---------------------------------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------------------------------

_MONTHS = {
    name: i
    for i, names in enumerate(
        (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
         ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
         ("oct", "october"), ("nov", "november"), ("dec", "december")),
        start=1,
    )
    for name in names
}
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December")
_MON = r"(?P<mon>[a-z]{3,9})\.?"
_DATE_FORMS = (
    re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})"),
    re.compile(r"(?P<m>\d{1,2})[/-](?P<d>\d{1,2})(?:[/-](?P<y>\d{4}|\d{2}))?"),
    re.compile(rf"{_MON} (?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,? (?P<y>\d{{4}}))?"),
    re.compile(rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)? {_MON}(?:,? (?P<y>\d{{4}}))?"),
    re.compile(rf"(?P<d>\d{{1,2}})-{_MON}-(?P<y>\d{{4}})"),
)
DATE_EXAMPLE = "2026-03-14, 3/14, 3/14/2026, Mar 14 2026, today or yesterday"


@dataclass(frozen=True)
class _DateParts:
    year: int | None
    month: int
    day: int
    two_digit_year: bool = False


def _date_parts(text: str) -> _DateParts | str | None:
    """Recognise a date form; ``None`` if the text is not written like a date at all."""
    t = _clean(text).lower().replace(" ,", ",")
    if t in ("today", "now", "yesterday"):
        return "yesterday" if t == "yesterday" else "today"
    t = t.replace(",", ", ").replace(",  ", ", ")
    t = _clean(t)
    for form in _DATE_FORMS:
        m = form.fullmatch(t)
        if not m:
            continue
        g = m.groupdict()
        if g.get("mon") is not None:
            month = _MONTHS.get(g["mon"])
            if month is None:
                continue
        else:
            month = int(g["m"])
        y: str | None = g.get("y")
        return _DateParts(int(y) if y else None, month, int(g["d"]), y is not None and len(y) == 2)
    return None


def _month_days(year: int, month: int) -> int:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return (nxt - timedelta(days=1)).day


def _build_date(year: int, month: int, day: int, field_name: str) -> date:
    if not 1 <= month <= 12:
        raise ParseError(f"There's no month {month}; months go from 1 to 12. Write dates like {DATE_EXAMPLE}.",
                         field=field_name)
    if not 1 <= year <= 9999:
        raise ParseError(f"Write dates like {DATE_EXAMPLE}.", field=field_name)
    days = _month_days(year, month)
    if not 1 <= day <= days:
        raise ParseError(f"{_MONTH_NAMES[month - 1]} {day} isn't a real date ({_MONTH_NAMES[month - 1]} {year} has "
                         f"{days} days).", field=field_name)
    return date(year, month, day)


def _check_month_day(month: int, day: int, field_name: str) -> None:
    """A month and day typed without a year: valid in some year (Feb 29 is); the message names no year."""
    if not 1 <= month <= 12:
        _build_date(2024, month, day, field_name)  # raises: there is no such month
    most = _month_days(2024, month)  # a leap year: the most days the month ever has
    if not 1 <= day <= most:
        name = _MONTH_NAMES[month - 1]
        raise ParseError(f"{name} {day} isn't a real date ({name} has at most {most} days).", field=field_name)


def _resolve_date(parts: _DateParts | str, *, today: date, future: bool, field_name: str) -> date:
    if isinstance(parts, str):
        return today if parts == "today" else today - timedelta(days=1)
    if parts.year is None:
        # No year: the most recent such date for things done; the next one for deadlines.
        _check_month_day(parts.month, parts.day, field_name)
        year = today.year
        if future:
            year = _year_with(parts, year, lambda d: d >= today, step=1)
        else:
            year = _year_with(parts, year, lambda d: d <= today, step=-1)
        return date(year, parts.month, parts.day)
    year = parts.year
    if parts.two_digit_year:
        year += 2000
        if not future and year > today.year:
            year -= 100
    return _build_date(year, parts.month, parts.day, field_name)


def _year_with(parts: _DateParts, year: int, ok: Callable[[date], bool], step: int) -> int:
    """The nearest year from ``year`` (moving by ``step``) where month/day exists and ``ok`` holds."""
    for _ in range(9):
        try:
            candidate = date(year, parts.month, parts.day)
        except ValueError:  # Feb 29 in a common year
            year += step
            continue
        if ok(candidate):
            return year
        year += step
    return year  # pragma: no cover - within 8 years a Feb 29 always comes round


_FUTURE_HINTS: dict[str, str] = {
    "completed_on": "Log a course on or after the day you finish it",
    "date": "Mark a step once you've done it",
    "issued": "Give the date your licence was issued",
}
"""What to do instead when a date that must not be in the future is, by the field it was given for."""


def parse_date(text: str, *, today: date, future: bool = False, field: str = "completed_on") -> date:
    """A date as therapists write it: ``2026-03-14``, ``3/14``, ``3/14/2026``, ``3/14/26``, ``Mar 14 2026``,
    ``March 14, 2026``, ``14 Mar 2026``, ``today``, ``yesterday``.

    ``future=False`` (things done: courses, milestones, issue dates): the date is
    not after ``today`` and not before 1990; a date without a year is the most
    recent one (``12/10`` typed in January is last December).
    ``future=True`` (deadlines, expiry dates): from 1990 up to 10 years ahead; a
    date without a year is the next one from ``today`` on.
    """
    parts = _date_parts(str(text))
    if parts is None:
        raise ParseError(f"I couldn't read “{_short(str(text))}” as a date. Write dates like {DATE_EXAMPLE}.",
                         field=field)
    d = _resolve_date(parts, today=today, future=future, field_name=field)
    if d < EARLIEST_DATE:
        raise ParseError(f"{d.isoformat()} is before 1990. Check the year, like 2026-03-14.", field=field)
    if not future and d > today:
        hint = _FUTURE_HINTS.get(field, "Give a date up to today")
        raise ParseError(f"{d.isoformat()} is in the future. {hint} (today is {today.isoformat()}).", field=field)
    if future:
        try:
            latest = today.replace(year=today.year + MAX_DEADLINE_YEARS)
        except ValueError:  # today is Feb 29
            latest = today.replace(year=today.year + MAX_DEADLINE_YEARS, day=28)
        if d > latest:
            raise ParseError(f"{d.isoformat()} is more than {MAX_DEADLINE_YEARS} years away. Check the year, "
                             "like 2027-08-31.", field=field)
    return d


def parse_month_day(text: str, *, field: str = "birthday") -> tuple[int, int, int | None]:
    """A birthday: ``03-14``, ``3/14``, ``Mar 14``, ``14 Mar`` (Feb 29 allowed), or a full birth date
    ``1985-03-14`` / ``3/14/1985``. Returns (month, day, year or None)."""
    t = _clean(str(text))
    m = re.fullmatch(r"(\d{1,2})-(\d{1,2})", t)
    parts = _DateParts(None, int(m.group(1)), int(m.group(2))) if m else _date_parts(t)
    if parts is None or isinstance(parts, str):
        raise ParseError(f"I couldn't read “{_short(t)}” as a birthday. Write it as month-day, like "
                         "birthday:03-14 (or the full date, like birthday:1985-03-14).", field=field)
    if parts.year is not None:
        year = parts.year + (1900 if parts.two_digit_year else 0)
        d = _build_date(year, parts.month, parts.day, field)
        if not 1900 <= year <= 2100:
            raise ParseError(f"Check the birth year in {d.isoformat()}.", field=field)
        return d.month, d.day, d.year
    _build_date(2024, parts.month, parts.day, field)  # a leap year: Feb 29 is a birthday
    return parts.month, parts.day, None


# ---------------------------------------------------------------------------------------------------------------------
# Subjects, formats, free text
# ---------------------------------------------------------------------------------------------------------------------

_FORMAT_ALIASES: dict[str, str] = {}
for _key, _names in {
    "in_person": ("in person", "inperson", "live", "classroom", "class", "onsite", "on site", "face to face",
                  "hands on workshop", "workshop", "seminar", "contact", "live in person"),
    "live_online": ("online", "live online", "webinar", "live webinar", "virtual", "zoom", "livestream",
                    "live stream", "distance live"),
    "home_study": ("home study", "homestudy", "self study", "selfstudy", "recorded", "on demand", "ondemand",
                   "recorded webinar", "video", "correspondence", "distance", "elearning", "e learning",
                   "self paced", "home"),
}.items():
    _FORMAT_ALIASES[_key.replace("_", " ")] = _key
    for _name in _names:
        _FORMAT_ALIASES[_name] = _key
_FORMAT_WORDS = {"in_person": "in-person", "live_online": "online", "home_study": "home-study"}
assert set(_FORMAT_WORDS) == set(DELIVERY_FORMATS)


def _norm_word(text: str) -> str:
    return _clean(re.sub(r"[-_]", " ", text.strip().lower().lstrip("#")))


def parse_format(text: str) -> str:
    """The delivery format key (``in_person``, ``live_online``, ``home_study``) for what the user typed."""
    key = _FORMAT_ALIASES.get(_norm_word(str(text)))
    if key is None:
        raise ParseError(f"I don't know the format “{_short(str(text))}”. Use format:in-person, format:online "
                         "(live online) or format:home-study (recorded, self-study).", field="delivery_format")
    return key


def _subject_examples() -> str:
    return ", ".join(f"#{s.key}" for s in SUBJECTS[:6])


def parse_subject(text: str) -> str:
    """The canonical subject key for a name, alias or ``#tag``; unknown names suggest the closest."""
    raw = str(text).strip()
    key = canonical(raw) if raw.strip("#").strip() else None
    if key is not None:
        return key
    name = _short(raw.lstrip("#"), 30)
    if not name:
        raise ParseError(f"Put a subject after the #, like {_subject_examples()}.", field="subjects")
    if _FORMAT_ALIASES.get(_norm_word(raw)):
        as_option = _norm_word(raw).replace(" ", "-")
        raise ParseError(f"“{name}” is a delivery format, not a subject: write format:{as_option} instead of "
                         f"#{name}.", field="subjects")
    hint = suggest(raw)
    did_you_mean = f" Did you mean #{hint}?" if hint else ""
    raise ParseError(f"I don't know the subject “{name}”.{did_you_mean} Subjects include {_subject_examples()} "
                     "(`/ce help subjects` lists them all).", field="subjects")


def _text_value(value: str, *, field: str, label: str, limit: int, example: str) -> str:
    v = _clean(value)
    if not v:
        raise ParseError(f"The {label} is empty. {example}", field=field)
    if len(v) > limit:
        raise ParseError(f"The {label} is {len(v)} characters; keep it to {limit}.", field=field)
    return v


def parse_title(text: str) -> str:
    """A course title: trimmed, 1-200 characters."""
    return _text_value(str(text), field="title", label="course title", limit=MAX_TITLE,
                       example="Write the title after the hours, like: /ce log 3h Ethics in Touch")


def parse_provider(text: str) -> str:
    return _text_value(str(text), field="provider", label="provider", limit=MAX_PROVIDER,
                       example='Write it like provider:"Acme Seminars".')


def parse_approval(text: str) -> str:
    return _text_value(str(text), field="approval_number", label="approval number", limit=MAX_APPROVAL,
                       example="Write it like approval:451234-00.")


def parse_notes(text: str) -> str:
    return _text_value(str(text), field="notes", label="note", limit=MAX_NOTES,
                       example='Write it like notes:"certificate in email".')


