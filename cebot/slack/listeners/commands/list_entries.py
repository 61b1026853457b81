"""``/ce list [n] [page:N]``: a page of the member's entries (newest first), each with an Edit/Delete menu."""

from __future__ import annotations

from slack_bolt import App

from cebot.domain.parsing import parse_list_request
from cebot.slack.context import CommandContext
from cebot.slack.listeners.actions.paging import list_reply
from cebot.slack.listeners.commands.router import register_subcommand


def handle_list(ctx: CommandContext) -> None:
    ctx.respond(**list_reply(session=ctx.session, member=ctx.member, request=parse_list_request(ctx.rest)))


def register(app: App) -> None:
    register_subcommand("list", handle_list)
