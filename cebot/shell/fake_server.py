"""The fake Slack's HTTP side: its loopback server and routes, Slack's limits, and the failures tests ask for.

A base class of :class:`cebot.shell.fake_slack.FakeSlack`, which owns the state these read and write. Routes:
``/api/<method>`` (answered by :class:`~cebot.shell.fake_answers.SlackAnswers`), ``/response/<id>``,
``/upload/<file_id>`` and ``/files/<file_id>/download``. A client that goes away before its answer is written
is normal for a server: the answer is dropped with a debug log line.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from cebot.shell.fake_answers import SlackAnswers
from cebot.shell.fake_records import Call, Rejected, ResponsePost, decode_args, slack_error
from cebot.shell.slack_limits import Violation, validate_message, validate_view

log = logging.getLogger(__name__)

NO_TOKEN_METHODS = frozenset({"oauth.v2.access", "api.test"})
MESSAGE_METHODS = frozenset({"chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage"})
VIEW_METHODS = frozenset({"views.open", "views.update", "views.push", "views.publish"})
LISTEN_BACKLOG = 256
"""Pending connections the fake accepts; http.server's default of 5 drops SYNs in a burst (1 s retries)."""

Answer = tuple[int, dict[str, Any], dict[str, str]]
"""An HTTP status, the JSON body and extra headers."""


class _Server(ThreadingHTTPServer):
    request_queue_size = LISTEN_BACKLOG


@dataclass
class Rule:
    """What the next ``times`` calls of a method get instead of their answer (:meth:`SlackServer.fail_next`)."""

    status: int = 200
    retry_after: int | None = None
    error: str | None = None
    delay: float = 0.0
    times: int = 1


class SlackServer(SlackAnswers):
    """Serves the fake over HTTP: routes each request, refuses what Slack refuses, applies injected failures."""

    # The state, set up by FakeSlack.__init__.
    _calls: list[Call]
    _responses: list[ResponsePost]
    _rules: dict[str, list[Rule]]
    _handlers: dict[str, Callable[[Call], dict[str, Any]]]
    downloads: list[tuple[str, str | None]]

    def _serve(self) -> ThreadingHTTPServer:
        """A server on 127.0.0.1 (random port) whose requests this object answers; not yet serving."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._handle(self)

            def do_POST(self) -> None:
                fake._handle(self)

        server = _Server(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        return server

    # -- injected failures -----------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int | None = 1,
        error: str | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail.

        ``status=429`` answers ``ratelimited`` with ``Retry-After``; another 4xx/5xx answers that status;
        ``status=200`` with ``error="channel_not_found"`` answers ``{"ok": false, "error": ...}`` like Slack.
        ``method`` may be ``"response_url"`` for response URL posts.
        """
        with self._cond:
            self._rules.setdefault(method, []).append(
                Rule(status=status, retry_after=retry_after if status == 429 else None, error=error, times=times)
            )

    def delay_next(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` normally, but only after ``seconds``."""
        with self._cond:
            self._rules.setdefault(method, []).append(Rule(delay=seconds, times=times))

    def _next_rule(self, method: str) -> Rule | None:
        with self._cond:
            rules = self._rules.get(method)
            if not rules:
                return None
            rule = rules[0]
            rule.times -= 1
            if rule.times <= 0:
                rules.pop(0)
            return rule

    def _apply_rule(self, rule: Rule | None) -> Answer | None:
        if rule is None:
            return None
        if rule.delay:
            time.sleep(rule.delay)
        if rule.status == 429:
            extra = {"Retry-After": str(1 if rule.retry_after is None else rule.retry_after)}
            return 429, {"ok": False, "error": "ratelimited"}, extra
        if rule.status >= 400:
            return rule.status, {"ok": False, "error": rule.error or "internal_error"}, {}
        if rule.error:
            return 200, {"ok": False, "error": rule.error}, {}
        return None

    # -- Slack's limits --------------------------------------------------------------------------

    @property
    def violations(self) -> list[Rejected]:
        """Every payload refused for breaking Slack's limits, oldest first (tests require none)."""
        with self._cond:
            return list(self._rejected)

    def take_violations(self) -> list[Rejected]:
        """:attr:`violations`, forgotten (for a test that sends a bad payload on purpose)."""
        with self._cond:
            taken, self._rejected = self._rejected, []
        return taken

    def check(self, where: str, payload: Any, *, view: bool = False) -> list[Violation]:
        """Check a message (or ``view``) that did not come through the fake, e.g. an HTTP ack body; record and
        return what Slack would refuse in it."""
        found = validate_view(payload) if view else validate_message(payload if isinstance(payload, dict) else {})
        if found:
            with self._cond:
                self._rejected.append(Rejected(where=where, violations=found))
                self._cond.notify_all()
        return found

    def _check_call(self, method: str, args: dict[str, Any]) -> list[Violation]:
        if method in MESSAGE_METHODS:
            return self.check(method, args)
        if method in VIEW_METHODS:
            return self.check(method, args.get("view"), view=True)
        if method == "files.completeUploadExternal" and (args.get("initial_comment") or args.get("blocks")):
            return self.check(method, {"text": args.get("initial_comment"), "blocks": args.get("blocks")})
        return []

    def _refused(self) -> str:
        rejected = self.violations
        return ("; refused as Slack would: " + " | ".join(str(r) for r in rejected)) if rejected else ""

    # -- the routes ------------------------------------------------------------------------------

    def _handle(self, http: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(http.path)
        length = int(http.headers.get("Content-Length") or 0)
        body = http.rfile.read(length) if length else b""
        if len(body) < length:  # the caller died mid-send (a killed process): Slack never sees such a request
            log.debug("dropped %s: %d of %d body bytes before the caller hung up", parts.path, len(body), length)
            http.close_connection = True
            return
        headers = {k.lower(): v for k, v in http.headers.items()}
        path = parts.path
        if path.startswith("/api/"):
            status, answer, extra = self._api(path[5:], parts.query, headers, body)
        elif path.startswith("/response/"):
            status, answer, extra = self._response_url(path, headers, body)
        elif path.startswith("/upload/"):
            status, answer, extra = self._upload(path[8:], body)
        elif path.startswith("/files/") and path.endswith("/download"):
            _send(http, *self._download(path[7:-9], headers))
            return
        else:
            status, answer, extra = 404, {"ok": False, "error": "not_found"}, {}
        _send(http, status, json.dumps(answer).encode(), "application/json; charset=utf-8", extra)

    def _api(self, method: str, query: str, headers: dict[str, str], body: bytes) -> Answer:
        args = decode_args(query, headers.get("content-type", ""), body)
        if args is None:
            return 200, {"ok": False, "error": "invalid_json"}, {}
        call = Call(method=method, args=args, headers=headers, body=body)
        failure = self._apply_rule(self._next_rule(method))
        if failure is not None:
            status, answer, extra = failure
        elif method not in NO_TOKEN_METHODS and not call.token:
            status, answer, extra = 200, {"ok": False, "error": "not_authed"}, {}
        elif refused := self._check_call(method, args):
            status, answer, extra = 200, slack_error(refused), {}
        else:
            status, extra = 200, {}
            with self._cond:
                custom = self._handlers.get(method)
            answer = custom(call) if custom else self._answer(call)
        call.status, call.answer = status, answer
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()
        return status, answer, extra

    def _response_url(self, path: str, headers: dict[str, str], body: bytes) -> Answer:
        failure = self._apply_rule(self._next_rule("response_url"))
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            payload = {"_raw": body.decode("utf-8", "replace")}
        post = ResponsePost(id=path.rsplit("/", 1)[-1], url=self.base_url + path, payload=payload, headers=headers)
        if failure is None and isinstance(payload, dict) and not payload.get("delete_original"):
            refused = self.check("response_url", payload)
            if refused:
                failure = 200, slack_error(refused), {}
        with self._cond:
            if failure is None:
                self._responses.append(post)
            self._cond.notify_all()
        return failure or (200, {"ok": True}, {})

    def _download(self, file_id: str, headers: dict[str, str]) -> tuple[int, bytes, str]:
        """The status, bytes and content type of a file download (a shared file, else an uploaded one)."""
        auth = headers.get("authorization")
        failure = self._apply_rule(self._next_rule("files.download"))
        with self._cond:
            self.downloads.append((file_id, auth))
            shared = self.shared_files.get(file_id)
            uploaded = next((u for u in reversed(self.uploads) if u.file_id == file_id), None)
        data: bytes | None = None
        if shared is not None and not shared.deleted:
            data, ctype = shared.data, shared.mimetype
        elif shared is None and uploaded is not None:
            data, ctype = uploaded.data, "application/octet-stream"
        status = failure[0] if failure else (404 if data is None else 200)
        if not (auth or "").startswith("Bearer x"):
            status = 403  # Slack answers a login page (not the file) without the bot token
        if status != 200 or data is None:
            data, ctype = b"not found" if status == 404 else b"error", "text/plain"
        return status, data, ctype


def _send(
    http: BaseHTTPRequestHandler, status: int, data: bytes, content_type: str, extra: dict[str, str] | None = None
) -> None:
    """Write an answer; a client that has gone away (timed out, killed) just does not get it."""
    try:
        http.send_response(status)
        http.send_header("Content-Type", content_type)
        http.send_header("Content-Length", str(len(data)))
        for key, value in (extra or {}).items():
            http.send_header(key, value)
        http.end_headers()
        http.wfile.write(data)
    except (BrokenPipeError, ConnectionResetError):
        http.close_connection = True  # the socket is dead: read no further request from it
        log.debug("fake Slack: the client of %s went away before its %s answer", http.path, status)

