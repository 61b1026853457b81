"""Build the Bolt app: one Web API client aimed at ``SLACK_API_URL``, request context, retries, listeners."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest
from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from cebot.core.db import make_engine, session_scope
from cebot.core.logs import add_secrets, new_request_id, request_id_var, team_id_var
from cebot.core.settings import Settings, SettingsError
from cebot.slack import payload_shapes
from cebot.slack.client import make_web_client
from cebot.slack.context import ENGINE_KEY, SETTINGS_KEY
from cebot.slack.installations import oauth_settings
from cebot.slack.listeners import register_listeners

logger = logging.getLogger(__name__)

LISTENER_WEB_API_TIMEOUT_SECONDS = 2
"""Timeout of the Web API calls listeners make (Bolt copies the app's client per request): the request answers
Slack only after them, within Slack's 3 s, so a hanging Slack gets at most this much of it."""



def _context_middleware(engine: Engine, settings: Settings) -> Callable[..., Any]:
    def attach_engine(context: BoltContext, req: BoltRequest, next: Callable[[], None]) -> None:
        context[ENGINE_KEY] = engine
        context[SETTINGS_KEY] = settings
        if req.mode == "socket_mode":  # no WSGI layer to give it one
            request_id_var.set(new_request_id())
        if context.team_id:
            team_id_var.set(context.team_id)
        next()

    return attach_engine


NOT_INSTALLED_MESSAGE = (
    "cebot isn't installed in this workspace any more, so nothing was saved. Ask a Slack admin to add it again; "
    "your earlier entries are kept for a while and come back with it."
)


def _mark_single_workspace_installed(client: WebClient, engine: Engine) -> None:
    """Single-workspace mode: the bot token belongs to an installed workspace; clear an uninstall stamp."""
    from cebot.services import tenancy

    data = client.auth_test().data
    team_id = str(data.get("team_id") or "") if isinstance(data, dict) else ""
    if not team_id:
        return
    with session_scope(engine) as session:
        if tenancy.is_uninstalled(session=session, team_id=team_id):
            tenancy.mark_installed(session=session, team_id=team_id)
            logger.info("workspace %s is installed again", team_id)


def create_app(
    settings: Settings, *, engine: Engine | None = None, extra_listeners: Callable[[App], None] | None = None
) -> App:
    """The cebot Bolt app for ``settings``; ``engine`` defaults to one over ``settings.database_url``.

    ``extra_listeners(app)`` (tests, tools) registers more listeners after cebot's own and before the
    catch-all that acknowledges events nobody handles.

    Single-workspace mode checks the bot token with ``auth.test`` (at ``SLACK_API_URL``) at start, so a wrong
    token stops the server at start rather than at the first command, and marks that workspace installed
    (a reinstall after an uninstall needs a new token, hence a restart). OAuth mode
    (``SLACK_CLIENT_ID``/``SLACK_CLIENT_SECRET``) serves ``/slack/install`` and ``/slack/oauth_redirect``
    (see :mod:`cebot.slack.installations`) and finds each request's bot token in the installation store.

    Every listener does its work inside the request and answers when it has committed
    (``process_before_response``): over HTTP and in Socket Mode alike.
    """
    settings.require_slack()
    if not settings.socket_mode and not settings.slack_signing_secret:  # pragma: no cover - require_slack covers it
        raise SettingsError("SLACK_SIGNING_SECRET is required to serve HTTP.")
    add_secrets(settings.secrets())
    engine = engine or make_engine(settings.database_url)
    # Short and without connection retries: Bolt copies timeout and retry handlers into each request's client,
    # and a listener answers Slack only when its calls are done (Slack waits 3 s).
    client = make_web_client(settings, timeout=LISTENER_WEB_API_TIMEOUT_SECONDS, connection_retries=0)
    mode: dict[str, Any] = {}
    if settings.oauth_mode:
        mode = {
            "oauth_settings": oauth_settings(settings, engine, client),
            "installation_store_bot_only": True,
            "user_facing_authorize_error_message": NOT_INSTALLED_MESSAGE,
        }
    app = App(
        name="cebot",
        # Bolt sets the level of the logger named after the app ("cebot", the parent of every cebot.* logger) on
        # each request: from this base logger's (unset: inherit) rather than a copy of the root's at that moment.
        logger=logging.getLogger("cebot.bolt"),
        client=client,
        # Socket Mode requests are not signed; HTTP ones always are and are always checked.
        signing_secret=settings.slack_signing_secret or "",
        # The listener runs on the request's thread and the answer goes out when it returns: a slash command's
        # reply is its ack body, sent after the transaction committed.
        process_before_response=True,
        **mode,
    )
    if not settings.oauth_mode:
        _mark_single_workspace_installed(client, engine)
    payload_shapes.register(app)  # first: no other middleware or listener reads a payload of the wrong shape
    app.use(_context_middleware(engine, settings))

    register_listeners(app, extra=extra_listeners)
    return app
