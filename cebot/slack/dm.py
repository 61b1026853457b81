"""One way to message a person directly: open the DM with ``conversations.open``, then post to the channel it gives.

Slack answers ``channel_not_found`` to ``chat.postMessage`` with a user id as the channel when the bot has no open
DM with that person, so every DM the app sends (reminders, weekly summaries to managers, the logging form's
confirmation, exports) goes through :func:`open_dm` first.

A person's DM with the app keeps its channel id, so the id is remembered per (workspace, user) in a small map of
at most :data:`DM_CACHE_SIZE` entries, the least recently used dropped first: a clock sending reminders to a
thousand members calls ``conversations.open`` (rate tier 3, about 50 a minute) once per member and process, not
once per reminder. Nothing is stored in the database.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

DM_CACHE_SIZE = 10_000
"""Remembered DM channels per process (one per member who was sent something; a few hundred bytes each)."""

_lock = threading.Lock()
_channels: OrderedDict[tuple[str, str], str] = OrderedDict()


def is_user_id(channel: str) -> bool:
    """Whether ``channel`` is a person (``U…``/``W…``) rather than a conversation (``C…``, ``G…``, ``D…``)."""
    return channel[:1] in ("U", "W")


def open_dm(client: WebClient, user_id: str, *, team_id: str) -> str:
    """The id of ``user_id``'s DM channel with the app (``conversations.open`` the first time).

    Raises :class:`~slack_sdk.errors.SlackApiError` as Slack answered (``user_not_found``, ``cannot_dm_bot``...).
    """
    key = (team_id, user_id)
    with _lock:
        channel = _channels.get(key)
        if channel is not None:
            _channels.move_to_end(key)
            return channel
    response = client.conversations_open(users=user_id)
    channel = str((response.get("channel") or {}).get("id") or "")
    if not channel:
        raise SlackApiError(f"conversations.open gave no channel for {user_id}", response)
    with _lock:
        _channels[key] = channel
        while len(_channels) > DM_CACHE_SIZE:
            _channels.popitem(last=False)
    return channel


def dm_channel(client: WebClient, channel: str, *, team_id: str) -> str:
    """``channel`` itself, or the DM with the person when it is a user id (see :func:`open_dm`)."""
    return open_dm(client, channel, team_id=team_id) if is_user_id(channel) else channel


def post_dm(client: WebClient, user_id: str, *, team_id: str, **message: Any) -> Any:
    """``chat.postMessage`` ``message`` to ``user_id``'s DM with the app; raises like :func:`open_dm`."""
    return client.chat_postMessage(channel=open_dm(client, user_id, team_id=team_id), **message)


def forget_dms() -> None:
    """Forget every remembered DM channel (tests that count ``conversations.open`` calls)."""
    with _lock:
        _channels.clear()


__all__ = ["DM_CACHE_SIZE", "dm_channel", "forget_dms", "is_user_id", "open_dm", "post_dm"]
