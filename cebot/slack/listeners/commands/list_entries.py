"""``/ce list [n] [page:N]``: a page of the member's entries (newest first), each with an Edit/Delete menu."""

from __future__ import annotations

from slack_bolt import App

from cebot.domain.parsing import parse_list_request
from cebot.services import ledger
from cebot.slack.context import CommandContext
from cebot.slack.listeners.commands.router import register_subcommand
from cebot.slack.render import ledger as render


def handle_list(ctx: CommandContext) -> None:
    req = parse_list_request(ctx.rest)
    entries = ledger.list_entries(session=ctx.session, member=ctx.member, limit=req.size, offset=req.offset)
    total = (ledger.count_entries(session=ctx.session, member=ctx.member)
             if len(entries) >= req.size or req.page > 1 else len(entries))
    ctx.respond(**render.list_message(entries, total, page=req.page, size=req.size))


def register(app: App) -> None:
    register_subcommand("list", handle_list)
