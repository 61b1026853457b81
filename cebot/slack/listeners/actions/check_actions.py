"""The *Log it* button of a ``/ce check`` reply: log exactly the course that was checked, at most once.

It works like *Log it anyway* (:mod:`cebot.slack.listeners.actions.ledger_actions`): the button carries the
canonical ``/ce log`` text, the click is claimed by its ``trigger_id`` (a replay logs nothing), and the
"Logged" reply replaces the what-if after the commit.
"""

from __future__ import annotations

from slack_bolt import App

from cebot.slack.listeners.actions.ledger_actions import handle_log_anyway
from cebot.slack.render.plan import LOG_IT


def register(app: App) -> None:
    app.action(LOG_IT)(handle_log_anyway)
