"""``cebot progress``: a member's progress for every tracked credential, as text or stable JSON.

Field names are documented in docs/progress-json.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cebot.core.db import session_scope
from cebot.core.settings import load_settings
from cebot.domain.progress import progress_to_json
from cebot.services.bootstrap import prepare_database
from cebot.services.progress import member_progress
from cebot.services.workspaces import get_member, get_workspace


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def _member_today(tz: str | None) -> date:
    try:
        return datetime.now(ZoneInfo(tz or "UTC")).date()
    except (ZoneInfoNotFoundError, ValueError):
        return datetime.now(ZoneInfo("UTC")).date()


def _text(doc: dict[str, Any]) -> str:
    lines = [f"Progress for {doc['user']} in {doc['team']} as of {doc['as_of']}"]
    if not doc["credentials"]:
        lines.append("  (tracking nothing yet)")
    rows = [("KEY", "STATUS", "COUNTED", "REQUIRED", "REMAINING", "DEADLINE", "DAYS")]
    for c in doc["credentials"]:
        rows.append((
            str(c.get("key", "")), str(c.get("status", "")),
            _h(c.get("counted")), _h(c.get("required")), _h(c.get("remaining")),
            str(c.get("deadline") or "-"), "-" if c.get("days_left") is None else str(c.get("days_left")),
        ))
    if doc["credentials"]:
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines += ["  " + "  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines += [f"  {c['key']}: {c['needs']}" for c in doc["credentials"] if c.get("needs")]
    return "\n".join(lines)


def _h(value: Any) -> str:
    """A JSON hours number as people write it: 24, 1.5, 0.25."""
    if value is None:
        return "-"
    return format(float(value), "g")


def run(args: argparse.Namespace) -> int:
    """Print the progress of ``--user`` in ``--team``; exit 1 if either is unknown."""
    as_of: date | None = None
    if args.on:
        try:
            as_of = date.fromisoformat(args.on)
        except ValueError:
            _err(f"--on must be a date like 2026-03-14, not {args.on!r}.")
            return 1
    settings = load_settings()
    engine = prepare_database(settings)
    try:
        with session_scope(engine) as session:
            workspace = get_workspace(session=session, team_id=args.team)
            if workspace is None:
                _err(f"No workspace with team id {args.team} uses cebot (check the id, e.g. T0123ABCD).")
                return 1
            member = get_member(session=session, workspace=workspace, slack_user_id=args.user)
            if member is None:
                _err(f"No member {args.user} in workspace {args.team} (check the Slack user id, e.g. U0123ABCD).")
                return 1
            today = as_of or _member_today(member.timezone)
            progress = member_progress(session=session, member=member, today=today)
            doc = {
                "team": args.team,
                "user": args.user,
                "as_of": today.isoformat(),
                "credentials": [progress_to_json(p) for p in progress],
            }
    finally:
        engine.dispose()
    sys.stdout.write((json.dumps(doc, indent=2, sort_keys=False) if args.json else _text(doc)) + "\n")
    return 0
