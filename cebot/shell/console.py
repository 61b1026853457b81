"""``cebot shell``'s terminal side: the prompt with history, piped lines, the options and the command itself.

The shell proper (the fake Slack, the app, how a line becomes a request) is :mod:`cebot.shell.session`.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import make_url

from cebot.core.settings import SettingsError, load_settings
from cebot.shell.session import (
    DEFAULT_NAME,
    DEFAULT_TEAM,
    DEFAULT_USER,
    HISTORY_FILE,
    PROMPT,
    SHELL_HELP,
    Shell,
    ShellOptions,
)


def _readline_lines(prompt: str) -> Iterator[str]:
    try:
        import readline
    except ImportError:  # pragma: no cover - Windows without pyreadline
        readline = None  # type: ignore[assignment]  # history is a nicety
    history = Path(os.path.expanduser(os.environ.get("CEBOT_SHELL_HISTORY", HISTORY_FILE)))
    if readline is not None:
        with contextlib.suppress(OSError):
            readline.read_history_file(history)
        readline.set_history_length(1000)
    try:
        while True:
            try:
                yield input(prompt)
            except KeyboardInterrupt:
                print()
                continue
            except EOFError:
                print()
                return
    finally:
        if readline is not None:
            with contextlib.suppress(OSError):
                readline.write_history_file(history)


def run_lines(shell: Shell, lines: Iterable[str], out: IO[str], *, echo: bool) -> None:
    """Answer each line on ``out`` (``echo`` prints the prompt and the line first, for piped input)."""
    for line in lines:
        if echo and line.strip() and not line.lstrip().startswith("#"):
            out.write(f"{PROMPT}{line.rstrip()}\n")
        reply = shell.handle(line)
        if reply is None:
            return
        if reply:
            out.write(reply + "\n\n")
            out.flush()


def local_timezone() -> str:
    """The machine's IANA time zone (``TZ`` or ``/etc/localtime``), else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    for name in candidates:
        if name and _valid_tz(name):
            return name
    return "UTC"


def _valid_tz(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def options_from(args: argparse.Namespace) -> ShellOptions:
    tz = args.tz or local_timezone()
    if not _valid_tz(tz):
        raise SettingsError(f"--tz {tz} isn't a time zone I know: use a name like America/New_York.")
    for flag, value in (("--user", args.user), ("--team", args.team)):
        if not value or not value.isalnum() or not value.isupper():
            raise SettingsError(f"{flag} {value} should look like a Slack id: capital letters and digits, e.g. "
                                f"{DEFAULT_USER if flag == '--user' else DEFAULT_TEAM}.")
    return ShellOptions(user=args.user, team=args.team, name=args.name.strip() or DEFAULT_NAME, admin=args.admin,
                        tz=tz)


def run(args: argparse.Namespace, *, stdin: IO[str] | None = None, out: IO[str] | None = None) -> int:
    """``cebot shell``: an interactive prompt on a terminal, else answer each line of standard input."""
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    reconfigure = getattr(out, "reconfigure", None)
    if callable(reconfigure):  # a real terminal or pipe: emoji never crash an odd encoding
        with contextlib.suppress(ValueError, OSError):
            reconfigure(errors="replace")
    logging.getLogger().setLevel(logging.WARNING)
    options = options_from(args)
    overrides: dict[str, object] = {}
    if getattr(args, "database_url", None):
        overrides["database_url"] = args.database_url
    settings = load_settings(**overrides)
    interactive = stdin.isatty() and out.isatty()
    with Shell(settings, options) as shell:
        if interactive:
            who = f"{options.name} ({options.user}{', admin' if options.admin else ''}) in {options.team}"
            out.write(f"cebot shell: you are {who}, time zone {options.tz}.\n"
                      f"Database: {_safe_url(settings.database_url)}. No Slack needed.\n{SHELL_HELP}\n\n")
            run_lines(shell, _readline_lines(PROMPT), out, echo=False)
        else:
            run_lines(shell, stdin, out, echo=True)
    return 0


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
