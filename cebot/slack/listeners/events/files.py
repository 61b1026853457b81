"""A file shared in the app's DM: cebot downloads, keeps and reads it in a ``certificate.fetch`` job.

We listen to ``file_shared`` (scope ``files:read``, also needed to download the file): it names the person,
the channel and the file id. Only direct messages count (``D…`` channels), and files the bot itself shares
(exports, audit packets) are ignored (the job also skips a file its member did not share). After
``/ce attach <id>`` the file becomes that course's certificate; otherwise the job proposes the course it read
(Save / Edit). Slack's retries of the event find the event id claimed in the same transaction, and the job's
key (member, file, way in) makes a second delivery a no-op; the member is told "reading it" only once the job
is committed.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from cebot.jobs import certificate_jobs
from cebot.services import certificates
from cebot.slack.context import AlreadyDone, scope_from
from cebot.slack.render import certificates as render

logger = logging.getLogger(__name__)


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
    try:
        with scope_from(context, body, user_id=user_id) as scope:
            entry_id = certificates.take_pending_attach(session=scope.session, member=scope.member)
            queued = certificate_jobs.enqueue_fetch(session=scope.session, workspace=scope.workspace,
                                                    member=scope.member, file_id=file_id, entry_id=entry_id,
                                                    origin="attach" if entry_id else "dm")
            if queued:
                scope.after_commit(lambda: _say(client, channel, render.reading_now("")))
    except AlreadyDone:
        logger.info("file_shared event %s was handled already", body.get("event_id"))


def register(app: App) -> None:
    app.event("file_shared")(handle_file_shared)
