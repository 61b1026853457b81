"""Multi-workspace (OAuth) installs: slack_sdk's SQLAlchemy stores on cebot's tables, and bot tokens for jobs.

In OAuth mode (``SLACK_CLIENT_ID`` and ``SLACK_CLIENT_SECRET`` set) each workspace
installs cebot at ``GET /slack/install``; Slack sends the installer back to
``GET /slack/oauth_redirect``, where Bolt's OAuth flow exchanges the code
(``oauth.v2.access``) and saves the installation with :class:`CebotInstallationStore`.
Requests then get their workspace's bot token from the store (Bolt's
``InstallationStoreAuthorize``, bot-only), refreshed first when token rotation is on
and it expires within ``SLACK_TOKEN_ROTATION_MINUTES``. Jobs get theirs from
:func:`bot_client_for`, which refreshes the same way.

In single-workspace mode (``SLACK_BOT_TOKEN``) nothing here is used for requests,
and :func:`bot_client_for` hands out that token for any workspace that is not
marked uninstalled.
"""

from __future__ import annotations

import html
import logging
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from slack_bolt import BoltResponse
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackTokenRotationError
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from cebot.core.db import session_scope
from cebot.core.settings import Settings
from cebot.models import SLACK_BOTS_TABLE, SLACK_INSTALLATIONS_TABLE, SLACK_OAUTH_STATES_TABLE
from cebot.services import tenancy

logger = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_EXPIRATION_SECONDS = 600


def _whole_seconds(moment: float | None) -> float | None:
    """slack_sdk finds the row to update by ``installed_at``; whole seconds survive every database round trip."""
    return None if moment is None else float(int(moment))


class CebotInstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's SQLAlchemy installation store over the ``slack_bots``/``slack_installations`` tables that
    cebot's metadata (and so Alembic) defines; saving an installation (re)activates the workspace."""

    def __init__(self, client_id: str, engine: Engine, logger: logging.Logger = logger) -> None:
        super().__init__(client_id=client_id, engine=engine, logger=logger)
        # Use cebot's tables (created by migrations) instead of the private MetaData slack_sdk builds.
        self.metadata = SQLModel.metadata
        self.bots = SLACK_BOTS_TABLE
        self.installations = SLACK_INSTALLATIONS_TABLE

    def create_tables(self) -> None:
        """Alembic creates these tables (``cebot migrate``)."""
        raise NotImplementedError("cebot's migrations create the installation tables")

    def save(self, installation: Installation) -> None:
        installation.installed_at = _whole_seconds(installation.installed_at) or installation.installed_at
        super().save(installation)
        if installation.team_id:
            with session_scope(self.engine) as session:
                tenancy.mark_installed(session=session, team_id=installation.team_id, name=installation.team_name)
            logger.info("installed in workspace %s", installation.team_id)

    def save_bot(self, bot: Bot) -> None:
        bot.installed_at = _whole_seconds(bot.installed_at) or bot.installed_at
        super().save_bot(bot)

    def forget_team(self, team_id: str, *, user_ids: list[str] | None = None) -> None:
        """Delete the stored tokens of a workspace (all of them, or only these users' user tokens)."""
        if user_ids is not None:
            for user_id in user_ids:
                self.delete_installation(enterprise_id=None, team_id=team_id, user_id=user_id)
            return
        self.delete_bot(enterprise_id=None, team_id=team_id)
        self.delete_installation(enterprise_id=None, team_id=team_id)


class CebotOAuthStateStore(SQLAlchemyOAuthStateStore):
    """slack_sdk's SQLAlchemy OAuth state store over cebot's ``slack_oauth_states`` table; lapsed states are
    deleted whenever a new one is issued."""

    def __init__(self, expiration_seconds: int, engine: Engine, logger: logging.Logger = logger) -> None:
        super().__init__(expiration_seconds=expiration_seconds, engine=engine, logger=logger)
        self.metadata = SQLModel.metadata
        self.oauth_states = SLACK_OAUTH_STATES_TABLE

    def create_tables(self) -> None:
        """Alembic creates this table (``cebot migrate``)."""
        raise NotImplementedError("cebot's migrations create the OAuth state table")

    def issue(self, *args: Any, **kwargs: Any) -> str:
        state = super().issue(*args, **kwargs)
        now = datetime.now(UTC).replace(tzinfo=None)  # the column is naive UTC (slack_sdk's definition)
        with self.engine.begin() as conn:
            conn.execute(self.oauth_states.delete().where(self.oauth_states.c.expire_at < now))
        return state


def installation_store(settings: Settings, engine: Engine) -> CebotInstallationStore:
    if not settings.slack_client_id:
        raise ValueError("installation_store needs SLACK_CLIENT_ID (OAuth mode)")
    return CebotInstallationStore(client_id=settings.slack_client_id, engine=engine)


# -- pages ----------------------------------------------------------------------------------------

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5}}</style>
</head><body><h1>{title}</h1>{body}</body></html>
"""


def page(title: str, body_html: str, status: int = 200) -> BoltResponse:
    """A small plain HTML page (``body_html`` must be escaped already)."""
    return BoltResponse(
        status=status,
        body=_PAGE.format(title=html.escape(title), body=body_html),
        headers={"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store",
                 "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; "
                 "style-src 'unsafe-inline'", "Referrer-Policy": "no-referrer"},
    )


def success_page(args: SuccessArgs) -> BoltResponse:
    """After a successful install: where to go next."""
    team = args.installation.team_name or "your workspace"
    return page(
        "cebot is installed",
        f"<p>cebot is now part of <strong>{html.escape(team)}</strong>.</p>"
        "<p>Open Slack and type <code>/ce help</code> to log your first course, or open cebot's Home tab.</p>",
    )


def failure_page(args: FailureArgs) -> BoltResponse:
    """When an install did not finish: why, in plain words, and how to try again."""
    reason = str(args.reason or "unknown")
    logger.warning("installation failed: %s", reason)
    if reason in ("invalid_state", "missing_state", "invalid_browser"):
        why = "The install link expired or was opened in another browser."
    elif reason == "access_denied":
        why = "The installation was cancelled in Slack."
    else:
        why = "Slack did not finish the installation."
    return page(
        "cebot was not installed",
        f"<p>{html.escape(why)} Nothing was changed.</p>"
        f'<p><a href="{INSTALL_PATH}">Start the installation again</a>.</p>',
        status=args.suggested_status_code if 400 <= args.suggested_status_code < 600 else 400,
    )


def oauth_settings(settings: Settings, engine: Engine, client: WebClient) -> OAuthSettings:
    """Bolt's OAuth settings for cebot: our stores, bot tokens only, token rotation through ``client``.

    Bolt's own ``InstallationStoreAuthorize`` is rebuilt with ``client`` so that token refreshes
    (``oauth.v2.access`` with ``grant_type=refresh_token``) go to ``SLACK_API_URL`` like every other call.
    """
    store = installation_store(settings, engine)
    oauth = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=settings.bot_scopes,
        user_scopes=[],
        redirect_uri=settings.slack_redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        callback_options=CallbackOptions(success=success_page, failure=failure_page),
        installation_store=store,
        installation_store_bot_only=True,
        token_rotation_expiration_minutes=settings.slack_token_rotation_minutes,
        state_store=CebotOAuthStateStore(expiration_seconds=STATE_EXPIRATION_SECONDS, engine=engine),
        state_expiration_seconds=STATE_EXPIRATION_SECONDS,
        logger=logger,
    )
    oauth.authorize = InstallationStoreAuthorize(
        logger=logger,
        installation_store=store,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        token_rotation_expiration_minutes=settings.slack_token_rotation_minutes,
        bot_only=True,
        # Remember auth.test answers per token (a rotated token is a new key), so a request costs no extra
        # Web API call before its ack.
        cache_enabled=True,
        client=client,
    )
    return oauth


# -- tokens for jobs -------------------------------------------------------------------------------


def bot_client_for(
    team_id: str, *, settings: Settings, engine: Engine, timeout: int | None = None,
    rate_limit_retries: int | None = None,
) -> WebClient | None:
    """A Web API client with the workspace's bot token, or None when cebot is not installed there.

    Single-workspace mode: ``SLACK_BOT_TOKEN``. OAuth mode: the stored bot token, refreshed first (and the new one
    saved) when token rotation is on and it expires within ``SLACK_TOKEN_ROTATION_MINUTES``. A workspace marked
    uninstalled, one with no stored bot, or one whose refresh Slack refuses, gets None.
    """
    from cebot.slack.client import make_web_client

    with session_scope(engine) as session:
        if tenancy.is_uninstalled(session=session, team_id=team_id):
            return None
    if not settings.oauth_mode:
        if not settings.slack_bot_token:
            return None
        return make_web_client(settings, timeout=timeout, rate_limit_retries=rate_limit_retries)
    store = installation_store(settings, engine)
    bot = store.find_bot(enterprise_id=None, team_id=team_id)
    if bot is None or not bot.bot_token:
        return None
    if bot.bot_refresh_token:
        rotator = TokenRotator(
            client_id=settings.slack_client_id or "", client_secret=settings.slack_client_secret or "",
            client=make_web_client(settings, token=None, timeout=timeout),
        )
        try:
            refreshed = rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=settings.slack_token_rotation_minutes
            )
        except (SlackTokenRotationError, SlackApiError) as exc:
            logger.error("cannot refresh the bot token of %s: %s", team_id, exc)
            return None
        if refreshed is not None:
            store.save_bot(refreshed)
            bot = refreshed
            logger.info("refreshed the bot token of %s", team_id)
    return make_web_client(settings, token=bot.bot_token, timeout=timeout, rate_limit_retries=rate_limit_retries)


def stored_team_ids(engine: Engine) -> list[str]:
    """Teams with a stored bot token (OAuth mode), for operators."""
    with engine.connect() as conn:
        column = SLACK_BOTS_TABLE.c.team_id
        rows = conn.execute(sa.select(column).distinct().where(column.is_not(None)))
        return sorted(str(t) for (t,) in rows)
