"""Running jobs: claim one (a lease), run its handler in its own transaction, mark it done or retry it.

A request records slow work with :func:`cebot.services.jobs.enqueue` in its own transaction; ``cebot worker``
(:func:`run_worker`, every second) and the clock process (:func:`add_to_scheduler`, every few seconds) call
:func:`run_due_jobs`. Handlers are registered with :func:`~cebot.jobs.registry.job_handler` by the feature
modules that :mod:`cebot.jobs.kinds` imports (they import it from :mod:`cebot.jobs.registry`, which this module
re-exports: importing the worker from a feature module would be an import cycle).

For each due job (:mod:`cebot.jobs.queue`): the claim commits a lease (``JOB_LEASE_SECONDS``); the handler runs
in a new transaction with the workspace's bot client, and the job is marked ``done`` in that same transaction,
so its database writes happen exactly once. A handler that raises is rolled back and retried after a backoff
(10 s, 30 s, 2 min, 10 min); after :data:`~cebot.jobs.queue.MAX_ATTEMPTS` (or at once, when a retry cannot
help: a :class:`JobFailed`, a ``ServiceError``, a permanent Slack error) it is marked ``failed``, logged, and
its ``on_failure`` runs once (by default a DM telling the member what failed and what to do).

A worker killed mid-job (``kill -9``, a lost machine) holds the job only until its lease ends; then another
worker takes it over and runs it again. This is the one at-least-once window: if the job had already reached
Slack (the file was uploaded) when the process died, or the commit of ``done`` was lost, the member gets the
file twice. Slack's upload API has no idempotency key, so only reading the DM back could close that window; the
alternative, never re-running a claimed job, would lose every job whose worker died *before* Slack had it,
which is the likelier case and the worse one for a member who was told "on its way". The failure DM is the
opposite trade: ``failed`` is committed first, then ``on_failure`` runs, so it is sent at most once.

A job of an uninstalled (or purged) workspace fails at once without a DM: there is no token to send one with.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from cebot.db import session_scope
from cebot.jobs import kinds, queue
from cebot.jobs.leasing import PERMANENT_SLACK_ERRORS
from cebot.jobs.registry import (
    JOB_HANDLERS,
    JobFailed,
    JobKind,
    JobRun,
    OnFailure,
    RetryLater,
    job_handler,
    notify_member,
)
from cebot.models import Member, Workspace
from cebot.services.errors import ServiceError
from cebot.settings import Settings

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
"""How often ``cebot worker`` looks for due jobs when there are none."""
CLOCK_POLL_SECONDS = 3
"""How often the clock process runs due jobs (it also runs beside a worker, or instead of one)."""
SLACK_TIMEOUT = 30
"""Seconds per Web API call of a job (uploads of a few hundred kilobytes)."""
SCHEDULER_JOB_ID = "cebot-jobs"

__all__ = ["JOB_HANDLERS", "JobFailed", "JobRun", "OnFailure", "RetryLater", "add_to_scheduler", "cli_worker",
           "job_handler", "notify_member", "run_due_jobs", "run_worker"]


# --------------------------------------------------------------------------- running one job


class _NoClient(Exception):
    """The workspace is gone or uninstalled: fail without telling anyone (there is no token to tell them)."""


class _LeaseLost(Exception):
    """Another worker took the job over while this one ran it (its lease ended)."""


def _client_for(engine: Engine, settings: Settings, workspace: Workspace) -> WebClient:
    from cebot.slack.installations import bot_client_for

    client = bot_client_for(workspace.team_id, settings=settings, engine=engine, timeout=SLACK_TIMEOUT)
    if client is None:
        raise _NoClient(f"cebot is not installed in {workspace.team_id}")
    return client


def _open_run(engine: Engine, settings: Settings, session: Session, c: queue.Claim) -> JobRun:
    workspace = session.get(Workspace, c.workspace_id)
    if workspace is None:
        raise _NoClient(f"workspace {c.workspace_id} no longer exists")
    member = session.get(Member, c.member_id) if c.member_id is not None else None
    if member is not None and member.workspace_id != workspace.id:  # never act across workspaces
        raise JobFailed("this request belongs to another workspace.")
    return JobRun(engine=engine, settings=settings, session=session, workspace=workspace, member=member,
                  payload=c.payload, client=_client_for(engine, settings, workspace), attempt=c.attempt,
                  job_id=c.job_id, kind=c.kind)


def _classify(exc: BaseException) -> tuple[str, str, bool, bool]:
    """(technical error, reason for the member, permanent, tell the member)."""
    if isinstance(exc, _NoClient):
        return f"not installed: {exc}", "", True, False
    if isinstance(exc, JobFailed):
        return f"failed: {exc}", str(exc), True, True
    if isinstance(exc, ServiceError):
        return f"refused: {exc.message}", exc.message, True, True
    if isinstance(exc, SlackApiError):
        code = str(exc.response.get("error") or exc.response.status_code)
        return f"slack error {code}", f"Slack refused it ({code}).", code in PERMANENT_SLACK_ERRORS, True
    return f"{type(exc).__name__}: {exc}", "something went wrong on my side.", False, True


def _run_one(engine: Engine, settings: Settings, c: queue.Claim, clock: Callable[[], datetime]) -> str:
    """Run one claimed job; its new status (``done``, ``queued``, ``failed`` or ``lost``)."""
    entry = JOB_HANDLERS.get(c.kind)
    try:
        if entry is None:  # e.g. a web process newer than this worker during a deploy: a later worker may know it
            raise RetryLater(f"no handler for job kind {c.kind!r} in this process")
        with session_scope(engine) as session:
            entry.handler(_open_run(engine, settings, session, c))
            if not queue.mark_done(session, c, clock()):
                raise _LeaseLost
    except _LeaseLost:
        log.warning("job %s (%s) outlived its lease and was taken over; its writes were rolled back", c.job_id,
                    c.kind)
        return "lost"
    except Exception as exc:  # any failure of one job must not stop the others
        error, reason, permanent, tell = _classify(exc)
        status = queue.mark_failed(engine, c, clock(), error, permanent=permanent)
        if status == "failed":
            log.exception("giving up on job %s (%s) after attempt %d of %d: %s", c.job_id, c.kind, c.attempt,
                          queue.MAX_ATTEMPTS, error)
            if tell:
                _on_failure(engine, settings, entry, c, reason)
        elif status == "queued":
            log.warning("job %s (%s) failed (attempt %d of %d), retrying in %s: %s", c.job_id, c.kind, c.attempt,
                        queue.MAX_ATTEMPTS, queue.backoff(c.attempt), error,
                        exc_info=not isinstance(exc, RetryLater))
        return status
    log.info("job %s (%s) done on attempt %d", c.job_id, c.kind, c.attempt)
    return "done"


def _on_failure(engine: Engine, settings: Settings, entry: JobKind | None, c: queue.Claim, reason: str) -> None:
    """Run the kind's ``on_failure`` once, in its own transaction; its errors are logged, never retried."""
    on_failure = entry.on_failure if entry is not None else notify_member
    try:
        with session_scope(engine) as session:
            on_failure(_open_run(engine, settings, session, c), reason)
    except _NoClient:
        log.warning("job %s (%s) failed and nobody can be told: its workspace is not installed", c.job_id, c.kind)
    except Exception:
        log.exception("telling the member that job %s (%s) failed did not work either", c.job_id, c.kind)


def run_due_jobs(*, engine: Engine, settings: Settings, limit: int = 20, now: datetime | None = None) -> int:
    """Run up to ``limit`` due jobs one after the other (claim, run, mark); how many were run, whatever their
    outcome. ``now`` fixes the time of every claim and mark (tests); default: the current time."""
    kinds.load()
    lease = timedelta(seconds=settings.job_lease_seconds)

    def clock() -> datetime:
        return now if now is not None else datetime.now(UTC)

    for abandoned in queue.sweep_abandoned(engine, clock()):
        log.error("giving up on job %s (%s): %s", abandoned.job_id, abandoned.kind, queue.ABANDONED)
        _on_failure(engine, settings, JOB_HANDLERS.get(abandoned.kind), abandoned,
                    "I was interrupted too many times.")
    ran = 0
    while ran < limit:
        claim = queue.claim_next(engine, clock(), lease)
        if claim is None:
            break
        _run_one(engine, settings, claim, clock)
        ran += 1
    return ran


# --------------------------------------------------------------------------- processes


def run_worker(settings: Settings, engine: Engine, *, interval: float = POLL_SECONDS,
               stop: threading.Event | None = None) -> None:
    """Run due jobs until ``stop`` is set (``cebot worker`` sets it on SIGTERM or Ctrl-C).

    One job at a time: a stop request lets the current job finish, then the loop ends.
    """
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            ran = run_due_jobs(engine=engine, settings=settings, limit=1)
        except Exception:  # the database may be away: wait and try again, the jobs are safe in their table
            log.exception("running due jobs failed")
            ran = 0
        if not ran:
            stop.wait(interval)


def add_to_scheduler(scheduler: Any, *, engine: Engine, settings: Settings,
                     seconds: float = CLOCK_POLL_SECONDS) -> None:
    """Run due jobs every few ``seconds`` on an APScheduler (the clock process, and ``cebot serve``'s clock)."""
    from apscheduler.triggers.interval import IntervalTrigger

    def run() -> None:
        try:
            run_due_jobs(engine=engine, settings=settings)
        except Exception:  # the next run tries again
            log.exception("running due jobs failed")

    scheduler.add_job(run, IntervalTrigger(seconds=seconds, timezone=UTC), id=SCHEDULER_JOB_ID,
                      name="cebot jobs", max_instances=1, coalesce=True, replace_existing=True,
                      misfire_grace_time=max(int(seconds), 1))


def cli_worker(args: argparse.Namespace) -> int:
    """``cebot worker [--interval S] [--once]``."""
    from cebot.services.bootstrap import prepare_database
    from cebot.settings import MANIFEST_HINT, MODES_HINT, SettingsError, load_settings

    settings = load_settings()
    if not settings.slack_bot_token and not settings.oauth_mode:
        raise SettingsError("cebot worker cannot start: missing SLACK_BOT_TOKEN. " + MODES_HINT + " " + MANIFEST_HINT)
    engine = prepare_database(settings)
    if args.once:
        ran = run_due_jobs(engine=engine, settings=settings, limit=10_000)
        log.info("ran %d due job(s)", ran)
        return 0
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("worker stopping (signal %d): finishing the current job", signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    log.info("worker started: running due jobs every %.3g s (lease %.3g s)", args.interval,
             settings.job_lease_seconds)
    run_worker(settings, engine, interval=args.interval, stop=stop)
    log.info("worker stopped")
    engine.dispose()
    return 0
