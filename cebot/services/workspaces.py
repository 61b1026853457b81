"""Workspaces and members: self-registration on first use, profiles and the manager role."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from cebot.models import Member, Workspace, utcnow
from cebot.services.errors import Forbidden, InvalidRequest

PROFILE_MAX_AGE = timedelta(hours=24)
ADMIN_FLAG_MAX_AGE = timedelta(minutes=10)
"""A Slack admin flag older than this is not trusted for manager access: a demoted admin loses it within 10
minutes (the profile is refreshed from ``users.info`` when an admin's is older than this)."""
MANAGER = "manager"
MEMBER = "member"


def _insert_ignoring_conflict(session: Session, table: Any, values: dict[str, Any], keys: list[str]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING, so two first requests at once never make two rows nor fail."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)
    elif dialect == "sqlite":
        stmt = sqlite.insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)
    else:  # pragma: no cover - cebot supports SQLite and PostgreSQL only
        raise RuntimeError(f"unsupported database dialect {dialect!r}")
    session.execute(stmt)


def get_workspace(*, session: Session, team_id: str) -> Workspace | None:
    """The workspace for a Slack team id, or None if it never used cebot."""
    return session.exec(select(Workspace).where(Workspace.team_id == team_id)).first()


def ensure_workspace(*, session: Session, team_id: str, name: str | None = None) -> Workspace:
    """The workspace for ``team_id``, created on first use (race-safe)."""
    if not team_id:
        raise InvalidRequest("This request has no Slack workspace id.")
    workspace = get_workspace(session=session, team_id=team_id)
    if workspace is None:
        session.flush()
        _insert_ignoring_conflict(
            session, sa.inspect(Workspace).local_table,
            {"team_id": team_id, "name": name or "", "timezone": "UTC", "settings": {}, "created_at": utcnow()},
            ["team_id"],
        )
        workspace = session.exec(
            select(Workspace).where(Workspace.team_id == team_id).execution_options(populate_existing=True)
        ).one()
    if name and workspace.name != name:
        workspace.name = name
        session.add(workspace)
        session.flush()
    return workspace


def get_member(*, session: Session, workspace: Workspace, slack_user_id: str) -> Member | None:
    """The member with this Slack user id in this workspace, or None."""
    return session.exec(
        select(Member).where(Member.workspace_id == workspace.id, Member.slack_user_id == slack_user_id)
    ).first()


def ensure_member(
    *,
    session: Session,
    workspace: Workspace,
    slack_user_id: str,
    display_name: str | None = None,
    timezone: str | None = None,
    is_slack_admin: bool | None = None,
) -> Member:
    """The member for ``slack_user_id``, registered on first use (race-safe).

    Profile values given (not None) are stored, and mark the profile fresh.
    """
    if not slack_user_id:
        raise InvalidRequest("This request has no Slack user id.")
    member = get_member(session=session, workspace=workspace, slack_user_id=slack_user_id)
    if member is None:
        session.flush()
        _insert_ignoring_conflict(
            session, sa.inspect(Member).local_table,
            {
                "workspace_id": workspace.id, "slack_user_id": slack_user_id, "display_name": "",
                "timezone": "UTC", "role": MEMBER, "is_slack_admin": False, "reminders_enabled": True,
                "created_at": utcnow(),
            },
            ["workspace_id", "slack_user_id"],
        )
        member = session.exec(
            select(Member)
            .where(Member.workspace_id == workspace.id, Member.slack_user_id == slack_user_id)
            .execution_options(populate_existing=True)
        ).one()
    if display_name is not None or timezone is not None or is_slack_admin is not None:
        update_profile(
            session=session, member=member, display_name=display_name, timezone=timezone,
            is_slack_admin=is_slack_admin,
        )
    return member


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; cebot stores UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _profile_age(member: Member, now: datetime | None = None) -> timedelta | None:
    if member.profile_refreshed_at is None:
        return None
    return _aware(now or utcnow()) - _aware(member.profile_refreshed_at)


def member_needs_refresh(member: Member, now: datetime) -> bool:
    """Whether the member's Slack profile (name, timezone, admin flag) is unknown or older than 24 h, or, for a
    Slack admin (whose flag makes them a manager), older than :data:`ADMIN_FLAG_MAX_AGE`."""
    age = _profile_age(member, now)
    return age is None or age >= PROFILE_MAX_AGE or (bool(member.is_slack_admin) and age >= ADMIN_FLAG_MAX_AGE)


def update_profile(
    *,
    session: Session,
    member: Member,
    display_name: str | None = None,
    timezone: str | None = None,
    is_slack_admin: bool | None = None,
    now: datetime | None = None,
) -> Member:
    """Store what Slack says about the member (values left None stay as they are) and mark it fresh."""
    if display_name is not None:
        member.display_name = display_name[:200]
    if timezone and timezone[:64] != member.timezone:
        member.timezone = timezone[:64]
    if is_slack_admin is not None:
        member.is_slack_admin = is_slack_admin
    member.profile_refreshed_at = now or utcnow()
    session.add(member)
    session.flush()
    return member


def is_manager(member: Member) -> bool:
    """Managers: members given the manager role, and every Slack admin or owner."""
    return member.role == MANAGER or bool(member.is_slack_admin)


def require_fresh_admin_flag(member: Member, doing: str = "do that", now: datetime | None = None) -> None:
    """Refuse a manager-only action when the member would be a manager only by a Slack admin flag that Slack has
    not confirmed in the last :data:`ADMIN_FLAG_MAX_AGE` (``users.info`` failed just now): an old flag may be
    one Slack has since taken away. A flag with no refresh time was not read from Slack (set by an operator or a
    test: cebot only sets it from ``users.info``, with the time) and is taken as it is."""
    if member.role == MANAGER or not member.is_slack_admin:
        return
    age = _profile_age(member, now)
    if age is not None and age >= ADMIN_FLAG_MAX_AGE:
        raise Forbidden(f"I couldn't check with Slack just now that you are still a Slack admin, so I can't {doing} "
                        "yet. Nothing was changed; try again in a minute.")


def require_manager(member: Member, doing: str = "do that") -> None:
    require_fresh_admin_flag(member, doing)
    if not is_manager(member):
        raise Forbidden(f"Only a clinic manager or a Slack admin can {doing}. Ask your manager if you need this.")


def set_manager(*, session: Session, workspace: Workspace, acting: Member, target_user_id: str, on: bool) -> Member:
    """Give (``on=True``) or take away the manager role; managers only. Returns the target member."""
    if acting.workspace_id != workspace.id:
        raise Forbidden("Only a clinic manager or a Slack admin can change who manages cebot.")
    require_manager(acting, "change who manages cebot")
    target = ensure_member(session=session, workspace=workspace, slack_user_id=target_user_id)
    target.role = MANAGER if on else MEMBER
    session.add(target)
    session.flush()
    return target


def list_members(*, session: Session, workspace: Workspace) -> list[Member]:
    """Every member of the workspace, by display name."""
    return list(
        session.exec(
            select(Member).where(Member.workspace_id == workspace.id).order_by(sa.func.lower(Member.display_name))
        )
    )


def lock_member(*, session: Session, member: Member) -> None:
    """Serialize this member's writes until the transaction ends: a row lock on PostgreSQL.

    Two requests of one member (a double click, 20 identical ``/ce log`` at once) then read and write one after
    the other, so a duplicate check or an undo sees the other's committed change. SQLite needs no row lock: its
    whole database is locked by the request's first write (:func:`cebot.services.events.claim_request`).
    """
    if session.get_bind().dialect.name == "postgresql":
        table: Any = sa.inspect(Member).local_table
        session.execute(sa.select(table.c.id).where(table.c.id == member.id).with_for_update())
