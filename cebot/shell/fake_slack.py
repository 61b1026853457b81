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

import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from cebot.shell.slack_limits import Violation, describe, validate_message, validate_view

JSON_FIELDS = frozenset({"blocks", "attachments", "view", "files", "metadata", "unfurls"})
"""Form fields Slack takes as JSON strings; recorded decoded."""
NO_TOKEN_METHODS = frozenset({"oauth.v2.access", "api.test"})
MESSAGE_METHODS = frozenset({"chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage"})
VIEW_METHODS = frozenset({"views.open", "views.update", "views.push", "views.publish"})
DEFAULT_WAIT = 5.0
LISTEN_BACKLOG = 256
"""Pending connections the fake accepts; http.server's default of 5 drops SYNs in a burst (1 s retries)."""


class _Server(ThreadingHTTPServer):
    request_queue_size = LISTEN_BACKLOG


@dataclass
class FakeUser:
    """A person ``users.info`` knows about."""

    id: str
    name: str
    real_name: str = ""
    display_name: str = ""
    tz: str = "America/New_York"
    is_admin: bool = False
    is_owner: bool = False
    is_primary_owner: bool = False
    is_bot: bool = False
    deleted: bool = False
    team_id: str = "T1"

    def to_slack(self) -> dict[str, Any]:
        real = self.real_name or self.name
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "real_name": real,
            "deleted": self.deleted,
            "tz": self.tz,
            "tz_label": self.tz,
            "tz_offset": 0,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": self.is_primary_owner,
            "is_bot": self.is_bot,
            "profile": {"real_name": real, "display_name": self.display_name, "team": self.team_id},
        }


@dataclass
class Call:
    """One Web API call the app made."""

    method: str
    args: dict[str, Any]
    """Query, form and JSON arguments merged; ``blocks``/``view``/``files``... decoded from JSON strings."""
    headers: dict[str, str]
    """Request headers, lower-cased names."""
    body: bytes
    status: int = 200
    answer: dict[str, Any] = field(default_factory=dict)
    """What the fake answered."""

    @property
    def token(self) -> str | None:
        auth = self.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:]
        token = self.args.get("token")
        return str(token) if token else None

    def __getitem__(self, key: str) -> Any:
        return self.args[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.args.get(key, default)

    @property
    def text(self) -> str:
        """The readable text of a message or view call: ``text``, plus every text in its blocks."""
        if isinstance(self.args.get("view"), dict):
            return flatten_text(self.args["view"])
        return flatten_text(self.args)


@dataclass
class ResponsePost:
    """One POST the app made to a command's or action's ``response_url``."""

    id: str
    url: str
    payload: dict[str, Any]
    headers: dict[str, str]

    @property
    def text(self) -> str:
        """``text`` plus every text in ``blocks``, one per line, for assertions."""
        return flatten_text(self.payload)

    @property
    def blocks(self) -> list[dict[str, Any]]:
        return list(self.payload.get("blocks") or [])

    @property
    def response_type(self) -> str:
        """``ephemeral`` unless the app said ``in_channel`` (Slack's default is ephemeral)."""
        return str(self.payload.get("response_type") or "ephemeral")


@dataclass
class Rejected:
    """A payload the fake refused as Slack would: what sent it and every limit it broke."""

    where: str
    """The method (``chat.postMessage``), ``response_url`` or what a test checked (``ack of /ce list``)."""
    violations: list[Violation]

    def __str__(self) -> str:
        return f"{self.where} would be refused by Slack:\n" + describe(self.violations)


def slack_error(violations: list[Violation]) -> dict[str, Any]:
    """Slack's answer to a refused payload: ``invalid_blocks`` (views: ``invalid_arguments``) with the reasons."""
    if any(v.where.startswith("/view") for v in violations):
        error = "invalid_arguments"
    elif all(v.where == "/text" for v in violations):
        error = "msg_too_long"
    else:
        error = "invalid_blocks"
    messages = [str(v) for v in violations]
    return {"ok": False, "error": error, "errors": messages,
            "response_metadata": {"messages": ["[ERROR] " + m for m in messages]}}


@dataclass
class Upload:
    """Bytes the app uploaded to an URL from ``files.getUploadURLExternal``."""

    file_id: str
    filename: str
    data: bytes


@dataclass
class SharedFile:
    """A file someone shared in Slack (:meth:`FakeSlack.share_file`); ``deleted`` makes it 404."""

    id: str
    user: str
    name: str
    data: bytes
    mimetype: str
    deleted: bool = False


@dataclass
class _Rule:
    status: int = 200
    retry_after: int | None = None
    error: str | None = None
    delay: float = 0.0
    times: int = 1


def _texts(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        kind = node.get("type")
        if kind in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
            yield node["text"]
            return
        for key in ("text", "title", "header", "fields", "elements", "blocks", "accessory", "label", "element",
                    "options", "initial_value", "placeholder", "submit", "close"):
            if key in node:
                value = node[key]
                if key in ("text", "initial_value") and isinstance(value, str):
                    yield value
                else:
                    yield from _texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item)


def flatten_text(payload: dict[str, Any]) -> str:
    """Every human-readable string in a message or view payload, one per line (for assertions)."""
    return "\n".join(t for t in _texts(payload) if t)


class FakeSlack:
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

    def _upload(self, file_id: str, body: bytes) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._cond:
            filename = self._pending_files.get(file_id)
            if filename is None:
                return 404, {"ok": False, "error": "file_not_found"}, {}
            self.uploads.append(Upload(file_id=file_id, filename=filename, data=body))
            self._cond.notify_all()
        return 200, {"ok": True}, {}

    def share_file(self, user_id: str, name: str, data: bytes, mimetype: str = "application/pdf") -> dict[str, Any]:
        """Record a file ``user_id`` shared (e.g. in the app's DM); returns it as ``files.info`` shows it."""
        file_id = f"F{next(self._ids):08d}"
        with self._cond:
            self.shared_files[file_id] = SharedFile(file_id, user_id, name, data, mimetype)
        return self._file(file_id)

    def delete_file(self, file_id: str) -> None:
        """The owner deleted the file (or Slack did): ``files.info`` and its download answer not found."""
        with self._cond:
            self.shared_files[file_id].deleted = True

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
        args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        ctype = headers.get("content-type", "")
        if body:
            if "json" in ctype:
                try:
                    decoded = json.loads(body)
                except ValueError:
                    return 200, {"ok": False, "error": "invalid_json"}, {}
                if isinstance(decoded, dict):
                    args.update(decoded)
            else:
                args.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        for key in JSON_FIELDS & args.keys():
            if isinstance(args[key], str):
                with contextlib.suppress(ValueError):
                    args[key] = json.loads(args[key])
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

    # -- Slack-shaped answers --------------------------------------------------------------------

    def _new_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.000100"

    def _answer(self, call: Call) -> dict[str, Any]:
        a = call.args
        if call.method == "auth.test":
            return self._m_auth_test({**a, "token": call.token})
        if call.method == "apps.connections.open":  # answered by token kind, like auth.test
            return self._m_apps_connections_open({**a, "token": call.token})
        handler = getattr(self, "_m_" + call.method.replace(".", "_"), None)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        result: dict[str, Any] = handler(a)
        return result

    def _m_api_test(self, a: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "args": a}

    def _m_auth_test(self, a: dict[str, Any]) -> dict[str, Any]:
        team_id = self.tokens.get(str(a.get("token") or "")) or self.team_id
        return {
            "ok": True, "url": "https://fake.slack.test/", "team": self.team_name, "user": "cebot",
            "team_id": team_id, "user_id": self.bot_user_id, "bot_id": self.bot_id, "is_enterprise_install": False,
        }

    def _m_team_info(self, a: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "team": {"id": self.team_id, "name": self.team_name, "domain": "fake"}}

    def _m_users_info(self, a: dict[str, Any]) -> dict[str, Any]:
        with self._cond:
            user = self.users.get(str(a.get("user", "")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": user.to_slack()}

    def _m_users_list(self, a: dict[str, Any]) -> dict[str, Any]:
        with self._cond:
            members = [u.to_slack() for u in self.users.values()]
        return {"ok": True, "members": members, "response_metadata": {"next_cursor": ""}}

    def _message(self, a: dict[str, Any], ts: str) -> dict[str, Any]:
        return {"type": "message", "user": self.bot_user_id, "bot_id": self.bot_id, "text": a.get("text", ""),
                "blocks": a.get("blocks") or [], "ts": ts}

    def _m_chat_postMessage(self, a: dict[str, Any]) -> dict[str, Any]:
        if not a.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if str(a["channel"])[:1] in ("U", "W"):
            # Like Slack for a bot with no open DM with that person: every DM opens with conversations.open first.
            return {"ok": False, "error": "channel_not_found"}
        if not a.get("text") and not a.get("blocks") and not a.get("attachments"):
            return {"ok": False, "error": "no_text"}
        ts = self._new_ts()
        return {"ok": True, "channel": a["channel"], "ts": ts, "message": self._message(a, ts)}

    def _m_chat_postEphemeral(self, a: dict[str, Any]) -> dict[str, Any]:
        if not a.get("channel") or not a.get("user"):
            return {"ok": False, "error": "channel_not_found" if not a.get("channel") else "user_not_in_channel"}
        return {"ok": True, "message_ts": self._new_ts()}

    def _m_chat_update(self, a: dict[str, Any]) -> dict[str, Any]:
        if not a.get("channel") or not a.get("ts"):
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "channel": a["channel"], "ts": a["ts"], "text": a.get("text", ""),
                "message": self._message(a, str(a["ts"]))}

    def _m_chat_delete(self, a: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": a.get("channel"), "ts": a.get("ts")}

    def _m_conversations_open(self, a: dict[str, Any]) -> dict[str, Any]:
        users = str(a.get("users") or "")
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        user_id = users.split(",")[0].strip()
        with self._cond:
            self._dm_users[self.dm_id(user_id)] = user_id
        return {"ok": True, "channel": {"id": self.dm_id(user_id), "is_im": True}}

    def dm_user(self, channel: str) -> str:
        """The person whose DM ``channel`` is (one ``conversations.open`` gave out), else ``channel`` itself."""
        with self._cond:
            return self._dm_users.get(channel, channel)

    @staticmethod
    def dm_id(user_id: str) -> str:
        """The id of ``user_id``'s DM with the app, as ``conversations.open`` answers it (``U1`` -> ``D1``)."""
        return "D" + user_id.lstrip("UW")[:20]

    def _m_apps_connections_open(self, a: dict[str, Any]) -> dict[str, Any]:
        if not str(a.get("token") or "").startswith("xapp-"):
            return {"ok": False, "error": "not_allowed_token_type"}
        if not self.socket_mode_url:
            return {"ok": False, "error": "socket_mode_not_enabled"}
        return {"ok": True, "url": f"{self.socket_mode_url}?ticket=t{next(self._ids)}&app_id=A0FAKE"}

    def _store_view(self, view: Any, view_id: str | None = None) -> dict[str, Any]:
        if not isinstance(view, dict):
            raise ValueError("view")
        view_id = view_id or f"V{next(self._ids):08d}"
        stored = {**view, "id": view_id, "team_id": self.team_id, "hash": f"h{next(self._ids)}",
                  "state": {"values": {}}, "app_id": "A0FAKE", "bot_id": self.bot_id}
        with self._cond:
            self._views[view_id] = stored
        return stored

    def _m_views_open(self, a: dict[str, Any]) -> dict[str, Any]:
        if not a.get("trigger_id"):
            return {"ok": False, "error": "invalid_arguments"}
        if not isinstance(a.get("view"), dict):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": self._store_view(a["view"])}

    def _m_views_push(self, a: dict[str, Any]) -> dict[str, Any]:
        return self._m_views_open(a)

    def _m_views_update(self, a: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(a.get("view"), dict) or not (a.get("view_id") or a.get("external_id")):
            return {"ok": False, "error": "invalid_arguments"}
        view_id = str(a.get("view_id") or a.get("external_id"))
        with self._cond:
            known = view_id in self._views or bool(a.get("external_id"))
        if not known:
            return {"ok": False, "error": "not_found"}
        return {"ok": True, "view": self._store_view(a["view"], view_id)}

    def _m_views_publish(self, a: dict[str, Any]) -> dict[str, Any]:
        view = a.get("view")
        if not a.get("user_id") or not isinstance(view, dict) or view.get("type") != "home":
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": self._store_view(view)}

    def _m_files_getUploadURLExternal(self, a: dict[str, Any]) -> dict[str, Any]:
        if not a.get("filename") or not a.get("length"):
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._ids):08d}"
        with self._cond:
            self._pending_files[file_id] = str(a["filename"])
        return {"ok": True, "upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _file(self, file_id: str, title: str | None = None) -> dict[str, Any]:
        with self._cond:
            name = self._pending_files.get(file_id, file_id)
            shared = self.shared_files.get(file_id)
        info: dict[str, Any] = {"id": file_id, "name": name, "title": title or name,
                                "permalink": f"https://fake.slack.test/files/{file_id}",
                                "url_private": f"{self.base_url}/files/{file_id}",
                                "url_private_download": f"{self.base_url}/files/{file_id}/download"}
        if shared is not None:
            info.update(name=shared.name, title=title or shared.name, user=shared.user, mimetype=shared.mimetype,
                        size=len(shared.data))
        else:
            info["user"] = self.bot_user_id
        return info

    def _m_files_completeUploadExternal(self, a: dict[str, Any]) -> dict[str, Any]:
        files = a.get("files")
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        with self._cond:
            unknown = [f.get("id") for f in files if f.get("id") not in self._pending_files]
        if unknown:
            return {"ok": False, "error": "file_not_found"}
        return {"ok": True, "files": [self._file(str(f["id"]), f.get("title")) for f in files]}

    def _m_files_info(self, a: dict[str, Any]) -> dict[str, Any]:
        file_id = str(a.get("file") or "")
        with self._cond:
            shared = self.shared_files.get(file_id)
            known = file_id in self._pending_files or (shared is not None and not shared.deleted)
        return {"ok": True, "file": self._file(file_id)} if known else {"ok": False, "error": "file_not_found"}

    def add_install(self, code: str, team_id: str, team_name: str = "", *, installer: str = "U1") -> None:
        """Make ``oauth.v2.access`` with ``code`` install the app in ``team_id`` (a fresh bot token each time)."""
        with self._cond:
            self.oauth_codes[code] = (team_id, team_name or team_id, installer)

    def team_of_token(self, token: str | None) -> str | None:
        """The team a token the fake issued belongs to (None for tokens it did not issue)."""
        with self._cond:
            return self.tokens.get(token or "")

    def _m_oauth_v2_access(self, a: dict[str, Any]) -> dict[str, Any]:
        if a.get("grant_type") == "refresh_token":
            return self._refresh(str(a.get("refresh_token") or ""))
        code = str(a.get("code") or "")
        if not code:
            return {"ok": False, "error": "invalid_code"}
        with self._cond:
            known = self.oauth_codes.pop(code, None)
        if known is None:
            return {"ok": True, "access_token": "xoxb-fake-installed", "token_type": "bot",
                    "scope": "commands,chat:write", "bot_user_id": self.bot_user_id, "app_id": "A0FAKE",
                    "team": {"id": self.team_id, "name": self.team_name}, "enterprise": None,
                    "authed_user": {"id": "U1"}, "is_enterprise_install": False}
        team_id, team_name, installer = known
        answer = {"ok": True, "token_type": "bot", "scope": "commands,chat:write", "bot_user_id": self.bot_user_id,
                  "app_id": "A0FAKE", "team": {"id": team_id, "name": team_name}, "enterprise": None,
                  "authed_user": {"id": installer}, "is_enterprise_install": False}
        answer.update(self._issue(team_id))
        return answer

    def _issue(self, team_id: str) -> dict[str, Any]:
        """A new bot token for ``team_id`` (with a refresh token and ``expires_in`` when rotation is on)."""
        n = next(self._ids)
        rotating = self.token_expires_in is not None
        token = f"xoxe.xoxb-{team_id}-{n}" if rotating else f"xoxb-{team_id}-{n}"
        issued: dict[str, Any] = {"access_token": token}
        with self._cond:
            self.tokens[token] = team_id
            if rotating:
                refresh = f"xoxe-1-{team_id}-{n}"
                self.refresh_tokens[refresh] = team_id
                issued.update(refresh_token=refresh, expires_in=self.token_expires_in)
        return issued

    def _refresh(self, refresh_token: str) -> dict[str, Any]:
        with self._cond:
            team_id = self.refresh_tokens.pop(refresh_token, None)  # a refresh token works once
        if team_id is None:
            return {"ok": False, "error": "invalid_refresh_token"}
        return {"ok": True, "token_type": "bot", "scope": "commands,chat:write", "bot_user_id": self.bot_user_id,
                "app_id": "A0FAKE", "team": {"id": team_id}, "enterprise": None, **self._issue(team_id)}
