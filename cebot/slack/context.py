"""What a listener gets to work with: one transaction, the workspace and the registered member.

Every listener that touches the database opens exactly one :func:`member_scope`
(or :func:`scope_from` with Bolt's ``context``)::

    with scope_from(context) as scope:
        entry = ledger.log_entry(session=scope.session, member=scope.member, ...)
        scope.after_commit(lambda: publish_home(...))

The block commits when it ends without an error and rolls back otherwise;
``after_commit`` callbacks run only after a successful commit, so nobody is told
"saved" about something that was not. Members register themselves here on first
use: their name, timezone and admin flags come from ``users.info`` and are
refreshed when older than 24 hours (a failing ``users.info`` never blocks the
request; it is retried on the next one).

Each request is applied at most once and one member's requests never interleave
(:func:`open_request`): the transaction first claims the request's key (its
``trigger_id`` or ``event_id``; a replay raises :class:`AlreadyDone` and changes
nothing), then locks the member's row, so a duplicate check or an undo always
sees the member's other requests committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from cebot.core.db import session_scope, write_turn
from cebot.core.settings import Settings
from cebot.models import Member, Workspace, utcnow
from cebot.services import workspaces
from cebot.services.errors import ServiceError
from cebot.services.events import claim_request, request_key

logger = logging.getLogger(__name__)

ENGINE_KEY = "cebot_engine"
SETTINGS_KEY = "cebot_settings"
"""Context keys under which ``create_app``'s middleware puts the app's engine and settings in every request."""


@dataclass(frozen=True)
class SlackProfile:
    """What ``users.info`` says about a person."""

    display_name: str
    timezone: str | None
    is_slack_admin: bool


def member_today(member: Member, now: datetime | None = None) -> date:
    """The member's local date (UTC when their timezone is unknown)."""
    try:
        tz = ZoneInfo(member.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("UTC")
    return (now or utcnow()).astimezone(tz).date()


def fetch_profile(client: WebClient, user_id: str) -> SlackProfile | None:
    """``users.info`` for ``user_id`` as a :class:`SlackProfile`, or None when Slack cannot tell us."""
    try:
        response = client.users_info(user=user_id)
    except (SlackApiError, SlackClientError, OSError) as exc:
        logger.warning("users.info failed for %s: %s", user_id, exc)
        return None
    user: dict[str, Any] = response.get("user") or {}
    profile: dict[str, Any] = user.get("profile") or {}
    name = (
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
        or ""
    )
    admin = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
    return SlackProfile(display_name=str(name), timezone=user.get("tz") or None, is_slack_admin=admin)


@dataclass(kw_only=True)
class MemberScope:
    """One request's transaction with the acting member already registered."""

    session: Session
    workspace: Workspace
    member: Member
    settings: Settings
    client: WebClient
    team_id: str
    user_id: str
    today: date
    """The member's local date."""
    _after_commit: list[Callable[[], object]] = field(default_factory=list, repr=False)

    def after_commit(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` once the transaction has committed (dropped on rollback; errors are logged)."""
        self._after_commit.append(callback)

    def run_after_commit(self) -> None:
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            try:
                callback()
            except Exception:
                logger.exception("after-commit step failed")


def _profile_is_stale(session: Session, team_id: str, user_id: str, now: datetime | None = None) -> bool:
    """Whether the member is new or their Slack profile is older than we trust (:func:`member_needs_refresh`)."""
    workspace = workspaces.get_workspace(session=session, team_id=team_id)
    member = workspaces.get_member(session=session, workspace=workspace, slack_user_id=user_id) if workspace else None
    return member is None or workspaces.member_needs_refresh(member, now or utcnow())


def _register(session: Session, team_id: str, user_id: str,
              profile: SlackProfile | None) -> tuple[Workspace, Member]:
    """The workspace and member, created on first use, storing ``profile`` when there is one."""
    workspace = workspaces.ensure_workspace(session=session, team_id=team_id)
    if profile is None:
        return workspace, workspaces.ensure_member(session=session, workspace=workspace, slack_user_id=user_id)
    return workspace, workspaces.ensure_member(
        session=session, workspace=workspace, slack_user_id=user_id, display_name=profile.display_name,
        timezone=profile.timezone, is_slack_admin=profile.is_slack_admin)


def ensure_registered(
    session: Session, client: WebClient, team_id: str, user_id: str, now: datetime | None = None
) -> tuple[Workspace, Member]:
    """The workspace and member for ``user_id``, created on first use, with a fresh Slack profile (asked for inside
    the caller's transaction: for registering someone else, e.g. a new manager; a request's own member is
    registered by :func:`request_transaction`, outside any lock)."""
    stale = _profile_is_stale(session, team_id, user_id, now)
    return _register(session, team_id, user_id, fetch_profile(client, user_id) if stale else None)


class AlreadyDone(ServiceError):
    """A request whose key was claimed before: a replay, or Slack's retry of something already applied."""

    def __init__(self) -> None:
        super().__init__("That was already done, so nothing changed this time. "
                         "Type `/ce list` to see your log, or `/ce help` for what else I can do.")


def fresh_profile(engine: Engine, client: WebClient, *, team_id: str, user_id: str,
                  now: datetime | None = None) -> SlackProfile | None:
    """The member's Slack profile when it is unknown or stale (``users.info``); None when fresh or unavailable.

    Read before the request's transaction: ``users.info`` is a network call (hundreds of ms at worst), so it
    never runs while the request holds SQLite's write turn or a member's row lock, and a burst of first
    commands does not queue everyone behind Slack.
    """
    with session_scope(engine) as session:
        stale = _profile_is_stale(session, team_id, user_id, now)
    return fetch_profile(client, user_id) if stale and user_id else None


def open_request(
    session: Session, *, team_id: str, user_id: str, key: str | None, lock: bool = True,
    profile: SlackProfile | None = None,
) -> tuple[Workspace, Member]:
    """Start a request's transaction: claim ``key`` (raises :class:`AlreadyDone` for a replay), register the
    member on first use (storing ``profile``, if any), and (``lock``) lock their row until the transaction ends.
    A request that only reads passes neither key nor lock."""
    if key and not claim_request(session=session, key=key, team_id=team_id):
        raise AlreadyDone
    workspace, member = _register(session, team_id, user_id, profile)
    if lock:
        workspaces.lock_member(session=session, member=member)
    return workspace, member


@contextmanager
def request_transaction(
    engine: Engine, client: WebClient, *, team_id: str, user_id: str, key: str | None, lock: bool = True
) -> Iterator[tuple[Session, Workspace, Member]]:
    """One request's transaction (see :func:`open_request`), committed when the block ends.

    A request that writes (it has a ``key``, or a new profile to store) first waits for the database's write
    turn (SQLite only, released after the commit)."""
    profile = fresh_profile(engine, client, team_id=team_id, user_id=user_id)
    writes = key is not None or profile is not None
    with write_turn(engine) if writes else nullcontext(), session_scope(engine) as session:
        workspace, member = open_request(session, team_id=team_id, user_id=user_id, key=key, lock=lock,
                                         profile=profile)
        yield session, workspace, member


@contextmanager
def member_scope(
    *, engine: Engine, settings: Settings, client: WebClient, team_id: str, user_id: str, key: str | None = None
) -> Iterator[MemberScope]:
    """A transaction for ``user_id`` in ``team_id`` applying request ``key`` at most once; commits at the end,
    then runs after-commit steps."""
    with request_transaction(engine, client, team_id=team_id, user_id=user_id, key=key) as (
        session, workspace, member
    ):
        scope = MemberScope(
            session=session,
            workspace=workspace,
            member=member,
            settings=settings,
            client=client,
            team_id=team_id,
            user_id=user_id,
            today=member_today(member),
        )
        yield scope
    scope.run_after_commit()


def engine_of(context: BoltContext) -> Engine:
    """The app's engine, put into every request's context by ``create_app``."""
    engine: Engine = context[ENGINE_KEY]
    return engine


def settings_of(context: BoltContext) -> Settings:
    settings: Settings = context[SETTINGS_KEY]
    return settings


def scope_from(
    context: BoltContext, body: dict[str, Any] | None = None, *, user_id: str | None = None
) -> AbstractContextManager[MemberScope]:
    """:func:`member_scope` for the user and team of a Bolt request (a context manager of :class:`MemberScope`).

    With the request's ``body`` it is applied at most once (its ``trigger_id`` or ``event_id``): pass it
    whenever the request changes anything.
    """
    team_id = context.team_id or context.enterprise_id or ""
    return member_scope(
        engine=engine_of(context),
        settings=settings_of(context),
        client=context.client,
        team_id=team_id,
        user_id=user_id or context.user_id or "",
        key=request_key(body) if body is not None else None,
    )


@dataclass(kw_only=True)
class CommandContext(MemberScope):
    """Everything a ``/ce`` subcommand handler needs.

    ``respond`` queues an (ephemeral by default) reply; after the transaction commits,
    the router answers Slack's request with the first one (the slash command's HTTP
    answer) and posts any others to the command's ``response_url``. If the handler
    raises, queued replies are dropped and the router answers with the error instead.
    """

    command: str
    """The slash command as typed, normally ``/ce``."""
    subcommand: str
    """The canonical subcommand name (aliases resolved), e.g. ``log``."""
    rest: str
    """The text after the subcommand, stripped (``3h Ethics #ethics`` for ``/ce log 3h Ethics #ethics``)."""
    body: dict[str, Any]
    channel_id: str | None
    trigger_id: str | None
    """For ``views.open`` (valid for 3 seconds after the command)."""
    say: Callable[..., Any]
    """Bolt's ``say``: posts a visible message in the channel (use sparingly)."""
    replies: list[dict[str, Any]] = field(default_factory=list)
    """The replies queued with :meth:`respond`, in order."""

    def respond(
        self,
        text: str = "",
        *,
        blocks: list[dict[str, Any]] | None = None,
        response_type: str = "ephemeral",
        replace_original: bool | None = None,
        **kwargs: Any,
    ) -> None:
        """Queue a reply to the command (sent after commit). ``text`` is mrkdwn: escape user parts."""
        payload: dict[str, Any] = {"text": text, "response_type": response_type, **kwargs}
        if blocks is not None:
            payload["blocks"] = blocks
        if replace_original is not None:
            payload["replace_original"] = replace_original
        self.replies.append(payload)
