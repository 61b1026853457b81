"""How free ``/ce log`` text is read: dates, hours in words, subjects and formats found in the title.

:func:`parse_log` is the strict grammar (options and ``#tags``; the title is kept as typed). :func:`read_log`
reads the same text the way people write it and says what it inferred, so the reply can show it:

* a date at the end or after ``on`` (``yesterday``, ``11/20``, ``Nov 20``, ``2026-11-20``; no year typed: the
  most recent such day not in the future), taken out of the title;
* hours written as words (``two hours``, ``half an hour``) as well as ``2 hours``, ``90 minutes``, ``1.5 hrs``;
* subject words in the title (ethics, laws and rules, medical errors, CPR, human trafficking ...): only names
  that mean one subject are tagged (:data:`TITLE_SUBJECTS`; ``massage`` or ``rules`` alone are not);
* the delivery format from words such as ``webinar`` or ``self-paced``; a bare ``online`` is ambiguous (live
  online and self-paced home study count differently: New York caps self-study at 12 h), so
  :attr:`LogReading.ask_format` asks instead of guessing.

A quoted title is never read for dates, subjects or formats: quoting is how to say "this is just the title".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from cebot.domain.facts import LogRequest
from cebot.domain.parsing.fields import _tag_name, _take_hours, parse_log
from cebot.domain.parsing.tokens import Word, tokenize
from cebot.domain.parsing.values import _date_parts, _norm_word, parse_date
from cebot.domain.subjects import canonical

TITLE_SUBJECTS: dict[str, str] = {
    "ethics": "ethics", "ethic": "ethics", "professional ethics": "ethics",
    "laws and rules": "laws_rules", "laws & rules": "laws_rules", "law and rules": "laws_rules",
    "laws rules": "laws_rules", "jurisprudence": "laws_rules", "state law": "laws_rules", "state laws": "laws_rules",
    "medical errors": "medical_errors", "medical error": "medical_errors",
    "human trafficking": "human_trafficking", "trafficking": "human_trafficking",
    "cpr": "cpr", "bls": "cpr", "first aid": "cpr", "aed": "cpr", "cpr aed": "cpr", "cpr/aed": "cpr",
    "domestic violence": "domestic_violence", "sexual harassment": "sexual_harassment",
    "child abuse": "child_abuse", "hiv": "communicable_disease", "hiv/aids": "communicable_disease",
    "infection control": "communicable_disease", "implicit bias": "implicit_bias",
    "cultural competency": "cultural_competency", "cultural competence": "cultural_competency",
    "pain management": "pain_management", "self care": "self_care", "roles and boundaries": "boundaries",
    "kinesiology": "anatomy", "anatomy": "anatomy", "pathology": "pathology", "contraindications": "pathology",
}
"""Title phrases (lower case, hyphens as spaces) that name exactly one subject, so a title containing one is
tagged with it. Broader words (``rules``, ``massage``, ``medical``, ``technique``) need an explicit ``#tag``."""
_LONGEST_PHRASE = max(len(p.split()) for p in TITLE_SUBJECTS)

AMBIGUOUS_FORMAT_WORDS = frozenset({"online", "virtual", "distance"})
"""Words that say a course was not in person, but not whether it was live or self-paced."""
TITLE_FORMATS: dict[str, str] = {
    "webinar": "live_online", "live webinar": "live_online", "zoom": "live_online", "livestream": "live_online",
    "live online": "live_online", "live stream": "live_online",
    "self paced": "home_study", "self study": "home_study", "home study": "home_study", "homestudy": "home_study",
    "on demand": "home_study", "recorded": "home_study", "correspondence": "home_study",
}
"""Title phrases that settle the delivery format."""

NUMBER_WORDS: dict[str, str] = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
    "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "fifteen": "15", "twenty": "20", "thirty": "30",
    "forty": "40", "forty-five": "45", "sixty": "60", "ninety": "90", "an": "1", "a": "1", "half": "0.5",
}
"""Numbers written as words before an hours or minutes unit (``two hours``, ``ninety minutes``)."""
_PART_RE = re.compile(r"\d{1,2}-\d{1,2}")
"""``Module 1-2`` at the end of a title is a part number, not January 2 (``on 1-2`` is still a date)."""
_UNIT_RE = re.compile(r"(h|hr|hrs|hour|hours|m|min|mins|minute|minutes)")


@dataclass(frozen=True)
class LogReading:
    """What :func:`read_log` made of the text and what it inferred (for the reply's "Read as" line)."""

    request: LogRequest
    date_from: str | None = None
    """The words the date was read from when it came from the title (``yesterday``, ``on 11/20``)."""
    title_subjects: tuple[str, ...] = ()
    """Subjects tagged because the title names them (not typed as ``#tags``)."""
    format_from: str | None = None
    """The title word the format was read from (``webinar``), if it was."""
    ask_format: bool = False
    """The text says ``online`` without saying live or self-paced: ask before logging."""
    hints: tuple[str, ...] = ()
    """Plain-text notes on what was left as typed but may be meant otherwise (a date or subject word kept in
    the title, ``format:online`` read as live): the reply shows them, so nothing is dropped silently."""


def _text(words: list[Word]) -> str:
    """Words back as command text (each word's own raw text: quotes and entities as typed)."""
    return " ".join(w.raw for w in words)


def _plain(w: Word) -> bool:
    return not w.quoted and w.key is None and _tag_name(w) is None and not w.text.startswith("#")


def _hours_words(words: list[Word]) -> list[Word]:
    """``two hours`` -> ``2 hours``, ``half an hour`` -> ``0.5 hour``: number words before a unit as digits.

    Only with a title after them: ``/ce log three hours`` alone keeps the grammar's "couldn't read" answer.
    """
    texts = [w.text.lower() for w in words[:4]]
    if len(texts) >= 4 and texts[0] == "half" and texts[1] in ("an", "a") and _UNIT_RE.fullmatch(texts[2]):
        return [Word(text="0.5", raw="0.5"), *words[2:]]
    if len(texts) >= 3 and texts[0] in NUMBER_WORDS and _UNIT_RE.fullmatch(texts[1]) and _plain(words[0]):
        digits = NUMBER_WORDS[texts[0]]
        return [Word(text=digits, raw=digits), *words[1:]]
    return words


def _date_span(words: list[Word], start: int) -> int:
    """How many plain words from ``start`` (1-3, longest first) are written like a date; 0 if none."""
    for n in (3, 2, 1):
        span = words[start:start + n]
        if len(span) == n and all(_plain(w) for w in span) and _date_parts(" ".join(w.text for w in span)):
            return n
    return 0


def _take_title_date(words: list[Word], *, first_title: int, today: date) -> tuple[list[Word], date | None, str]:
    """Take a date written after ``on`` anywhere in the title, or at its end, out of ``words``.

    Raises ``ParseError`` for a date that is written like one but is wrong (Feb 30, in the future): the
    person meant a date, so it is never kept as title words.
    """
    for i in range(first_title, len(words)):
        if words[i].text.lower() == "on" and _plain(words[i]):
            n = _date_span(words, i + 1)
            if n:
                typed = " ".join(w.text for w in words[i:i + 1 + n])
                day = parse_date(" ".join(w.text for w in words[i + 1:i + 1 + n]), today=today)
                return words[:i] + words[i + 1 + n:], day, typed
    for n in (3, 2, 1):
        start = len(words) - n
        typed = " ".join(w.text for w in words[start:])
        if start > first_title and _date_span(words, start) == n and not _PART_RE.fullmatch(typed):
            return words[:start], parse_date(typed, today=today), typed
    return words, None, ""


def _phrases(words: list[Word]) -> list[tuple[int, int, str]]:
    """Every run of 1..n plain title words as (start, length, normalised text), longest first."""
    out = []
    for n in range(_LONGEST_PHRASE, 0, -1):
        for i in range(len(words) - n + 1):
            span = words[i:i + n]
            if all(_plain(w) for w in span):
                out.append((i, n, _norm_word(" ".join(w.text.strip(".,;:!?()") for w in span))))
    return out


def read_log(text: str, *, today: date) -> LogReading:
    """Read ``/ce log`` text as people write it; raises ``ParseError`` like :func:`parse_log`."""
    words = _hours_words(tokenize(text))
    strict = parse_log(_text(words), today=today)  # the grammar's reading (and its errors) first
    has_date = any(w.key in ("date", "on", "completed", "when") for w in words)
    _hours, first_title = _take_hours(words, "log")
    date_from: str | None = None
    request = strict
    if not has_date:
        rest, day, typed = _take_title_date(words, first_title=first_title, today=today)
        if day is not None:
            words = rest
            request = parse_log(_text(words), today=today)
            request = replace(request, completed_on=day)
            date_from = typed
    title_words = words[first_title:]
    found = [TITLE_SUBJECTS[p] for _i, _n, p in _phrases(title_words) if p in TITLE_SUBJECTS]
    inferred = tuple(k for k in dict.fromkeys(found) if k not in request.subjects)
    if inferred:
        request = replace(request, subjects=request.subjects + inferred)
    has_format = any(w.key in ("format", "type", "delivery") for w in words)
    format_from: str | None = None
    ask = False
    if not has_format:
        named = [(p, TITLE_FORMATS[p]) for _i, _n, p in _phrases(title_words) if p in TITLE_FORMATS]
        if named:
            format_from, fmt = named[0]
            request = replace(request, delivery_format=fmt)
        elif any(_plain(w) and _norm_word(w.text.strip(".,;:!?()")) in AMBIGUOUS_FORMAT_WORDS for w in title_words):
            ask = True
    hints = _hints(words, first_title, request)
    return LogReading(request=request, date_from=date_from, title_subjects=inferred, format_from=format_from,
                      ask_format=ask, hints=hints)


def _hints(words: list[Word], first_title: int, request: LogRequest) -> tuple[str, ...]:
    """What stayed in the title but looks like a date or a subject, and an ``online`` format option."""
    out: list[str] = []
    title_words = words[first_title:]
    i = 0
    while i < len(title_words):
        n = _date_span(title_words, i)
        if n:
            typed = " ".join(w.text for w in title_words[i:i + n])
            out.append(f"“{typed}” stayed in the title; if it is the date, write on {typed} or date:{typed}.")
            i += n
            continue
        i += 1
    for w in title_words:
        if not _plain(w):
            continue
        key = canonical(w.text.strip(".,;:!?()"))
        if key is not None and key not in request.subjects and len(out) < 4:
            out.append(f"“{w.text}” may name the subject #{key}; add that tag if it does.")
    if any(w.key in ("format", "type", "delivery") and _norm_word(w.value) == "online" for w in words):
        out.append("format:online is read as live online; if it was self-paced, write format:home-study.")
    return tuple(dict.fromkeys(out))[:4]
