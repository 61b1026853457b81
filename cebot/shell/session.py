"""``cebot shell``: try cebot in a terminal, with no Slack account (like Hubot's shell adapter).

The shell starts the fake Slack Web API (:class:`~cebot.shell.fake_slack.FakeSlack`)
on 127.0.0.1, builds the real app with ``create_app`` pointed at it, and turns each
typed line into a signed slash-command request dispatched into that app: the same
listeners, services and database as in Slack. Whatever the app then sends (its
``response_url`` replies, ``chat.postMessage``, modals opened, the Home tab
published) is printed as plain text (:mod:`cebot.shell.textrender`).

    $ printf '/ce track FL deadline:2027-08-31\\n/ce log 3h Ethics in Touch #ethics\\n' | cebot shell

Lines without ``/ce`` are read as ``/ce <line>``. ``:home`` shows the Home tab,
``:click <button>`` presses a button of the last reply (e.g. ``:click Undo``), ``:share PATH`` shares a
local file in cebot's DM (a certificate: cebot keeps and reads it);
``help``, ``quit``/``exit`` and Ctrl-D do what they say. Forms (modals) cannot be
filled in here: the shell shows them and suggests the one-line command instead.
"""

from __future__ import annotations

import contextlib
import json
import mimetypes
import secrets
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.signature import SignatureVerifier

from cebot.core.settings import Settings
from cebot.shell.fake_records import Call, ResponsePost
from cebot.shell.fake_slack import FakeSlack
from cebot.shell.textrender import Button, buttons, render_message, render_view, user_names
from cebot.slack.home import HOME_PUBLISHER

PROMPT = "cebot> "
DEFAULT_USER = "ULOCAL"
DEFAULT_TEAM = "TLOCAL"
DEFAULT_NAME = "You"
LISTENER_TIMEOUT = 30.0
HISTORY_FILE = "~/.cebot_shell_history"
SHARE_READ_MAX = 11 * 1024 * 1024
QUIET_METHODS = frozenset({"auth.test", "users.info", "users.list", "team.info", "conversations.open", "api.test",
                           "files.getUploadURLExternal", "files.info"})
"""Web API calls that show nothing to the person (reads, and the first half of an upload)."""

LOG_EXAMPLE = "/ce log 3h Ethics in Touch #ethics date:2026-03-14"
TRACK_EXAMPLE = "/ce track FL deadline:2027-08-31 number:MM12345"

SHELL_HELP = f"""\
Type cebot commands as in Slack, e.g. {LOG_EXAMPLE} (the /ce is optional).
  :home            show your App Home tab
  :click <button>  press a button in the last reply, e.g. :click Undo
  :share PATH      share a file in cebot's DM, e.g. :share ~/Downloads/certificate.pdf
  help             this help, then cebot's own
  quit             leave (or exit, or Ctrl-D)
Forms (modals) can't be filled in here; each one shows the one-line command to use instead."""


# -- the session ---------------------------------------------------------------------------------


@dataclass
class ShellOptions:
    """Who is typing: a Slack user id, team id, display name, admin flag and time zone."""

    user: str = DEFAULT_USER
    team: str = DEFAULT_TEAM
    name: str = DEFAULT_NAME
    admin: bool = False
    tz: str = "UTC"


@dataclass
class _Last:
    """The buttons of the last thing shown, and where pressing one should go."""

    buttons: list[Button] = field(default_factory=list)
    view: dict[str, Any] | None = None
    message: dict[str, Any] | None = None


class Shell:
    """One shell session: a fake Slack, the app over the database, and a person typing."""

    def __init__(self, settings: Settings, options: ShellOptions) -> None:
        self.options = options
        self.fake = FakeSlack(team_id=options.team, team_name="Your clinic")
        self.fake.start()
        self.fake.add_user(options.user, options.name.lower().replace(" ", ".") or "you", real_name=options.name,
                           display_name=options.name, tz=options.tz, is_admin=options.admin)
        self.signing_secret = secrets.token_hex(16)
        self.settings = settings.model_copy(update={
            "slack_api_url": self.fake.url, "slack_bot_token": "xoxb-cebot-shell",
            "slack_signing_secret": self.signing_secret, "slack_app_token": None, "run_clock": False,
        })
        self._verifier = SignatureVerifier(self.signing_secret)
        self._ids = iter(range(1, 1 << 62))
        self.last = _Last()
        try:
            self._start()
        except BaseException:
            self.fake.stop()
            raise

    def _start(self) -> None:
        from cebot.core.db import session_scope
        from cebot.services import workspaces
        from cebot.services.bootstrap import prepare_database
        from cebot.slack.app import create_app

        self.engine = prepare_database(self.settings)
        with session_scope(self.engine) as session:  # the profile the options describe, fresh for 24 h
            workspace = workspaces.ensure_workspace(session=session, team_id=self.options.team)
            workspaces.ensure_member(session=session, workspace=workspace, slack_user_id=self.options.user,
                                     display_name=self.options.name, timezone=self.options.tz,
                                     is_slack_admin=self.options.admin)
        self.app: App = create_app(self.settings, engine=self.engine)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            HOME_PUBLISHER.wait_idle(timeout=5)
        self.fake.stop()
        self.engine.dispose()

    def __enter__(self) -> Shell:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests into the app -------------------------------------------------------------------

    def _dispatch(self, body: str, content_type: str) -> BoltResponse:
        timestamp = str(int(time.time()))
        headers: dict[str, str | Sequence[str]] = {
            "content-type": content_type,
            "x-slack-request-timestamp": timestamp,
            "x-slack-signature": self._verifier.generate_signature(timestamp=timestamp, body=body) or "",
        }
        response = self.app.dispatch(BoltRequest(body=body, headers=headers))
        self._run_jobs()  # an export's file, a certificate's proposal, shows with its command
        HOME_PUBLISHER.wait_idle(timeout=LISTENER_TIMEOUT, flush=True)  # each Home update shows with its command
        return response

    def _run_jobs(self) -> None:
        """Run the jobs the request recorded (and those they record), as ``cebot worker`` would."""
        from cebot.jobs.worker import run_due_jobs

        for _ in range(20):
            if not run_due_jobs(engine=self.engine, settings=self.settings):
                break

    def _trigger(self) -> str:
        # Unique across shell sessions on one database: requests are de-duplicated by their trigger id.
        return f"shell-trigger-{uuid.uuid4().hex}"

    def command(self, text: str) -> BoltResponse:
        """Send ``/ce <text>`` as the shell's user."""
        fields = {
            "token": "shell", "team_id": self.options.team, "team_domain": "local", "channel_id": "CSHELL",
            "channel_name": "shell", "user_id": self.options.user, "user_name": self.options.name,
            "command": "/ce", "text": text, "api_app_id": "ASHELL", "is_enterprise_install": "false",
            "response_url": self.fake.new_response_url(), "trigger_id": self._trigger(),
        }
        return self._dispatch(urlencode(fields), "application/x-www-form-urlencoded")

    def home_opened(self) -> BoltResponse:
        payload = {
            "token": "shell", "team_id": self.options.team, "api_app_id": "ASHELL", "type": "event_callback",
            "event": {"type": "app_home_opened", "user": self.options.user, "channel": "D" + self.options.user[1:],
                      "tab": "home", "event_ts": f"{time.time():.6f}"},
            "event_id": "EvSHELL" + uuid.uuid4().hex[:12].upper(), "event_time": int(time.time()),
            "authorizations": [{"team_id": self.options.team, "user_id": self.fake.bot_user_id, "is_bot": True,
                                "is_enterprise_install": False}],
        }
        return self._dispatch(json.dumps(payload), "application/json")

    def file_shared(self, file_id: str) -> BoltResponse:
        """Slack's ``file_shared`` event for a file the shell's user shared in cebot's DM."""
        payload = {
            "token": "shell", "team_id": self.options.team, "api_app_id": "ASHELL", "type": "event_callback",
            "event": {"type": "file_shared", "file_id": file_id, "user_id": self.options.user,
                      "channel_id": "D" + self.options.user[1:], "file": {"id": file_id},
                      "event_ts": f"{time.time():.6f}"},
            "event_id": "EvSHELL" + uuid.uuid4().hex[:12].upper(), "event_time": int(time.time()),
            "authorizations": [{"team_id": self.options.team, "user_id": self.fake.bot_user_id, "is_bot": True,
                                "is_enterprise_install": False}],
        }
        return self._dispatch(json.dumps(payload), "application/json")

    def share(self, path_text: str) -> str:
        """``:share PATH``: the file at PATH shared in cebot's DM, and what cebot answered."""
        if not path_text.strip():
            return "Which file? e.g. :share ~/Downloads/certificate.pdf"
        path = Path(path_text.strip()).expanduser()
        if not path.is_file():
            return f"There's no file at {path}. Give the path of a PDF or photo, e.g. :share ~/certificate.pdf"
        with path.open("rb") as handle:  # a little over Slack's limit for cebot's check: cebot refuses it
            data = handle.read(SHARE_READ_MAX)
        mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        file = self.fake.share_file(self.options.user, path.name, data, mimetype)
        return self._run(lambda: self.file_shared(str(file["id"])))

    def click(self, button: Button) -> BoltResponse:
        """Press ``button`` of the last message or view shown."""
        action: dict[str, Any] = {"type": "button", "action_id": button.action_id, "block_id": button.block_id,
                                  "text": {"type": "plain_text", "text": button.label},
                                  "action_ts": f"{time.time():.6f}"}
        if button.value is not None:
            action["value"] = button.value
        user = {"id": self.options.user, "username": self.options.name, "name": self.options.name,
                "team_id": self.options.team}
        payload: dict[str, Any] = {
            "type": "block_actions", "user": user, "api_app_id": "ASHELL", "token": "shell",
            "team": {"id": self.options.team, "domain": "local"}, "trigger_id": self._trigger(),
            "actions": [action], "is_enterprise_install": False,
        }
        if self.last.view is not None:
            view = self.last.view
            payload["container"] = {"type": "view", "view_id": view.get("id", "VSHELL")}
            payload["view"] = {"id": "VSHELL", "hash": "h", "state": {"values": {}}, **view}
        else:
            message = {"type": "message", "ts": "1700000000.000001", **(self.last.message or {})}
            payload["container"] = {"type": "message", "message_ts": message["ts"], "channel_id": "CSHELL",
                                    "is_ephemeral": True}
            payload["channel"] = {"id": "CSHELL", "name": "shell"}
            payload["message"] = message
            payload["response_url"] = self.fake.new_response_url()
        return self._dispatch(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    # -- what came back --------------------------------------------------------------------------

    def _run(self, send: Callable[[], BoltResponse], *, show_home: bool = False) -> str:
        calls_before, posts_before = len(self.fake.calls()), len(self.fake.responses())
        response = send()
        calls: list[Call] = self.fake.calls()[calls_before:]
        posts: list[ResponsePost] = self.fake.responses()[posts_before:]
        names = {u.id: u.display_name or u.real_name or u.name for u in self.fake.users.values()}
        with user_names(names):
            return self._show(response, calls, posts, show_home=show_home)

    def _show(self, response: BoltResponse, calls: list[Call], posts: list[ResponsePost], *,
              show_home: bool) -> str:
        parts: list[str] = []
        if response.status >= 400:
            parts.append(f"(the app answered HTTP {response.status}: {response.body or 'no reason given'})")
        ack = _ack_payload(response)
        if ack is not None:
            parts.append(render_message(ack))
            self._remember(message=ack)
        for post in posts:
            if post.payload.get("delete_original"):
                parts.append("(the message above was removed)")
                continue
            parts.append(render_message(post.payload))
            self._remember(message=post.payload)
        home_updated = False
        for call in calls:
            if call.method in QUIET_METHODS:
                continue
            if call.method == "views.publish":
                if show_home and call.get("user_id") == self.options.user:
                    parts.append(render_view(call["view"]))
                    self._remember(view=call.answer.get("view") or call["view"])
                else:
                    home_updated = True
                continue
            parts.append(self._show_call(call))
        if home_updated and not show_home:
            parts.append("(Your Home tab was updated: type :home to see it.)")
        return "\n\n".join(p for p in parts if p) or "(no reply)"

    def _show_call(self, call: Call) -> str:
        if call.method in ("views.open", "views.push", "views.update"):
            view = call.get("view") or {}
            self._remember(view=call.answer.get("view") or view)
            hint = TRACK_EXAMPLE if "track" in str(view.get("callback_id", "")) else LOG_EXAMPLE
            if view.get("submit"):
                return (render_view(view) + f"\n(Forms can't be filled in the shell. Type it in one line "
                                            f"instead, e.g. {hint})")
            return render_view(view)
        if call.method in ("chat.postMessage", "chat.postEphemeral", "chat.update"):
            where = call.get("channel") or "?"
            heading = "(direct message)" if str(where).startswith(("D", "U")) else f"(message in {where})"
            self._remember(message=dict(call.args))
            return heading + "\n" + render_message(call.args)
        if call.method == "files.completeUploadExternal":
            files = [f for f in call.get("files") or [] if isinstance(f, dict)]
            titles = ", ".join(str(f.get("title") or f.get("id")) for f in files)
            return f"(file shared: {titles or 'a file'})"
        return f"(Slack call: {call.method})"

    def _remember(self, *, message: dict[str, Any] | None = None, view: dict[str, Any] | None = None) -> None:
        found = buttons((view or message or {}).get("blocks") or [])
        if found:
            self.last = _Last(buttons=found, view=view, message=message)

    # -- lines -----------------------------------------------------------------------------------

    def handle(self, line: str) -> str | None:
        """The reply to one typed line, as text; None to quit."""
        text = line.strip()
        if not text or text.startswith("#"):
            return ""
        word = text.split(None, 1)[0].lower()
        if word in ("quit", "exit", ":q", ":quit", ":exit"):
            return None
        if word in ("help", ":help", "?"):
            return SHELL_HELP + "\n\n" + self._run(lambda: self.command("help"))
        if word == ":home":
            return self._run(self.home_opened, show_home=True)
        if word == ":click":
            return self._click(text.split(None, 1)[1] if " " in text else "")
        if word == ":share":
            return self.share(text.split(None, 1)[1] if " " in text else "")
        if word.startswith(":"):
            return f"I don't know {word}. Type help for the shell's commands."
        if word == "/ce":
            text = text[3:].strip()
        elif word.startswith("/"):
            return f"Only /ce is here: try /ce {text[1:]}" if len(text) > 1 else "Type /ce help."
        return self._run(lambda: self.command(text))

    def _click(self, wanted: str) -> str:
        if not self.last.buttons:
            return "There's no button to press: the last reply had none."
        labels = ", ".join(f"[{b.label}]" for b in self.last.buttons)
        key = wanted.strip().strip("[]").lower()
        matches = [b for b in self.last.buttons if b.label.lower() == key] or \
                  [b for b in self.last.buttons if key and b.label.lower().startswith(key)]
        if not matches:
            return f"Press one of {labels}, e.g. :click {self.last.buttons[0].label}"
        button = matches[0]
        if button.url:
            return f"That button opens {button.url}"
        return self._run(lambda: self.click(button), show_home=self.last.view is not None
                         and self.last.view.get("type") == "home")


def _ack_payload(response: BoltResponse) -> dict[str, Any] | None:
    body = (response.body or "").strip()
    if response.status >= 400 or not body:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return {"text": body}
    if isinstance(data, dict) and (data.get("text") or data.get("blocks")):
        return data
    return None


__all__ = ["PROMPT", "SHELL_HELP", "Shell", "ShellOptions"]
