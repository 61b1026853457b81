"""``app_home_opened``: publish the member's Home tab (progress, recent courses, buttons) when they open it."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from cebot.slack.context import scope_from
from cebot.slack.home import build_home_view, publish


def handle_app_home_opened(event: dict[str, Any], context: BoltContext) -> None:
    """Only the Home tab (not Messages); the view is built in the request's transaction, published after it."""
    if event.get("tab", "home") != "home" or not event.get("user"):
        return
    user_id = str(event["user"])
    with scope_from(context, user_id=user_id) as scope:
        view = build_home_view(session=scope.session, member=scope.member, today=scope.today)
        client = scope.client
        scope.after_commit(lambda: publish(client, user_id, view))


def register(app: App) -> None:
    app.event("app_home_opened")(handle_app_home_opened)
