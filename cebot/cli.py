"""The ``cebot`` console script: migrate, serve, shell, clock and operators' views."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from cebot.settings import SettingsError, load_settings

Handler = Callable[[argparse.Namespace], int]


def _migrate(args: argparse.Namespace) -> int:
    from cebot.db import upgrade

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

    p = sub.add_parser("progress", help="print a member's progress (use --json for the machine view)")
    p.add_argument("--team", required=True, help="Slack team id, e.g. T0001")
    p.add_argument("--user", required=True, help="Slack user id, e.g. U0001")
    p.add_argument("--json", action="store_true", help="print JSON (stable field names, see docs/progress-json.md)")
    p.add_argument("--on", dest="on", default=None, help="compute as of this date (YYYY-MM-DD)")
    p.set_defaults(handler=_lazy("cebot.progress_cli", "run"))

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        return int(args.handler(args))
    except SettingsError as exc:
        print(str(exc), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
