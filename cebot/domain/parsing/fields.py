"""Options, ``#tags`` and title words (shared by ``log``, ``edit``, ``track`` ...) and ``/ce log`` itself."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date

from cebot.domain.facts import LogRequest
from cebot.domain.hours import Quarters, format_hours
from cebot.domain.parsing.tokens import _URL_SCHEMES, Word, _clean, _error, _short, quote, tokenize
from cebot.domain.parsing.values import (
    _FORMAT_WORDS,
    HOURS_EXAMPLE,
    _date_parts,
    _hours_form,
    _norm_word,
    parse_approval,
    parse_date,
    parse_format,
    parse_hours,
    parse_notes,
    parse_provider,
    parse_subject,
    parse_title,
)
from cebot.domain.subjects import canonical

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


def _multiword_tag(tag: str, following: list[Word]) -> tuple[str | None, int]:
    """``#medical errors``, ``#laws and rules``: the subject a tag names with up to three following plain words
    (longest first) and how many words it used; ``(None, 0)`` when only the tag itself may name one."""
    plain: list[str] = []
    for w in following[:3]:
        if w.quoted or w.key is not None or _tag_name(w) is not None or w.text.startswith("#"):
            break
        plain.append(w.text)
    for n in range(len(plain), 0, -1):
        key = canonical(" ".join([tag, *plain[:n]]))
        if key is not None:
            return key, n
    return None, 0


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
            key, used = _multiword_tag(tag, words[i + 1:])
            out.subjects.append(key if key is not None else parse_subject(tag))
            out.given.add("subjects")
            i += 1 + used
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


