"""Finished jobs are pruned after their keep period; waiting and running ones never are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from cebot.services.jobs import FINISHED_JOB_TTL, prune_finished_jobs
from tests.helpers.jobs_helpers import add_jobs, jobs

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def _finish(engine: Engine, states: list[tuple[str, datetime | None]]) -> None:
    """Give the jobs, in id order, these statuses and finish times."""
    with Session(engine) as s:
        for job, (status, finished) in zip(jobs(engine), states, strict=True):
            job.status, job.finished_at = status, finished
            s.add(job)
        s.commit()


def test_old_done_and_failed_jobs_go_and_the_rest_stay(engine: Engine) -> None:
    """Done and failed jobs finished over 30 days ago are deleted; recent, queued and running ones stay."""
    add_jobs(engine, "export.transcript", [{"n": i} for i in range(5)])
    old = NOW - FINISHED_JOB_TTL - timedelta(minutes=1)
    _finish(engine, [("done", old), ("failed", old), ("done", NOW - timedelta(days=1)), ("queued", None),
                     ("running", None)])
    with Session(engine) as s:
        assert prune_finished_jobs(session=s, now=NOW) == 2
        s.commit()
    assert [(j.payload["n"], j.status) for j in jobs(engine)] == [(2, "done"), (3, "queued"), (4, "running")]


def test_a_negative_keep_period_is_refused(engine: Engine) -> None:
    """A negative period would delete jobs finished in the future: refused."""
    with Session(engine) as s, pytest.raises(ValueError, match="negative"):
        prune_finished_jobs(session=s, older_than=timedelta(days=-1), now=NOW)


def test_pruning_is_idempotent(engine: Engine) -> None:
    """A second prune right after the first deletes nothing more."""
    add_jobs(engine, "export.transcript", [{"n": 0}])
    _finish(engine, [("done", NOW - timedelta(days=40))])
    with Session(engine) as s:
        assert prune_finished_jobs(session=s, now=NOW) == 1
        assert prune_finished_jobs(session=s, now=NOW) == 0
        s.commit()
    assert jobs(engine) == []
