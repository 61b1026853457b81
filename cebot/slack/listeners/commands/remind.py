"""``/ce remind on|off|snooze [days]``: a therapist controls their reminder DMs."""

from __future__ import annotations

from slack_bolt import App

from cebot.domain.parsing import parse_remind
from cebot.services.reminder_preferences import set_reminders
from cebot.slack.context import CommandContext
from cebot.slack.listeners.commands.router import register_subcommand
from cebot.slack.mrkdwn import code
from cebot.slack.render.reminders import fmt_date

WINDOW = "weekday mornings (09:00–11:00 your time)"


def handle_remind(ctx: CommandContext) -> None:
    request = parse_remind(ctx.rest)
    result = set_reminders(session=ctx.session, member=ctx.member, action=request.action, days=request.days,
                           today=ctx.today)
    if request.action == "off":
        ctx.respond(f":no_bell: Reminders are off: I won't DM you about deadlines. Your progress is still in "
                    f"{code('/ce progress')}. Turn them back on any time with {code('/ce remind on')}.")
    elif request.action == "snooze" and result.snoozed_until is not None:
        days = request.days or 0
        ctx.respond(f":zzz: Reminders paused for {days} day{'s' if days != 1 else ''}; they start again on "
                    f"{result.snoozed_until:%a} {fmt_date(result.snoozed_until)}. "
                    f"Want them back sooner? {code('/ce remind on')}.")
    else:
        ctx.respond(f":bell: Reminders are on. I'll DM you on {WINDOW} when a deadline is near and hours are "
                    f"short. Need a break? {code('/ce remind snooze 7')}.")


def register(app: App) -> None:
    register_subcommand("remind", handle_remind)
