"""The WSGI application gunicorn serves: Bolt's own WSGI adapter behind a thin guard.

``gunicorn --config python:cebot.web.gunicorn_conf cebot.web.wsgi:application`` builds the app from the environment on
first access to ``application``; tests and ``cebot serve`` build theirs with :func:`make_wsgi_app`.

``slack_bolt.adapter.wsgi.SlackRequestHandler`` serves ``POST /slack/events`` and, in OAuth mode,
``GET /slack/install`` and ``GET /slack/oauth_redirect``. In front of it this module:

* answers ``GET /healthz`` (200 when the database answers, else 503);
* serves the private calendar feeds, ``GET /calendar/<token>.ics`` (:mod:`cebot.web.calendar`);
* gives each request a logging context (:mod:`cebot.core.logs`): a request id (the caller's ``X-Request-Id``
  when it is a short safe token, else a random one, echoed in the response) and, once the body is read, the team;
* drops ``X-Slack-Bolt-*`` headers: Bolt uses them internally (lazy listeners) and the signature does not cover
  headers, so a caller must not be able to set them;
* turns what Bolt would answer with a 500 into a 4xx: bodies over :data:`MAX_BODY_BYTES` (413), a content type
  Slack never sends, a body that is not UTF-8 or cannot be parsed (400), a timestamp or signature header that is
  not even shaped like one (401). Signatures themselves are checked by Bolt (401); the shapes of signed payloads
  by :mod:`cebot.slack.payload_shapes` (400).
"""

from __future__ import annotations

import contextvars
import io
import json
import logging
import re
import sys
import time
import weakref
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import sqlalchemy as sa
from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from sqlalchemy.engine import Engine

from cebot.core.logs import new_request_id, request_id_var, team_id_var
from cebot.slack import payload_shapes
from cebot.web.calendar import CALENDAR_PREFIX, serve_calendar

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1024 * 1024
"""Slack's payloads are a few KiB; a full modal submission stays well under this."""
MAX_QUERY_CHARS = 4096
"""Slack's OAuth redirect carries a code and a state: a few hundred characters."""
CONTENT_TYPES = ("application/x-www-form-urlencoded", "application/json")
"""What Slack sends: forms (commands, interactivity) and JSON (Events API)."""
TIMESTAMP_RE = re.compile(r"[0-9]{1,12}")
SIGNATURE_RE = re.compile(r"[ -~]{1,128}")
"""Printable ASCII: Bolt compares it with ``hmac.compare_digest``, which refuses other text with a TypeError."""

WsgiApp = Callable[["WSGIEnvironment", "StartResponse"], Iterable[bytes]]


def _reply(start_response: StartResponse, status: int, body: str | dict[str, Any]) -> list[bytes]:
    is_json = isinstance(body, dict)
    data = (json.dumps(body) if is_json else str(body)).encode()
    start_response(f"{status} {HTTPStatus(status).phrase}", [
        ("Content-Type", "application/json" if is_json else "text/plain; charset=utf-8"),
        ("Content-Length", str(len(data))), ("Cache-Control", "no-store")])
    return [data]


def health(engine: Engine) -> tuple[int, dict[str, Any]]:
    """200 ``{"ok": true}`` when the database answers, else 503."""
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:
        logger.warning("health check: database unavailable: %s", exc)
        return 503, {"ok": False, "database": "unavailable"}
    return 200, {"ok": True}


def refuse_post(environ: WSGIEnvironment) -> tuple[int, str] | None:
    """Why a ``POST /slack/events`` cannot go to Bolt (status, reason), or None; then ``wsgi.input`` holds the
    body, read once and known to be UTF-8, for Bolt to read again."""
    raw_length = environ.get("CONTENT_LENGTH") or ""
    length = int(raw_length) if raw_length.isdigit() and len(raw_length) < 10 else -1
    if length > MAX_BODY_BYTES:
        return 413, "Payload Too Large"
    stream = environ.get("wsgi.input")
    body: bytes = b"" if stream is None else stream.read(length if length >= 0 else MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        return 413, "Payload Too Large"
    if str(environ.get("CONTENT_TYPE", "")).split(";")[0].strip().lower() not in CONTENT_TYPES:
        return 400, "Bad Request: Slack sends forms or JSON"
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return 400, "Bad Request: the body is not UTF-8"
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
    signature = environ.get("HTTP_X_SLACK_SIGNATURE")
    if (timestamp is not None and not TIMESTAMP_RE.fullmatch(timestamp)) or (
            signature is not None and not SIGNATURE_RE.fullmatch(signature)):
        return 401, "Unauthorized"
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return None


class BoltHandler(SlackRequestHandler):
    """Bolt's WSGI adapter, parsing the body a little more carefully before Bolt dispatches it."""

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        try:
            bolt_request = BoltRequest(body=request.get_body(), query=request.query_string,
                                       headers=request.get_headers())
        except Exception as exc:  # JSON too deep or broken, fields of the wrong type: nothing Slack sends
            logger.info("unreadable request body: %s", type(exc).__name__)
            return BoltResponse(status=400, body="Bad Request")
        keep_form_fields(bolt_request)
        problem = payload_shapes.envelope_problem(bolt_request.body)
        if problem:
            logger.info("malformed request: %s", problem)
            return BoltResponse(status=400, body=f"Bad Request: {problem}")
        if bolt_request.context.team_id:
            team_id_var.set(str(bolt_request.context.team_id)[:32])
        return self.app.dispatch(bolt_request)


def keep_form_fields(request: BoltRequest) -> None:
    """A form without a ``payload`` field is a slash command: its fields are the body.

    Bolt (1.x ``parse_body``) takes any form body containing the text "payload" for an interactivity payload and
    finds nothing in it, so ``/ce log 1h payload safety`` would be lost (a 404). The raw body, which the signature
    covers, stays as it is.
    """
    if request.content_type == "application/json" or request.raw_body.startswith("{"):
        return
    fields = dict(parse_qsl(request.raw_body, keep_blank_values=True))
    if "payload" not in fields and request.body != fields:
        request.body = fields
        request.context = BoltRequest(body=fields, mode="socket_mode").context  # the ids, read from the fields


def make_wsgi_app(bolt_app: App, engine: Engine) -> WsgiApp:
    """A WSGI callable serving ``bolt_app`` at ``/slack/events`` (plus its OAuth pages) and ``/healthz``."""
    _served_engines.add(engine)
    handler = BoltHandler(bolt_app, path=EVENTS_PATH)
    flow = bolt_app.oauth_flow
    methods = {EVENTS_PATH: "POST", **({flow.install_path: "GET", flow.redirect_uri_path: "GET"} if flow else {})}

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        # A fresh context per request: the request id and team never leak into the next request on this thread.
        return contextvars.Context().run(serve, environ, start_response)

    def serve(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request_id = new_request_id(environ.get("HTTP_X_REQUEST_ID"))
        request_id_var.set(request_id)
        started = time.perf_counter()
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        path = environ.get("PATH_INFO", "") or "/"
        status_seen: list[str] = []

        def tagged_start(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            status_seen.append(status.split(" ", 1)[0])
            return start_response(status, [*headers, ("X-Request-Id", request_id)], *exc_info)

        try:
            if path == HEALTH_PATH and method in ("GET", "HEAD"):
                return _reply(tagged_start, *health(engine))
            if path.startswith(CALENDAR_PREFIX):
                return serve_calendar(engine, environ, tagged_start)
            for key in [k for k in environ if k.startswith("HTTP_X_SLACK_BOLT_")]:
                del environ[key]
            if path in methods and method != methods[path]:
                return _reply(tagged_start, 405, "Method Not Allowed")
            if len(environ.get("QUERY_STRING", "")) > MAX_QUERY_CHARS:
                return _reply(tagged_start, 414, "URI Too Long")
            refused = refuse_post(environ) if path == EVENTS_PATH else None
            if refused:
                return _reply(tagged_start, *refused)
            return handler(environ, tagged_start)
        except Exception:  # a bug: a short plain answer (not the server's HTML page), and the traceback logged
            logger.exception("request failed")
            return _reply(tagged_start, 500, "Internal Server Error")
        finally:
            if path != HEALTH_PATH:  # the path only: OAuth query strings carry secrets; calendar paths are tokens
                shown = CALENDAR_PREFIX + "…" if path.startswith(CALENDAR_PREFIX) else path
                logger.info("%s %s %s %.0fms", method, shown, status_seen[0] if status_seen else "-",
                            (time.perf_counter() - started) * 1000)

    return application


_served_engines: weakref.WeakSet[Engine] = weakref.WeakSet()
"""Engines to dispose in a forked worker; held weakly, so an app built and dropped (as tests do) is freed."""


def after_fork() -> None:
    """In a forked worker: drop pooled connections inherited from the parent (they belong to it)."""
    for engine in _served_engines:
        engine.dispose(close=False)


def build_application() -> WsgiApp:
    """The production app from the environment (settings checked, engine over DATABASE_URL)."""
    from cebot.core.logs import configure_logging
    from cebot.core.settings import MANIFEST_HINT, SettingsError, load_settings
    from cebot.services.bootstrap import prepare_database
    from cebot.slack.app import create_app

    settings = load_settings()
    settings.require_slack()
    configure_logging(level=settings.log_level, fmt=settings.log_format, secrets=settings.secrets())
    if not settings.slack_signing_secret:
        raise SettingsError("cebot cannot serve HTTP: missing SLACK_SIGNING_SECRET. " + MANIFEST_HINT)
    engine = prepare_database(settings)
    return make_wsgi_app(create_app(settings, engine=engine), engine)


_application: WsgiApp | None = None


def __getattr__(name: str) -> Any:
    """``cebot.web.wsgi.application`` is built on first access, so importing this module has no side effects."""
    global _application
    if name == "application":
        if _application is None:
            from cebot.core.settings import SettingsError

            try:
                _application = build_application()
            except SettingsError as exc:  # a clear message, not a traceback, when gunicorn loads the app
                print(str(exc), file=sys.stderr)  # noqa: T201
                raise SystemExit(2) from None
        return _application
    raise AttributeError(name)
