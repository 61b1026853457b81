"""Every Slack listener, one small module each under ``commands/``, ``events/``, ``actions/`` and ``views/``.

Each module has a ``register(app)``; its package's ``FEATURES`` lists it, so adding a feature is one module and one
line there. Every listener does its work inside Slack's request and answers when it is done: the app runs with
``process_before_response``, so the HTTP answer (a slash command's reply, a form's ``response_action``)
goes out after the listener returns, once its transaction has committed. A listener's work is a few
queries; work that cannot finish inside the request is a durable job (:mod:`cebot.services.jobs`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from slack_bolt import App

from cebot.slack.listeners import actions, commands, events, views

PACKAGES = (commands, events, actions, views)
"""Registered in this order, each package's ``FEATURES`` in theirs: the ``/ce`` router first."""


def register_listeners(app: App, *, extra: Callable[[App], None] | None = None) -> None:
    """Register every feature on ``app`` (then ``extra(app)``, then the catch-all for events)."""
    for package in PACKAGES:
        for feature in package.FEATURES:
            feature.register(app)
    if extra is not None:
        extra(app)
    # Last, so it matches only what no feature handles: Slack retries (and eventually disables) event
    # subscriptions that are not answered with 2xx, so every other event is acknowledged and dropped.
    app.event(re.compile(r".*"))(_ignore_event)


def _ignore_event() -> None:
    """Events no feature listens to (Bolt acknowledges events itself)."""
