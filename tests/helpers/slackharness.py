"""End-to-end harness: the real WSGI app on loopback, real signed Slack requests, a fake Web API.

Fixtures (``tests/helpers/slack_fixtures.py``): ``fake_slack``, ``slack_settings``, ``slack_app``
and ``slack`` (a :class:`SlackHarness`). A typical test::

    def test_log(slack):
        reply = slack.ask("log 3h Ethics in Touch #ethics", user="U1")
        assert "Logged 3 h" in reply.text

``ask`` sends ``/ce <text>`` and returns what the app posted to the command's
``response_url``; lower-level ``command``/``action``/``view_submission``/``event``
return the HTTP answer (status, body) so tests can check acks and
``response_action`` errors, and ``slack.fake`` has every Web API call.
"""

from __future__ import annotations

import http.client
import itertools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import urlencode, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_sdk.signature import SignatureVerifier

from cebot.shell.fake_records import ResponsePost
from cebot.shell.fake_slack import FakeSlack


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # bursts of concurrent requests; the default backlog of 5 resets connections


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


POLL_SECONDS = 0.005
"""How often the server's loop checks for a shutdown: stopping it waits this long (it ends every test)."""


@contextmanager
def serving(wsgi_app: Any) -> Iterator[str]:
    """Serve ``wsgi_app`` on 127.0.0.1 (random port, one thread per request); yields the base URL."""
    server = make_server("127.0.0.1", 0, wsgi_app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, args=(POLL_SECONDS,), name="test-wsgi", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class HttpResult:
    """The app's HTTP answer to one request."""

    status: int
    headers: dict[str, str]
    body: bytes
    response_url: str | None = None
    """The ``response_url`` sent with a command or action (on the fake), to wait for the reply."""
    request_body: bytes = b""

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def ack_reply(result: HttpResult) -> ResponsePost | None:
    """A message the app answered a request with in its HTTP body (a slash command's reply), or None."""
    if result.status != 200 or not result.body.strip().startswith(b"{"):
        return None
    payload = result.json()
    if not isinstance(payload, dict) or not ("text" in payload or "blocks" in payload):
        return None
    return ResponsePost(id="ack", url=result.response_url or "", payload=payload, headers=dict(result.headers))


# -- Block Kit state values for view_submission --------------------------------------------------


def text_value(value: str | None) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def date_value(value: date | str | None) -> dict[str, Any]:
    return {"type": "datepicker", "selected_date": value.isoformat() if isinstance(value, date) else value}


def select_value(value: str | None, label: str | None = None) -> dict[str, Any]:
    option = None if value is None else {"text": {"type": "plain_text", "text": label or value}, "value": value}
    return {"type": "static_select", "selected_option": option}


def multi_select_value(values: list[str]) -> dict[str, Any]:
    return {"type": "multi_static_select",
            "selected_options": [{"text": {"type": "plain_text", "text": v}, "value": v} for v in values]}


def users_value(user_id: str | None) -> dict[str, Any]:
    return {"type": "users_select", "selected_user": user_id}


@dataclass
class SlackHarness:
    """Sends signed Slack requests to the app served at ``base_url``; ``fake`` is the Web API it calls."""

    base_url: str
    fake: FakeSlack
    signing_secret: str
    team: str = "T1"
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1), repr=False)

    # -- raw HTTP --------------------------------------------------------------------------------

    def sign(self, body: bytes, timestamp: int | None = None, secret: str | None = None) -> dict[str, str]:
        """The ``X-Slack-Signature`` and ``X-Slack-Request-Timestamp`` headers Slack would send."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        verifier = SignatureVerifier(secret if secret is not None else self.signing_secret)
        signature = verifier.generate_signature(timestamp=ts, body=body.decode("utf-8", "replace"))
        return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature or ""}

    def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        timeout: float = 10.0,
    ) -> HttpResult:
        parts = urlsplit(self.base_url)
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
        try:
            conn.request(method, path, body=body if body or method == "POST" else None, headers=headers or {})
            resp = conn.getresponse()
            return HttpResult(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read(),
                              request_body=body)
        finally:
            conn.close()

    def get(self, path: str) -> HttpResult:
        return self.request("GET", path)

    def post(
        self,
        body: bytes | str,
        *,
        content_type: str = "application/x-www-form-urlencoded",
        headers: dict[str, str] | None = None,
        sign: bool = True,
        timestamp: int | None = None,
        secret: str | None = None,
        path: str = "/slack/events",
    ) -> HttpResult:
        """POST ``body`` to the app, signed like Slack unless ``sign=False`` (``timestamp``/``secret`` forge it)."""
        data = body.encode() if isinstance(body, str) else body
        all_headers = {"Content-Type": content_type}
        if sign:
            all_headers.update(self.sign(data, timestamp=timestamp, secret=secret))
        all_headers.update(headers or {})
        return self.request("POST", path, data, all_headers)

    def post_form(self, fields: dict[str, str], **kwargs: Any) -> HttpResult:
        return self.post(urlencode(fields), **kwargs)

    def post_payload(self, payload: dict[str, Any], **kwargs: Any) -> HttpResult:
        """An interactivity request: ``payload=<json>`` form-encoded, as Slack sends it."""
        return self.post(urlencode({"payload": json.dumps(payload)}), **kwargs)

    def post_json(self, payload: dict[str, Any], **kwargs: Any) -> HttpResult:
        """An Events API request (JSON body)."""
        return self.post(json.dumps(payload), content_type="application/json", **kwargs)

    # -- slash commands --------------------------------------------------------------------------

    def command(
        self,
        command: str = "/ce",
        text: str = "",
        *,
        user: str = "U1",
        team: str | None = None,
        channel: str = "C1",
        user_name: str | None = None,
        trigger_id: str | None = None,
        **kwargs: Any,
    ) -> HttpResult:
        """Send a slash command; the result's ``response_url`` is on the fake (wait for it with :meth:`reply`)."""
        response_url = self.fake.new_response_url()
        fields = {
            "token": "legacy-verification-token",
            "team_id": team or self.team,
            "team_domain": "clinic",
            "channel_id": channel,
            "channel_name": "general" if channel.startswith("C") else "directmessage",
            "user_id": user,
            "user_name": user_name or user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0FAKE",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id or f"trigger-{next(self._ids)}",
        }
        result = self.post_form(fields, **kwargs)
        result.response_url = response_url
        answer = ack_reply(result)
        if answer is not None:  # the reply in the HTTP body must pass Slack's limits like any other message
            self.fake.check(f"ack of {command} {text}".strip(), answer.payload)
        return result

    def reply(self, result: HttpResult, *, count: int = 1, timeout: float = 5.0) -> ResponsePost:
        """The ``count``-th reply to ``result``: a slash command's HTTP answer is its first reply, and posts the
        app made to the request's response URL come after it (a button's replies are all such posts)."""
        assert result.response_url, "this request had no response_url"
        answer = ack_reply(result)
        if answer is not None:
            if count == 1:
                return answer
            count -= 1
        return self.fake.wait_for_response(result.response_url, count=count, timeout=timeout)

    def ask(self, text: str = "", *, user: str = "U1", team: str | None = None, **kwargs: Any) -> ResponsePost:
        """``/ce <text>`` as ``user``: checks the app acked with 200 and returns its reply."""
        result = self.command("/ce", text, user=user, team=team, **kwargs)
        assert result.status == 200, f"/ce {text} -> HTTP {result.status}: {result.text}"
        return self.reply(result)

    # -- interactivity ---------------------------------------------------------------------------

    def _user(self, user: str, team: str | None) -> dict[str, Any]:
        return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team or self.team}

    def action(
        self,
        action_id: str,
        *,
        value: str | None = None,
        user: str = "U1",
        team: str | None = None,
        block_id: str = "actions",
        action_type: str = "button",
        selected_option: dict[str, Any] | None = None,
        view: dict[str, Any] | None = None,
        message: dict[str, Any] | None = None,
        channel: str | None = "C1",
        extra: dict[str, Any] | None = None,
    ) -> HttpResult:
        """A ``block_actions`` request: a button click in a message (or in ``view`` for modals/App Home)."""
        action: dict[str, Any] = {"type": action_type, "action_id": action_id, "block_id": block_id,
                                  "action_ts": f"{time.time():.6f}"}
        if value is not None:
            action["value"] = value
        if selected_option is not None:
            action["selected_option"] = selected_option
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(user, team),
            "api_app_id": "A0FAKE",
            "token": "legacy-verification-token",
            "team": {"id": team or self.team, "domain": "clinic"},
            "trigger_id": f"trigger-{next(self._ids)}",
            "actions": [action],
            "is_enterprise_install": False,
        }
        response_url = None
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view.get("id", "V0")}
            payload["view"] = {"id": "V0", "hash": "h0", "state": {"values": {}}, **view}
        else:
            response_url = self.fake.new_response_url()
            ts = message.get("ts", "1700000000.000001") if message else "1700000000.000001"
            payload["container"] = {"type": "message", "message_ts": ts, "channel_id": channel,
                                    "is_ephemeral": True}
            payload["channel"] = {"id": channel, "name": "general"}
            payload["message"] = message or {"type": "message", "ts": ts, "text": ""}
            payload["response_url"] = response_url
        payload.update(extra or {})
        result = self.post_payload(payload)
        result.response_url = response_url
        return result

    def view_submission(
        self,
        callback_id: str,
        values: dict[str, dict[str, dict[str, Any]]],
        *,
        user: str = "U1",
        team: str | None = None,
        private_metadata: str = "",
        view_id: str = "V0",
        extra_view: dict[str, Any] | None = None,
    ) -> HttpResult:
        """A modal submitted with ``values`` as ``{block_id: {action_id: text_value("...")}}``.

        The HTTP body is the ack: ``{"response_action": "errors", "errors": {...}}`` for inline errors.
        """
        payload = {
            "type": "view_submission",
            "team": {"id": team or self.team, "domain": "clinic"},
            "user": self._user(user, team),
            "api_app_id": "A0FAKE",
            "token": "legacy-verification-token",
            "trigger_id": f"trigger-{next(self._ids)}",
            "view": {
                "id": view_id, "team_id": team or self.team, "type": "modal", "callback_id": callback_id,
                "private_metadata": private_metadata, "hash": "h0", "blocks": [],
                "state": {"values": values}, **(extra_view or {}),
            },
            "response_urls": [],
            "is_enterprise_install": False,
        }
        result = self.post_payload(payload)
        answer = result.json() if result.status == 200 and result.body.strip().startswith(b"{") else None
        if isinstance(answer, dict) and answer.get("response_action") in ("update", "push"):
            self.fake.check(f"ack of the {callback_id} submission", answer.get("view"), view=True)
        return result

    # -- events ----------------------------------------------------------------------------------

    def event(
        self,
        event: dict[str, Any],
        *,
        team: str | None = None,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> HttpResult:
        """An Events API ``event_callback``; ``retry_num`` adds Slack's retry headers."""
        payload = {
            "token": "legacy-verification-token",
            "team_id": team or self.team,
            "api_app_id": "A0FAKE",
            "event": {"event_ts": f"{time.time():.6f}", **event},
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": team or self.team, "user_id": self.fake.bot_user_id, "is_bot": True,
                                "is_enterprise_install": False}],
            "is_ext_shared_channel": False,
        }
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return self.post_json(payload, headers=headers)

    def home_opened(self, user: str = "U1", *, team: str | None = None, **kwargs: Any) -> HttpResult:
        """The ``app_home_opened`` event for ``user``'s Home tab."""
        return self.event({"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"},
                          team=team, **kwargs)


@contextmanager
def serve_app(
    bolt_app: Any, engine: Any, fake: FakeSlack, signing_secret: str, team: str = "T1"
) -> Iterator[SlackHarness]:
    """Serve ``bolt_app`` through ``cebot.web.wsgi.make_wsgi_app`` on loopback and yield a harness for it."""
    from cebot.web.wsgi import make_wsgi_app

    with serving(make_wsgi_app(bolt_app, engine)) as base_url:
        yield SlackHarness(base_url=base_url, fake=fake, signing_secret=signing_secret, team=team)
