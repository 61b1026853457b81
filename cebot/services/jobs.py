"""Recording slow work as a job row, in the caller's transaction (``cebot.jobs.worker`` runs it).

A listener that has slow work to do (build a file and upload it, several Web API calls) calls :func:`enqueue`
inside its request's transaction and answers "on its way": the job exists exactly when the request's other
writes do, so a request that fails records nothing and a committed one loses nothing, whatever process dies.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from cebot.jobs.leasing import dialect_insert
from cebot.models import Job, Member, Workspace, utcnow

_TABLE: Any = Job.__table__  # type: ignore[attr-defined]


def enqueue(*, session: Session, workspace: Workspace, kind: str, payload: dict[str, Any],
            key: str | None = None, member: Member | None = None) -> bool:
    """Record a job in the caller's transaction (it runs only if that commits); False if it exists already.

    ``key`` (unique per kind) makes a second enqueue of the same work a no-op that returns False: a replayed or
    double-clicked request (``key=f"export:{trigger_id}"``) makes one job. ``member``: who to tell if it finally
    fails. ``payload`` must be JSON (plain dicts, lists, strings, numbers).
    """
    if workspace.id is None:
        raise ValueError("enqueue needs a saved workspace")
    if member is not None and member.workspace_id != workspace.id:
        raise ValueError("the member belongs to another workspace")
    now = utcnow()
    values = {"workspace_id": workspace.id, "member_id": member.id if member else None, "kind": kind, "key": key,
              "payload": payload, "status": "queued", "attempts": 0, "next_attempt_at": now, "created_at": now}
    if key is None:
        session.execute(sa.insert(_TABLE).values(**values))
        return True
    stmt = (dialect_insert(session.get_bind().dialect.name, _TABLE).values(**values)
            .on_conflict_do_nothing(index_elements=["kind", "key"]).returning(_TABLE.c.id))
    return session.execute(stmt).first() is not None


FINISHED_JOB_TTL = timedelta(days=30)
"""How long a done or failed job is kept: long enough to look into a failure reported by a member."""


def prune_finished_jobs(*, session: Session, older_than: timedelta = FINISHED_JOB_TTL,
                        now: datetime | None = None) -> int:
    """Delete jobs that finished (done or failed) more than ``older_than`` before ``now``; the number deleted.

    Queued and running jobs are never touched. A finished job's key only stops a replay of its request, and
    Slack's replay window is minutes, so an old key stops nothing. One statement, all workspaces.
    """
    if older_than < timedelta(0):
        raise ValueError(f"older_than must not be negative, got {older_than}")
    cutoff = (now or utcnow()) - older_than
    result: Any = session.execute(sa.delete(_TABLE).where(_TABLE.c.status.in_(("done", "failed")),
                                                         _TABLE.c.finished_at < cutoff))
    return int(result.rowcount or 0)
