"""Safe mrkdwn: escape user text, and small formatting helpers.

Slack reads ``<...>`` as a link or mention (``<!channel>``, ``<@U1>``) and ``&`` as
the start of an entity, so every piece of user text must go through
:func:`escape` before it is put into a ``mrkdwn`` text object. The helpers here
escape their text argument themselves; ids and URLs are checked, not escaped.
"""

from __future__ import annotations

import re

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_SLACK_ID = re.compile(r"^[A-Z0-9][A-Z0-9_]{1,31}$")


def escape(text: object) -> str:
    """``text`` with ``&``, ``<`` and ``>`` escaped, so it can never mention, link or ping anyone."""
    return str(text).translate(_ESCAPES)


def clip(text: object, limit: int) -> str:
    """``text`` escaped, in at most ``limit`` characters *after* escaping: cut between characters of
    ``text`` (never inside ``&amp;``) and ended with an ellipsis when cut. For user text in a limited field."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    out: list[str] = []
    size = 0
    for ch in str(text):
        piece = escape(ch)
        if size + len(piece) > limit - 1:
            break
        out.append(piece)
        size += len(piece)
    return "".join(out).rstrip() + "…"


def bold(text: object, limit: int | None = None) -> str:
    """``*text*`` with ``text`` escaped (an asterisk inside becomes ``∗`` so it cannot end the bold early);
    with ``limit``, the escaped text is :func:`clip`-ped to that many characters first."""
    inner = (escape(text) if limit is None else clip(text, limit)).replace("*", "∗").strip()
    return f"*{inner}*" if inner else ""


def italic(text: object) -> str:
    """``_text_`` with ``text`` escaped."""
    inner = escape(text).replace("_", " ").strip()
    return f"_{inner}_" if inner else ""


def code(text: object) -> str:
    """`` `text` `` with ``text`` escaped (backticks inside are replaced)."""
    return "`" + escape(text).replace("`", "ʼ") + "`"


def _checked_id(value: str, kind: str) -> str:
    if not _SLACK_ID.match(value or ""):
        raise ValueError(f"not a Slack {kind} id: {value!r}")
    return value


def user_mention(user_id: str) -> str:
    """``<@U123>``: a mention of a Slack user (the id is checked, so it cannot smuggle markup)."""
    return f"<@{_checked_id(user_id, 'user')}>"


def channel_mention(channel_id: str) -> str:
    """``<#C123>``: a link to a channel."""
    return f"<#{_checked_id(channel_id, 'channel')}>"


def link(url: str, label: object | None = None) -> str:
    """``<url|label>`` with the label escaped; only http(s) and mailto URLs are linked."""
    if not url.startswith(("https://", "http://", "mailto:")) or any(c in url for c in "<>| \n"):
        return escape(label if label is not None else url)
    if label is None:
        return f"<{url.replace('&', '&amp;')}>"
    return f"<{url.replace('&', '&amp;')}|{escape(label).replace('|', '¦')}>"


def date_token(when: float, fallback: str) -> str:
    """Slack's localised ``<!date^...>`` token for a Unix timestamp, with ``fallback`` text."""
    return f"<!date^{int(when)}^{{date_short}}|{escape(fallback)}>"


def bullet_list(items: list[str]) -> str:
    """Lines prefixed with a bullet (items are mrkdwn already: escape user parts first)."""
    return "\n".join(f"• {item}" for item in items)
