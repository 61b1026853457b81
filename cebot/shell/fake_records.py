"""What the fake Slack (cebot/shell/fake_slack.py) records and knows: people, calls, response_url posts, refused
payloads, uploads and shared files; and the readable text of a message or view, for assertions."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from cebot.shell.slack_limits import Violation, describe

JSON_FIELDS = frozenset({"blocks", "attachments", "view", "files", "metadata", "unfurls"})
"""Form fields Slack takes as JSON strings; recorded decoded."""


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




def decode_args(query: str, content_type: str, body: bytes) -> dict[str, Any] | None:
    """A Web API call's arguments from its query and its form or JSON body, as Slack reads them (None: bad JSON)."""
    args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if body:
        if "json" in content_type:
            try:
                decoded = json.loads(body)
            except ValueError:
                return None
            if isinstance(decoded, dict):
                args.update(decoded)
        else:
            args.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    for key in JSON_FIELDS & args.keys():
        if isinstance(args[key], str):
            with contextlib.suppress(ValueError):
                args[key] = json.loads(args[key])
    return args
