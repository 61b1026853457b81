"""A local Socket Mode endpoint on 127.0.0.1 for end-to-end tests, with FakeSlack's ``apps.connections.open``.

Slack's Socket Mode (https://api.slack.com/apis/socket-mode): the app calls ``apps.connections.open`` with its
app-level token and gets a WebSocket URL; Slack sends ``hello`` when it connects, then one JSON *envelope* per
request (``slash_commands``, ``interactive``, ``events_api``), each with an ``envelope_id`` the app must send back
(with the ack's body as ``payload`` where the request takes one) within 3 seconds. Slack asks an app to reconnect
with a ``disconnect`` message, or just closes the connection::

    with FakeSlack() as fake, SocketModeServer(fake) as server:
        ...start the app with SLACK_APP_TOKEN=xapp-... and SLACK_API_URL=fake.url...
        link = server.wait_for_link()
        ack = link.request(link.slash_command("/ce", "log 2h Ethics #ethics"))
        link.close()                      # the app must call apps.connections.open again
        link = server.wait_for_link(2)

Everything waits on events (a condition variable), never on a fixed sleep.
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from cebot.shell.fake_slack import FakeSlack

WAIT = 15.0
"""Seconds to wait for a connection or an ack before failing (generous for a loaded machine)."""
PING_SECONDS = 0.2
"""The server pings the app this often (and never closes a connection for a late pong). slack_sdk's built-in client
reads its socket up to 3 s at a time, holding the lock that closing the connection needs: without traffic, each
close (after Slack's ``disconnect``, at SIGTERM) would wait those 3 s."""

_ids = itertools.count(1)


@dataclass
class Ack:
    """What the app sent back for one envelope."""

    envelope_id: str
    payload: dict[str, Any] | None
    """The ack's body (``{"text": ...}``, ``{"response_action": ...}``...), None for a plain ack."""


@dataclass
class Link:
    """One WebSocket connection from the app: send it envelopes, read its acks."""

    number: int
    path: str
    """The request path with its query (``/link/?ticket=...``): tells which ``apps.connections.open`` it used."""
    team: str
    _ws: ServerConnection
    _cond: threading.Condition
    acks: dict[str, Ack] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    """Messages from the app that were not acks of an envelope sent on this link."""
    sent: set[str] = field(default_factory=set)
    closed: bool = False
    """The connection has ended (either side closed it)."""

    # -- envelopes -------------------------------------------------------------------------------

    def send(self, envelope_type: str, payload: dict[str, Any], *, accepts_response_payload: bool) -> str:
        """Send one envelope; return its ``envelope_id``."""
        envelope_id = f"env-{next(_ids):04d}-{int(time.time())}"
        with self._cond:
            self.sent.add(envelope_id)
        self._ws.send(json.dumps({"envelope_id": envelope_id, "type": envelope_type, "payload": payload,
                                  "accepts_response_payload": accepts_response_payload,
                                  **({"retry_attempt": 0, "retry_reason": ""} if envelope_type == "events_api"
                                     else {})}))
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = WAIT) -> Ack:
        """Block until the app acknowledges ``envelope_id``."""
        with self._cond:
            if not self._cond.wait_for(lambda: envelope_id in self.acks, timeout=timeout):
                raise AssertionError(f"envelope {envelope_id} was not acknowledged in {timeout} s "
                                     f"(acks: {sorted(self.acks)}, other messages: {self.unknown})")
            return self.acks[envelope_id]

    def wait_closed(self, timeout: float = WAIT) -> None:
        """Block until the connection has ended."""
        with self._cond:
            if not self._cond.wait_for(lambda: self.closed, timeout=timeout):
                raise AssertionError(f"connection {self.number} is still open after {timeout} s")

    def request(self, envelope: tuple[str, dict[str, Any], bool], timeout: float = WAIT) -> Ack:
        """Send an envelope built by one of the methods below and wait for its ack."""
        envelope_type, payload, accepts = envelope
        return self.wait_ack(self.send(envelope_type, payload, accepts_response_payload=accepts), timeout)

    def slash_command(self, command: str, text: str, *, user: str = "U1", channel: str = "C1",
                      response_url: str = "") -> tuple[str, dict[str, Any], bool]:
        """A ``slash_commands`` envelope (its payload is the HTTP form's fields)."""
        return "slash_commands", {
            "token": "legacy-verification-token", "team_id": self.team, "team_domain": "clinic",
            "channel_id": channel, "channel_name": "general", "user_id": user, "user_name": user.lower(),
            "command": command, "text": text, "api_app_id": "A0FAKE", "is_enterprise_install": "false",
            "response_url": response_url, "trigger_id": f"trigger-{next(_ids)}",
        }, True

    def block_action(self, action: dict[str, Any], *, user: str = "U1", channel: str = "C1",
                     response_url: str = "", message: dict[str, Any] | None = None,
                     ) -> tuple[str, dict[str, Any], bool]:
        """An ``interactive`` envelope for a button pressed in a message (``action``: the button's element)."""
        ts = "1700000000.000001"
        pressed = {"type": action.get("type", "button"), "action_id": action["action_id"],
                   "block_id": action.get("block_id", "actions"), "action_ts": f"{time.time():.6f}",
                   **({"value": action["value"]} if "value" in action else {})}
        return "interactive", {
            "type": "block_actions", "user": self._user(user), "api_app_id": "A0FAKE",
            "token": "legacy-verification-token", "team": {"id": self.team, "domain": "clinic"},
            "trigger_id": f"trigger-{next(_ids)}", "actions": [pressed], "is_enterprise_install": False,
            "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": True},
            "channel": {"id": channel, "name": "general"},
            "message": message or {"type": "message", "ts": ts, "text": ""}, "response_url": response_url,
        }, False

    def view_submission(self, callback_id: str, values: dict[str, Any], *, user: str = "U1",
                        private_metadata: str = "") -> tuple[str, dict[str, Any], bool]:
        """An ``interactive`` envelope for a submitted modal (``values``: ``view.state.values``)."""
        return "interactive", {
            "type": "view_submission", "team": {"id": self.team, "domain": "clinic"}, "user": self._user(user),
            "api_app_id": "A0FAKE", "token": "legacy-verification-token", "trigger_id": f"trigger-{next(_ids)}",
            "view": {"id": f"V{next(_ids):06d}", "team_id": self.team, "type": "modal", "callback_id": callback_id,
                     "private_metadata": private_metadata, "hash": "h0", "blocks": [],
                     "state": {"values": values}},
            "response_urls": [], "is_enterprise_install": False,
        }, True

    def event(self, event: dict[str, Any], *, bot_user: str = "UBOT") -> tuple[str, dict[str, Any], bool]:
        """An ``events_api`` envelope carrying an ``event_callback``."""
        return "events_api", {
            "token": "legacy-verification-token", "team_id": self.team, "api_app_id": "A0FAKE",
            "event": {"event_ts": f"{time.time():.6f}", **event}, "type": "event_callback",
            "event_id": f"Ev{next(_ids):08d}", "event_time": int(time.time()),
            "authorizations": [{"team_id": self.team, "user_id": bot_user, "is_bot": True,
                                "is_enterprise_install": False}],
            "is_ext_shared_channel": False,
        }, False

    def app_home_opened(self, user: str = "U1") -> tuple[str, dict[str, Any], bool]:
        return self.event({"type": "app_home_opened", "user": user, "channel": f"D{user[1:]}", "tab": "home"})

    def _user(self, user: str) -> dict[str, Any]:
        return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": self.team}

    # -- the connection --------------------------------------------------------------------------

    def ask_to_reconnect(self, reason: str = "refresh_requested") -> None:
        """Slack's ``disconnect`` message: the app should open a new connection (and this one then closes)."""
        self._ws.send(json.dumps({"type": "disconnect", "reason": reason,
                                  "debug_info": {"host": "applink-local"}}))

    def close(self) -> None:
        """Drop the connection from the server's side (a WebSocket close, as Slack does)."""
        self._ws.close(code=1001, reason="going away")

    def drop(self) -> None:
        """End the TCP connection without a WebSocket close (a network drop): the app notices by its pings only."""
        self._ws.socket.shutdown(socket.SHUT_RDWR)

    def _receive(self) -> None:
        for message in self._ws:
            text = message if isinstance(message, str) else message.decode()
            try:
                data = json.loads(text)
            except ValueError:
                data = None
            with self._cond:
                envelope_id = data.get("envelope_id") if isinstance(data, dict) else None
                if envelope_id in self.sent and envelope_id not in self.acks:
                    self.acks[envelope_id] = Ack(envelope_id=envelope_id, payload=data.get("payload"))
                else:
                    self.unknown.append(text)
                self._cond.notify_all()


class SocketModeServer:
    """A WebSocket server on 127.0.0.1 that FakeSlack's ``apps.connections.open`` points the app to."""

    def __init__(self, fake: FakeSlack, *, team: str = "T1") -> None:
        self.fake = fake
        self.team = team
        self.links: list[Link] = []
        self._cond = threading.Condition()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> SocketModeServer:
        self._server = serve(self._handle, "127.0.0.1", 0, compression=None, ping_interval=PING_SECONDS,
                             ping_timeout=None)
        port = self._server.socket.getsockname()[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="socket-mode-server", daemon=True)
        self._thread.start()
        self.fake.socket_mode_url = f"ws://127.0.0.1:{port}/link/"
        return self

    def __exit__(self, *exc: object) -> None:
        self.fake.socket_mode_url = None
        if self._server is not None:
            self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def wait_for_link(self, number: int = 1, timeout: float = WAIT) -> Link:
        """Block until the app has opened its ``number``-th connection (and got its ``hello``)."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.links) >= number, timeout=timeout):
                raise AssertionError(f"the app opened {len(self.links)} Socket Mode connection(s), not {number}")
            return self.links[number - 1]

    def _handle(self, ws: ServerConnection) -> None:
        path = ws.request.path if ws.request is not None else ""
        with self._cond:
            link = Link(number=len(self.links) + 1, path=path, team=self.team, _ws=ws, _cond=self._cond)
        ws.send(json.dumps({"type": "hello", "num_connections": link.number,
                            "debug_info": {"host": "applink-local", "approximate_connection_time": 3600},
                            "connection_info": {"app_id": "A0FAKE"}}))
        with self._cond:
            self.links.append(link)
            self._cond.notify_all()
        try:
            link._receive()
        except ConnectionClosed:
            pass
        finally:
            with self._cond:
                link.closed = True
                self._cond.notify_all()


def reply_of(ack: Ack, fake: FakeSlack, response_url: str, timeout: float = WAIT) -> dict[str, Any]:
    """A slash command's or button's reply message: the ack's body when it carries one (the app answers in the
    ack), else what the app posted to the request's ``response_url``."""
    if ack.payload and (ack.payload.get("text") or ack.payload.get("blocks")):
        return ack.payload
    return fake.wait_for_response(response_url, timeout=timeout).payload


def buttons(message: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every button in a message's blocks, with its ``block_id``."""
    for block in message.get("blocks") or []:
        for element in block.get("elements") or []:
            if isinstance(element, dict) and element.get("type") == "button":
                yield {**element, "block_id": block.get("block_id", "actions")}
