"""``/ce export csv|pdf [KEY]`` (a member's transcript) and ``/ce export team csv`` (managers), sent to the DM.

Files go to the member's direct message with the app: ``conversations.open`` for
the DM channel, then ``files_upload_v2`` (``files.getUploadURLExternal``, the
upload, ``files.completeUploadExternal``). :func:`upload_to_dm` is shared with
``/ce mydata export``.
"""

from __future__ import annotations

import logging
import re

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from cebot.domain.parsing import parse_export
from cebot.exports.csv_export import team_csv, transcript_csv
from cebot.exports.pdf import transcript_pdf
from cebot.services import exports
from cebot.services.errors import ServiceError
from cebot.slack.context import CommandContext
from cebot.slack.listeners.commands.export_audit import handle_export_audit
from cebot.slack.listeners.commands.router import register_subcommand
from cebot.slack.render import exports as render

logger = logging.getLogger(__name__)


class UploadFailed(ServiceError):
    """Slack did not take the file; nothing changed."""


def safe_filename(text: str) -> str:
    """Letters, digits, dots and dashes only (names and keys come from users)."""
    return re.sub(r"[^A-Za-z0-9.-]+", "-", text).strip("-")[:80] or "cebot"


def upload_to_dm(client: WebClient, user_id: str, *, content: bytes, filename: str, title: str,
                 comment: str) -> str | None:
    """Send a file to ``user_id``'s DM with the app; returns the file id. Raises :class:`UploadFailed`."""
    try:
        opened = client.conversations_open(users=user_id)
        channel = (opened.get("channel") or {}).get("id")
        if not channel:
            raise UploadFailed(render.upload_failed())
        response = client.files_upload_v2(channel=channel, content=content, filename=filename, title=title,
                                          initial_comment=comment)
    except (SlackApiError, SlackClientError, OSError) as exc:
        logger.warning("upload of %s to %s failed: %s", filename, user_id, exc)
        raise UploadFailed(render.upload_failed()) from exc
    file = response.get("file") or {}
    return str(file.get("id")) if file.get("id") else None


def handle_export(ctx: CommandContext) -> None:
    first, _, rest = ctx.rest.partition(" ")
    if first.lower() == "audit":
        handle_export_audit(ctx, rest)
        return
    request = parse_export(ctx.rest)
    stamp = ctx.today.isoformat()
    if request.scope == "team":
        rows = exports.team_export_rows(session=ctx.session, workspace=ctx.workspace, acting=ctx.member,
                                        today=ctx.today)
        upload_to_dm(ctx.client, ctx.user_id, content=team_csv(rows), filename=f"cebot-team-{stamp}.csv",
                     title=f"Team CE progress {stamp}", comment=f"The team's CE progress on {stamp}.")
        ctx.respond(render.export_sent("csv", courses=len(rows), team=True))
        return
    transcript = exports.member_transcript(session=ctx.session, member=ctx.member, today=ctx.today,
                                           key=request.key)
    who = safe_filename(ctx.member.display_name or ctx.member.slack_user_id)
    scope = safe_filename(request.key or "all")
    name = f"ce-transcript-{who}-{scope}-{stamp}.{request.fmt}"
    content = transcript_pdf(transcript) if request.fmt == "pdf" else transcript_csv(transcript)
    upload_to_dm(ctx.client, ctx.user_id, content=content, filename=name,
                 title=f"CE transcript: {transcript.title}", comment=render.transcript_comment(transcript,
                                                                                               request.fmt))
    ctx.respond(render.export_sent(request.fmt, courses=len(transcript.rows)))


def register(app: App) -> None:
    register_subcommand("export", handle_export, summary="your transcript as a PDF or CSV, in your DM")
