"""``/ce milestone <step> [date:<date>]``: mark an AMMA pathway step done (again: changes its date)."""

from __future__ import annotations

from slack_bolt import App

from cebot.domain.parsing import MILESTONE_LABELS, parse_milestone
from cebot.domain.progress import format_date
from cebot.services.milestones import record_milestone
from cebot.slack.context import CommandContext
from cebot.slack.home import refresh_home_after_commit
from cebot.slack.listeners.commands.amma import pathway_reply
from cebot.slack.listeners.commands.router import register_subcommand
from cebot.slack.mrkdwn import escape


def handle_milestone(ctx: CommandContext) -> None:
    request = parse_milestone(ctx.rest, today=ctx.today)
    record_milestone(session=ctx.session, member=ctx.member, step=request.step, completed_on=request.completed_on)
    label = MILESTONE_LABELS.get(request.step, request.step)
    lead = f":white_check_mark: Marked *{escape(label)}* done on {format_date(request.completed_on)}."
    text, blocks = pathway_reply(ctx, lead=lead)
    ctx.respond(text, blocks=blocks)
    refresh_home_after_commit(ctx)


def register(app: App) -> None:
    register_subcommand("milestone", handle_milestone)
