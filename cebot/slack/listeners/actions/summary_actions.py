"""*Remind the people at risk* on the weekly summary: a manager's click queues the week's nudges (a durable job,
:mod:`cebot.jobs.team_nudges`); anyone else is refused, and a second click in the same week changes nothing.
The manager is told only after the commit.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from cebot.services.errors import ServiceError
from cebot.services.team_nudges import request_nudges
from cebot.slack.context import scope_from
from cebot.slack.mrkdwn import escape
from cebot.slack.render.summary import REMIND_AT_RISK

logger = logging.getLogger(__name__)

QUEUED = (":incoming_envelope: I'll DM each member who is at risk or overdue one nudge, with buttons to log a "
          "course or snooze. Nobody gets more than one such nudge a week.")
ALREADY = ":white_check_mark: The nudges were already asked for this week; nobody gets a second one."
SORRY = "Something went wrong on my side; no nudge was sent. Try again in a moment."


def handle_remind_at_risk(ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    ack()
    try:
        with scope_from(context, body) as scope:
            queued = request_nudges(session=scope.session, workspace=scope.workspace, acting=scope.member,
                                    today=scope.today)
            text = QUEUED if queued else ALREADY
            scope.after_commit(lambda: respond(text=text, response_type="ephemeral", replace_original=False))
    except ServiceError as exc:
        respond(text=escape(exc.message), response_type="ephemeral", replace_original=False)
    except Exception:
        logger.exception("remind the people at risk failed")
        respond(text=SORRY, response_type="ephemeral", replace_original=False)


def register(app: App) -> None:
    app.action(REMIND_AT_RISK)(handle_remind_at_risk)
