"""Build the Bolt app: one Web API client aimed at ``SLACK_API_URL``, request context, retries, listeners."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from cebot.db import make_engine, session_scope
from cebot.models import ProcessedEvent, utcnow
from cebot.settings import Settings, SettingsError
from cebot.slack.context import ENGINE_KEY, SETTINGS_KEY

logger = logging.getLogger(__name__)

WEB_API_TIMEOUT_SECONDS = 10
LISTENER_THREADS = 16
"""Threads per process that run listeners after the ack (Bolt's default is 5, which queues acks under load)."""


def make_web_client(settings: Settings) -> WebClient:
    """The Web API client: ``SLACK_API_URL``, the bot token, and retries on rate limits and dropped connections.

    Bolt copies ``base_url`` and the retry handlers into the client it makes for each request
    (``App._init_context``), so every call a listener makes goes to the same place.
    """
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=WEB_API_TIMEOUT_SECONDS,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2), ConnectionErrorRetryHandler(max_retry_count=2)],
    )


def record_event(engine: Engine, *, event_id: str, team_id: str) -> bool:
    """Remember an Events API ``event_id``; False if it was already seen (a retry to skip)."""
    values = {"event_id": event_id[:64], "team_id": (team_id or "")[:32], "created_at": utcnow()}
    table: Any = ProcessedEvent.__table__  # type: ignore[attr-defined]  # SQLModel sets it at class creation
    insert: Any = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    with session_scope(engine) as session:
        stmt = insert(table).values(**values).on_conflict_do_nothing(index_elements=["event_id"])
        # RETURNING, not rowcount: psycopg reports -1 for ON CONFLICT inserts.
        return session.execute(stmt.returning(table.c.event_id)).first() is not None


def _context_middleware(engine: Engine, settings: Settings) -> Callable[..., Any]:
    def attach_engine(context: BoltContext, next: Callable[[], None]) -> None:
        context[ENGINE_KEY] = engine
        context[SETTINGS_KEY] = settings
        next()

    return attach_engine


def _dedupe_middleware(engine: Engine) -> Callable[..., Any]:
    def skip_seen_events(body: dict[str, Any], req: BoltRequest, next: Callable[[], None]) -> BoltResponse | None:
        """Slack re-sends an event it thinks failed (``X-Slack-Retry-Num``); act on each event id once."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        team_id = str(body.get("team_id") or "")
        if isinstance(event_id, str) and event_id and not record_event(engine, event_id=event_id, team_id=team_id):
            retry = (req.headers.get("x-slack-retry-num") or ["?"])[0]
            logger.info("skipping event %s already handled (retry %s)", event_id, retry)
            return BoltResponse(status=200, body="")
        next()
        return None

    return skip_seen_events


def create_app(
    settings: Settings, *, engine: Engine | None = None, extra_listeners: Callable[[App], None] | None = None
) -> App:
    """The cebot Bolt app for ``settings``; ``engine`` defaults to one over ``settings.database_url``.

    ``extra_listeners(app)`` (tests, tools) registers more listeners after cebot's own and before the
    catch-all that acknowledges events nobody handles.

    Calls ``auth.test`` once (at ``SLACK_API_URL``) to check the bot token, so a wrong token stops the
    server at start rather than at the first command.
    """
    settings.require_slack()
    if not settings.socket_mode and not settings.slack_signing_secret:  # pragma: no cover - require_slack covers it
        raise SettingsError("SLACK_SIGNING_SECRET is required to serve HTTP.")
    engine = engine or make_engine(settings.database_url)
    app = App(
        name="cebot",
        client=make_web_client(settings),
        # Socket Mode requests are not signed; HTTP ones always are and are always checked.
        signing_secret=settings.slack_signing_secret or "",
        request_verification_enabled=True,
        token_verification_enabled=True,
        # Listeners ack first and finish after the HTTP response (gunicorn workers are long-lived).
        process_before_response=False,
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="cebot-listener"),
    )
    app.use(_context_middleware(engine, settings))
    app.use(_dedupe_middleware(engine))

    from cebot.slack.listeners import register_listeners

    register_listeners(app, extra=extra_listeners)
    return app
