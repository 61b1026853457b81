"""The job table: enqueue in the caller's transaction, one job per key, claims that only one worker wins."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from cebot.core.db import make_engine
from cebot.jobs import queue
from cebot.models import Job
from cebot.services import workspaces
from cebot.services.jobs import enqueue
from tests.helpers.jobs_helpers import add_jobs, jobs, seed_member

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


def test_enqueue_records_a_queued_job_due_now(engine: Engine) -> None:
    """A job is queued, due at once, with no attempts yet, for the member who asked."""
    _, member_id = seed_member(engine)
    assert add_jobs(engine, "export.transcript", [{"fmt": "pdf"}]) == [True]
    [job] = jobs(engine)
    assert (job.kind, job.status, job.attempts, job.member_id, job.payload) == (
        "export.transcript", "queued", 0, member_id, {"fmt": "pdf"})
    assert job.next_attempt_at is not None


def test_a_rolled_back_request_leaves_no_job(engine: Engine) -> None:
    """enqueue writes in the caller's transaction: a request that fails records nothing."""
    seed_member(engine)
    with Session(engine) as s:
        ws = workspaces.ensure_workspace(session=s, team_id="T1")
        assert enqueue(session=s, workspace=ws, kind="export.team", payload={})
        s.rollback()
    assert jobs(engine) == []


def test_the_same_key_makes_one_job(engine: Engine) -> None:
    """A second enqueue with the same kind and key (a replayed trigger_id) is a no-op that says False."""
    seed_member(engine)
    assert add_jobs(engine, "export.transcript", [{}, {}], keys=["export:T1", "export:T1"]) == [True, False]
    assert add_jobs(engine, "export.transcript", [{}], keys=["export:T1"]) == [False]
    assert add_jobs(engine, "mydata.export", [{}], keys=["export:T1"]) == [True]
    assert add_jobs(engine, "export.transcript", [{}, {}]) == [True, True]
    assert len(jobs(engine)) == 4


def test_the_unique_key_holds_in_the_database(engine: Engine) -> None:
    """(kind, key) is a unique constraint, not only a check in enqueue."""
    workspace_id, _ = seed_member(engine)
    row = {"workspace_id": workspace_id, "kind": "k", "key": "same", "payload": {}, "status": "queued",
           "attempts": 0, "created_at": NOW}
    with engine.begin() as conn:
        conn.execute(sa.insert(Job).values(**row))
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.insert(Job).values(**row))


def test_status_is_checked_by_the_database(engine: Engine) -> None:
    """A status outside queued/running/done/failed is refused (CHECK constraint)."""
    workspace_id, _ = seed_member(engine)
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.insert(Job).values(workspace_id=workspace_id, kind="k", payload={}, status="lost",
                                           attempts=0, created_at=NOW))


def test_concurrent_enqueues_of_one_key_make_one_job(database_url: str, engine: Engine) -> None:
    """Eight requests with the same key at once, each on its own connection: one job, one True."""
    seed_member(engine)
    barrier = threading.Barrier(8)
    answers: list[bool] = []
    errors: list[BaseException] = []

    def request() -> None:
        own = make_engine(database_url)
        try:
            barrier.wait()
            answers.extend(add_jobs(own, "export.transcript", [{}], keys=["export:trigger-1"]))
        except BaseException as exc:
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=request) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(answers) == [False] * 7 + [True]
    assert len(jobs(engine)) == 1


def _due_now(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(Job).values(next_attempt_at=NOW))


def test_a_claim_takes_the_job_with_a_lease(engine: Engine) -> None:
    """The claim marks the job running until the lease ends; nobody else can claim it meanwhile."""
    seed_member(engine)
    add_jobs(engine, "k", [{"n": 1}])
    _due_now(engine)
    claim = queue.claim_next(engine, NOW, LEASE)
    assert claim is not None
    assert (claim.kind, claim.payload, claim.attempt) == ("k", {"n": 1}, 1)
    [job] = jobs(engine)
    assert job.status == "running"
    assert job.next_attempt_at is not None
    assert job.next_attempt_at.replace(tzinfo=UTC) == NOW + LEASE
    assert queue.claim_next(engine, NOW + LEASE - timedelta(seconds=1), LEASE) is None


def test_an_expired_lease_lets_another_worker_take_over(engine: Engine) -> None:
    """A worker that died holds the job only until its lease ends; the next claim is attempt 2, and the dead
    worker's late marks no longer apply."""
    seed_member(engine)
    add_jobs(engine, "k", [{}])
    _due_now(engine)
    first = queue.claim_next(engine, NOW, LEASE)
    assert first is not None
    second = queue.claim_next(engine, NOW + LEASE, LEASE)
    assert second is not None
    assert second.attempt == 2
    assert queue.mark_failed(engine, first, NOW + LEASE, "late") == "lost"
    with Session(engine) as s:
        assert queue.mark_done(s, first, NOW + LEASE) is False
        assert queue.mark_done(s, second, NOW + LEASE) is True
        s.commit()
    assert jobs(engine)[0].status == "done"


def test_jobs_are_claimed_oldest_first(engine: Engine) -> None:
    """The job that has waited longest is claimed first."""
    seed_member(engine)
    add_jobs(engine, "k", [{"n": 1}, {"n": 2}])
    with engine.begin() as conn:
        conn.execute(sa.update(Job).where(Job.payload["n"].as_integer() == 2)
                     .values(next_attempt_at=NOW - timedelta(minutes=1)))
        conn.execute(sa.update(Job).where(Job.payload["n"].as_integer() == 1)
                     .values(next_attempt_at=NOW))
    claim = queue.claim_next(engine, NOW, LEASE)
    assert claim is not None
    assert claim.payload == {"n": 2}


def test_backoff_grows_and_stops_growing() -> None:
    """10 s, 30 s, 2 min, 10 min after failed attempts 1-4, and 10 min after any later one."""
    assert [queue.backoff(a) for a in range(1, 7)] == [
        timedelta(seconds=10), timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10),
        timedelta(minutes=10), timedelta(minutes=10)]
    assert queue.MAX_ATTEMPTS == 5


def test_a_failed_attempt_waits_and_the_last_one_fails_the_job(engine: Engine) -> None:
    """mark_failed queues the job again after the backoff, and fails it after attempt MAX_ATTEMPTS."""
    seed_member(engine)
    add_jobs(engine, "k", [{}])
    _due_now(engine)
    at = NOW
    for attempt in range(1, queue.MAX_ATTEMPTS + 1):
        claim = queue.claim_next(engine, at, LEASE)
        assert claim is not None
        assert claim.attempt == attempt
        status = queue.mark_failed(engine, claim, at, f"boom {attempt}")
        assert status == ("failed" if attempt == queue.MAX_ATTEMPTS else "queued")
        if attempt < queue.MAX_ATTEMPTS:
            assert queue.claim_next(engine, at + queue.backoff(attempt) - timedelta(seconds=1), LEASE) is None
            at += queue.backoff(attempt)
    [job] = jobs(engine)
    assert (job.status, job.attempts, job.last_error) == ("failed", queue.MAX_ATTEMPTS, "boom 5")
    assert job.finished_at is not None
    assert queue.claim_next(engine, at + timedelta(days=1), LEASE) is None


def test_a_worker_that_dies_on_the_last_attempt_leaves_a_failed_job(engine: Engine) -> None:
    """A running job with no attempts left whose lease ended is failed by the sweep, once."""
    seed_member(engine)
    add_jobs(engine, "k", [{}])
    with engine.begin() as conn:
        conn.execute(sa.update(Job).values(status="running", attempts=queue.MAX_ATTEMPTS, next_attempt_at=NOW))
    assert queue.claim_next(engine, NOW, LEASE) is None
    swept = queue.sweep_abandoned(engine, NOW)
    assert [c.attempt for c in swept] == [queue.MAX_ATTEMPTS]
    assert queue.sweep_abandoned(engine, NOW) == []
    [job] = jobs(engine)
    assert (job.status, job.last_error) == ("failed", queue.ABANDONED)
