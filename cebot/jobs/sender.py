"""Sending through the workspace's bot client, at most about one message per second per channel.

``slack_sdk``'s :class:`~slack_sdk.http_retry.builtin_handlers.RateLimitErrorRetryHandler`
waits for Slack's ``Retry-After`` on a 429 and tries again (a 429 that outlasts
its retries becomes an error the clock retries on a later tick). Connection
errors are retried by the client's default handler.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse
from sqlalchemy.engine import Engine

from cebot.core.db import make_engine
from cebot.core.settings import Settings
from cebot.domain.reminders import DueReminder
from cebot.domain.summary import WeeklySummary
from cebot.services.scheduled import Planned
from cebot.slack.dm import dm_channel
from cebot.slack.render.reminders import render_reminder
from cebot.slack.render.summary import render_summary

logger = logging.getLogger(__name__)

MIN_INTERVAL_PER_CHANNEL = 1.0
"""Seconds between two messages to one channel (Slack allows about one per second, with short bursts)."""


class Sender(Protocol):
    def send(self, team_id: str, channel: str, payload: dict[str, Any]) -> str | None:
        """Post ``payload`` to ``channel`` (a user id: their DM with the app); return the message ``ts``. Raises on
        failure."""
        ...


class WorkspaceNotInstalled(SlackApiError):
    """The workspace has no usable bot token (uninstalled, revoked, or its refresh was refused)."""

    def __init__(self, team_id: str) -> None:
        response = SlackResponse(client=None, http_verb="POST", api_url="", req_args={},
                                 data={"ok": False, "error": "token_revoked"}, headers={}, status_code=200)
        super().__init__(f"cebot is not installed in {team_id}", response)


class SlackSender:
    """Posts with one :class:`WebClient` per workspace (``SLACK_API_URL`` honoured) and a per-channel pace."""

    def __init__(self, settings: Settings, *, min_interval: float = MIN_INTERVAL_PER_CHANNEL,
                 rate_limit_retries: int = 2, timeout: int = 15,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 engine: Engine | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.min_interval = min_interval
        self.rate_limit_retries = rate_limit_retries
        self.timeout = timeout
        self._clock = clock
        self._sleep = sleep
        self._clients: dict[str, WebClient] = {}
        self._last: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def client(self, team_id: str) -> WebClient:
        """The workspace's bot client with a fresh token (refreshed first when it rotates), looked up per message;
        a workspace that uninstalled cebot raises :class:`WorkspaceNotInstalled` (the delivery fails for good)."""
        from cebot.slack.installations import bot_client_for

        client = bot_client_for(team_id, settings=self.settings, engine=self._engine(), timeout=self.timeout,
                                rate_limit_retries=self.rate_limit_retries)
        if client is None:
            raise WorkspaceNotInstalled(team_id)
        return client

    def _engine(self) -> Engine:
        with self._lock:
            if self.engine is None:
                self.engine = make_engine(self.settings.database_url)
            return self.engine

    def _pace(self, team_id: str, channel: str) -> None:
        key = (team_id, channel)
        with self._lock:
            last = self._last.get(key)
            wait = 0.0 if last is None else self.min_interval - (self._clock() - last)
        if wait > 0:
            self._sleep(wait)
        with self._lock:
            self._last[key] = self._clock()

    def send(self, team_id: str, channel: str, payload: dict[str, Any]) -> str | None:
        """Post to ``channel``; a user id is a DM, opened first with ``conversations.open`` (:mod:`cebot.slack.dm`)."""
        self._pace(team_id, channel)
        client = self.client(team_id)
        channel = dm_channel(client, channel, team_id=team_id)
        response = client.chat_postMessage(channel=channel, unfurl_links=False, unfurl_media=False, **payload)
        ts = response.get("ts")
        return str(ts) if ts else None


def render(p: Planned) -> dict[str, Any]:
    """A planned message's Slack payload (text and blocks), rendered at send time so planning knows no Slack."""
    if isinstance(p.message, WeeklySummary):
        return render_summary(p.message)
    if isinstance(p.message, DueReminder):
        return render_reminder(p.message, recipient=p.recipient)
    raise TypeError(f"nothing to render for {p.kind} {p.period}")

