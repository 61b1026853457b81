"""``GET /calendar/<token>.ics``: a member's private calendar feed (:mod:`cebot.services.calendar`).

A wrong or revoked token gets 404 (the same answer as a path that never existed). The feed carries an ``ETag``
(its content's hash) and ``Last-Modified``; a request whose ``If-None-Match`` matches gets 304 and no body.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlmodel import Session

from cebot.services.calendar import feed_for_token

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

logger = logging.getLogger(__name__)

CALENDAR_PREFIX = "/calendar/"
PATH_RE = re.compile(r"/calendar/([A-Za-z0-9_-]{16,128})\.ics")


def _plain(start_response: StartResponse, status: str, text: str) -> list[bytes]:
    data = text.encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(data))),
                            ("Cache-Control", "no-store")])
    return [data]


def _matches(header: str, etag: str) -> bool:
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags


def serve_calendar(engine: Engine, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    method = str(environ.get("REQUEST_METHOD", "GET")).upper()
    if method not in ("GET", "HEAD"):
        return _plain(start_response, "405 Method Not Allowed", "Method Not Allowed")
    match = PATH_RE.fullmatch(str(environ.get("PATH_INFO", "")))
    if match is None:
        return _plain(start_response, "404 Not Found", "Not Found")
    with Session(engine) as session:
        feed = feed_for_token(session=session, token=match.group(1), now=datetime.now(UTC))
    if feed is None:
        return _plain(start_response, "404 Not Found", "Not Found")
    headers = [("ETag", feed.etag), ("Last-Modified", format_datetime(feed.last_modified, usegmt=True)),
               ("Cache-Control", "private, max-age=300")]
    if _matches(str(environ.get("HTTP_IF_NONE_MATCH", "")), feed.etag):
        start_response("304 Not Modified", headers)
        return [b""]
    start_response("200 OK", [("Content-Type", "text/calendar; charset=utf-8"),
                              ("Content-Length", str(len(feed.body))), *headers])
    return [b"" if method == "HEAD" else feed.body]
