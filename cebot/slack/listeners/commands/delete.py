"""``/ce delete <id>``: show the entry with a Delete button (and a confirm dialog); nothing goes until confirmed."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from cebot.domain.parsing import parse_entry_id
from cebot.services import ledger
from cebot.services.progress import member_progress
from cebot.slack.context import CommandContext, MemberScope
from cebot.slack.listeners.commands.router import register_subcommand
from cebot.slack.render import ledger as render


def delete_and_render(scope: MemberScope, entry_id: int) -> dict[str, Any]:
    """Delete the member's entry (the confirmed step); the reply with progress and an Undo button."""
    before = member_progress(session=scope.session, member=scope.member, today=scope.today)
    entry = ledger.delete_entry(session=scope.session, member=scope.member, entry_id=entry_id)
    after = member_progress(session=scope.session, member=scope.member, today=scope.today)
    return render.deleted_message(entry, after, before)


def handle_delete(ctx: CommandContext) -> None:
    entry_id = parse_entry_id(ctx.rest, sub="delete")
    entry = ledger.get_entry(session=ctx.session, member=ctx.member, entry_id=entry_id)
    ctx.respond(**render.delete_prompt(entry))


def register(app: App) -> None:
    register_subcommand("delete", handle_delete)
