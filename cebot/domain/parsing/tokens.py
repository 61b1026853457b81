"""Words of command text: errors, the tokenizer (quotes, ``key:value``, entities) and quoting back."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from cebot.domain.limits import MAX_TEXT
from cebot.domain.parsing.registry import EXAMPLES


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


