"""Workspace and member services: race-safe self-registration, profiles and the manager role."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from cebot.core.db import session_scope
from cebot.models import Member, Workspace
from cebot.services.errors import Forbidden
from cebot.services.workspaces import (
    ensure_member,
    ensure_workspace,
    is_manager,
    member_needs_refresh,
    set_manager,
    update_profile,
)


def test_first_use_registers_once(session: Session) -> None:
    """The first request creates the workspace and member; later ones find the same rows."""
    w = ensure_workspace(session=session, team_id="T1", name="Clinic")
    m = ensure_member(session=session, workspace=w, slack_user_id="U1")
    assert ensure_workspace(session=session, team_id="T1").id == w.id
    assert ensure_member(session=session, workspace=w, slack_user_id="U1").id == m.id
    assert (m.role, m.display_name, is_manager(m)) == ("member", "", False)


def test_concurrent_first_requests_make_one_member(engine: Engine) -> None:
    """Eight simultaneous first requests from one user create one workspace and one member, and none fails."""
    barrier = threading.Barrier(8)
    ids: list[int] = []
    errors: list[BaseException] = []

    def first_request() -> None:
        try:
            barrier.wait()
            with session_scope(engine) as s:
                w = ensure_workspace(session=s, team_id="TRACE")
                ids.append(ensure_member(session=s, workspace=w, slack_user_id="URACE").id or 0)
        except BaseException as exc:  # recorded and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=first_request) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(ids)) == 1
    with session_scope(engine) as s:
        assert s.exec(select(func.count()).select_from(Member)).one() == 1
        assert s.exec(select(func.count()).select_from(Workspace)).one() == 1


def test_profile_refresh_after_a_day(session: Session) -> None:
    """A profile never fetched, or fetched 24 h ago, needs a refresh; a fresh one does not."""
    w = ensure_workspace(session=session, team_id="T1")
    m = ensure_member(session=session, workspace=w, slack_user_id="U1")
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert member_needs_refresh(m, now)
    update_profile(session=session, member=m, display_name="Ana", timezone="America/Chicago", is_slack_admin=False,
                   now=now)
    session.commit()
    session.expire_all()
    again = session.get(Member, m.id)
    assert again is not None
    m = again
    assert (m.display_name, m.timezone) == ("Ana", "America/Chicago")
    assert not member_needs_refresh(m, now + timedelta(hours=23))
    assert member_needs_refresh(m, now + timedelta(hours=24))


def test_managers_and_slack_admins(session: Session) -> None:
    """A Slack admin is a manager and may promote a member; a plain member may not."""
    w = ensure_workspace(session=session, team_id="T1")
    admin = ensure_member(session=session, workspace=w, slack_user_id="UADMIN", is_slack_admin=True)
    plain = ensure_member(session=session, workspace=w, slack_user_id="UPLAIN")
    assert is_manager(admin)
    with pytest.raises(Forbidden) as info:
        set_manager(session=session, workspace=w, acting=plain, target_user_id="UADMIN", on=False)
    assert "manager" in info.value.message
    target = set_manager(session=session, workspace=w, acting=admin, target_user_id="UNEW", on=True)
    assert (target.slack_user_id, is_manager(target)) == ("UNEW", True)
    assert not is_manager(set_manager(session=session, workspace=w, acting=admin, target_user_id="UNEW", on=False))


def test_manager_of_another_workspace_is_forbidden(session: Session) -> None:
    """A manager in one workspace cannot change roles in another."""
    w1 = ensure_workspace(session=session, team_id="T1")
    w2 = ensure_workspace(session=session, team_id="T2")
    boss = ensure_member(session=session, workspace=w1, slack_user_id="UBOSS", is_slack_admin=True)
    with pytest.raises(Forbidden):
        set_manager(session=session, workspace=w2, acting=boss, target_user_id="UX", on=True)
    assert session.exec(select(func.count()).select_from(Member).where(Member.workspace_id == w2.id)).one() == 0
