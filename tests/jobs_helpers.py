"""Shared by the job tests: a workspace with a member, jobs enqueued in one go, and test-only job kinds."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.jobs import kinds
from cebot.jobs.worker import JOB_HANDLERS, JobRun, OnFailure, job_handler
from cebot.models import Job, Member, Workspace
from cebot.services import workspaces
from cebot.services.jobs import enqueue


def seed_member(engine: Engine, *, team_id: str = "T1", user_id: str = "U1") -> tuple[int, int]:
    """A workspace and a member in it; their ids."""
    with Session(engine, expire_on_commit=False) as s:
        ws = workspaces.ensure_workspace(session=s, team_id=team_id)
        m = workspaces.ensure_member(session=s, workspace=ws, slack_user_id=user_id, display_name=user_id)
        s.commit()
        assert ws.id is not None
        assert m.id is not None
        return ws.id, m.id


def add_jobs(engine: Engine, kind: str, payloads: list[dict[str, Any]], *, team_id: str = "T1",
             user_id: str = "U1", keys: list[str | None] | None = None) -> list[bool]:
    """Enqueue one job per payload for ``user_id`` in one committed transaction; enqueue's answers."""
    with Session(engine, expire_on_commit=False) as s:
        ws = workspaces.ensure_workspace(session=s, team_id=team_id)
        m = workspaces.ensure_member(session=s, workspace=ws, slack_user_id=user_id)
        answers = [enqueue(session=s, workspace=ws, member=m, kind=kind, payload=p,
                           key=(keys[i] if keys else None)) for i, p in enumerate(payloads)]
        s.commit()
        return answers


def jobs(engine: Engine) -> list[Job]:
    """Every job row, oldest first."""
    with Session(engine) as s:
        return list(s.exec(select(Job).order_by(Job.id)).all())  # type: ignore[arg-type]


def member_of(engine: Engine, user_id: str = "U1") -> Member:
    with Session(engine, expire_on_commit=False) as s:
        return s.exec(select(Member).where(Member.slack_user_id == user_id)).one()


def workspace_of(engine: Engine, team_id: str = "T1") -> Workspace:
    with Session(engine, expire_on_commit=False) as s:
        return s.exec(select(Workspace).where(Workspace.team_id == team_id)).one()


@contextmanager
def registered_kind(kind: str, handler: Callable[[JobRun], None], *,
              on_failure: OnFailure | None = None) -> Iterator[str]:
    """Register ``handler`` for ``kind`` while the block runs (the real kinds stay registered)."""
    kinds.load()
    saved = dict(JOB_HANDLERS)
    job_handler(kind, on_failure=on_failure)(handler)
    try:
        yield kind
    finally:
        JOB_HANDLERS.clear()
        JOB_HANDLERS.update(saved)
