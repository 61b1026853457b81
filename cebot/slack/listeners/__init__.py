"""Listeners, one small module per listener, registered per package (commands, events, actions, views).

Every module in a listener package that defines ``register(app)`` is registered
automatically (in name order), so a feature adds a module and touches nothing else.

Listeners that do real work register it behind an immediate ack with :func:`ack_then`, as a Bolt lazy
listener: under gunicorn it runs in a worker process (:mod:`cebot.slack.work_processes`), so the web process
stays free to acknowledge. A handler registered this way may still call ``ack()`` (it does nothing then).
View submissions that answer with ``response_action`` stay ordinary listeners: their answer is the ack.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App

PACKAGES = ("commands", "events", "actions", "views")


def ack_now(ack: Ack) -> None:
    """Acknowledge at once; the listener's work is its lazy function."""
    ack()


def ack_then(listener: Callable[..., Any], *work: Callable[..., None]) -> None:
    """Register ``work`` to run after an immediate ack: ``ack_then(app.command("/ce"), handle_ce)``."""
    listener(ack=ack_now, lazy=list(work))


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
