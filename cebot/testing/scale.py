"""Workspaces at the sizes issue 16 names, seeded in bulk, for the scale tests and ``bench/scale.py``.

One heavy member with 500 entries and 6 credentials, and a workspace of 1,000 members, each with one or two
credentials and a few entries. Titles, providers and names are long and full of ``&``/``<`` (the worst case
for mrkdwn escaping), so a reply that fits here fits for anyone. Rows go in with bulk inserts, as
bench/progress.py does: seconds, not the minutes the services would take one entry at a time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from cebot.models import CEEntry, Credential, Member, Workspace, utcnow

HEAVY_ENTRIES = 500
HEAVY_CREDENTIALS = ("FL", "NCBTMB", "TX", "NY", "AMMA", "VA")
TEAM_MEMBERS = 1000

_SUBJECTS: list[list[str]] = [[], ["ethics"], ["laws_rules"], ["medical_errors"], ["hands_on"],
                              ["ethics", "laws_rules"], ["cpr"], ["medical_massage"]]
_FORMATS = ["in_person", "in_person", "live_online", "home_study"]


def long_title(i: int) -> str:
    """A 200-character title, a third of it ``&``/``<``/``>`` (about 400 characters once escaped)."""
    return (f"Seminar {i} & <Ethics> & Law & Practice & <Part {i % 7}> " * 8)[:200].strip()


@dataclass(frozen=True)
class Seeded:
    workspace_id: int
    heavy_member_id: int
    members: int
    entries: int


def _entry(rng: random.Random, ws: int, member: int, i: int, start: date, days: int, now: Any) -> dict[str, Any]:
    return {"workspace_id": ws, "member_id": member, "title": long_title(i),
            "provider": ("Acme & <Sons> Seminars " * 9)[:200] if i % 3 else None,
            "approval_number": f"AP-{i}" if i % 5 == 0 else None,
            "completed_on": start + timedelta(days=rng.randrange(days)), "hours_q": rng.choice([2, 4, 6, 8, 12, 16]),
            "delivery_format": rng.choice(_FORMATS), "subjects": rng.choice(_SUBJECTS),
            "certificate_ref": "F123" if i % 2 else None, "created_at": now, "updated_at": now}


def seed_scale(engine: Engine, *, team_id: str = "T1", heavy_user: str = "U1", members: int = TEAM_MEMBERS,
               heavy_entries: int = HEAVY_ENTRIES, team_entries: int = 3, today: date | None = None) -> Seeded:
    """``team_id``'s workspace (created if missing) with ``heavy_user`` (500 entries, 6 credentials) and
    ``members`` more people (``U10000``...), a third of them behind on their deadline."""
    rng = random.Random(16)  # noqa: S311 - test data, not secrets
    now = utcnow()
    today = today or now.date()
    with Session(engine) as s:
        ws = s.exec(select(Workspace).where(Workspace.team_id == team_id)).first()
        if ws is None:
            ws = Workspace(team_id=team_id, name="Big & <busy> clinic")
            s.add(ws)
            s.flush()
        wsid = ws.id or 0
        ids = _seed_members(s, wsid, heavy_user, members, now)
        heavy_id = ids[heavy_user]
        team_ids = [ids[f"U{10000 + i}"] for i in range(members)]
        s.execute(sa.insert(Credential), _credentials(wsid, heavy_id, team_ids, today, now))
        rows = [_entry(rng, wsid, heavy_id, i, today - timedelta(days=1500), 1500, now) for i in range(heavy_entries)]
        for mid in team_ids:
            rows += [_entry(rng, wsid, mid, i, today - timedelta(days=700), 700, now) for i in range(team_entries)]
        for start in range(0, len(rows), 5000):
            s.execute(sa.insert(CEEntry), rows[start:start + 5000])
        s.commit()
    return Seeded(workspace_id=wsid, heavy_member_id=heavy_id, members=members + 1, entries=len(rows))


def _seed_members(s: Session, wsid: int, heavy_user: str, members: int, now: Any) -> dict[str, int]:
    """Insert ``members`` people (and ``heavy_user`` unless there); every member's id by Slack user id."""
    people = [{"workspace_id": wsid, "slack_user_id": f"U{10000 + i}",
               "display_name": f"Therapist {i} & <Co>", "timezone": "America/New_York", "role": "member",
               "is_slack_admin": False, "reminders_enabled": True, "created_at": now} for i in range(members)]
    heavy = s.exec(select(Member).where(Member.workspace_id == wsid, Member.slack_user_id == heavy_user)).first()
    if heavy is None:
        people.append({"workspace_id": wsid, "slack_user_id": heavy_user, "display_name": "Maria & <Lopez>",
                       "timezone": "America/New_York", "role": "member", "is_slack_admin": False,
                       "reminders_enabled": True, "created_at": now})
    if people:
        s.execute(sa.insert(Member), people)
    return {uid: mid for uid, mid in s.execute(
        sa.select(col(Member.slack_user_id), col(Member.id)).where(col(Member.workspace_id) == wsid))}


def _credentials(wsid: int, heavy_id: int, team_ids: list[int], today: date, now: Any) -> list[dict[str, Any]]:
    """The heavy user's credentials (one per heavy key) and the team's: FL for all, NCBTMB for every fourth."""
    creds: list[dict[str, Any]] = []
    for n, key in enumerate(HEAVY_CREDENTIALS):
        creds.append({"workspace_id": wsid, "member_id": heavy_id, "requirement_key": key,
                      "deadline": today + timedelta(days=40 + 90 * n), "created_at": now, "first_cycle": False,
                      **({"birth_month": 5, "birth_day": 17, "birth_year": 1985} if key == "VA" else {})})
    for i, mid in enumerate(team_ids):
        # A third overdue or due within weeks (at risk), the rest comfortably ahead.
        days = (-20, 25, 400)[i % 3] + i % 11
        creds.append({"workspace_id": wsid, "member_id": mid, "requirement_key": "FL",
                      "deadline": today + timedelta(days=days), "created_at": now, "first_cycle": False})
        if i % 4 == 0:
            creds.append({"workspace_id": wsid, "member_id": mid, "requirement_key": "NCBTMB",
                          "deadline": today + timedelta(days=200 + i % 300), "created_at": now,
                          "first_cycle": False})
    return creds
