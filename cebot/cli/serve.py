"""``cebot serve``: Socket Mode when ``SLACK_APP_TOKEN`` is set, otherwise HTTP on ``$PORT`` with gunicorn.

Both check the settings first (naming every missing variable), bring a SQLite
database to the latest schema, and, unless ``--no-clock`` or ``RUN_CLOCK=false``,
run the reminder clock too: on a thread in Socket Mode (one process), as a
``cebot clock`` child process beside gunicorn (its workers are forked, and a
scheduler thread must not be forked with them).
"""

from __future__ import annotations

import argparse
import logging
import signal
import subprocess
import sys
from typing import Any

from gunicorn.app.base import BaseApplication
from sqlalchemy.engine import Engine

from cebot.core.settings import Settings, load_settings

logger = logging.getLogger(__name__)


class GunicornServer(BaseApplication):
    """gunicorn run from Python with ``cebot.web.gunicorn_conf`` and an app built already."""

    def __init__(self, wsgi_app: Any, options: dict[str, Any] | None = None) -> None:
        self.wsgi_app = wsgi_app
        self.options = options or {}
        super().__init__()

    def load_config(self) -> None:
        from cebot.web import gunicorn_conf

        known = self.cfg.settings
        for name in dir(gunicorn_conf):
            if name in known and not name.startswith("_"):
                self.cfg.set(name, getattr(gunicorn_conf, name))
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self) -> Any:
        return self.wsgi_app


def gunicorn_options(settings: Settings) -> dict[str, Any]:
    return {"bind": f"0.0.0.0:{settings.port}", "workers": max(settings.web_concurrency, 1),
            "loglevel": settings.log_level.lower()}


def _start_clock_process() -> subprocess.Popen[bytes]:
    logger.info("starting the reminder clock (cebot clock) beside the web server")
    return subprocess.Popen([sys.executable, "-m", "cebot", "clock"])


def run_http(settings: Settings, engine: Engine, *, clock: bool) -> int:
    from cebot.slack.app import create_app
    from cebot.web.wsgi import make_wsgi_app

    wsgi_app = make_wsgi_app(create_app(settings, engine=engine), engine)
    engine.dispose()  # the workers open their own connections
    clock_process = _start_clock_process() if clock else None
    try:
        logger.info("serving Slack over HTTP on port %s (POST /slack/events, GET /healthz)", settings.port)
        GunicornServer(wsgi_app, gunicorn_options(settings)).run()
    finally:
        if clock_process is not None:
            clock_process.terminate()
            clock_process.wait(timeout=20)
    return 0


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)  # in the main thread, out of handler.start(): the finally below closes the connection


def run_socket_mode(settings: Settings, engine: Engine, *, clock: bool) -> int:
    """Serve Slack over Socket Mode with Bolt's built-in adapter (slack_sdk's own ``SocketModeClient``).

    The client opens its WebSocket with ``apps.connections.open`` (``SLACK_APP_TOKEN``, at ``SLACK_API_URL``),
    acknowledges each envelope with the listener's ack, and reconnects by itself (a new ``apps.connections.open``)
    when Slack sends ``disconnect`` or the connection closes. SIGTERM closes the connection, lets requests in hand
    finish, and exits.
    """
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from cebot.slack.app import create_app

    app = create_app(settings, engine=engine)
    scheduler: Any = None
    if clock:
        from cebot.jobs.clock import start_in_process_scheduler

        scheduler = start_in_process_scheduler(settings, engine)
    handler = SocketModeHandler(app, settings.slack_app_token, ping_interval=settings.socket_mode_ping_seconds)
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    logger.info("connecting to Slack in Socket Mode")
    try:
        handler.start()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        logger.info("closing the Socket Mode connection")
        handler.close()
        if scheduler is not None:
            scheduler.shutdown()
    return 0


def run(args: argparse.Namespace) -> int:
    """``cebot serve [--no-clock]``."""
    from cebot.services.bootstrap import prepare_database

    settings = load_settings()
    settings.require_slack()
    engine = prepare_database(settings)
    clock = settings.run_clock and not getattr(args, "no_clock", False)
    if settings.socket_mode:
        return run_socket_mode(settings, engine, clock=clock)
    return run_http(settings, engine, clock=clock)
