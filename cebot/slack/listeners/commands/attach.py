"""``/ce attach <id>``: the next file the member shares in the app's DM becomes that course's certificate."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk.errors import SlackApiError, SlackClientError

from cebot.domain.parsing import parse_attach
from cebot.services import certificates
from cebot.slack.context import CommandContext
from cebot.slack.dm import post_dm
from cebot.slack.listeners.commands.router import register_subcommand
from cebot.slack.render import exports as render

logger = logging.getLogger(__name__)


def handle_attach(ctx: CommandContext) -> None:
    entry_id = parse_attach(ctx.rest)
    entry = certificates.request_attach(session=ctx.session, member=ctx.member, entry_id=entry_id)
    title = entry.title
    minutes = int(certificates.ATTACH_WINDOW.total_seconds() // 60)
    ctx.respond(render.attach_waiting(entry_id, title, minutes))
    client, user_id, team_id = ctx.client, ctx.user_id, ctx.team_id

    def prompt_in_dm() -> None:
        try:
            post_dm(client, user_id, team_id=team_id, text=render.attach_prompt_dm(entry_id, title))
        except (SlackApiError, SlackClientError, OSError) as exc:
            logger.warning("could not open the DM for /ce attach: %s", exc)

    ctx.after_commit(prompt_in_dm)


def register(app: App) -> None:
    register_subcommand("attach", handle_attach)
