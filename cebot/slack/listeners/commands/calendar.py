"""``/ce calendar [new|reset]``: a private calendar (ICS) feed of the member's deadlines, with alarms at their
reminder lead times.

Only a fingerprint (sha256) of the feed's token is kept, so a URL is shown once, when it is made: ``/ce calendar``
makes one when there is none, ``new`` replaces it (the old address stops working), ``reset`` turns it off.
"""

from __future__ import annotations

from slack_bolt import App

from cebot.core.settings import SettingsError
from cebot.domain.parsing import ParseError
from cebot.services import calendar
from cebot.services.errors import InvalidRequest
from cebot.slack.context import CommandContext
from cebot.slack.listeners.commands.router import register_subcommand
from cebot.slack.mrkdwn import code

ACTIONS = {"": "show", "new": "new", "renew": "new", "reset": "reset", "revoke": "reset", "off": "reset"}


def handle_calendar(ctx: CommandContext) -> None:
    action = ACTIONS.get(ctx.rest.strip().lower())
    if action is None:
        raise ParseError("Say /ce calendar, /ce calendar new or /ce calendar reset.\n"
                         "For example: `/ce calendar`")
    if action == "reset":
        had = calendar.revoke_token(session=ctx.session, member=ctx.member)
        ctx.respond(":calendar: Your calendar feed is off: its address no longer works." if had else
                    f":calendar: You had no calendar feed. Make one with {code('/ce calendar')}.")
        return
    if action == "show" and ctx.member.calendar_token_hash is not None:
        ctx.respond(f":calendar: You already have a calendar feed, and it keeps working. I keep only a fingerprint "
                    f"of its address, so I can't show it again: {code('/ce calendar new')} makes a new address "
                    f"(the old one stops working), {code('/ce calendar reset')} turns the feed off.")
        return
    try:
        ctx.settings.calendar_url("check")
    except SettingsError as exc:
        raise InvalidRequest(f"{exc} Ask whoever runs cebot to set it; nothing was changed.") from None
    token = calendar.issue_token(session=ctx.session, member=ctx.member)
    url = ctx.settings.calendar_url(token)
    ctx.respond(f":calendar: Your private calendar feed (subscribe to it in Google Calendar, Apple Calendar or "
                f"Outlook with *Add calendar from URL*):\n{url}\n"
                "It has each deadline as an all-day event, with alerts at your reminder lead times. Keep the "
                f"address to yourself; {code('/ce calendar reset')} turns it off.")


def register(app: App) -> None:
    register_subcommand("calendar", handle_calendar, aliases=("ics", "cal"))
