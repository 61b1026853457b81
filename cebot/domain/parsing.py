"""The ``/ce`` command grammar: pure functions from command text to plain requests.

Every parser here takes text (what follows ``/ce <subcommand>``) and returns a
small frozen dataclass or a value, or raises :class:`ParseError` with a short,
friendly message for a therapist that says what is wrong and shows the right
form with an example. Nothing else is ever raised, whatever the text.

Grammar rules shared by every subcommand (documented for users in
``docs/commands.md``):

* Words are separated by whitespace. A value with spaces is quoted with
  ``"..."``, ``'...'`` or Slack's smart quotes ``“...”`` / ``‘...’``. A quote
  closes at a matching quote followed by a space or the end; inside double
  quotes ``\\"`` and ``\\\\`` stand for a literal quote and backslash. A double
  quote that never closes is an error; an apostrophe that never closes is just
  an apostrophe (``O'Brien``, ``'90s``). Text longer than 10,000 characters is
  refused.
* ``key:value`` is an option when ``key`` is one the subcommand knows
  (case-insensitive). The value follows the colon with no space, and may be
  quoted: ``provider:"Acme Seminars"``. A word such as ``Ethics:`` (colon then
  a space) stays in the title. A word like ``dat:3/14`` (letters, a colon, then
  a value) with an unknown key is an error naming the valid keys, so a typo is
  never silently saved as part of the title; quote the title to use such a
  word in it. ``http:``/``https:`` links are left alone.
* ``#subject`` tags name subjects (any alias in :mod:`cebot.domain.subjects`);
  a Slack channel link ``<#C123|ethics>`` counts as the tag ``#ethics``.
* Slack escapes ``&``, ``<`` and ``>`` in command text as ``&amp;``, ``&lt;``
  and ``&gt;``; values are decoded, so the shell and Slack give the same result.
* Values are trimmed and runs of whitespace become one space; control
  characters count as whitespace.

Error messages and :data:`USAGE` are plain text that may contain user input
and ``<placeholders>``: escape them before putting them into mrkdwn.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from fractions import Fraction

from cebot.domain.facts import LogRequest
from cebot.domain.hours import QUARTERS_PER_HOUR, Quarters, format_hours
from cebot.domain.requirements import DELIVERY_FORMATS
from cebot.domain.subjects import SUBJECTS, canonical, suggest

# ---------------------------------------------------------------------------------------------------------------------
# Errors, limits and usage
# ---------------------------------------------------------------------------------------------------------------------

MIN_HOURS: Quarters = 1
"""A quarter hour: the least one course can be."""
MAX_HOURS: Quarters = 40 * QUARTERS_PER_HOUR
"""40 h: the most one course can be."""
EARLIEST_DATE = date(1990, 1, 1)
MAX_DEADLINE_YEARS = 10
"""Deadlines and expiry dates may be at most this many years ahead."""
MAX_TITLE = 200
MAX_PROVIDER = 200
MAX_APPROVAL = 64
MAX_NOTES = 2000
MAX_LICENCE_NUMBER = 64
MAX_KEY = 64
LIST_DEFAULT = 10
LIST_MAX = 50
SNOOZE_DEFAULT_DAYS = 7
SNOOZE_MAX_DAYS = 90
MAX_ENTRY_ID = 2**31 - 1
MAX_TEXT = 10_000
"""Longest command text read at all (Slack's own limit is lower)."""


class ParseError(ValueError):
    """Command text that cannot be understood; ``message`` is written for the therapist.

    ``field`` names what was wrong when that is one thing: a :class:`LogRequest`
    attribute (``hours``, ``title``, ``completed_on``, ``provider``,
    ``approval_number``, ``delivery_format``, ``subjects``, ``notes``) or an
    option of another subcommand (``deadline``, ``birthday``, ``step``, ...).
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


USAGE_LINES: dict[str, str] = {
    "help": "/ce help [subcommand|subjects]",
    "log": "/ce log <hours> <title> [date:<date>] [provider:<name>] [approval:<number>] "
           "[format:in-person|online|home-study] [#subject ...] [notes:<text>]",
    "list": "/ce list [how many, 1-50] [page:N]",
    "edit": "/ce edit <id> <key:value ...>  (keys: hours, title, date, provider, approval, format, subjects, notes)",
    "delete": "/ce delete <id>",
    "undo": "/ce undo",
    "track": "/ce track <KEY> [deadline:<date>] [number:<licence no>] [birthday:<MM-DD>] [issued:<date>] "
             "[first:yes|no] [cpr:<date>]",
    "untrack": "/ce untrack <KEY>",
    "requirements": "/ce requirements [KEY]",
    "progress": "/ce progress",
    "amma": "/ce amma",
    "milestone": "/ce milestone <program|mblex|experience|ce|exam> [date:<date>]",
    "team": "/ce team [page:N]",
    "admin": "/ce admin managers add|remove @person  ·  /ce admin summary #channel [day:mon] [time:09:00]  ·  "
             "/ce admin summary off",
    "remind": "/ce remind on|off|snooze [days]",
    "export": "/ce export csv|pdf [KEY]  ·  /ce export team csv",
    "mydata": "/ce mydata export|delete",
    "attach": "/ce attach <id>  (then share the certificate file in my DM)",
    "check": "/ce check <hours> <title> [date:<date>] [format:in-person|online|home-study] [#subject ...]",
    "plan": "/ce plan",
}
"""The usage line of every subcommand."""

EXAMPLES: dict[str, str] = {
    "help": "/ce help log",
    "log": '/ce log 3h Ethics in Touch #ethics date:2026-03-14 provider:"Acme Seminars"',
    "list": "/ce list 20",
    "edit": "/ce edit 12 hours:2.5 date:3/14",
    "delete": "/ce delete 12",
    "undo": "/ce undo",
    "track": "/ce track FL deadline:2027-08-31 number:MA12345",
    "untrack": "/ce untrack FL",
    "requirements": "/ce requirements FL",
    "progress": "/ce progress",
    "amma": "/ce amma",
    "milestone": "/ce milestone mblex date:2024-05-01",
    "team": "/ce team [page:N]",
    "admin": "/ce admin managers add @Dana",
    "remind": "/ce remind snooze 7",
    "export": "/ce export csv",
    "mydata": "/ce mydata export",
    "attach": "/ce attach 12",
    "check": "/ce check 3h Ethics in Touch #ethics format:online",
    "plan": "/ce plan",
}
"""One example of every subcommand."""

USAGE: dict[str, str] = {name: f"`{line}`\nFor example: `{EXAMPLES[name]}`" for name, line in USAGE_LINES.items()}
"""Usage line plus one example for every subcommand (mrkdwn code spans; escape ``<``/``>`` before sending)."""

SUBCOMMANDS: tuple[str, ...] = tuple(USAGE_LINES)

_SUBCOMMAND_ALIASES: dict[str, str] = {
    "?": "help", "h": "help", "-h": "help", "--help": "help", "commands": "help",
    "add": "log", "new": "log", "record": "log",
    "ls": "list", "entries": "list", "history": "list",
    "change": "edit", "update": "edit",
    "del": "delete", "rm": "delete", "remove": "delete",
    "follow": "track", "add-licence": "track",
    "unfollow": "untrack", "stop": "untrack",
    "requirement": "requirements", "reqs": "requirements", "req": "requirements", "rules": "requirements",
    "status": "progress", "me": "progress", "missing": "progress",
    "pathway": "amma",
    "whatif": "check", "what-if": "check", "count": "check",
    "next": "plan", "todo": "plan",
    "milestones": "milestone", "step": "milestone",
    "reminder": "remind", "reminders": "remind",
    "my-data": "mydata", "my_data": "mydata", "privacy": "mydata",
}


def _short(text: str, limit: int = 40) -> str:
    """User text as echoed in an error message: one line, at most ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _usage_hint(sub: str) -> str:
    return f"For example: `{EXAMPLES[sub]}`"


def _error(message: str, sub: str | None = None, *, field: str | None = None) -> ParseError:
    if sub is not None:
        message = f"{message}\n{_usage_hint(sub)}"
    return ParseError(message, field=field)


# ---------------------------------------------------------------------------------------------------------------------
# Tokenizer
# ---------------------------------------------------------------------------------------------------------------------

DOUBLE_QUOTES = '"“”„'
SINGLE_QUOTES = "'‘’"
_OPENERS = DOUBLE_QUOTES + "'‘"
_KEY_RE = re.compile(r"([A-Za-z][A-Za-z0-9_]*):")
_ENTITY_RE = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_URL_SCHEMES = frozenset({"http", "https", "mailto", "ftp", "tel"})


@dataclass(frozen=True)
class Word:
    """One whitespace-separated word of command text.

    ``text`` is the whole word (for a quoted word, the value inside the quotes);
    for ``key:value`` words ``key`` is the lowercased key and ``value`` the
    decoded value. ``quoted`` says the word (or its value) was quoted, so it is
    never read as a tag, option or number. ``raw`` is the word as typed.
    """

    text: str
    quoted: bool = False
    key: str | None = None
    value: str = ""
    raw: str = ""


def _decode(text: str) -> str:
    return _ENTITY_RE.sub(lambda m: _ENTITIES[m.group(1)], text)


def _clean(text: str) -> str:
    """Trim and collapse whitespace."""
    return " ".join(text.split())


def _prepare(text: str) -> str:
    """Control characters count as whitespace."""
    if not isinstance(text, str):  # defensive: callers pass Slack payload fields
        text = "" if text is None else str(text)
    return "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)


_SINGLE_CLOSER_RE = re.compile(r"['‘’](?=\s|$)")


def _scan_quoted(s: str, i: int, last_single_closer: int) -> tuple[str, int] | None:
    """Read a quoted value starting at the opener ``s[i]``; return (value, index after it).

    Double quotes honour ``\\"`` and ``\\\\`` escapes; a double quote that never
    closes raises :class:`ParseError`. Single quotes have no escapes, and
    ``None`` means an apostrophe that never closes (it is read as a letter).
    ``last_single_closer`` is the position of the last possible single-quote
    closer, so a hopeless apostrophe costs nothing (tokenizing stays linear).
    """
    if s[i] not in DOUBLE_QUOTES:
        if last_single_closer <= i:
            return None
        m = _SINGLE_CLOSER_RE.search(s, i + 1)
        assert m is not None  # there is a closer after i
        return s[i + 1: m.start()], m.end()
    buf: list[str] = []
    j = i + 1
    n = len(s)
    while j < n:
        c = s[j]
        if c == "\\" and j + 1 < n and s[j + 1] in DOUBLE_QUOTES + "\\":
            buf.append(s[j + 1])
            j += 2
            continue
        if c in DOUBLE_QUOTES and (j + 1 == n or s[j + 1].isspace()):
            return "".join(buf), j + 1
        buf.append(c)
        j += 1
    raise ParseError(
        f"The quote before “{_short(s[i + 1:], 30)}” is never closed. Put a matching quote after the value, "
        'followed by a space, like: provider:"Acme Seminars"'
    )


def tokenize(text: str) -> list[Word]:
    """Split command text into :class:`Word` s (quotes, ``key:value`` and entities handled)."""
    s = _prepare(text)
    if len(s) > MAX_TEXT:
        raise ParseError(f"That's too long for one command ({len(s):,} characters); keep it under {MAX_TEXT:,}.")
    closers = [m.start() for m in _SINGLE_CLOSER_RE.finditer(s)]
    last_single_closer = closers[-1] if closers else -1
    words: list[Word] = []
    i, n = 0, len(s)
    while True:
        while i < n and s[i].isspace():
            i += 1
        if i >= n:
            return words
        km = _KEY_RE.match(s, i)
        if km and km.end() < n and s[km.end()] in _OPENERS:
            q = _scan_quoted(s, km.end(), last_single_closer)
            if q is not None:
                value, end = q
                words.append(Word(text=s[i:end], quoted=True, key=km.group(1).lower(), value=_decode(value),
                                  raw=s[i:end]))
                i = end
                continue
        if s[i] in _OPENERS:
            q = _scan_quoted(s, i, last_single_closer)
            if q is not None:
                value, end = q
                words.append(Word(text=_decode(value), quoted=True, raw=s[i:end]))
                i = end
                continue
        j = i
        while j < n and not s[j].isspace():
            j += 1
        raw = s[i:j]
        km = _KEY_RE.match(raw)
        if km:
            words.append(Word(text=_decode(raw), key=km.group(1).lower(), value=_decode(raw[km.end():]), raw=raw))
        else:
            words.append(Word(text=_decode(raw), raw=raw))
        i = j


def quote(value: str, *, force: bool = False) -> str:
    """``value`` as command text that :func:`tokenize` reads back exactly (quoted only when needed)."""
    encoded = re.sub(r"&(?=amp;|lt;|gt;)", "&amp;", value)
    if not force and encoded and not any(c.isspace() for c in encoded) and encoded[0] not in _OPENERS:
        return encoded
    escaped = re.sub(r'([\\"“”„])', r"\\\1", encoded)
    return f'"{escaped}"'


# ---------------------------------------------------------------------------------------------------------------------
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


def _resolve_date(parts: _DateParts | str, *, today: date, future: bool, field_name: str) -> date:
    if isinstance(parts, str):
        return today if parts == "today" else today - timedelta(days=1)
    if parts.year is None:
        # No year: the most recent such date for things done; the next one for deadlines.
        _build_date(2024, parts.month, parts.day, field_name)  # validate month/day in a leap year
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


# ---------------------------------------------------------------------------------------------------------------------
# Option reading shared by log, edit, track ...
# ---------------------------------------------------------------------------------------------------------------------

_CHANNEL_TAG_RE = re.compile(r"<#[A-Z0-9]+\|([^>]*)>")


def _tag_name(word: Word) -> str | None:
    """The subject name of a ``#tag`` word (or Slack channel link), else ``None``."""
    if word.quoted:
        return None
    m = _CHANNEL_TAG_RE.fullmatch(word.raw)
    if m:
        return m.group(1) or None
    if len(word.text) > 1 and word.text[0] == "#" and (word.text[1].isalpha()):
        return word.text[1:]
    return None


def _key_list(keys: dict[str, str]) -> str:
    return ", ".join(f"{k}:" for k in dict.fromkeys(keys.values()))


def _option_key(word: Word, keys: dict[str, str], sub: str) -> str | None:
    """The canonical option name of ``word``, or ``None`` if it is a plain word; raise for unknown options."""
    if word.key is None:
        return None
    name = keys.get(word.key)
    if name is not None:
        if not word.quoted and not word.value:
            raise _error(f"Put the {name} right after “{word.key}:” with no space (or quote the title if "
                         f"“{word.key}:” is part of it).", sub, field=_FIELD_OF.get(name, name))
        return name
    if not word.quoted and (not word.value or word.key in _URL_SCHEMES):
        return None
    close = difflib.get_close_matches(word.key, list(keys), n=1, cutoff=0.6)
    hint = f" Did you mean {close[0]}:?" if close else ""
    raise _error(f"I don't know the option “{_short(word.key, 20)}:”.{hint} Options are {_key_list(keys)}. "
                 "If it's part of the title, put the title in quotes.", sub)


def _take_date(words: list[Word], i: int, *, today: date, future: bool, field_name: str) -> tuple[date, int]:
    """Read the date option at ``words[i]``, extending an unquoted value over the next words
    (``date:Mar 14 2026``). Returns the date and the index after it."""
    first = words[i]
    if not first.quoted:
        for extra in (2, 1):
            following = words[i + 1: i + 1 + extra]
            if len(following) < extra or any(w.quoted or w.key is not None or w.text.startswith("#")
                                             for w in following):
                continue
            candidate = " ".join([first.value, *(w.text for w in following)])
            if _date_parts(candidate) is not None:
                return parse_date(candidate, today=today, future=future, field=field_name), i + 1 + extra
    return parse_date(first.value, today=today, future=future, field=field_name), i + 1


def _subjects_value(value: str) -> list[str]:
    return [parse_subject(part) for part in re.split(r"[,\s]+", value.strip()) if part.strip()]


# ---------------------------------------------------------------------------------------------------------------------
# /ce log
# ---------------------------------------------------------------------------------------------------------------------

_LOG_KEYS: dict[str, str] = {
    "date": "date", "on": "date", "completed": "date", "when": "date",
    "provider": "provider", "by": "provider", "from": "provider",
    "approval": "approval", "approval_number": "approval", "approval_no": "approval", "approved": "approval",
    "format": "format", "type": "format", "delivery": "format",
    "subject": "subjects", "subjects": "subjects", "tag": "subjects", "tags": "subjects",
    "notes": "notes", "note": "notes",
}
_FIELD_OF = {"date": "completed_on", "provider": "provider", "approval": "approval_number",
             "format": "delivery_format", "subjects": "subjects", "notes": "notes", "hours": "hours",
             "title": "title"}


def _take_hours(words: list[Word], sub: str) -> tuple[Quarters, int]:
    """Read the hours at the start of ``words`` (up to four words: ``1 hour 30 min``)."""
    for n in (4, 3, 2, 1):
        head = words[:n]
        if len(head) < n or any(w.quoted or w.key is not None for w in head):
            continue
        if _hours_form(" ".join(w.text for w in head)):
            return parse_hours(" ".join(w.text for w in head)), n
    first = words[0].text if words else ""
    raise _error(f"Start with the hours, then the course title. I couldn't read “{_short(first, 20)}” as hours "
                 f"(write {HOURS_EXAMPLE}).", sub, field="hours")


@dataclass
class _Fields:
    """What :func:`_read_fields` found; ``given`` names the options present (a cleared one is ``None``)."""

    title_words: list[str] = field(default_factory=list)
    given: set[str] = field(default_factory=set)
    hours: Quarters | None = None
    title: str | None = None
    completed_on: date | None = None
    provider: str | None = None
    approval: str | None = None
    delivery_format: str | None = None
    notes: str | None = None
    subjects: list[str] = field(default_factory=list)

    def changes(self) -> dict[str, object]:
        """The edit changes: option name -> value, for options given."""
        values: dict[str, object] = {
            "hours": self.hours, "title": self.title, "date": self.completed_on, "provider": self.provider,
            "approval": self.approval, "format": self.delivery_format, "notes": self.notes,
            "subjects": tuple(dict.fromkeys(self.subjects)),
        }
        return {name: value for name, value in values.items() if name in self.given}


_CLEAR_WORDS = frozenset({"none", "-", "", "clear"})


def _read_fields(words: list[Word], keys: dict[str, str], *, today: date, sub: str, clearable: bool) -> _Fields:
    """Read options, ``#tags`` and title words (``log`` and ``edit`` share this)."""
    out = _Fields()
    i = 0
    while i < len(words):
        w = words[i]
        tag = _tag_name(w)
        if tag is not None:
            out.subjects.append(parse_subject(tag))
            out.given.add("subjects")
            i += 1
            continue
        name = _option_key(w, keys, sub)
        if name is None:
            out.title_words.append(w.text)
            i += 1
            continue
        if name == "subjects":
            out.given.add("subjects")
            if not (clearable and _norm_word(w.value) in _CLEAR_WORDS):
                out.subjects.extend(_subjects_value(w.value) if w.value.strip() else [parse_subject("")])
            i += 1
            continue
        if name in out.given:
            raise _error(f"{name}: is given twice; give it once.", sub, field=_FIELD_OF.get(name))
        out.given.add(name)
        if name == "date":
            out.completed_on, i = _take_date(words, i, today=today, future=False, field_name="completed_on")
            continue
        value = w.value
        i += 1
        if clearable and name in ("provider", "approval", "notes") and _norm_word(value) in _CLEAR_WORDS:
            continue
        if name == "provider":
            out.provider = parse_provider(value)
        elif name == "approval":
            out.approval = parse_approval(value)
        elif name == "notes":
            out.notes = parse_notes(value)
        elif name == "format":
            out.delivery_format = parse_format(value)
        elif name == "hours":
            out.hours = parse_hours(value)
        elif name == "title":
            out.title = parse_title(value)
    return out


def parse_log(text: str, *, today: date) -> LogRequest:
    """``/ce log <hours> <title words...> [date:<date>] [provider:<name>] [approval:<number>] [format:<format>]
    [subject:<s>] [#<subject> ...] [notes:<text>]``. The date defaults to ``today``; the format to in person."""
    words = tokenize(text)
    if not words:
        raise _error("Tell me the hours and the course title.", "log")
    hours, n = _take_hours(words, "log")
    f = _read_fields(words[n:], _LOG_KEYS, today=today, sub="log", clearable=False)
    if not _clean(" ".join(f.title_words)):
        raise _error("Add the course title after the hours.", "log", field="title")
    return LogRequest(
        hours=hours,
        title=parse_title(" ".join(f.title_words)),
        completed_on=f.completed_on or today,
        provider=f.provider,
        approval_number=f.approval,
        delivery_format=f.delivery_format or "in_person",
        subjects=tuple(dict.fromkeys(f.subjects)),
        notes=f.notes,
    )


def format_log(req: LogRequest) -> str:
    """The canonical ``/ce log`` text for ``req`` (without ``/ce log``); :func:`parse_log` reads it back equal."""
    parts = [f"{format_hours(req.hours)}h", quote(req.title, force=True), f"date:{req.completed_on.isoformat()}"]
    if req.provider is not None:
        parts.append("provider:" + quote(req.provider))
    if req.approval_number is not None:
        parts.append("approval:" + quote(req.approval_number))
    parts.append("format:" + _FORMAT_WORDS.get(req.delivery_format, req.delivery_format))
    parts.extend(f"#{s}" for s in req.subjects)
    if req.notes is not None:
        parts.append("notes:" + quote(req.notes))
    return " ".join(parts)


# ---------------------------------------------------------------------------------------------------------------------
# /ce <subcommand>, list, delete, edit
# ---------------------------------------------------------------------------------------------------------------------


def parse_command(text: str) -> tuple[str, str]:
    """Split ``/ce`` text into (subcommand, rest). Empty text, ``?`` and ``help`` give ``help``; aliases
    (``add`` -> ``log``, ``rm`` -> ``delete`` ...) and case are normalised. ``rest`` keeps the user's text."""
    s = _prepare(text).strip()
    if re.match(r"/ce(\s|$)", s, re.IGNORECASE):
        s = s[3:].strip()
    if not s:
        return "help", ""
    head_parts = s.split(None, 1)
    head = head_parts[0]
    rest = head_parts[1].strip() if len(head_parts) > 1 else ""
    word = head.lower()
    if word.startswith("/"):
        word = word[1:]
    word = _SUBCOMMAND_ALIASES.get(word, word)
    if word in USAGE_LINES:
        return word, rest
    if _hours_form(head):
        raise ParseError(f"To log a course, start with `log`: `/ce log {_short(s, 60)}`\n{_usage_hint('log')}")
    close = difflib.get_close_matches(word, [*SUBCOMMANDS, *_SUBCOMMAND_ALIASES], n=1, cutoff=0.6)
    hint = f" Did you mean `/ce {_SUBCOMMAND_ALIASES.get(close[0], close[0])}`?" if close else ""
    raise ParseError(f"I don't know `{_short(head, 20)}`.{hint} Type `/ce help` to see everything I can do.")


def _no_extra(words: list[Word], sub: str) -> None:
    if words:
        raise _error(f"I didn't understand “{_short(' '.join(w.text for w in words), 30)}”.", sub)


PAGE_MAX = 100_000
"""Highest page number ``page:N`` accepts (a bigger one is surely a typo)."""


def _page_number(word: Word, sub: str) -> int:
    if not re.fullmatch(r"\d{1,9}", word.value.strip()) or not 1 <= int(word.value) <= PAGE_MAX:
        raise _error(f"“{_short(word.raw or word.text, 20)}”: a page is a number, like `page:2`.", sub, field="page")
    return int(word.value)


@dataclass(frozen=True)
class ListRequest:
    """``/ce list [n] [page:N]``: ``size`` entries a page, newest first, page ``page`` (from 1)."""

    size: int = LIST_DEFAULT
    page: int = 1

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


def parse_list_request(rest: str) -> ListRequest:
    """How many entries ``/ce list [n] [page:N]`` shows and which page: default 10 a page, from 1 to 50
    (``all`` is 50), page 1 (the newest)."""
    size, page = LIST_DEFAULT, 1
    words = tokenize(rest)
    pages = [w for w in words if w.key == "page"]
    if pages:
        _no_extra(pages[1:], "list")
        page = _page_number(pages[0], "list")
    words = [w for w in words if w.key != "page"]
    if words:
        _no_extra(words[1:], "list")
        t = words[0].text.lower()
        if t in ("all", "max"):
            size = LIST_MAX
        elif not re.fullmatch(r"\d{1,9}", t) or words[0].key is not None:
            raise _error(f"Give a number of entries from 1 to {LIST_MAX}.", "list")
        elif not 1 <= int(t) <= LIST_MAX:
            raise _error(f"I can show from 1 to {LIST_MAX} entries at a time.", "list")
        else:
            size = int(t)
    return ListRequest(size=size, page=page)


def parse_list(rest: str) -> int:
    """How many entries ``/ce list [n]`` shows: default 10, from 1 to 50 (``all`` is 50); see
    :func:`parse_list_request` for the page too."""
    return parse_list_request(rest).size


def parse_page(rest: str, sub: str) -> int:
    """The page of ``/ce team [page:N]`` (or a bare ``N``): 1 when not given."""
    words = tokenize(rest)
    if not words:
        return 1
    _no_extra(words[1:], sub)
    word = words[0]
    if word.key is None and re.fullmatch(r"\d{1,9}", word.text):
        word = Word(text=word.text, key="page", value=word.text, raw=word.raw)
    if word.key != "page":
        raise _error(f"I didn't understand “{_short(word.raw or word.text, 30)}”.", sub)
    return _page_number(word, sub)


def _entry_id(word: Word | None, sub: str) -> int:
    t = word.text.strip() if word else ""
    m = re.fullmatch(r"#?(\d{1,12})", t)
    if not m:
        what = f"“{_short(t, 20)}” isn't an entry number." if t else "Which entry?"
        raise _error(f"{what} Use the number shown by `/ce list`.", sub, field="entry_id")
    n = int(m.group(1))
    if not 1 <= n <= MAX_ENTRY_ID:
        raise _error(f"There's no entry {n}. Use the number shown by `/ce list`.", sub, field="entry_id")
    return n


def parse_entry_id(rest: str, *, sub: str = "delete") -> int:
    """The entry number in ``12`` or ``#12`` (``/ce delete``)."""
    words = tokenize(rest)
    n = _entry_id(words[0] if words else None, sub)
    if words[1:]:
        raise _error("One entry at a time, by the number shown by `/ce list`.", sub, field="entry_id")
    return n


@dataclass(frozen=True)
class EditRequest:
    """``/ce edit <id> key:value ...``.

    ``changes`` keys: ``hours`` (quarters), ``title`` (str), ``date`` (date),
    ``provider``/``approval``/``notes`` (str, or ``None`` to clear), ``format``
    (format key), ``subjects`` (tuple of keys; replaces the entry's subjects,
    ``()`` clears).
    """

    entry_id: int
    changes: dict[str, object]


_EDIT_KEYS = {**_LOG_KEYS, "hours": "hours", "hrs": "hours", "title": "title", "name": "title"}


def parse_edit(rest: str, *, today: date) -> EditRequest:
    """``/ce edit <id> [hours:] [title:] [date:] [provider:] [approval:] [format:] [subjects:|#tags] [notes:]``.

    ``provider:-``, ``approval:none``, ``notes:""`` and ``subjects:none`` clear a value.
    """
    words = tokenize(rest)
    entry_id = _entry_id(words[0] if words else None, "edit")
    f = _read_fields(words[1:], _EDIT_KEYS, today=today, sub="edit", clearable=True)
    if f.title_words:
        raise _error(f"I didn't understand “{_short(' '.join(f.title_words), 30)}”. Say what to change as key:value, "
                     'like title:"Ethics in Touch" or hours:2.', "edit")
    changes = f.changes()
    if not changes:
        raise _error("Say what to change as key:value: hours, title, date, provider, approval, format, subjects "
                     "or notes.", "edit")
    return EditRequest(entry_id=entry_id, changes=changes)


# ---------------------------------------------------------------------------------------------------------------------
# track / untrack / requirements
# ---------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackRequest:
    """``/ce track <KEY> [deadline:] [number:] [birthday:] [issued:] [first:] [cpr:]``."""

    key: str
    """Requirement-set key as typed, upper-cased (``FL``, ``NCBTMB``, a workspace set key)."""
    deadline: date | None = None
    licence_number: str | None = None
    birthday: tuple[int, int] | None = None
    """(month, day); Feb 29 allowed."""
    issue_date: date | None = None
    first_cycle: bool | None = None
    cpr_expires: date | None = None
    birth_year: int | None = None
    """Only when a full birth date was given (``birthday:1985-03-14``); Virginia's rule needs it."""


_TRACK_KEYS = {
    "deadline": "deadline", "due": "deadline", "expires": "deadline", "expiry": "deadline", "renewal": "deadline",
    "renew": "deadline",
    "number": "number", "licence": "number", "license": "number", "lic": "number", "no": "number", "id": "number",
    "birthday": "birthday", "dob": "birthday", "born": "birthday", "bday": "birthday",
    "issued": "issued", "issue": "issued", "licensed": "issued", "since": "issued",
    "first": "first", "first_cycle": "first", "new": "first",
    "cpr": "cpr", "cpr_expires": "cpr", "bls": "cpr",
}
_YES = frozenset({"yes", "y", "true", "1", "on", "first"})
_NO = frozenset({"no", "n", "false", "0", "off"})


def _requirement_key(word: Word | None, sub: str) -> str:
    t = word.text.strip() if word else ""
    if not t:
        raise _error("Which licence or certification? Give its key, like FL, TX, NCBTMB, AMTA or AMMA "
                     "(`/ce requirements` lists them).", sub, field="key")
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_.-]*", t) or len(t) > MAX_KEY:
        raise _error(f"“{_short(t, 20)}” isn't a requirement key. Keys look like FL, NCBTMB or AMMA "
                     "(`/ce requirements` lists them).", sub, field="key")
    return t.upper()


def parse_track(rest: str, *, today: date) -> TrackRequest:
    """``/ce track <KEY> [deadline:<date>] [number:<licence no>] [birthday:<MM-DD>] [issued:<date>]
    [first:yes|no] [cpr:<date>]``. Deadlines and CPR expiry may be in the future; the issue date may not."""
    words = tokenize(rest)
    if words and words[0].key is not None and words[0].key in _TRACK_KEYS:
        raise _error("Start with the key of the licence or certification.", "track", field="key")
    key = _requirement_key(words[0] if words else None, "track")
    values: dict[str, object] = {}
    i = 1
    while i < len(words):
        w = words[i]
        name = _option_key(w, _TRACK_KEYS, "track")
        if name is None:
            raise _error(f"I didn't understand “{_short(w.text, 30)}”. Track one key at a time, with options as "
                         "key:value.", "track")
        if name in values:
            raise _error(f"{name}: is given twice; give it once.", "track", field=name)
        if name in ("deadline", "cpr", "issued"):
            values[name], i = _take_date(words, i, today=today, future=name != "issued", field_name=name)
            continue
        if name == "number":
            values[name] = _text_value(w.value, field="number", label="licence number", limit=MAX_LICENCE_NUMBER,
                                       example="Write it like number:MA12345.")
        elif name == "birthday":
            values[name] = parse_month_day(w.value)
        elif name == "first":
            v = w.value.strip().lower()
            if v not in _YES | _NO:
                raise _error("Say first:yes if this is your first renewal since you were licensed, or first:no.",
                             "track", field="first")
            values[name] = v in _YES
        i += 1
    bday = values.get("birthday")
    return TrackRequest(
        key=key,
        deadline=values.get("deadline"),  # type: ignore[arg-type]  # date from _take_date
        licence_number=values.get("number"),  # type: ignore[arg-type]  # str
        birthday=(bday[0], bday[1]) if isinstance(bday, tuple) else None,
        issue_date=values.get("issued"),  # type: ignore[arg-type]  # date
        first_cycle=values.get("first"),  # type: ignore[arg-type]  # bool
        cpr_expires=values.get("cpr"),  # type: ignore[arg-type]  # date
        birth_year=bday[2] if isinstance(bday, tuple) else None,
    )


def parse_untrack(rest: str) -> str:
    """The requirement key in ``/ce untrack <KEY>``, upper-cased."""
    words = tokenize(rest)
    key = _requirement_key(words[0] if words else None, "untrack")
    _no_extra(words[1:], "untrack")
    return key


def parse_requirements(rest: str) -> str | None:
    """The key in ``/ce requirements [KEY]``, upper-cased, or ``None`` to list every key."""
    words = tokenize(rest)
    if not words:
        return None
    key = _requirement_key(words[0], "requirements")
    _no_extra(words[1:], "requirements")
    return key


def parse_help(rest: str) -> str | None:
    """The topic of ``/ce help [topic]``: a subcommand name, ``subjects``, ``dates``, ``hours``, ``formats``,
    or ``None`` for the overview. Unknown topics give the overview too."""
    t = _clean(_prepare(rest)).lower().lstrip("/")
    if t.startswith("ce "):
        t = t[3:]
    if not t:
        return None
    t = t.split()[0]
    t = _SUBCOMMAND_ALIASES.get(t, t)
    if t in USAGE_LINES or t in ("subjects", "dates", "hours", "formats"):
        return t
    if t in ("subject", "tags", "tag"):
        return "subjects"
    if t in ("date",):
        return "dates"
    if t in ("format", "delivery"):
        return "formats"
    return None


# ---------------------------------------------------------------------------------------------------------------------
# AMMA milestones
# ---------------------------------------------------------------------------------------------------------------------

MILESTONE_STEPS: tuple[str, ...] = ("accredited_program", "mblex", "experience", "continuing_education", "amma_exam")
"""The five AMMA pathway steps, in order."""
MILESTONE_LABELS: dict[str, str] = {
    "accredited_program": "Graduate from an accredited massage program",
    "mblex": "Pass the MBLEx",
    "experience": "Gain experience",
    "continuing_education": "Continuing education in the conditions you treat",
    "amma_exam": "Pass the AMMA certification exam",
}
_STEP_ALIASES: dict[str, str] = {}
for _step, _names in {
    "accredited_program": ("program", "school", "accredited", "accredited program", "graduate", "graduated",
                           "graduation", "massage school", "massage program", "diploma"),
    "mblex": ("mblex exam", "fsmtb", "licensing exam", "board exam"),
    "experience": ("work", "practice", "clinical experience", "experience hours", "work experience"),
    "continuing_education": ("ce", "ces", "ceu", "seminars", "seminar", "continuing education", "education",
                             "courses", "conditions"),
    "amma_exam": ("exam", "amma", "amma exam", "certification", "certification exam", "amma certification",
                  "diplomate"),
}.items():
    _STEP_ALIASES[_step.replace("_", " ")] = _step
    for _name in _names:
        _STEP_ALIASES[_name] = _step
for _n, _step in enumerate(MILESTONE_STEPS, start=1):
    _STEP_ALIASES[str(_n)] = _step


@dataclass(frozen=True)
class MilestoneRequest:
    """``/ce milestone <step> [date:<date>]``: an AMMA pathway step reached on a date."""

    step: str
    """One of :data:`MILESTONE_STEPS`."""
    completed_on: date


def parse_step(text: str) -> str:
    """The milestone step key for ``program``, ``school``, ``mblex``, ``experience``, ``ce``, ``seminars``,
    ``exam``, ``amma_exam``, a step number 1-5, or the key itself."""
    step = _STEP_ALIASES.get(_norm_word(str(text)))
    if step is None:
        raise _error(f"I don't know the step “{_short(str(text), 30)}”. The steps are program, mblex, experience, "
                     "ce and exam.", "milestone", field="step")
    return step


def parse_milestone(rest: str, *, today: date) -> MilestoneRequest:
    """``/ce milestone <step> [date:<date>]`` (a bare date after the step works too). Date defaults to today."""
    words = tokenize(rest)
    keys = {"date": "date", "on": "date", "completed": "date", "when": "date"}
    step_words: list[str] = []
    completed: date | None = None
    i = 0
    while i < len(words):
        w = words[i]
        name = _option_key(w, keys, "milestone")
        if name == "date":
            if completed is not None:
                raise _error("date: is given twice; give it once.", "milestone", field="date")
            completed, i = _take_date(words, i, today=today, future=False, field_name="date")
            continue
        step_words.append(w.text)
        i += 1
    if not step_words:
        raise _error("Which step? The steps are program, mblex, experience, ce and exam.", "milestone",
                     field="step")
    # "mblex 2024-05-01" / "mblex Mar 14 2024": a trailing bare date.
    if completed is None:
        for n in (3, 2, 1):
            if len(step_words) > n and _date_parts(" ".join(step_words[-n:])) is not None:
                completed = parse_date(" ".join(step_words[-n:]), today=today, field="date")
                step_words = step_words[:-n]
                break
    return MilestoneRequest(step=parse_step(" ".join(step_words)), completed_on=completed or today)


# ---------------------------------------------------------------------------------------------------------------------
# remind, admin, export, mydata
# ---------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemindRequest:
    """``/ce remind on|off|snooze [days]``. ``days`` is set only for ``snooze`` (default 7, 1-90)."""

    action: str
    days: int | None = None


def parse_remind(rest: str) -> RemindRequest:
    """``/ce remind on``, ``/ce remind off``, ``/ce remind snooze [days]`` (``14``, ``14d``, ``2w``)."""
    words = [w.text.lower() for w in tokenize(rest)]
    if not words:
        raise _error("Say on, off or snooze.", "remind", field="action")
    action = {"on": "on", "enable": "on", "start": "on", "yes": "on", "off": "off", "disable": "off",
              "stop": "off", "no": "off", "snooze": "snooze", "pause": "snooze", "later": "snooze"}.get(words[0])
    if action is None:
        raise _error(f"I don't know “{_short(words[0], 20)}” for reminders. Say on, off or snooze.", "remind",
                     field="action")
    if action != "snooze":
        if words[1:]:
            raise _error(f"I didn't understand “{_short(' '.join(words[1:]), 30)}”.", "remind")
        return RemindRequest(action=action)
    if not words[1:]:
        return RemindRequest(action="snooze", days=SNOOZE_DEFAULT_DAYS)
    spec = " ".join(words[1:])
    m = re.fullmatch(r"(?:for )?(\d{1,6}) ?(d|day|days|w|wk|wks|week|weeks)?", spec)
    if not m:
        raise _error(f"I couldn't read “{_short(spec, 20)}” as a number of days.", "remind", field="days")
    days = int(m.group(1)) * (7 if (m.group(2) or "d").startswith("w") else 1)
    if not 1 <= days <= SNOOZE_MAX_DAYS:
        raise _error(f"Snooze for 1 to {SNOOZE_MAX_DAYS} days.", "remind", field="days")
    return RemindRequest(action="snooze", days=days)


@dataclass(frozen=True)
class AdminRequest:
    """``/ce admin ...``.

    ``action`` is one of ``managers_add``, ``managers_remove`` (with ``user_ids``),
    ``managers_list``, ``summary_on`` (with ``channel_id``, ``weekday`` 0=Monday
    and ``at``, defaults Monday 09:00 in the workspace's timezone) or ``summary_off``.
    """

    action: str
    user_ids: tuple[str, ...] = ()
    channel_id: str | None = None
    weekday: int | None = None
    at: time | None = None


_USER_RE = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL_RE = re.compile(r"<#([CG][A-Z0-9]+)(?:\|[^>]*)?>")
_WEEKDAYS = {name: i for i, names in enumerate((
    ("mon", "monday", "mo"), ("tue", "tues", "tuesday", "tu"), ("wed", "wednesday", "we"),
    ("thu", "thur", "thurs", "thursday", "th"), ("fri", "friday", "fr"), ("sat", "saturday", "sa"),
    ("sun", "sunday", "su"))) for name in names}


def parse_time(text: str, *, field: str = "time") -> time:
    """A time of day: ``09:00``, ``9:30``, ``9am``, ``9:30pm``, ``17``."""
    t = _clean(str(text)).lower().replace(" ", "").replace(".", "")
    m = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?(am|pm)?", t)
    if m:
        hour, minute, half = int(m.group(1)), int(m.group(2) or 0), m.group(3)
        if half:
            hour = hour % 12 + (12 if half == "pm" else 0) if 1 <= hour <= 12 else 99
        if 0 <= hour <= 23 and 0 <= minute <= 59:
            return time(hour, minute)
    raise ParseError(f"I couldn't read “{_short(str(text), 20)}” as a time. Write it like time:09:00 or time:9am.",
                     field=field)


def parse_admin(rest: str) -> AdminRequest:
    """``managers add|remove <@user ...>``, ``managers`` (list), ``summary <#channel> [day:mon] [time:09:00]``,
    ``summary off``. Slack sends mentions as ``<@U123|name>`` and channels as ``<#C123|name>``."""
    words = tokenize(rest)
    if not words:
        raise _error("Say managers or summary.", "admin")
    head = words[0].text.lower()
    if head in ("managers", "manager", "mgr", "mgrs"):
        if len(words) == 1 or words[1].text.lower() in ("list", "show"):
            _no_extra(words[2:], "admin")
            return AdminRequest(action="managers_list")
        verb = {"add": "managers_add", "+": "managers_add", "remove": "managers_remove",
                "rm": "managers_remove", "del": "managers_remove", "delete": "managers_remove",
                "-": "managers_remove"}.get(words[1].text.lower())
        if verb is None:
            raise _error("Say managers add or managers remove, then @mention the person.", "admin")
        ids: list[str] = []
        for w in words[2:]:
            m = _USER_RE.fullmatch(w.raw)
            if not m:
                raise _error(f"I need an @mention that Slack links, not “{_short(w.text, 20)}”: type @ and pick "
                             "the person from the list.", "admin", field="user")
            ids.append(m.group(1))
        if not ids:
            raise _error("Who? @mention the person after add or remove.", "admin", field="user")
        return AdminRequest(action=verb, user_ids=tuple(dict.fromkeys(ids)))
    if head in ("summary", "digest", "report", "weekly"):
        if len(words) == 1:
            raise _error("Which channel? Write /ce admin summary #channel (or summary off).", "admin",
                         field="channel")
        if words[1].text.lower() in ("off", "stop", "none", "disable"):
            _no_extra(words[2:], "admin")
            return AdminRequest(action="summary_off")
        m = _CHANNEL_RE.fullmatch(words[1].raw)
        if not m:
            raise _error(f"I need a #channel that Slack links, not “{_short(words[1].text, 20)}”: type # and pick "
                         "the channel from the list (and invite me to it).", "admin", field="channel")
        weekday, at = 0, time(9, 0)
        seen: set[str] = set()
        for w in words[2:]:
            name = _option_key(w, {"day": "day", "weekday": "day", "time": "time", "at": "time"}, "admin")
            if name is None:
                raise _error(f"I didn't understand “{_short(w.text, 20)}”. Options are day: and time:.", "admin")
            if name in seen:
                raise _error(f"{name}: is given twice; give it once.", "admin", field=name)
            seen.add(name)
            if name == "day":
                wd = _WEEKDAYS.get(w.value.strip().lower())
                if wd is None:
                    raise _error(f"I couldn't read “{_short(w.value, 20)}” as a weekday. Write day:mon, day:tue ... "
                                 "day:sun.", "admin", field="day")
                weekday = wd
            else:
                at = parse_time(w.value)
        return AdminRequest(action="summary_on", channel_id=m.group(1), weekday=weekday, at=at)
    raise _error(f"I don't know “{_short(words[0].text, 20)}” under admin. Say managers or summary.", "admin")


@dataclass(frozen=True)
class ExportRequest:
    """``/ce export csv|pdf [KEY]`` (``scope="me"``) or ``/ce export team csv`` (``scope="team"``)."""

    fmt: str
    """``csv`` or ``pdf``."""
    scope: str = "me"
    key: str | None = None


def parse_export(rest: str) -> ExportRequest:
    """``/ce export`` (CSV of your entries), ``csv|pdf [KEY]``, ``team [csv]``."""
    words = tokenize(rest)
    texts = [w.text.lower() for w in words]
    if texts and texts[0] == "team":
        if len(texts) > 2 or (len(texts) == 2 and texts[1] != "csv"):
            raise _error("The team export is a CSV: /ce export team csv.", "export")
        return ExportRequest(fmt="csv", scope="team")
    if not texts:
        return ExportRequest(fmt="csv")
    if texts[0] not in ("csv", "pdf"):
        raise _error(f"I can export csv or pdf, not “{_short(words[0].text, 20)}”.", "export", field="format")
    key = _requirement_key(words[1], "export") if len(words) > 1 else None
    _no_extra(words[2:], "export")
    return ExportRequest(fmt=texts[0], key=key)


@dataclass(frozen=True)
class MyDataRequest:
    """``/ce mydata export|delete``: a copy of everything cebot holds about you, or erase it."""

    action: str


def parse_mydata(rest: str) -> MyDataRequest:
    """``/ce mydata export`` or ``/ce mydata delete``."""
    words = [w.text.lower() for w in tokenize(rest)]
    if not words:
        raise _error("Say export (a copy of your data) or delete (erase it).", "mydata", field="action")
    action = {"export": "export", "download": "export", "copy": "export", "delete": "delete", "erase": "delete",
              "remove": "delete", "forget": "delete"}.get(words[0])
    if action is None:
        raise _error(f"I don't know “{_short(words[0], 20)}” here. Say export or delete.", "mydata", field="action")
    if words[1:]:
        raise _error(f"I didn't understand “{_short(' '.join(words[1:]), 30)}”.", "mydata")
    return MyDataRequest(action=action)


def parse_attach(rest: str) -> int:
    """The entry number in ``/ce attach 12`` (or ``#12``)."""
    return parse_entry_id(rest, sub="attach")


@dataclass(frozen=True)
class AuditRequest:
    """``/ce export audit KEY [cycle]``: the audit packet for one credential's current or a named cycle."""

    key: str
    cycle: str = "current"
    """``current``, ``previous``, a deadline year (``2025``) or a day inside the cycle (``2025-06-30``)."""


def parse_audit(rest: str) -> AuditRequest:
    """The words after ``/ce export audit``: ``KEY [current|previous|YYYY|YYYY-MM-DD]``."""
    words = tokenize(rest)
    key = _requirement_key(words[0] if words else None, "export").upper()
    cycle = "current"
    if len(words) > 1:
        text = words[1].text.strip().lower()
        if text in ("current", "this", "now"):
            cycle = "current"
        elif text in ("previous", "last", "prior"):
            cycle = "previous"
        elif re.fullmatch(r"(19|20)\d\d", text) or re.fullmatch(r"(19|20)\d\d-\d\d-\d\d", text):
            if len(text) == 10:
                try:
                    date.fromisoformat(text)
                except ValueError:
                    raise _error(f"“{_short(text, 20)}” isn't a date: write it like 2025-06-30.", "export") from None
            cycle = text
        else:
            raise _error(f"Which cycle? Say current, previous, the year it ends (2025) or a day in it "
                         f"(2025-06-30), not “{_short(words[1].text, 20)}”.", "export", field="cycle")
    _no_extra(words[2:], "export")
    return AuditRequest(key=key, cycle=cycle)
