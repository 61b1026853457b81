"""``/ce plan``: the fewest hours, by kind of course, that finish every tracked credential before its deadline."""

from __future__ import annotations

from slack_bolt import App

from cebot.services.plan import member_plan
from cebot.slack.context import CommandContext
from cebot.slack.listeners.commands.router import register_subcommand
from cebot.slack.render.plan import plan_message


def handle_plan(ctx: CommandContext) -> None:
    ctx.respond(**plan_message(member_plan(session=ctx.session, member=ctx.member, today=ctx.today)))


def register(app: App) -> None:
    register_subcommand("plan", handle_plan)
