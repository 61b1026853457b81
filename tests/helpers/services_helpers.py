"""Helpers shared by the services tests: people, bulk seeding and a query counter."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from cebot.models import CEEntry, Credential, Member, Workspace, utcnow

AMMA_TARGET_TOML = """\
key = "AMMA"
name = "AMMA medical massage (clinic target)"
kind = "pathway"
applicability = "ce_required"
total_hours = 16
cycle_months = 12

[deadline]
kind = "fixed"
month = 12
day = 31

[[minimums]]
key = "medical"
label = "Medical massage"
subjects = ["medical_massage"]
hours = 8
"""


class QueryCounter:
    """Counts the SQL statements an engine runs inside ``with counter.counting():``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements: list[str] = []
        self._on = False
        sa.event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self._on:
            self.statements.append(statement)

    @contextmanager
    def counting(self) -> Iterator[QueryCounter]:
        self.statements = []
        self._on = True
        try:
            yield self
        finally:
            self._on = False

    @property
    def count(self) -> int:
        return len(self.statements)


def seed_entries(session: Session, member: Member, n: int, *, start: date, days: int, seed: int = 1) -> None:
    """Bulk-insert ``n`` varied entries for ``member`` dated over ``days`` days from ``start``."""
    rng = random.Random(seed)
    subjects = [[], ["ethics"], ["laws_rules"], ["medical_errors"], ["hands_on"], ["self_care"],
                ["medical_massage"], ["ethics", "laws_rules"], ["cpr"]]
    formats = ["in_person", "in_person", "live_online", "home_study"]
    now = utcnow()
    rows = [
        {
            "workspace_id": member.workspace_id, "member_id": member.id, "title": f"Course {i}",
            "completed_on": start + timedelta(days=rng.randrange(days)), "hours_q": rng.choice([2, 4, 6, 8, 12, 16]),
            "delivery_format": rng.choice(formats), "subjects": rng.choice(subjects), "created_at": now,
            "updated_at": now,
        }
        for i in range(n)
    ]
    session.execute(sa.insert(CEEntry), rows)


def add_credential(session: Session, member: Member, key: str, **kw: Any) -> Credential:
    cred = Credential(workspace_id=member.workspace_id, member_id=member.id or 0, requirement_key=key, **kw)
    session.add(cred)
    session.flush()
    return cred


def workspace_with(session: Session, team_id: str, users: list[str]) -> tuple[Workspace, list[Member]]:
    w = Workspace(team_id=team_id, name=team_id)
    session.add(w)
    session.flush()
    members = [Member(workspace_id=w.id or 0, slack_user_id=u, display_name=u) for u in users]
    session.add_all(members)
    session.flush()
    return w, members
