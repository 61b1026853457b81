"""``/ce <subcommand>``, ``list``, ``delete``, ``edit``, ``track``, ``untrack``, ``requirements``, ``help``."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date

from cebot.domain.limits import LIST_DEFAULT, LIST_MAX, MAX_ENTRY_ID, MAX_KEY, MAX_LICENCE_NUMBER, PAGE_MAX
from cebot.domain.parsing.fields import _LOG_KEYS, _option_key, _read_fields, _take_date
from cebot.domain.parsing.registry import ALIASES, SUBCOMMANDS, USAGE_LINES
from cebot.domain.parsing.tokens import ParseError, Word, _clean, _error, _prepare, _short, _usage_hint, tokenize
from cebot.domain.parsing.values import _hours_form, _text_value, parse_month_day

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
    word = ALIASES.get(word, word)
    if word in USAGE_LINES:
        return word, rest
    if _hours_form(head):
        raise ParseError(f"To log a course, start with `log`: `/ce log {_short(s, 60)}`\n{_usage_hint('log')}")
    close = difflib.get_close_matches(word, [*SUBCOMMANDS, *ALIASES], n=1, cutoff=0.6)
    hint = f" Did you mean `/ce {ALIASES.get(close[0], close[0])}`?" if close else ""
    raise ParseError(f"I don't know `{_short(head, 20)}`.{hint} Type `/ce help` to see everything I can do.")


def _no_extra(words: list[Word], sub: str) -> None:
    if words:
        raise _error(f"I didn't understand “{_short(' '.join(w.text for w in words), 30)}”.", sub)


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
    t = ALIASES.get(t, t)
    if t in USAGE_LINES or t in ("subjects", "dates", "hours", "formats"):
        return t
    if t in ("subject", "tags", "tag"):
        return "subjects"
    if t in ("date",):
        return "dates"
    if t in ("format", "delivery"):
        return "formats"
    return None


