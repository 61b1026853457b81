"""Structured logs with a request id, and no secret in any line.

:func:`configure_logging` puts one handler on the root logger that writes
``key=value`` lines (``LOG_FORMAT=kv``, the default) or one JSON object a line
(``LOG_FORMAT=json``)::

    ts=2026-11-25T18:00:00.123Z level=INFO logger=cebot.web.wsgi request_id=4f2a9c1e msg="POST /slack/events 200"

The request id comes from :data:`request_id_var`, a context variable the WSGI
layer sets for each request (``X-Request-Id`` when the caller sent a sane one)
and that Bolt's listener threads inherit (``cebot.slack.app`` copies the
context into them). :class:`RedactingFilter` replaces Slack tokens
(``xoxb-``, ``xoxp-``, ``xoxe.xoxb-``, ``xoxe-`` refresh tokens, ``xapp-``),
OAuth fields (``client_secret``, ``refresh_token``, ``code``...) and every
secret value the settings hold with ``[redacted]``, whatever logger the line
comes from (slack_sdk logs request bodies and answers at DEBUG).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import threading
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

REDACTED = "[redacted]"

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("cebot_request_id", default="-")
"""The id of the request (or job run) being handled; ``-`` outside one."""
team_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("cebot_team_id", default="-")
"""The Slack workspace of the request being handled, when known."""

TOKEN_RE = re.compile(r"(?:xoxe\.)?xox[a-z]-[A-Za-z0-9._-]+|xoxe-[A-Za-z0-9._-]+|xapp-[A-Za-z0-9._-]+")
"""Slack tokens: bot/user/legacy (``xoxb-``/``xoxp-``/``xoxa-``/...), rotating (``xoxe.xoxb-``), refresh
(``xoxe-``) and app-level (``xapp-``)."""
_FIELD_NAMES = ("client_secret|refresh_token|access_token|bot_token|user_token|bot_refresh_token|user_refresh_token|"
                "signing_secret")  # names of fields whose values are secret
FIELD_RE = re.compile(
    rf"""(?P<key>(?<![A-Za-z0-9_])["']?(?:{_FIELD_NAMES})["']?\s*[:=]\s*|"""
    r"""["'](?:code|token|state)["']\s*:\s*|(?<![A-Za-z0-9_])(?:code|token|state)=)"""
    r"""(?P<quote>["']?)(?P<value>\[redacted\]|[^"'&\s,;}\]]+)""",
    re.IGNORECASE,
)
"""``client_secret=...``, ``'refresh_token': '...'``, ``"code": "..."``, ``code=...`` and the like, in query
strings, dicts and JSON."""
QUERY_VALUE_RE = re.compile(r"(?P<key>[?&][A-Za-z0-9_.\[\]-]{1,64}=)(?P<value>[^&\s\"'#]+)")
"""A ``name=value`` pair of a query string (``?code=...&state=...`` in a request line)."""
SECRET_QUERY_NAMES = frozenset({"code", "state", "token", "access_token", "refresh_token", "client_secret",
                                "signature", "sig", "key", "password"})
RANDOM_VALUE_RE = re.compile(r"(?=[^&]*[0-9])(?=[^&]*[A-Za-z])[A-Za-z0-9._~%+/=-]{20,}")
"""A long mix of letters and digits: a token, a code, a nonce."""
AUTH_HEADER_RE = re.compile(r"(?P<key>\b(?:Bearer|Basic)\s+)(?P<value>[A-Za-z0-9+/=._-]{8,})")
SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

_secrets_lock = threading.Lock()
_secrets: set[str] = set()


def add_secrets(values: Iterable[str | None]) -> None:
    """Redact these exact values (the signing secret, the client secret...) from every log line from now on."""
    with _secrets_lock:
        _secrets.update(v for v in values if v and len(v) >= 6)


def redact(text: str) -> str:
    """``text`` with every token, OAuth field value, secret-looking query value (``?code=``, ``&state=``, any long
    random-looking value) and known secret replaced by ``[redacted]``."""
    text = TOKEN_RE.sub(REDACTED, text)
    with _secrets_lock:
        known = sorted(_secrets, key=len, reverse=True)
    for value in known:
        if value in text:
            text = text.replace(value, REDACTED)
    text = AUTH_HEADER_RE.sub(lambda m: m.group("key") + REDACTED, text)
    text = QUERY_VALUE_RE.sub(_redact_query_value, text)
    return FIELD_RE.sub(lambda m: m.group("key") + m.group("quote") + REDACTED, text)


def _redact_query_value(match: re.Match[str]) -> str:
    name = match.group("key")[1:-1].lower()
    value = match.group("value")
    if name in SECRET_QUERY_NAMES or RANDOM_VALUE_RE.fullmatch(value):
        return match.group("key") + REDACTED
    return match.group(0)


def new_request_id(candidate: str | None = None) -> str:
    """``candidate`` when it is a short, safe id (from ``X-Request-Id``), else a fresh random one."""
    if candidate and SAFE_REQUEST_ID.match(candidate):
        return candidate
    return uuid.uuid4().hex[:16]


class RedactingFilter(logging.Filter):
    """Adds ``request_id``/``team`` to each record and redacts secrets from its message (and traceback)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.team = team_id_var.get()
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the line
            message = f"{record.msg!r} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.exc_info = None  # the text above is what gets written
        return True


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _kv_value(value: object) -> str:
    text = str(value)
    if text and not any(c in text for c in ' "=\n\t\\'):
        return text
    return json.dumps(text, ensure_ascii=False)


class KeyValueFormatter(logging.Formatter):
    """``ts=... level=... logger=... request_id=... team=... msg="..."`` (a traceback follows as ``exc="..."``)."""

    def format(self, record: logging.LogRecord) -> str:
        fields: list[tuple[str, object]] = [
            ("ts", _timestamp(record)), ("level", record.levelname), ("logger", record.name),
            ("request_id", getattr(record, "request_id", "-")), ("team", getattr(record, "team", "-")),
            ("msg", record.getMessage()),
        ]
        exc = record.exc_text or (self.formatException(record.exc_info) if record.exc_info else "")
        if exc:
            fields.append(("exc", exc))
        return " ".join(f"{k}={_kv_value(v)}" for k, v in fields)


class JsonFormatter(logging.Formatter):
    """One JSON object a line with the same fields as :class:`KeyValueFormatter`."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": _timestamp(record), "level": record.levelname, "logger": record.name,
            "request_id": getattr(record, "request_id", "-"), "team": getattr(record, "team", "-"),
            "msg": record.getMessage(),
        }
        exc = record.exc_text or (self.formatException(record.exc_info) if record.exc_info else "")
        if exc:
            data["exc"] = exc
        return json.dumps(data, ensure_ascii=False)


_HANDLER_NAME = "cebot"


class _CurrentStderr:
    """Writes to whatever ``sys.stderr`` is at the time (a test may swap it after logging was set up)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure_logging(
    *, level: str | int = "INFO", fmt: str = "kv", stream: TextIO | None = None, secrets: Iterable[str | None] = ()
) -> logging.Handler:
    """Log to ``stream`` (stderr) in ``fmt`` (``kv`` or ``json``) at ``level``; replaces an earlier call's handler.

    ``secrets`` (the settings' secret values) are redacted from every line as well as anything token-shaped.
    """
    add_secrets(secrets)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    handler: logging.StreamHandler[Any] = logging.StreamHandler(stream or _CurrentStderr())
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else KeyValueFormatter())
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    # Alembic announces each of its plugins at INFO on import: noise in every command; its migrations still log.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    return handler
