"""Views listeners: each module here with a ``register(app)`` is registered by ``register``."""

from __future__ import annotations

from slack_bolt import App

from cebot.slack.listeners import register_package


def register(app: App) -> None:
    register_package(app, __name__)
