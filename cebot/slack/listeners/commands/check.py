"""``/ce check <hours> <title> [options]``: what a course would count for, before paying for it. Saves nothing.

Same grammar and reading as ``/ce log``; the reply's *Log it* button logs exactly that course
(:mod:`cebot.slack.listeners.actions.check_actions`).
"""

from __future__ import annotations

from slack_bolt import App

from cebot.domain.parsing import format_log, parse_log
from cebot.services.plan import check_course
from cebot.slack.context import CommandContext
from cebot.slack.listeners.commands.router import register_subcommand
from cebot.slack.render.plan import check_message


def handle_check(ctx: CommandContext) -> None:
    request = parse_log(ctx.rest, today=ctx.today)
    before, after = check_course(session=ctx.session, member=ctx.member, request=request, today=ctx.today)
    ctx.respond(**check_message(request, format_log(request), before, after))


def register(app: App) -> None:
    register_subcommand("check", handle_check)
