"""The WSGI application gunicorn serves: ``POST /slack/events`` into Bolt, ``GET /healthz``, and in OAuth mode
``GET /slack/install`` and ``GET /slack/oauth_redirect`` (Bolt's OAuth flow); nothing else.

``gunicorn --config python:cebot.gunicorn_conf cebot.wsgi:application`` builds the
app from the environment on first access to ``application``. Tests and
``cebot serve`` build their own with :func:`make_wsgi_app`.

Before Bolt sees a request, this layer turns the things Bolt would answer with a
500 into 4xx: bodies over :data:`MAX_BODY_BYTES` get 413, and bodies that are
not UTF-8 or not the JSON/form payloads Slack sends get 400. Signatures and
timestamps are checked by Bolt (401).

Each request runs in its own logging context: a request id (the caller's
``X-Request-Id`` when it is a short safe token, else a random one, echoed in the
response's ``X-Request-Id``) and the Slack team, which every log line carries
(:mod:`cebot.logging_setup`), listener threads included.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from slack_bolt import App, BoltRequest, BoltResponse
from sqlalchemy.engine import Engine

from cebot.logging_setup import new_request_id, request_id_var, team_id_var

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1024 * 1024
"""Slack's payloads are a few KiB; a full modal submission stays well under this."""

WsgiApp = Callable[["WSGIEnvironment", "StartResponse"], Iterable[bytes]]


def _reply(
    start_response: StartResponse,
    status: int,
    body: bytes | str | dict[str, Any],
    headers: dict[str, Any] | None = None,
) -> list[bytes]:

    if isinstance(body, dict):
        data = json.dumps(body).encode()
        ctype = "application/json"
    else:
        data = body.encode() if isinstance(body, str) else body
        ctype = "text/plain; charset=utf-8"
    out: list[tuple[str, str]] = []
    has_type = False
    for key, values in (headers or {}).items():
        if key.lower() == "content-length":
            continue
        has_type = has_type or key.lower() == "content-type"
        for value in values if isinstance(values, list | tuple) else [values]:
            out.append((key, str(value)))
    if not has_type:
        out.append(("Content-Type", ctype))
    out.append(("Content-Length", str(len(data))))
    start_response(f"{status} {HTTPStatus(status).phrase}", out)
    return [data]


def _headers(environ: WSGIEnvironment) -> dict[str, str | Sequence[str]]:
    headers: dict[str, str | Sequence[str]] = {}
    for key, value in environ.items():
        if key in ("CONTENT_LENGTH", "CONTENT_TYPE"):
            headers[key.lower().replace("_", "-")] = value
        elif key.startswith("HTTP_"):
            headers[key[5:].lower().replace("_", "-")] = value
    return headers


def _read_body(environ: WSGIEnvironment) -> bytes | None:
    """The request body, or None when it is over the limit."""
    raw_length = environ.get("CONTENT_LENGTH") or ""
    try:
        length = int(raw_length) if raw_length else -1
    except ValueError:
        length = -1
    if length > MAX_BODY_BYTES:
        return None
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    data: bytes = stream.read(length) if length >= 0 else stream.read(MAX_BODY_BYTES + 1)
    return None if len(data) > MAX_BODY_BYTES else data


_OBJECT_FIELDS = ("user", "team", "view", "event", "state")
"""Fields that, when present, must be objects (Bolt dereferences them; ``view: null`` crashes its logging)."""
_NULLABLE_OBJECT_FIELDS = ("channel", "container", "message", "enterprise")


def malformed(body: dict[str, Any]) -> bool:
    """Whether a parsed Slack payload lacks the shape Bolt's routing relies on (Bolt answers those with a 500).

    Objects must be objects; block actions need a non-empty list of actions with an ``action_id``; view payloads
    a view with a ``type`` and ``callback_id``; events an ``event`` with a ``type``.
    """
    for key in _OBJECT_FIELDS:
        if key in body and not isinstance(body[key], dict):
            return True
    for key in _NULLABLE_OBJECT_FIELDS:
        if body.get(key) is not None and not isinstance(body[key], dict):
            return True
    kind = body.get("type")
    if kind in ("block_actions", "interactive_message"):
        actions = body.get("actions")
        if not isinstance(actions, list) or not actions:
            return True
        key = "action_id" if kind == "block_actions" else "name"
        if not all(isinstance(a, dict) and isinstance(a.get(key), str) for a in actions):
            return True
    if kind in ("view_submission", "view_closed"):
        view = body.get("view")
        if not isinstance(view, dict) or not isinstance(view.get("type"), str) \
                or not isinstance(view.get("callback_id"), str):
            return True
    if kind == "event_callback" or "event" in body:
        event = body.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return True
    return False


def health(engine: Engine) -> tuple[int, dict[str, Any]]:
    """200 ``{"ok": true}`` when the database answers, else 503."""
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:
        logger.warning("health check: database unavailable: %s", exc)
        return 503, {"ok": False, "database": "unavailable"}
    return 200, {"ok": True}


_served_engines: list[Engine] = []


def after_fork() -> None:
    """In a forked worker: drop pooled connections inherited from the parent (they belong to it)."""
    for engine in _served_engines:
        engine.dispose(close=False)


def make_wsgi_app(bolt_app: App, engine: Engine) -> WsgiApp:
    """A WSGI callable serving ``bolt_app`` at ``/slack/events`` (plus its OAuth pages) and ``/healthz``."""
    if engine not in _served_engines:
        _served_engines.append(engine)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        # A fresh context per request: the request id and team never leak into the next request on this thread.
        return contextvars.Context().run(_serve, environ, start_response)

    def _serve(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request_id = new_request_id(environ.get("HTTP_X_REQUEST_ID"))
        request_id_var.set(request_id)
        started = time.perf_counter()
        method = environ.get("REQUEST_METHOD", "GET").upper()
        path = environ.get("PATH_INFO", "") or "/"
        status_seen: list[str] = []

        def tagged_start(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            status_seen.append(status.split(" ", 1)[0])
            return start_response(status, [*headers, ("X-Request-Id", request_id)], *exc_info)

        try:
            return _route(environ, tagged_start, method, path)
        finally:
            if path != HEALTH_PATH:
                logger.info("%s %s %s %.0fms", method, path, status_seen[0] if status_seen else "-",
                            (time.perf_counter() - started) * 1000)

    def _route(environ: WSGIEnvironment, start_response: StartResponse, method: str, path: str) -> Iterable[bytes]:
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            status, payload = health(engine)
            return _reply(start_response, status, payload, {"Cache-Control": "no-store"})
        flow = bolt_app.oauth_flow
        if flow is not None and path in (flow.install_path, flow.redirect_uri_path):
            if method not in ("GET", "HEAD"):
                return _reply(start_response, 405, "Method Not Allowed", {"Allow": "GET"})
            return _oauth(environ, start_response, path)
        if path != EVENTS_PATH:
            return _reply(start_response, 404, "Not Found")
        if method != "POST":
            return _reply(start_response, 405, "Method Not Allowed", {"Allow": "POST"})
        body = _read_body(environ)
        if body is None:
            return _reply(start_response, 413, "Payload Too Large")
        try:
            request = BoltRequest(body=body.decode("utf-8"), query=environ.get("QUERY_STRING", ""),
                                  headers=_headers(environ))
        except (UnicodeDecodeError, ValueError, TypeError, AttributeError, KeyError):
            return _reply(start_response, 400, "Bad Request")
        if not isinstance(request.body, dict) or malformed(request.body):
            return _reply(start_response, 400, "Bad Request")
        if request.context.team_id:
            team_id_var.set(str(request.context.team_id)[:32])
        try:
            response: BoltResponse = bolt_app.dispatch(request)
        except Exception:  # Bolt handles listener errors itself; this is a last resort without a traceback out
            logger.exception("dispatch failed")
            return _reply(start_response, 500, "Internal Server Error")
        return _reply(start_response, response.status, response.body, dict(response.headers))

    def _oauth(environ: WSGIEnvironment, start_response: StartResponse, path: str) -> Iterable[bytes]:
        """Bolt's install page or OAuth callback (``GET``; the query string carries ``code`` and ``state``)."""
        flow = bolt_app.oauth_flow
        assert flow is not None
        query = environ.get("QUERY_STRING", "")
        if len(query) > 4096:
            return _reply(start_response, 414, "URI Too Long")
        try:
            request = BoltRequest(body="", query=query, headers=_headers(environ))
            handle = flow.handle_installation if path == flow.install_path else flow.handle_callback
            response = handle(request)
        except Exception:
            logger.exception("OAuth %s failed", path)
            return _reply(start_response, 500, "Internal Server Error")
        return _reply(start_response, response.status, response.body, dict(response.headers))

    return application


def build_application() -> WsgiApp:
    """The production app from the environment (settings checked, engine over DATABASE_URL)."""
    from cebot.logging_setup import configure_logging
    from cebot.services.bootstrap import prepare_database
    from cebot.settings import MANIFEST_HINT, SettingsError, load_settings
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
    """``cebot.wsgi.application`` is built on first access, so importing this module has no side effects."""
    global _application
    if name == "application":
        if _application is None:
            from cebot.settings import SettingsError

            try:
                _application = build_application()
            except SettingsError as exc:  # a clear message, not a traceback, when gunicorn loads the app
                print(str(exc), file=sys.stderr)  # noqa: T201
                raise SystemExit(2) from None
        return _application
    raise AttributeError(name)
