"""The job table's row operations: claim with a lease, mark done, schedule a retry, give up.

The same approach as the delivery table (:mod:`cebot.jobs.delivery`, :mod:`cebot.jobs.leasing`): a job is
taken by a conditional ``UPDATE ... WHERE status IN ('queued', 'running') AND next_attempt_at <= now`` that at
most one transaction can win, committed before the work starts; ``next_attempt_at`` is then the end of the
worker's lease. ``attempts`` counts the claims and doubles as the lease token: a mark only applies
``WHERE attempts = <the claim's attempt>``, so a worker whose lease was taken over cannot overwrite the newer
holder's outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from cebot.jobs.leasing import backoff_after, write_retrying
from cebot.models import Job

MAX_ATTEMPTS = 5
BACKOFF: tuple[timedelta, ...] = (timedelta(seconds=10), timedelta(seconds=30), timedelta(minutes=2),
                                  timedelta(minutes=10))
"""Waits after failed attempts 1-4: a Slack hiccup is retried within seconds, an outage for about 13 minutes."""
DB_RETRY_SECONDS = 60.0
"""How long recording an outcome is retried while the database is away."""
CANDIDATES = 5
"""Due jobs read per claim: when another worker wins the first, the next is tried at once."""
ABANDONED = "the worker stopped during the last attempt"

_TABLE: Any = Job.__table__  # type: ignore[attr-defined]
_C = _TABLE.c


@dataclass(frozen=True)
class Claim:
    """A job this worker holds until its lease ends (``attempt`` is its lease token)."""

    job_id: int
    kind: str
    workspace_id: int
    member_id: int | None
    payload: dict[str, Any]
    attempt: int


def _claim(row: Sequence[Any]) -> Claim:
    job_id, kind, workspace_id, member_id, payload, attempts = row
    return Claim(int(job_id), str(kind), int(workspace_id), member_id, dict(payload or {}), int(attempts))


_RETURNING = (_C.id, _C.kind, _C.workspace_id, _C.member_id, _C.payload, _C.attempts)


def backoff(attempt: int) -> timedelta:
    """How long a job waits after failed attempt number ``attempt`` (1-based)."""
    return backoff_after(attempt, BACKOFF)


def _due(now: datetime) -> Any:
    return sa.and_(_C.status.in_(("queued", "running")), _C.next_attempt_at <= now, _C.attempts < MAX_ATTEMPTS)


def claim_next(engine: Engine, now: datetime, lease: timedelta) -> Claim | None:
    """Take the job that has waited longest (queued and due, or running with an expired lease); None if none.

    Each take is its own committed transaction, so other workers see the lease before the work starts.
    """
    now = now.astimezone(UTC)
    with engine.connect() as conn:
        ids = conn.execute(sa.select(_C.id).where(_due(now)).order_by(_C.next_attempt_at, _C.id)
                           .limit(CANDIDATES)).scalars().all()
    for job_id in ids:
        with engine.begin() as conn:
            row = conn.execute(
                _TABLE.update().where(_C.id == job_id, _due(now))
                .values(status="running", attempts=_C.attempts + 1, next_attempt_at=now + lease)
                .returning(*_RETURNING)
            ).first()
        if row is not None:
            return _claim(row)
    return None


def _held(c: Claim) -> Any:
    return sa.and_(_C.id == c.job_id, _C.status == "running", _C.attempts == c.attempt)


def mark_done(session: Session, c: Claim, now: datetime) -> bool:
    """Mark the job done in the handler's own transaction; False if the lease was taken over meanwhile."""
    result = session.execute(_TABLE.update().where(_held(c)).values(
        status="done", finished_at=now.astimezone(UTC), next_attempt_at=None, last_error=None))
    return bool(getattr(result, "rowcount", 0))


def mark_failed(engine: Engine, c: Claim, now: datetime, error: str, *, permanent: bool = False) -> str:
    """Record a failed attempt: ``queued`` again after the backoff, or ``failed`` after the last attempt (or at
    once when ``permanent``); ``lost`` when the lease was taken over meanwhile (the newer holder decides)."""
    now = now.astimezone(UTC)
    final = permanent or c.attempt >= MAX_ATTEMPTS
    values: dict[str, Any] = {"last_error": error[:500]}
    if final:
        values.update(status="failed", next_attempt_at=None, finished_at=now)
    else:
        values.update(status="queued", next_attempt_at=now + backoff(c.attempt))
    result = write_retrying(engine, _TABLE.update().where(_held(c)).values(**values),
                            f"job {c.job_id} ({c.kind}) as failed", retry_for=DB_RETRY_SECONDS)
    if not result.rowcount:
        return "lost"
    return "failed" if final else "queued"


def sweep_abandoned(engine: Engine, now: datetime) -> list[Claim]:
    """Fail the jobs whose worker died during their last attempt (running, lease over, no attempts left)."""
    now = now.astimezone(UTC)
    with engine.begin() as conn:
        rows = conn.execute(
            _TABLE.update()
            .where(_C.status == "running", _C.next_attempt_at <= now, _C.attempts >= MAX_ATTEMPTS)
            .values(status="failed", next_attempt_at=None, finished_at=now, last_error=ABANDONED)
            .returning(*_RETURNING)
        ).all()
    return [_claim(r) for r in rows]
