"""``/ce remind [on|off|snooze [days]|days:90,30,7]``: a therapist controls their reminder DMs and lead times."""

from __future__ import annotations

from slack_bolt import App

from cebot.domain.parsing import parse_remind
from cebot.services.reminder_preferences import ReminderSettings, set_lead_days, set_reminders
from cebot.slack.context import CommandContext
from cebot.slack.listeners.commands.router import register_subcommand
from cebot.slack.mrkdwn import code
from cebot.slack.render.reminders import fmt_date, lead_days_line

WINDOW = "weekday mornings (09:00–11:00 your time)"


def status_text(settings: ReminderSettings, today_snoozed: bool) -> str:
    if not settings.enabled:
        state = f":no_bell: Reminders are off. Turn them on with {code('/ce remind on')}."
    elif today_snoozed and settings.snoozed_until is not None:
        state = (f":zzz: Reminders are paused until {fmt_date(settings.snoozed_until)}. "
                 f"Back sooner: {code('/ce remind on')}.")
    else:
        state = f":bell: Reminders are on, on {WINDOW}."
    return state + "\n" + lead_days_line(settings)


def handle_remind(ctx: CommandContext) -> None:
    request = parse_remind(ctx.rest)
    if request.action == "days":
        settings = set_lead_days(session=ctx.session, member=ctx.member, days=request.lead_days)
        ctx.respond(f":calendar: Saved. {lead_days_line(settings)}")
        return
    if request.action == "show":
        settings = set_reminders(session=ctx.session, member=ctx.member, action="show", today=ctx.today)
        snoozed = settings.snoozed_until is not None and settings.snoozed_until > ctx.today
        ctx.respond(status_text(settings, snoozed))
        return
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
