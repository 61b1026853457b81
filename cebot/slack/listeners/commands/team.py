"""``/ce team [page:N]`` (managers): everyone's progress at a glance, overdue, due-soon and behind-pace people first."""

from __future__ import annotations

from slack_bolt import App

from cebot.domain.parsing import parse_page
from cebot.slack.context import CommandContext
from cebot.slack.listeners.actions.paging import team_reply
from cebot.slack.listeners.commands.router import register_subcommand


def handle_team(ctx: CommandContext) -> None:
    page = parse_page(ctx.rest, "team")
    ctx.respond(**team_reply(session=ctx.session, workspace=ctx.workspace, member=ctx.member, today=ctx.today,
                             page=page))


def register(app: App) -> None:
    register_subcommand("team", handle_team)
