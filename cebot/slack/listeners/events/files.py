"""A file shared in the app's DM after ``/ce attach <id>`` becomes that course's certificate.

We listen to ``file_shared`` (scope ``files:read``, already needed to read the
file): it names the person, the channel and the file id, and ``files.info``
gives the permalink we keep. Only direct messages count (``D…`` channels), and
files the bot itself shares (exports) are ignored. Slack's retries of the event
find the event id claimed in the same transaction, so a file is attached once.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from cebot.services import certificates
from cebot.services.progress import member_progress
from cebot.slack.context import AlreadyDone, scope_from
from cebot.slack.home import refresh_home_after_commit
from cebot.slack.render import exports as render

logger = logging.getLogger(__name__)


def file_permalink(client: WebClient, file_id: str) -> tuple[str | None, str | None]:
    """``(permalink, owner user id)`` of a file from ``files.info`` (Nones when Slack cannot tell us)."""
    try:
        info = client.files_info(file=file_id)
    except (SlackApiError, SlackClientError, OSError) as exc:
        logger.warning("files.info for %s failed: %s", file_id, exc)
        return None, None
    file: dict[str, Any] = info.get("file") or {}
    return file.get("permalink"), file.get("user")


def _say(client: WebClient, channel: str, text: str) -> None:
    try:
        client.chat_postMessage(channel=channel, text=text)
    except (SlackApiError, SlackClientError, OSError) as exc:
        logger.warning("could not answer in %s: %s", channel, exc)


def handle_file_shared(body: dict[str, Any], event: dict[str, Any], context: BoltContext, client: WebClient
                       ) -> None:
    user_id = str(event.get("user_id") or "")
    channel = str(event.get("channel_id") or "")
    file_id = str(event.get("file_id") or (event.get("file") or {}).get("id") or "")
    if not user_id or not file_id or not channel.startswith("D"):
        return
    if user_id in (context.bot_user_id, context.get("bot_user_id")):
        return
    permalink, owner = file_permalink(client, file_id)
    if owner and owner == context.bot_user_id:
        return
    try:
        _attach(body, context, client, user_id=user_id, channel=channel, file_id=file_id, permalink=permalink)
    except AlreadyDone:
        logger.info("file_shared event %s was handled already", body.get("event_id"))


def _attach(body: dict[str, Any], context: BoltContext, client: WebClient, *, user_id: str, channel: str,
            file_id: str, permalink: str | None) -> None:
    with scope_from(context, body, user_id=user_id) as scope:
        attached = certificates.complete_pending_attach(session=scope.session, member=scope.member,
                                                        file_id=file_id, permalink=permalink)
        if attached is None:
            scope.after_commit(lambda: _say(client, channel, render.no_attach_waiting()))
            return
        entry = attached.entry
        missing = _counted_without_certificate(scope)
        text = render.attached(entry.id or 0, entry.title, replaced=attached.replaced, missing=missing)
        scope.after_commit(lambda: _say(client, channel, text))
        refresh_home_after_commit(scope)


def _counted_without_certificate(scope: Any) -> int:
    """Counted courses (toward any tracked credential) still without a certificate."""
    ids = sorted({i for p in member_progress(session=scope.session, member=scope.member, today=scope.today)
                  for i in p.counted_entry_ids})
    return len(certificates.entries_without_certificate(session=scope.session, member=scope.member, entry_ids=ids))


def register(app: App) -> None:
    app.event("file_shared")(handle_file_shared)
