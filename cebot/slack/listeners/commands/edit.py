"""``/ce edit <id> key:value ...``: change an entry and show how progress moved; ``/ce edit <id>`` opens the form."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App

from cebot.domain.parsing import parse_edit
from cebot.services import ledger
from cebot.services.progress import member_progress
from cebot.slack.context import CommandContext, MemberScope
from cebot.slack.home import refresh_home_after_commit
from cebot.slack.listeners.commands.router import register_subcommand
from cebot.slack.listeners.views.log_modal import open_log_modal
from cebot.slack.mrkdwn import code
from cebot.slack.render import ledger as render

_ID_ONLY = re.compile(r"#?(\d{1,9})")


def edit_and_render(scope: MemberScope, entry_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Apply ``changes`` (``parse_edit`` keys) to the member's entry; the reply with progress before and after."""
    before = member_progress(session=scope.session, member=scope.member, today=scope.today)
    entry = ledger.edit_entry(session=scope.session, member=scope.member, entry_id=entry_id, changes=changes)
    after = member_progress(session=scope.session, member=scope.member, today=scope.today)
    return render.edited_message(entry, list(changes), after, before)


def handle_edit(ctx: CommandContext) -> None:
    only_id = _ID_ONLY.fullmatch(ctx.rest.strip())
    if only_id:
        entry = ledger.get_entry(session=ctx.session, member=ctx.member, entry_id=int(only_id.group(1)))
        if not open_log_modal(ctx.client, ctx.trigger_id, ctx, entry=entry, channel_id=ctx.channel_id):
            ctx.respond(f"I couldn't open the form. Change it in one line instead, like "
                        f"{code(f'/ce edit {entry.id} hours:2 date:3/14')}")
        return
    request = parse_edit(ctx.rest, today=ctx.today)
    ctx.respond(**edit_and_render(ctx, request.entry_id, request.changes))
    refresh_home_after_commit(ctx)


def register(app: App) -> None:
    register_subcommand("edit", handle_edit)
