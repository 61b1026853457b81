"""The buttons on a reminder DM: *Snooze a week*, *Snooze until...* (a date picker), *Show my plan*, *Log a course*.

They belong to the member the reminder was sent to (their user id is in the buttons' block id): anyone else's
click is refused and changes nothing. A snooze reuses the reminder preferences (``/ce remind snooze``) in one
transaction applied at most once, so a replayed click finds its ``trigger_id`` and changes nothing; the member
is told only after the commit.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from cebot.services.errors import InvalidRequest, ServiceError
from cebot.services.plan import member_plan
from cebot.services.reminder_preferences import SNOOZE_MAX_DAYS, set_reminders
from cebot.slack.context import scope_from
from cebot.slack.home import refresh_home_after_commit
from cebot.slack.listeners.views.log_modal import open_log_modal
from cebot.slack.mrkdwn import code, escape
from cebot.slack.render import reminders as render
from cebot.slack.render.plan import plan_message

logger = logging.getLogger(__name__)

SORRY = "Something went wrong on my side; nothing was changed. Try again in a moment."
NOT_YOURS = "These buttons belong to the reminder's recipient, so I changed nothing. Your own: " + code("/ce remind")


def _action(body: dict[str, Any]) -> dict[str, Any]:
    first = (body.get("actions") or [{}])[0]
    return first if isinstance(first, dict) else {}


def _clicker(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id") or "")


def _refused(body: dict[str, Any], respond: Respond) -> bool:
    """True (after saying so) when the click is not by the member the reminder was sent to."""
    owner = render.recipient_of(_action(body).get("block_id"))
    if owner is not None and owner == _clicker(body):
        return False
    respond(text=NOT_YOURS, response_type="ephemeral", replace_original=False)
    return True


def _snooze(context: BoltContext, body: dict[str, Any], respond: Respond, until: date | None) -> None:
    """Pause reminders for a week (``until`` None) or until a chosen date, once per click."""
    try:
        with scope_from(context, body) as scope:
            days = 7 if until is None else (until - scope.today).days
            if not 1 <= days <= SNOOZE_MAX_DAYS:
                raise InvalidRequest(f"Pick a date from tomorrow to {SNOOZE_MAX_DAYS} days ahead.")
            result = set_reminders(session=scope.session, member=scope.member, action="snooze", days=days,
                                   today=scope.today)
            back = result.snoozed_until
            text = (f":zzz: Snoozed: no reminders until {render.fmt_date(back)}" if back else ":zzz: Snoozed.") + (
                f". Want them back sooner? {code('/ce remind on')}")
            scope.after_commit(lambda: respond(text=text, response_type="ephemeral", replace_original=False))
            refresh_home_after_commit(scope)
    except ServiceError as exc:
        respond(text=escape(exc.message), response_type="ephemeral", replace_original=False)
    except Exception:
        logger.exception("reminder snooze failed")
        respond(text=SORRY, response_type="ephemeral", replace_original=False)


def handle_snooze_week(ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    ack()
    if not _refused(body, respond):
        _snooze(context, body, respond, None)


def handle_snooze_until(ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    ack()
    if _refused(body, respond):
        return
    raw = str(_action(body).get("selected_date") or "")
    try:
        until = date.fromisoformat(raw)
    except ValueError:
        respond(text="Pick a date in the date picker.", response_type="ephemeral", replace_original=False)
        return
    _snooze(context, body, respond, until)


def handle_show_plan(ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    """*Show my plan*: what ``/ce plan`` answers, as a new message under the reminder."""
    ack()
    if _refused(body, respond):
        return
    try:
        with scope_from(context) as scope:
            message = plan_message(member_plan(session=scope.session, member=scope.member, today=scope.today))
    except Exception:
        logger.exception("show plan failed")
        respond(text=SORRY, response_type="ephemeral", replace_original=False)
        return
    respond(response_type="ephemeral", replace_original=False, **message)


def handle_log_course(ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    ack()
    if _refused(body, respond):
        return
    with scope_from(context) as scope:
        open_log_modal(context.client, body.get("trigger_id"), scope)


def register(app: App) -> None:
    app.action(render.SNOOZE_WEEK)(handle_snooze_week)
    app.action(render.SNOOZE_UNTIL)(handle_snooze_until)
    app.action(render.SHOW_PLAN)(handle_show_plan)
    app.action(render.LOG_COURSE)(handle_log_course)
