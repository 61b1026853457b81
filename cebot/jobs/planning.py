"""What a tick at an instant would send: the weekly summaries and the reminders due, from their services.

Nothing here sends or writes: :func:`plan` reads and returns :class:`~cebot.services.scheduled.Planned`
messages (the clock claims and sends them; ``cebot remind --dry-run`` prints them). The schedule is derived from
the data, so a restart loses nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session

from cebot.services.reminders import reminders_due
from cebot.services.scheduled import Planned, PlanStats, installed_workspaces
from cebot.services.summary import summaries_due


def plan(session: Session, now: datetime, *, team_ids: Sequence[str] | None = None, reminders: bool = True,
         summaries: bool = True, stats: PlanStats | None = None) -> list[Planned]:
    """Every message due at ``now`` that is not delivered or in flight (optionally only for some teams)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    stats = stats if stats is not None else PlanStats()
    if session.get_bind().dialect.name == "postgresql":
        # These queries are short; PostgreSQL's JIT compiler, which their cost estimates trigger, spends longer
        # compiling each one than running it. Off for this transaction only.
        session.execute(sa.text("SET LOCAL jit = off"))
    workspaces = installed_workspaces(session=session, team_ids=list(team_ids) if team_ids else None)
    stats.workspaces = len(workspaces)
    out: list[Planned] = []
    if summaries and workspaces:
        out += summaries_due(session=session, workspaces=workspaces, now=now, stats=stats)
    if reminders and workspaces:
        out += reminders_due(session=session, workspaces=workspaces, now=now, stats=stats)
    return out
