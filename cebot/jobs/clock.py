"""The clock: one APScheduler (3.x) job that ticks every few minutes and sends what is due.

``cebot clock`` runs :func:`run_clock` (a ``BlockingScheduler``) as its own
process (Procfile ``clock:``). A single-process install (``cebot serve`` with
SQLite) calls :func:`start_in_process_scheduler` instead, which runs the same
tick on a ``BackgroundScheduler`` thread; it must never run inside gunicorn
workers (each worker would start one).

Each tick (:func:`tick`): work out what is due now from the database
(:mod:`cebot.jobs.planning`, from the reminder and summary services), claim it in
the delivery table, render and send each claimed message, mark it sent (or
schedule a retry), then sweep rows that ran out of tries
(:mod:`cebot.jobs.delivery`). A summary's chart is slow to draw: marking the
summary sent enqueues a job that draws and uploads it after the tick
(:mod:`cebot.jobs.summary_chart`; the clock process runs due jobs too). The schedule lives in the data, so a clock that
restarts picks up where it was, and two clocks at once never send a message
twice. Ticks never overlap (``max_instances=1``, ``coalesce``). Once an hour the tick is followed by
:func:`housekeeping`, which also deletes what is past its retention period (:mod:`cebot.services.purge`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from cebot.core.db import session_scope
from cebot.core.settings import Settings
from cebot.domain.summary import WeeklySummary
from cebot.jobs import delivery, worker
from cebot.jobs.planning import plan
from cebot.jobs.sender import Sender, SlackSender, render
from cebot.jobs.summary_chart import SUMMARY_CHART, chart_job
from cebot.models import Workspace
from cebot.services.events import prune_processed_events
from cebot.services.jobs import enqueue, prune_finished_jobs
from cebot.services.purge import purge_past_retention
from cebot.services.scheduled import PlanStats

log = logging.getLogger(__name__)

TICK_MINUTES = 5
JOB_ID = "cebot-clock-tick"


@dataclass
class TickReport:
    """What one tick did."""

    now: datetime
    planned: int = 0
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    swept: int = 0
    stats: PlanStats = field(default_factory=PlanStats)

    def __str__(self) -> str:
        return (f"tick {self.now.isoformat()}: planned {self.planned}, claimed {self.claimed}, sent {self.sent}, "
                f"retrying {self.retrying}, failed {self.failed}, swept {self.swept}")


def _error_text(exc: Exception) -> tuple[str, bool]:
    if isinstance(exc, SlackApiError):
        code = str(exc.response.get("error") or exc.response.status_code)
        return f"slack error {code}", code in delivery.PERMANENT_ERRORS
    return f"{type(exc).__name__}: {exc}", False


def tick(engine: Engine, sender: Sender, *, now: datetime | None = None,
         clock: Callable[[], datetime] | None = None) -> TickReport:
    """Plan, claim, send and mark everything due at ``now`` (default: the current time)."""
    current = clock or (lambda: datetime.now(UTC))
    now = (now or current()).astimezone(UTC)
    report = TickReport(now=now)
    with session_scope(engine) as session:
        planned = plan(session, now, stats=report.stats)
    report.planned = len(planned)
    claims = delivery.claim(engine, planned, now)
    report.claimed = len(claims)
    with delivery.Marks(engine) as marks:  # one connection for all the tick's marks
        for c in claims:
            _deliver(marks, sender, c, current, report)
    report.swept = delivery.sweep(engine, current())
    if report.planned or report.swept:
        log.info("%s", report)
    return report


def _deliver(marks: delivery.Marks, sender: Sender, c: delivery.Claim, current: Callable[[], datetime],
             report: TickReport) -> None:
    """Render and send one claimed message, then mark it sent, or failed with a retry (or for good)."""
    p = c.planned
    try:
        ts = sender.send(p.team_id, p.recipient, render(p))
    except Exception as exc:  # any failure of one message must not stop the others
        text, permanent = _error_text(exc)
        if marks.failed(c, current(), text, permanent=permanent) == "failed":
            report.failed += 1
        else:
            report.retrying += 1
        return
    if marks.sent(c, current(), ts, then=_chart_follows(c)):
        report.sent += 1
        log.info("sent %s %s to %s in %s", p.kind, p.period, p.recipient, p.team_id)
    else:
        log.warning("sent %s %s to %s but its claim had expired and was taken over", p.kind, p.period, p.recipient)


def _chart_follows(c: delivery.Claim) -> Callable[[sa.Connection], None] | None:
    """For a summary with a chart: enqueue its chart job in the transaction that marks the summary sent (the
    drawing, most of a second each, would hold the tick; :mod:`cebot.jobs.summary_chart`)."""
    p = c.planned
    if not p.chart or not isinstance(p.message, WeeklySummary):
        return None
    payload = chart_job(channel=p.recipient, rows=p.chart, today=p.message.today)

    def enqueue_chart(conn: sa.Connection) -> None:
        with Session(bind=conn) as session:
            enqueue(session=session, workspace=session.get_one(Workspace, p.workspace_id), kind=SUMMARY_CHART,
                    payload=payload, key=f"delivery:{c.delivery_id}")

    return enqueue_chart


# --------------------------------------------------------------------------- schedulers


HOUSEKEEPING_EVERY = timedelta(hours=1)


def _job(engine: Engine, sender: Sender, settings: Settings) -> Callable[[], None]:
    last_housekeeping: list[datetime] = []

    def run() -> None:
        try:
            tick(engine, sender)
        except Exception:  # the scheduler keeps ticking; the next tick catches up from the data
            log.exception("clock tick failed")
        now = datetime.now(UTC)
        if last_housekeeping and now - last_housekeeping[0] < HOUSEKEEPING_EVERY:
            return
        last_housekeeping[:] = [now]
        try:
            housekeeping(engine, settings, now=now)
        except Exception:  # the next hour tries again; nothing depends on it
            log.exception("clock housekeeping failed")

    return run


def housekeeping(engine: Engine, settings: Settings, *, now: datetime | None = None) -> int:
    """Hourly clean-up: forget handled Slack event ids past any retry and jobs finished a month ago, and delete
    what is past its retention period (:mod:`cebot.services.purge`); the number of rows removed."""
    with session_scope(engine) as session:
        events = prune_processed_events(session=session, now=now)
        finished = prune_finished_jobs(session=session, now=now)
    if events or finished:
        log.info("housekeeping: forgot %d handled Slack event ids and %d finished jobs", events, finished)
    purged = purge_past_retention(engine=engine, settings=settings, now=now)
    for report in purged.workspaces:
        log.info("housekeeping: purged workspace %s", report)
    if purged.certificates or purged.files:
        log.info("housekeeping: deleted %d certificates past their retention period and %d stored files",
                 purged.certificates, purged.files)
    return events + finished + sum(sum(r.rows.values()) for r in purged.workspaces) + purged.certificates


def _add_tick(scheduler: Any, engine: Engine, sender: Sender, settings: Settings, minutes: int) -> None:
    from apscheduler.triggers.interval import IntervalTrigger

    # One tick at a time (max_instances=1); ticks missed while one ran late collapse into one (coalesce).
    scheduler.add_job(
        _job(engine, sender, settings), IntervalTrigger(minutes=minutes, timezone=UTC), id=JOB_ID,
        name="cebot clock tick", max_instances=1, coalesce=True, misfire_grace_time=minutes * 60,
        next_run_time=datetime.now(UTC), replace_existing=True,
    )


def run_clock(settings: Settings, engine: Engine, *, minutes: int = TICK_MINUTES,
              sender: Sender | None = None) -> None:
    """Run the clock in the foreground until interrupted (``cebot clock``)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(timezone=UTC)
    _add_tick(scheduler, engine, sender or SlackSender(settings, engine=engine), settings, minutes)
    worker.add_to_scheduler(scheduler, engine=engine, settings=settings)  # exports and uploads, every few s
    log.info("clock started: ticking every %d minutes", minutes)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("clock stopped")


_in_process_lock = threading.Lock()
_in_process: Any = None


def start_in_process_scheduler(settings: Settings, engine: Engine, *, minutes: int = TICK_MINUTES,
                               sender: Sender | None = None) -> Any:
    """Start the clock on a background thread of this process (single-process installs); returns the scheduler.

    Call it once, from the process that serves Slack, never from gunicorn workers. A second call in the same
    process returns the scheduler already running. Stop it with ``scheduler.shutdown()``.
    """
    global _in_process
    from apscheduler.schedulers.background import BackgroundScheduler

    with _in_process_lock:
        if _in_process is not None and _in_process.running:
            return _in_process
        scheduler = BackgroundScheduler(timezone=UTC, daemon=True)
        _add_tick(scheduler, engine, sender or SlackSender(settings, engine=engine), settings, minutes)
        worker.add_to_scheduler(scheduler, engine=engine, settings=settings)
        scheduler.start()
        _in_process = scheduler
        log.info("in-process clock started: ticking every %d minutes", minutes)
        return scheduler
