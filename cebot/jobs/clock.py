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
(:mod:`cebot.jobs.delivery`). The schedule lives in the data, so a clock that
restarts picks up where it was, and two clocks at once never send a message
twice. Ticks never overlap (``max_instances=1``, ``coalesce``).
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import Engine

from cebot.db import session_scope
from cebot.jobs import delivery, worker
from cebot.jobs.planning import plan
from cebot.jobs.sender import Sender, SlackSender, chart, render
from cebot.services.events import prune_processed_events
from cebot.services.scheduled import Planned, PlanStats
from cebot.settings import Settings

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
    for c in claims:
        _deliver(engine, sender, c, current, report)
    report.swept = delivery.sweep(engine, current())
    if report.planned or report.swept:
        log.info("%s", report)
    return report


def _deliver(engine: Engine, sender: Sender, c: delivery.Claim, current: Callable[[], datetime],
             report: TickReport) -> None:
    """Render and send one claimed message, then mark it sent, or failed with a retry (or for good)."""
    p = c.planned
    try:
        ts = sender.send(p.team_id, p.recipient, {**render(p), **chart(p)})
    except Exception as exc:  # any failure of one message must not stop the others
        text, permanent = _error_text(exc)
        if delivery.mark_failed(engine, c, current(), text, permanent=permanent) == "failed":
            report.failed += 1
        else:
            report.retrying += 1
        return
    if delivery.mark_sent(engine, c, current(), ts):
        report.sent += 1
        log.info("sent %s %s to %s in %s", p.kind, p.period, p.recipient, p.team_id)
    else:
        log.warning("sent %s %s to %s but its claim had expired and was taken over", p.kind, p.period, p.recipient)


# --------------------------------------------------------------------------- schedulers


HOUSEKEEPING_EVERY = timedelta(hours=1)


def _job(engine: Engine, sender: Sender) -> Callable[[], None]:
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
            housekeeping(engine, now=now)
        except Exception:  # the next hour tries again; nothing depends on it
            log.exception("clock housekeeping failed")

    return run


def housekeeping(engine: Engine, *, now: datetime | None = None) -> int:
    """Hourly clean-up: forget handled Slack event ids past any retry; the number of rows removed."""
    with session_scope(engine) as session:
        removed = prune_processed_events(session=session, now=now)
    if removed:
        log.info("housekeeping: forgot %d handled Slack event ids", removed)
    return removed


def _add_tick(scheduler: Any, engine: Engine, sender: Sender, minutes: int) -> None:
    from apscheduler.triggers.interval import IntervalTrigger

    # One tick at a time (max_instances=1); ticks missed while one ran late collapse into one (coalesce).
    scheduler.add_job(
        _job(engine, sender), IntervalTrigger(minutes=minutes, timezone=UTC), id=JOB_ID, name="cebot clock tick",
        max_instances=1, coalesce=True, misfire_grace_time=minutes * 60, next_run_time=datetime.now(UTC),
        replace_existing=True,
    )


def run_clock(settings: Settings, engine: Engine, *, minutes: int = TICK_MINUTES,
              sender: Sender | None = None) -> None:
    """Run the clock in the foreground until interrupted (``cebot clock``)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(timezone=UTC)
    _add_tick(scheduler, engine, sender or SlackSender(settings, engine=engine), minutes)
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
        _add_tick(scheduler, engine, sender or SlackSender(settings, engine=engine), minutes)
        worker.add_to_scheduler(scheduler, engine=engine, settings=settings)
        scheduler.start()
        _in_process = scheduler
        log.info("in-process clock started: ticking every %d minutes", minutes)
        return scheduler


# --------------------------------------------------------------------------- CLI


def _say(text: object) -> None:
    """Operator output of the CLI commands (stdout)."""
    sys.stdout.write(f"{text}\n")


def _engine(settings: Settings) -> Engine:
    from cebot.services.bootstrap import prepare_database

    return prepare_database(settings)


def cli_clock(args: argparse.Namespace) -> int:
    """``cebot clock``."""
    from cebot.settings import load_settings

    settings = load_settings()
    if not settings.slack_bot_token and not settings.oauth_mode:
        from cebot.settings import MANIFEST_HINT, MODES_HINT, SettingsError

        raise SettingsError("cebot clock cannot start: missing SLACK_BOT_TOKEN. " + MODES_HINT + " " + MANIFEST_HINT)
    engine = _engine(settings)
    if args.once:
        _say(tick(engine, SlackSender(settings, engine=engine)))
        return 0
    run_clock(settings, engine, minutes=args.minutes)
    return 0


def parse_at(text: str | None) -> datetime:
    """``--at``: an ISO date-time (naive means UTC) or a date (09:30 UTC that day); default now."""
    if not text:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise SystemExit(f"--at: not an ISO date-time: {text!r} (example: 2026-03-09T14:05:00+00:00)") from exc
    if len(text) == 10:
        moment = moment.replace(hour=9, minute=30)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def describe(p: Planned) -> str:
    """One line for an operator: to whom, what, and why."""
    payload_text = ""
    try:
        payload_text = str(render(p).get("text", ""))
    except Exception as exc:  # show the problem instead of hiding the message
        payload_text = f"(cannot render: {exc})"
    to = f"#{p.recipient} (channel)" if p.kind == "summary" else f"@{p.recipient} (DM)"
    state = "" if p.state == "new" else f" [{p.state}]"
    return f"{p.team_id} {to} {p.kind} {p.period}{state}\n    why: {p.reason}\n    text: {payload_text}"


def cli_remind(args: argparse.Namespace) -> int:
    """``cebot remind --dry-run [--at DATETIME] [--team T]``: what a tick at that instant would send."""
    from cebot.settings import load_settings

    if not args.dry_run:
        _say("Only --dry-run is supported here; the clock (`cebot clock`) does the sending.")
        return 2
    settings = load_settings()
    engine = _engine(settings)
    at = parse_at(args.at)
    stats = PlanStats()
    with session_scope(engine) as session:
        planned = plan(session, at, team_ids=[args.team] if args.team else None, summaries=not args.reminders_only,
                       stats=stats)
        _say(f"At {at.isoformat()} a tick would send {len(planned)} message(s) (dry run, nothing sent):")
        for p in planned:
            _say("- " + describe(p))
        if stats.skipped:
            _say(f"Already delivered or in flight ({len(stats.skipped)}):")
            for key, state in stats.skipped:
                _say(f"- {key} [{state}]")
        _say(f"({stats.workspaces} workspace(s), {stats.members_in_window} member(s) in their 09:00-11:00 "
              f"weekday window)")
    return 0


def cli_summary(args: argparse.Namespace) -> int:
    """``cebot summary --dry-run --team T [--at DATETIME]``: the weekly summary that team would get."""
    from sqlmodel import select

    from cebot.domain import reminders as r
    from cebot.models import Workspace
    from cebot.services.summary import weekly_summary
    from cebot.settings import load_settings
    from cebot.slack.blocks import Block
    from cebot.slack.render.summary import render_summary

    if not args.dry_run:
        _say("Only --dry-run is supported here; the clock (`cebot clock`) sends the summary on schedule.")
        return 2
    settings = load_settings()
    engine = _engine(settings)
    at = parse_at(args.at)
    with session_scope(engine) as session:
        ws = session.exec(select(Workspace).where(Workspace.team_id == args.team)).first()
        if ws is None:
            _say(f"No workspace with team id {args.team!r} uses cebot yet.")
            return 1
        schedule = r.SummarySchedule.from_settings(ws.settings)
        tz = r.zone((schedule.tz if schedule else None) or ws.timezone, ws.timezone)
        local = r.local_now(at, tz)
        due = r.summary_due(schedule, ws.timezone, at)
        if schedule is None:
            _say(f"{args.team}: the weekly summary is off (turn it on with /ce admin summary #channel).")
            occurrence = local
        else:
            occurrence = r.summary_occurrence(schedule, tz, local.date())
            _say(f"{args.team}: weekly summary to #{schedule.channel} on {schedule.day} at "
                  f"{schedule.at:%H:%M} {tz.key}; " + (f"due now ({due.reason})" if due else "not due at this time"))
        day = occurrence.date()
        summary = weekly_summary(session=session, workspace_id=ws.id or 0, today=local.date(),
                                 week_start=day - timedelta(days=7), week_end=day - timedelta(days=1),
                                 tz_name=tz.key)
        payload = render_summary(summary)
        _say("text: " + str(payload["text"]))
        blocks: list[Block] = payload.get("blocks", [])
        for block in blocks:
            _say(_block_text(block))
    return 0


def _block_text(block: dict[str, Any]) -> str:
    parts: list[str] = []
    text = block.get("text")
    if isinstance(text, dict):
        parts.append(str(text.get("text", "")))
    for f in block.get("fields", []) or []:
        parts.append(str(f.get("text", "")).replace("\n", ": "))
    for e in block.get("elements", []) or []:
        if isinstance(e, dict) and "text" in e:
            parts.append(str(e["text"]) if not isinstance(e["text"], dict) else str(e["text"].get("text", "")))
    return "\n".join(p for p in parts if p)
