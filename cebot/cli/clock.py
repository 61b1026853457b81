"""``cebot clock``, ``cebot remind --dry-run`` and ``cebot summary --dry-run``: the clock's commands."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from cebot.core.db import session_scope
from cebot.core.settings import Settings
from cebot.jobs.clock import run_clock, tick
from cebot.jobs.planning import plan
from cebot.jobs.sender import SlackSender, render
from cebot.services.scheduled import Planned, PlanStats


def _say(text: object) -> None:
    """Operator output of the CLI commands (stdout)."""
    sys.stdout.write(f"{text}\n")


def _engine(settings: Settings) -> Engine:
    from cebot.services.bootstrap import prepare_database

    return prepare_database(settings)


def cli_clock(args: argparse.Namespace) -> int:
    """``cebot clock``."""
    from cebot.core.settings import load_settings

    settings = load_settings()
    if not settings.slack_bot_token and not settings.oauth_mode:
        from cebot.core.settings import MANIFEST_HINT, MODES_HINT, SettingsError

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
    from cebot.core.settings import load_settings

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

    from cebot.core.settings import load_settings
    from cebot.domain import reminders as r
    from cebot.models import Workspace
    from cebot.services.summary import weekly_summary
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
