"""The ``cebot`` console script: migrate, serve, shell, clock, worker and operators' views."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from cebot.core.settings import SettingsError, load_settings

Handler = Callable[[argparse.Namespace], int]


def _migrate(args: argparse.Namespace) -> int:
    from cebot.core.db import upgrade

    settings = load_settings()
    upgrade(settings.database_url, args.revision)
    print(f"Database is at revision {args.revision}: {_safe_url(settings.database_url)}")
    return 0


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _lazy(module: str, func: str) -> Handler:
    def run(args: argparse.Namespace) -> int:
        import importlib

        return int(getattr(importlib.import_module(module), func)(args))

    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cebot", description="Continuing-education tracking in Slack.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("migrate", help="upgrade the database to the latest schema")
    p.add_argument("--revision", default="head")
    p.set_defaults(handler=_migrate)

    p = sub.add_parser("serve", help="run the Slack app: Socket Mode if SLACK_APP_TOKEN is set, else HTTP on $PORT")
    p.add_argument("--no-clock", action="store_true", help="do not run the reminder clock alongside")
    p.set_defaults(handler=_lazy("cebot.cli.serve", "run"))

    p = sub.add_parser("shell", help="try cebot in this terminal: type /ce commands, no Slack account needed")
    p.add_argument("--user", default="ULOCAL", help="your Slack user id (default ULOCAL)")
    p.add_argument("--team", default="TLOCAL", help="your workspace's team id (default TLOCAL)")
    p.add_argument("--name", default="You", help="your display name")
    p.add_argument("--admin", action="store_true", help="act as a Slack admin, to try the manager commands")
    p.add_argument("--tz", default=None, help="your time zone, e.g. America/New_York (default: this machine's)")
    p.add_argument("--database-url", default=None, help="default: $DATABASE_URL, else sqlite:///cebot.sqlite3")
    p.set_defaults(handler=_lazy("cebot.shell.console", "run"))

    p = sub.add_parser("progress", help="print a member's progress (use --json for the machine view)")
    p.add_argument("--team", required=True, help="Slack team id, e.g. T0001")
    p.add_argument("--user", required=True, help="Slack user id, e.g. U0001")
    p.add_argument("--json", action="store_true", help="print JSON (stable field names, see docs/progress-json.md)")
    p.add_argument("--on", dest="on", default=None, help="compute as of this date (YYYY-MM-DD)")
    p.set_defaults(handler=_lazy("cebot.cli.progress", "run"))

    p = sub.add_parser("clock", help="run the scheduler that sends reminders and weekly summaries")
    p.add_argument("--minutes", type=int, default=5, help="minutes between ticks (default 5)")
    p.add_argument("--once", action="store_true", help="run one tick now and exit")
    p.set_defaults(handler=_lazy("cebot.cli.clock", "cli_clock"))

    p = sub.add_parser("worker", help="run queued jobs (exports and uploads) as they come in")
    p.add_argument("--interval", type=float, default=1.0, help="seconds between looks when idle (default 1)")
    p.add_argument("--once", action="store_true", help="run every job due now and exit")
    p.set_defaults(handler=_lazy("cebot.cli.worker", "cli_worker"))

    p = sub.add_parser("remind", help="show which reminders and summaries a clock tick would send")
    p.add_argument("--dry-run", action="store_true", help="print what would be sent, to whom and why; send nothing")
    p.add_argument("--at", default=None, help="as of this instant (ISO, e.g. 2026-03-09T14:05:00Z; default now)")
    p.add_argument("--team", default=None, help="only this Slack team id")
    p.add_argument("--reminders-only", action="store_true", help="leave weekly summaries out")
    p.set_defaults(handler=_lazy("cebot.cli.clock", "cli_remind"))

    p = sub.add_parser("summary", help="show a team's weekly manager summary")
    p.add_argument("--dry-run", action="store_true", help="print the summary and where it would go; send nothing")
    p.add_argument("--team", required=True, help="Slack team id, e.g. T0001")
    p.add_argument("--at", default=None, help="as of this instant (ISO; default now)")
    p.set_defaults(handler=_lazy("cebot.cli.clock", "cli_summary"))

    p = sub.add_parser("purge-uninstalled", help="delete the data of workspaces uninstalled past the retention period")
    p.add_argument("--dry-run", action="store_true", help="print what would be deleted; delete nothing")
    p.add_argument("--days", type=int, default=None, help="retention in days (default UNINSTALLED_RETENTION_DAYS, 90)")
    p.set_defaults(handler=_lazy("cebot.cli.purge", "run"))

    p = sub.add_parser("read-certificate", help="print what cebot reads on a certificate file (PDF or photo)")
    p.add_argument("path", help="the certificate: PDF, JPEG, PNG, WebP (HEIC with cebot[heic])")
    p.add_argument("--json", action="store_true", help="print JSON (field names in docs/certificates.md)")
    p.set_defaults(handler=_lazy("cebot.cli.read_certificate", "run"))

    return parser


def _configure_logging() -> None:
    """Structured, redacted log lines (``LOG_LEVEL``, ``LOG_FORMAT``; see cebot/core/logs.py)."""
    from cebot.core.logs import configure_logging

    try:
        settings = load_settings()
        configure_logging(level=settings.log_level, fmt=settings.log_format, secrets=settings.secrets())
    except Exception:  # bad settings are reported by the command itself, with their names
        configure_logging(level=logging.INFO)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _configure_logging()
    try:
        return int(args.handler(args))
    except SettingsError as exc:
        print(str(exc), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
