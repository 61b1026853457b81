"""``/ce admin summary #channel [day:mon] [time:09:00]`` and ``/ce admin summary off`` (managers).

:func:`handle_admin_summary` takes an already parsed ``AdminRequest`` so the
``/ce admin`` dispatcher (which also owns ``managers add|remove``) can call it.
Until such a dispatcher is registered, :func:`register` installs a small
``admin`` handler that serves the summary actions and points elsewhere for the rest.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from cebot.domain import reminders as r
from cebot.domain.parsing import parse_admin
from cebot.domain.weekdays import WEEKDAY_NAMES
from cebot.services.reminder_preferences import set_summary
from cebot.slack.context import CommandContext
from cebot.slack.listeners.commands import router
from cebot.slack.mrkdwn import channel_mention, code, escape


def handle_admin_summary(ctx: CommandContext, request: Any) -> None:
    """Serve an ``AdminRequest`` whose action is ``summary_on`` or ``summary_off``."""
    if request.action == "summary_off":
        set_summary(session=ctx.session, workspace=ctx.workspace, acting=ctx.member, channel_id=None)
        ctx.respond(":white_check_mark: The weekly summary is off. Turn it on again with "
                    + code("/ce admin summary #channel") + ".")
        return
    weekday = request.weekday if request.weekday is not None else 0
    at = request.at or r.DEFAULT_SUMMARY_TIME
    schedule = set_summary(session=ctx.session, workspace=ctx.workspace, acting=ctx.member,
                           channel_id=request.channel_id, weekday=weekday, at=at)
    assert schedule is not None  # set_summary returns it when a channel is given
    tz = schedule.tz or ctx.workspace.timezone
    ctx.respond(
        f":calendar: Every {WEEKDAY_NAMES[weekday]} at {at:%H:%M} ({escape(tz)}) I'll post the team's CE summary in "
        f"{channel_mention(schedule.channel)}: hours logged, who is behind, due soon or overdue and what they miss, "
        f"deadlines in the next 60 days, and who completed a cycle.\n"
        f"Make sure I'm in that channel ({code('/invite @cebot')}). See today's numbers any time with "
        f"{code('/ce team')}; stop it with {code('/ce admin summary off')}."
    )


def _fallback_admin(ctx: CommandContext) -> None:
    request = parse_admin(ctx.rest)
    if request.action in ("summary_on", "summary_off"):
        handle_admin_summary(ctx, request)
        return
    ctx.respond("Managing managers isn't available in this version yet. The weekly summary is: "
                + code("/ce admin summary #channel day:mon time:09:00") + ".")


def register(app: App) -> None:
    # Only when nobody registered ``admin`` yet: the full admin dispatcher replaces this and calls
    # handle_admin_summary for the summary actions.
    if "admin" not in router.SUBCOMMANDS:
        router.register_subcommand("admin", _fallback_admin)
