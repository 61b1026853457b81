"""``/ce progress``: every credential the member tracks, with a bar, what's missing, the deadline and status."""

from __future__ import annotations

from slack_bolt import App

from cebot.services.credentials import acknowledge_rule_changes
from cebot.services.progress import member_progress
from cebot.slack.context import CommandContext
from cebot.slack.listeners.commands.router import register_subcommand
from cebot.slack.render.progress import progress_blocks, progress_text


def handle_progress(ctx: CommandContext) -> None:
    progress = member_progress(session=ctx.session, member=ctx.member, today=ctx.today)
    acknowledge_rule_changes(session=ctx.session, member=ctx.member, progress=progress)  # told once, in this reply
    ctx.respond(progress_text(progress), blocks=progress_blocks(progress, today=ctx.today))


def register(app: App) -> None:
    register_subcommand("progress", handle_progress)
