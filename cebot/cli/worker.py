"""``cebot worker``: run durable jobs (exports, certificate reading, audit packets) until stopped."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from types import FrameType

from cebot.jobs.worker import run_due_jobs, run_worker

log = logging.getLogger(__name__)


def cli_worker(args: argparse.Namespace) -> int:
    """``cebot worker [--interval S] [--once]``."""
    from cebot.core.settings import MANIFEST_HINT, MODES_HINT, SettingsError, load_settings
    from cebot.services.bootstrap import prepare_database

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
