"""A fake Slack Web API on loopback that answers like Slack and records every call.

Used by the end-to-end tests, ``cebot shell`` and the benches::

    with FakeSlack() as fake:
        fake.add_user("U1", "maria", tz="America/New_York")
        settings = load_settings(slack_api_url=fake.url, ...)
        ...
        call = fake.wait_for("views.publish")
        assert call.args["user_id"] == "U1"

It serves ``/api/<method>`` (form, query or JSON bodies, as ``slack_sdk`` sends
them), ``/response/<id>`` for ``response_url`` posts (get one with
:meth:`FakeSlack.new_response_url`) and ``/upload/<file_id>`` for the file
upload URLs it hands out. Files people share (:meth:`FakeSlack.share_file`) are served at their
``url_private_download`` to a request with a bearer token, and answer 404 once deleted
(:meth:`FakeSlack.delete_file`). Nothing here touches the network beyond 127.0.0.1.

Like Slack, it checks every message and view it is sent (chat.*, views.*, response_url posts, files'
initial comments) against Slack's limits (:mod:`cebot.shell.slack_limits`): a payload Slack would refuse
is answered ``{"ok": false, "error": "invalid_blocks", ...}`` and kept in :attr:`FakeSlack.violations`, which
the tests' fixtures require to be empty at the end of each test.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from cebot.shell.fake_answers import SlackAnswers
from cebot.shell.fake_records import (
    Call,
    FakeUser,
    Rejected,
    ResponsePost,
    SharedFile,
    Upload,
    decode_args,
    slack_error,
)
from cebot.shell.slack_limits import Violation, validate_message, validate_view

NO_TOKEN_METHODS = frozenset({"oauth.v2.access", "api.test"})
MESSAGE_METHODS = frozenset({"chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage"})
VIEW_METHODS = frozenset({"views.open", "views.update", "views.push", "views.publish"})
DEFAULT_WAIT = 5.0
LISTEN_BACKLOG = 256
"""Pending connections the fake accepts; http.server's default of 5 drops SYNs in a burst (1 s retries)."""


class _Server(ThreadingHTTPServer):
    request_queue_size = LISTEN_BACKLOG


@dataclass
class _Rule:
    status: int = 200
    retry_after: int | None = None
    error: str | None = None
    delay: float = 0.0
    times: int = 1


class FakeSlack(SlackAnswers):
    """A threaded fake of the Slack Web API on 127.0.0.1 (random port)."""

    def __init__(
        self,
        *,
        team_id: str = "T1",
        team_name: str = "Test Clinic",
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
        users: list[FakeUser] | None = None,
    ) -> None:
        self.team_id = team_id
        self.team_name = team_name
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.users: dict[str, FakeUser] = {u.id: u for u in users or []}
        self._calls: list[Call] = []
        self._responses: list[ResponsePost] = []
        self.uploads: list[Upload] = []
        self._rules: dict[str, list[_Rule]] = {}
        self._handlers: dict[str, Callable[[Call], dict[str, Any]]] = {}
        self._pending_files: dict[str, str] = {}
        self.shared_files: dict[str, SharedFile] = {}
        self.downloads: list[tuple[str, str | None]] = []
        """(file id, Authorization header) of every download request, served or not."""
        self._views: dict[str, dict[str, Any]] = {}
        self._dm_users: dict[str, str] = {}
        self._rejected: list[Rejected] = []
        self.oauth_codes: dict[str, tuple[str, str, str]] = {}
        """OAuth codes (:meth:`add_install`) -> (team id, team name, installer)."""
        self.tokens: dict[str, str] = {}
        """Bot tokens the fake issued -> their team (``auth.test`` answers with that team)."""
        self.refresh_tokens: dict[str, str] = {}
        self.socket_mode_url: str | None = None
        """The ``ws://`` URL ``apps.connections.open`` hands out (each with a new ``ticket``); unset: it fails."""
        self.token_expires_in: int | None = None
        """Seconds a new bot token lasts: set it to turn token rotation on (refresh tokens, ``expires_in``)."""
        self._cond = threading.Condition()
        self._ids = itertools.count(1)
        self._ts = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        if self._server is not None:
            return self
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._handle(self)

            def do_POST(self) -> None:
                fake._handle(self)

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-slack", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` (the server must be started)."""
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        """The Web API base URL for ``SLACK_API_URL``: ``http://127.0.0.1:<port>/api/``."""
        return self.base_url + "/api/"

    # -- configuration ---------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str | None = None,
        *,
        real_name: str = "",
        display_name: str = "",
        tz: str = "America/New_York",
        is_admin: bool = False,
        is_owner: bool = False,
        is_bot: bool = False,
        team_id: str | None = None,
    ) -> FakeUser:
        """Make ``users.info`` know ``user_id`` (replacing an earlier definition)."""
        user = FakeUser(
            id=user_id, name=name or user_id.lower(), real_name=real_name, display_name=display_name, tz=tz,
            is_admin=is_admin, is_owner=is_owner, is_bot=is_bot, team_id=team_id or self.team_id,
        )
        with self._cond:
            self.users[user_id] = user
        return user

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
                _Rule(status=status, retry_after=retry_after if status == 429 else None, error=error, times=times)
            )

    def delay_next(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` normally, but only after ``seconds``."""
        with self._cond:
            self._rules.setdefault(method, []).append(_Rule(delay=seconds, times=times))

    def respond_with(self, method: str, answer: dict[str, Any] | Callable[[Call], dict[str, Any]]) -> None:
        """Answer ``method`` with a fixed payload or ``answer(call)`` from now on."""
        if callable(answer):
            handler = answer
        else:
            fixed = dict(answer)

            def handler(_call: Call) -> dict[str, Any]:
                return dict(fixed)

        with self._cond:
            self._handlers[method] = handler

    def reset(self) -> None:
        """Forget recorded calls, response posts and uploads (users and rules stay)."""
        with self._cond:
            self._calls.clear()
            self._responses.clear()
            self.uploads.clear()

    def new_response_url(self) -> str:
        """A fresh ``response_url`` on this server; posts to it are recorded as :class:`ResponsePost`."""
        return f"{self.base_url}/response/R{next(self._ids):06d}"

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

    # -- queries ---------------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        """Recorded Web API calls, oldest first, optionally only of ``method``."""
        with self._cond:
            return [c for c in self._calls if method is None or c.method == method]

    def last(self, method: str) -> Call:
        found = self.calls(method)
        if not found:
            raise AssertionError(f"no {method} call; calls were: {[c.method for c in self.calls()]}")
        return found[-1]

    def wait_for(
        self,
        method: str,
        *,
        count: int = 1,
        timeout: float = DEFAULT_WAIT,
        where: Callable[[Call], bool] | None = None,
    ) -> Call:
        """Block until ``count`` calls of ``method`` (matching ``where``) are recorded; return the ``count``-th."""
        def matching() -> list[Call]:
            return [c for c in self._calls if c.method == method and (where is None or where(c))]

        with self._cond:
            if not self._cond.wait_for(lambda: len(matching()) >= count, timeout=timeout):
                seen = [c.method for c in self._calls]
                raise AssertionError(f"timed out waiting for {count} {method} call(s); calls were: {seen}"
                                     + self._refused())
            return matching()[count - 1]

    def responses(self, url: str | None = None) -> list[ResponsePost]:
        """Recorded ``response_url`` posts, oldest first, optionally only those to ``url``."""
        with self._cond:
            return [r for r in self._responses if url is None or r.url == url]

    def wait_for_response(
        self, url: str | None = None, *, count: int = 1, timeout: float = DEFAULT_WAIT
    ) -> ResponsePost:
        """Block until ``count`` posts to ``url`` (any response URL if None) arrive; return the ``count``-th."""
        def matching() -> list[ResponsePost]:
            return [r for r in self._responses if url is None or r.url == url]

        with self._cond:
            if not self._cond.wait_for(lambda: len(matching()) >= count, timeout=timeout):
                raise AssertionError(f"timed out waiting for a post to {url or 'any response_url'}"
                                     + self._refused())
            return matching()[count - 1]

    # -- the server ------------------------------------------------------------------------------

    def _next_rule(self, method: str) -> _Rule | None:
        with self._cond:
            rules = self._rules.get(method)
            if not rules:
                return None
            rule = rules[0]
            rule.times -= 1
            if rule.times <= 0:
                rules.pop(0)
            return rule

    def _handle(self, http: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(http.path)
        length = int(http.headers.get("Content-Length") or 0)
        body = http.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in http.headers.items()}
        path = parts.path
        if path.startswith("/api/"):
            status, answer, extra = self._api(path[5:], parts.query, headers, body)
        elif path.startswith("/response/"):
            status, answer, extra = self._response_url(http, path, headers, body)
        elif path.startswith("/upload/"):
            status, answer, extra = self._upload(path[8:], body)
        elif path.startswith("/files/") and path.endswith("/download"):
            self._download(http, path[7:-9], headers)
            return
        else:
            status, answer, extra = 404, {"ok": False, "error": "not_found"}, {}
        data = json.dumps(answer).encode()
        http.send_response(status)
        http.send_header("Content-Type", "application/json; charset=utf-8")
        http.send_header("Content-Length", str(len(data)))
        for key, value in extra.items():
            http.send_header(key, value)
        http.end_headers()
        http.wfile.write(data)

    def _apply_rule(self, rule: _Rule | None) -> tuple[int, dict[str, Any], dict[str, str]] | None:
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

    def _response_url(
        self, http: BaseHTTPRequestHandler, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
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

    def _download(self, http: BaseHTTPRequestHandler, file_id: str, headers: dict[str, str]) -> None:
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
        http.send_response(status)
        http.send_header("Content-Type", ctype)
        http.send_header("Content-Length", str(len(data)))
        http.end_headers()
        http.wfile.write(data)

    def _api(
        self, method: str, query: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
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
