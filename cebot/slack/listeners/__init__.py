"""Listeners, one small module per listener, registered per package (commands, events, actions, views).

Every module in a listener package that defines ``register(app)`` is registered
automatically (in name order), so a feature adds a module and touches nothing else.

Every listener does its work inside Slack's request and answers when it is done: the app runs with
``process_before_response``, so the HTTP answer (a slash command's reply, a form's ``response_action``)
goes out after the listener returns, once its transaction has committed. A listener's work is a few
queries; work that cannot finish inside the request is a durable job (:mod:`cebot.services.jobs`).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable

from slack_bolt import App

PACKAGES = ("commands", "events", "actions", "views")


def register_package(app: App, package_name: str) -> list[str]:
    """Call ``register(app)`` of every module in ``package_name``; returns the module names registered."""
    package = importlib.import_module(package_name)
    done = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package_name}.{info.name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(app)
            done.append(module.__name__)
    return done


def register_listeners(app: App, *, extra: Callable[[App], None] | None = None) -> None:
    """Register every listener package on ``app`` (then ``extra(app)``, then the catch-all for events)."""
    from cebot.slack.listeners import actions, commands, events, views

    commands.register(app)
    events.register(app)
    actions.register(app)
    views.register(app)
    if extra is not None:
        extra(app)
    # Last, so it matches only what no feature handles: Slack retries (and eventually disables) event
    # subscriptions that are not answered with 2xx, so every other event is acknowledged and dropped.
    app.event(re.compile(r".*"))(_ignore_event)


def _ignore_event() -> None:
    """Events no feature listens to (Bolt acknowledges events itself)."""
