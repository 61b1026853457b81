"""``/ce undo``: reverse the member's latest change to their log and show how progress moved."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from cebot.domain.parsing import ParseError
from cebot.services import ledger
from cebot.services.progress import member_progress
from cebot.slack.context import CommandContext, MemberScope
from cebot.slack.home import refresh_home_after_commit
from cebot.slack.listeners.commands.router import register_subcommand
from cebot.slack.render import ledger as render


def undo_and_render(scope: MemberScope, *, entry_id: int | None = None, action: str | None = None) -> dict[str, Any]:
    """Undo the latest change (only if it is ``action`` on ``entry_id`` when given); the reply."""
    before = member_progress(session=scope.session, member=scope.member, today=scope.today)
    result = ledger.undo_last(session=scope.session, member=scope.member, entry_id=entry_id, action=action)
    after = member_progress(session=scope.session, member=scope.member, today=scope.today)
    return render.undone_message(result.action, result.entry, after, before)


def handle_undo(ctx: CommandContext) -> None:
    if ctx.rest.strip():
        raise ParseError("`/ce undo` takes nothing after it: it reverses your latest change. "
                         "To remove one entry, use `/ce delete <id>`.")
    ctx.respond(**undo_and_render(ctx))
    refresh_home_after_commit(ctx)


def register(app: App) -> None:
    register_subcommand("undo", handle_undo)
