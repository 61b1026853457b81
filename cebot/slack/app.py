"""Build the Bolt app: one Web API client aimed at ``SLACK_API_URL``, request context, retries, listeners."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from cebot.db import make_engine, session_scope
from cebot.logging_setup import add_secrets, new_request_id, request_id_var, team_id_var
from cebot.models import ProcessedEvent, utcnow
from cebot.settings import Settings, SettingsError
from cebot.slack import payload_shapes
from cebot.slack.context import APP_KEY, register_app_resources

logger = logging.getLogger(__name__)

WEB_API_TIMEOUT_SECONDS = 10
LISTENER_WEB_API_TIMEOUT_SECONDS = 3
"""Timeout of the Web API calls listeners make (Bolt copies the app's client per request): a hanging Slack must not
hold a listener thread past the 3 s in which later requests need their ack."""
LISTENER_THREADS = 16
"""Threads per process for lazy listeners when they run in this process (``LISTENER_PROCESSES=0``: tests, the
shell, Socket Mode without work processes) and for Bolt's own background work; acks never wait for them."""


def make_web_client(
    settings: Settings, *, token: str | None = None, timeout: int | None = None, rate_limit_retries: int | None = None,
    connection_retries: int = 2,
) -> WebClient:
    """The Web API client: ``SLACK_API_URL``, a bot token, and retries on rate limits and dropped connections.

    ``token`` defaults to ``SLACK_BOT_TOKEN`` in single-workspace mode and to none in OAuth mode (Bolt sets each
    request's from the installation store). Bolt copies ``base_url`` and the retry handlers into the client it makes
    for each request (``App._init_context``), so every call a listener makes goes to the same place.
    ``connection_retries=0`` drops the retry on a dropped connection or a timeout (listeners: never wait twice).
    """
    retries = 2 if rate_limit_retries is None else rate_limit_retries
    handlers: list[RetryHandler] = [RateLimitErrorRetryHandler(max_retry_count=retries)]
    if connection_retries:
        handlers.append(ConnectionErrorRetryHandler(max_retry_count=connection_retries))
    return WebClient(
        token=token or (None if settings.oauth_mode else settings.slack_bot_token),
        base_url=settings.slack_api_url,
        timeout=timeout or WEB_API_TIMEOUT_SECONDS,
        retry_handlers=handlers,
    )


class ContextThreadPoolExecutor(ThreadPoolExecutor):
    """Runs each task in a copy of the submitter's context, so listeners keep the request id (and team) that the
    WSGI layer put in :mod:`cebot.logging_setup`'s context variables."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        context = contextvars.copy_context()
        return super().submit(context.run, fn, *args, **kwargs)


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
    key = register_app_resources(engine, settings)

    def attach_engine(context: BoltContext, req: BoltRequest, next: Callable[[], None]) -> None:
        context[APP_KEY] = key
        if req.mode == "socket_mode":  # no WSGI layer to give it one
            request_id_var.set(new_request_id())
        if context.team_id:
            team_id_var.set(context.team_id)
        next()

    return attach_engine


def _dedupe_middleware(engine: Engine) -> Callable[..., Any]:
    def skip_seen_events(body: dict[str, Any], req: BoltRequest, next: Callable[[], None]) -> BoltResponse | None:
        """Slack re-sends an event it thinks failed (``X-Slack-Retry-Num``); act on each event id once."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        team_id = str(body.get("team_id") or "")
        if req.lazy_only:  # a worker process running the work of an event the web process recorded
            next()
            return None
        if isinstance(event_id, str) and event_id and not record_event(engine, event_id=event_id, team_id=team_id):
            retry = (req.headers.get("x-slack-retry-num") or ["?"])[0]
            logger.info("skipping event %s already handled (retry %s)", event_id, retry)
            return BoltResponse(status=200, body="")
        next()
        return None

    return skip_seen_events


NOT_INSTALLED_MESSAGE = (
    "cebot isn't installed in this workspace any more, so nothing was saved. Ask a Slack admin to add it again; "
    "your earlier entries are kept for a while and come back with it."
)


def _single_team_check(app: App) -> Any:
    """Bolt's authorization middleware of a single-workspace app (it keeps the ``auth.test`` answer), or None."""
    from slack_bolt.middleware.authorization import SingleTeamAuthorization

    checks = [m for m in getattr(app, "_middleware_list", []) if isinstance(m, SingleTeamAuthorization)]
    return checks[0] if checks else None


def auth_test_data(app: App) -> dict[str, Any] | None:
    """The ``auth.test`` answer a single-workspace app checked its token with at start (None in OAuth mode)."""
    check = _single_team_check(app)
    result = check.auth_test_result if check is not None else None
    return dict(result.data) if result is not None and isinstance(result.data, dict) else None


def _reuse_auth_test(app: App, data: dict[str, Any]) -> None:
    """A worker app takes the web process's ``auth.test`` answer, so it needs no call of its own (Slack may be
    down when it starts: the web process has acked, and the work must still run)."""
    from slack_sdk.web import SlackResponse

    check = _single_team_check(app)
    if check is not None:
        check.auth_test_result = SlackResponse(client=app.client, http_verb="POST", api_url="auth.test", req_args={},
                                               data=data, headers={}, status_code=200)


def _mark_single_workspace_installed(app: App, engine: Engine) -> None:
    """Single-workspace mode: the token just checked belongs to an installed workspace; clear an uninstall stamp."""
    from cebot.services import tenancy

    data = auth_test_data(app)
    team_id = str(data.get("team_id") or "") if data else ""
    if not team_id:
        return
    with session_scope(engine) as session:
        if tenancy.is_uninstalled(session=session, team_id=team_id):
            tenancy.mark_installed(session=session, team_id=team_id)
            logger.info("workspace %s is installed again", team_id)


def create_app(
    settings: Settings, *, engine: Engine | None = None, extra_listeners: Callable[[App], None] | None = None,
    worker: bool = False, auth_test: dict[str, Any] | None = None,
) -> App:
    """The cebot Bolt app for ``settings``; ``engine`` defaults to one over ``settings.database_url``.

    ``extra_listeners(app)`` (tests, tools) registers more listeners after cebot's own and before the
    catch-all that acknowledges events nobody handles.

    Single-workspace mode calls ``auth.test`` once (at ``SLACK_API_URL``) to check the bot token, so a wrong
    token stops the server at start rather than at the first command, and marks that workspace installed
    (a reinstall after an uninstall needs a new token, hence a restart). OAuth mode
    (``SLACK_CLIENT_ID``/``SLACK_CLIENT_SECRET``) serves ``/slack/install`` and ``/slack/oauth_redirect``
    (see :mod:`cebot.slack.installations`) and finds each request's bot token in the installation store.

    With ``LISTENER_PROCESSES`` above 0, lazy listeners run in worker processes
    (:mod:`cebot.slack.work_processes`); ``worker=True`` builds the app such a process runs them with: it trusts
    the web process that checked the request's signature and token (``auth_test``: its ``auth.test`` answer), and
    runs lazy listeners itself.
    """
    settings.require_slack()
    if not settings.socket_mode and not settings.slack_signing_secret:  # pragma: no cover - require_slack covers it
        raise SettingsError("SLACK_SIGNING_SECRET is required to serve HTTP.")
    add_secrets(settings.secrets())
    engine = engine or make_engine(settings.database_url)
    # Short and without connection retries: Bolt copies timeout and retry handlers into each request's client.
    client = make_web_client(settings, timeout=LISTENER_WEB_API_TIMEOUT_SECONDS, connection_retries=0)
    mode: dict[str, Any] = {"token_verification_enabled": not worker}
    if settings.oauth_mode:
        from cebot.slack.installations import oauth_settings

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
        request_verification_enabled=not worker,
        # A listener's ack function runs on the request's thread and the HTTP response goes out when it returns
        # (no polling for the ack); the work of /ce, buttons and events is lazy (after the response, in a worker
        # process under gunicorn: cebot.slack.work_processes). Modal submissions answer with their own work.
        process_before_response=True,
        listener_executor=ContextThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="cebot-listener"),
        **mode,
    )
    if worker and auth_test:
        _reuse_auth_test(app, auth_test)
    if not settings.oauth_mode and not worker:
        _mark_single_workspace_installed(app, engine)
    if settings.listener_processes > 0 and not worker:
        from cebot.slack.work_processes import ProcessLazyListenerRunner

        runner = app.listener_runner
        runner.lazy_listener_runner = ProcessLazyListenerRunner(
            settings=settings, processes=settings.listener_processes, fallback=runner.lazy_listener_runner,
            auth_test=auth_test_data(app))
    payload_shapes.register(app)  # first: no other middleware or listener reads a payload of the wrong shape
    app.use(_context_middleware(engine, settings))
    app.use(_dedupe_middleware(engine))

    from cebot.slack.listeners import register_listeners

    register_listeners(app, extra=extra_listeners)
    return app
