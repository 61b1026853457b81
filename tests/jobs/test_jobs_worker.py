"""The worker: handlers run in their own transaction with the bot client, retries with backoff, on_failure once,
uninstalled workspaces, jobs taken over after a lease, and two workers racing for the same jobs."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
import time_machine
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.core.db import make_engine, session_scope
from cebot.core.settings import Settings
from cebot.jobs import queue
from cebot.jobs.worker import JobFailed, JobRun, RetryLater, add_to_scheduler, run_due_jobs
from cebot.models import Job, Milestone
from cebot.services import tenancy
from cebot.services.errors import ServiceError
from cebot.shell.fake_slack import FakeSlack
from tests.helpers.jobs_helpers import add_jobs, jobs, registered_kind, seed_member

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def _milestones(engine: Engine) -> list[str]:
    with Session(engine) as s:
        return [m.step for m in s.exec(select(Milestone).order_by(Milestone.id)).all()]  # type: ignore[arg-type]


def _write_milestone(run: JobRun, step: str) -> None:
    assert run.member is not None
    run.session.add(Milestone(workspace_id=run.workspace.id or 0, member_id=run.member.id or 0, step=step,
                              completed_on=T0.date()))
    run.session.flush()


def test_a_handler_runs_with_its_workspace_member_client_and_transaction(
        engine: Engine, slack_settings: Settings, fake_slack: FakeSlack) -> None:
    """The handler gets the job's workspace, member, payload and the bot client; its writes commit with done."""
    seen: list[JobRun] = []

    def handler(run: JobRun) -> None:
        seen.append(run)
        _write_milestone(run, run.payload["step"])
        run.client.chat_postMessage(channel="D1", text="your file")

    with registered_kind("test.ok", handler):
        add_jobs(engine, "test.ok", [{"step": "mblex"}])
        assert run_due_jobs(engine=engine, settings=slack_settings) == 1
        assert run_due_jobs(engine=engine, settings=slack_settings) == 0
    [run] = seen
    assert (run.workspace.team_id, run.member and run.member.slack_user_id, run.attempt) == ("T1", "U1", 1)
    assert fake_slack.last("chat.postMessage").token == "xoxb-test-token"
    assert _milestones(engine) == ["mblex"]
    [job] = jobs(engine)
    assert (job.status, job.attempts, job.last_error) == ("done", 1, None)
    assert job.finished_at is not None


def test_failures_retry_with_backoff_then_fail_once_and_call_on_failure_once(
        engine: Engine, slack_settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    """A handler that always raises runs at +0, +10 s, +40 s, +2:40, +12:40; its writes are rolled back each time;
    then the job is failed, logged with its traceback, and on_failure runs exactly once."""
    attempts: list[datetime] = []
    failures: list[tuple[int, str]] = []

    def handler(run: JobRun) -> None:
        attempts.append(datetime.now(UTC))
        _write_milestone(run, f"try-{run.attempt}")
        raise RuntimeError("Slack is down")

    def on_failure(run: JobRun, reason: str) -> None:
        failures.append((run.attempt, reason))

    with time_machine.travel(T0, tick=False) as clock, registered_kind("test.flaky", handler,
                                                                          on_failure=on_failure):
        add_jobs(engine, "test.flaky", [{}])
        assert run_due_jobs(engine=engine, settings=slack_settings) == 1
        for wait in (timedelta(seconds=10), timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10)):
            clock.shift(wait - timedelta(seconds=1))
            assert run_due_jobs(engine=engine, settings=slack_settings) == 0
            clock.shift(timedelta(seconds=1))
            assert run_due_jobs(engine=engine, settings=slack_settings) == 1
        clock.shift(timedelta(hours=1))
        with caplog.at_level(logging.ERROR):
            assert run_due_jobs(engine=engine, settings=slack_settings) == 0
    offsets = [(a - attempts[0]).total_seconds() for a in attempts]
    assert offsets == [0, 10, 40, 160, 760]
    assert failures == [(5, "something went wrong on my side.")]
    assert _milestones(engine) == []
    [job] = jobs(engine)
    assert (job.status, job.attempts) == ("failed", 5)
    assert "RuntimeError: Slack is down" in (job.last_error or "")


def test_the_last_failure_is_logged_with_its_traceback(engine: Engine, slack_settings: Settings,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    """Giving up is an error log with the exception (logger.exception), naming the job and its kind."""
    def handler(run: JobRun) -> None:
        raise JobFailed("the file is too big.")

    with registered_kind("test.big", handler, on_failure=lambda run, reason: None), \
            caplog.at_level(logging.ERROR, logger="cebot.jobs.worker"):
        add_jobs(engine, "test.big", [{}])
        run_due_jobs(engine=engine, settings=slack_settings)
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "giving up on job" in record.getMessage()
    assert "test.big" in record.getMessage()
    # the traceback is on the record (cebot's redacting log filter, when installed, turns it into exc_text)
    assert record.exc_info is not None or "JobFailed: the file is too big." in (record.exc_text or "")


@pytest.mark.parametrize("error", [JobFailed("your licence is not tracked any more."),
                                   ServiceError("your licence is not tracked any more.")])
def test_a_failure_no_retry_can_fix_fails_at_once(engine: Engine, slack_settings: Settings,
                                                  error: Exception) -> None:
    """JobFailed or a ServiceError (a refusal) fails the job on the first attempt, with its message as reason."""
    reasons: list[str] = []

    def handler(run: JobRun) -> None:
        raise error

    with registered_kind("test.refused", handler, on_failure=lambda run, reason: reasons.append(reason)):
        add_jobs(engine, "test.refused", [{}])
        run_due_jobs(engine=engine, settings=slack_settings)
    assert reasons == ["your licence is not tracked any more."]
    assert [(j.status, j.attempts) for j in jobs(engine)] == [("failed", 1)]


def test_the_default_on_failure_dms_the_member_what_failed_and_what_to_do(
        engine: Engine, slack_settings: Settings, fake_slack: FakeSlack) -> None:
    """Without an on_failure of its own, a job that failed tells its member in a DM, naming the work and the
    command that asks for it again."""
    def handler(run: JobRun) -> None:
        raise JobFailed("Slack said the file type is not allowed.")

    with registered_kind("test.dm", handler):
        add_jobs(engine, "test.dm", [{"what": "PDF transcript", "retry_with": "/ce export pdf"}])
        run_due_jobs(engine=engine, settings=slack_settings)
    dm = fake_slack.last("chat.postMessage")
    assert dm["channel"] == "D1"  # the DM conversations.open gave
    assert "your PDF transcript could not be made" in dm["text"]
    assert "Slack said the file type is not allowed." in dm["text"]
    assert "`/ce export pdf`" in dm["text"]


def test_a_permanent_slack_error_fails_at_once_and_a_passing_one_retries(
        engine: Engine, slack_settings: Settings, fake_slack: FakeSlack) -> None:
    """missing_scope (no retry fixes it) fails the job now; a 500 from Slack is retried after the backoff."""
    def handler(run: JobRun) -> None:
        run.client.files_getUploadURLExternal(filename=run.payload["name"], length=3)

    fake_slack.fail_next("files.getUploadURLExternal", status=200, error="missing_scope")
    fake_slack.fail_next("files.getUploadURLExternal", status=500)
    with registered_kind("test.slack", handler, on_failure=lambda run, reason: None):
        add_jobs(engine, "test.slack", [{"name": "a.pdf"}, {"name": "b.pdf"}])
        assert run_due_jobs(engine=engine, settings=slack_settings) == 2
    assert [(j.status, j.last_error) for j in jobs(engine)] == [
        ("failed", "slack error missing_scope"), ("queued", "slack error internal_error")]


def test_uninstalled_workspace_fails_cleanly_without_running_or_dming(
        engine: Engine, slack_settings: Settings, fake_slack: FakeSlack) -> None:
    """A job of a workspace that uninstalled cebot fails on its first attempt; the handler never runs and nobody
    is messaged (there is no token to message with)."""
    ran: list[int] = []
    with registered_kind("test.gone", lambda run: ran.append(1)):
        add_jobs(engine, "test.gone", [{}])
        with session_scope(engine) as s:
            tenancy.mark_uninstalled(session=s, team_id="T1")
        assert run_due_jobs(engine=engine, settings=slack_settings) == 1
    assert ran == []
    assert fake_slack.calls("chat.postMessage") == []
    [job] = jobs(engine)
    assert job.status == "failed"
    assert (job.last_error or "").startswith("not installed")


def test_an_unknown_kind_is_retried_for_a_newer_worker(engine: Engine, slack_settings: Settings) -> None:
    """A kind this process has no handler for (a newer web process during a deploy) waits for a retry."""
    seed_member(engine)
    add_jobs(engine, "test.from-the-future", [{}])
    assert run_due_jobs(engine=engine, settings=slack_settings) == 1
    [job] = jobs(engine)
    assert (job.status, job.attempts) == ("queued", 1)
    assert "no handler" in (job.last_error or "")


def test_a_job_whose_worker_died_is_run_again_after_its_lease(engine: Engine, slack_settings: Settings) -> None:
    """A job claimed by a worker that never finished (killed) is run by the next worker once the lease ends."""
    runs: list[int] = []
    with time_machine.travel(T0, tick=False) as clock, registered_kind("test.once", lambda r: runs.append(r.attempt)):
        add_jobs(engine, "test.once", [{}])
        assert queue.claim_next(engine, datetime.now(UTC), timedelta(seconds=slack_settings.job_lease_seconds))
        assert run_due_jobs(engine=engine, settings=slack_settings) == 0
        clock.shift(timedelta(seconds=slack_settings.job_lease_seconds))
        assert run_due_jobs(engine=engine, settings=slack_settings) == 1
    assert runs == [2]
    assert jobs(engine)[0].status == "done"


def test_a_worker_that_outlives_its_lease_rolls_back_its_writes(engine: Engine, slack_settings: Settings) -> None:
    """When another worker took the job over meanwhile, the slow worker's writes are rolled back and it does not
    mark the job; the new holder owns it."""
    def handler(run: JobRun) -> None:
        later = datetime.now(UTC) + timedelta(seconds=slack_settings.job_lease_seconds + 1)
        assert queue.claim_next(run.engine, later, timedelta(minutes=5)) is not None  # another worker
        _write_milestone(run, "slow")

    with registered_kind("test.slow", handler):
        add_jobs(engine, "test.slow", [{}])
        run_due_jobs(engine=engine, settings=slack_settings)
    assert _milestones(engine) == []
    [job] = jobs(engine)
    assert (job.status, job.attempts) == ("running", 2)


def test_a_worker_killed_during_the_last_attempt_tells_the_member_once(
        engine: Engine, slack_settings: Settings) -> None:
    """A job whose last attempt's worker died is failed once its lease ends, and on_failure runs once."""
    reasons: list[str] = []
    with registered_kind("test.last", lambda run: None, on_failure=lambda run, reason: reasons.append(reason)):
        add_jobs(engine, "test.last", [{}])
        with engine.begin() as conn:
            conn.execute(sa.update(Job).values(status="running", attempts=queue.MAX_ATTEMPTS,
                                               next_attempt_at=datetime.now(UTC) - timedelta(seconds=1)))
        run_due_jobs(engine=engine, settings=slack_settings)
        run_due_jobs(engine=engine, settings=slack_settings)
    assert reasons == ["I was interrupted too many times."]
    assert jobs(engine)[0].status == "failed"


def _race(database_url: str, settings: Settings, workers: int, rounds: int, per_round: int) -> Counter[int]:
    """``workers`` threads, each with its own engine, run due jobs at the same moment, ``rounds`` times over
    ``per_round`` new jobs; how many times each job's handler ran."""
    ran: Counter[int] = Counter()
    lock = threading.Lock()
    errors: list[BaseException] = []

    def handler(run: JobRun) -> None:
        with lock:
            ran[run.job_id] += 1

    engines = [make_engine(database_url) for _ in range(workers)]
    barrier = threading.Barrier(workers)

    def worker(own: Engine) -> None:
        try:
            barrier.wait(timeout=60)
            while run_due_jobs(engine=own, settings=settings, limit=1):
                pass
        except BaseException as exc:
            errors.append(exc)

    try:
        with registered_kind("test.race", handler):
            for _ in range(rounds):
                add_jobs(engines[0], "test.race", [{} for _ in range(per_round)])
                threads = [threading.Thread(target=worker, args=(e,)) for e in engines]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(timeout=120)
    finally:
        for e in engines:
            e.dispose()
    assert errors == []
    return ran


def test_two_workers_racing_for_one_job_run_it_once(database_url: str, engine: Engine,
                                                    slack_settings: Settings) -> None:
    """Two workers (own connections) that look for work at the same moment run a single job once, 15 times over."""
    ran = _race(database_url, slack_settings, workers=2, rounds=15, per_round=1)
    assert len(ran) == 15
    assert set(ran.values()) == {1}
    assert {j.status for j in jobs(engine)} == {"done"}


def test_four_workers_share_a_burst_and_run_each_job_once(database_url: str, engine: Engine,
                                                          slack_settings: Settings) -> None:
    """Four workers draining 40 jobs together run every job exactly once."""
    ran = _race(database_url, slack_settings, workers=4, rounds=1, per_round=40)
    assert len(ran) == 40
    assert set(ran.values()) == {1}
    done: dict[str, Any] = Counter(j.status for j in jobs(engine))
    assert done == {"done": 40}


def test_retry_later_waits_for_the_backoff_without_a_traceback(engine: Engine, slack_settings: Settings,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    """A handler raising RetryLater is queued again after the first backoff, logged as a one-line warning."""
    def handler(run: JobRun) -> None:
        raise RetryLater("the chart service is busy")

    with registered_kind("test.later", handler), caplog.at_level(logging.WARNING, logger="cebot.jobs.worker"):
        add_jobs(engine, "test.later", [{}])
        run_due_jobs(engine=engine, settings=slack_settings)
    [job] = jobs(engine)
    assert (job.status, job.attempts) == ("queued", 1)
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert "the chart service is busy" in record.getMessage()
    assert not record.exc_info
    assert not record.exc_text


def test_the_clock_scheduler_runs_due_jobs(engine: Engine, slack_settings: Settings) -> None:
    """add_to_scheduler (what the clock and `cebot serve` use) runs a queued job without any worker process."""
    ran = threading.Event()
    with registered_kind("test.clock", lambda run: ran.set()):
        add_jobs(engine, "test.clock", [{}])
        scheduler = BackgroundScheduler(timezone=UTC)
        add_to_scheduler(scheduler, engine=engine, settings=slack_settings, seconds=0.2)
        scheduler.start()
        try:
            assert ran.wait(timeout=30)
        finally:
            scheduler.shutdown(wait=True)
    assert jobs(engine)[0].status == "done"
