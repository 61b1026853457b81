"""``/ce list [n]``: the member's latest entries, each with an Edit/Delete menu, and how many there are."""

from __future__ import annotations

from slack_bolt import App

from cebot.domain.parsing import parse_list
from cebot.services import ledger
from cebot.slack.context import CommandContext
from cebot.slack.listeners.commands.router import register_subcommand
from cebot.slack.render import ledger as render


def handle_list(ctx: CommandContext) -> None:
    limit = parse_list(ctx.rest)
    entries = ledger.list_entries(session=ctx.session, member=ctx.member, limit=limit)
    total = ledger.count_entries(session=ctx.session, member=ctx.member) if len(entries) >= limit else len(entries)
    ctx.respond(**render.list_message(entries, total))


def register(app: App) -> None:
    register_subcommand("list", handle_list)
