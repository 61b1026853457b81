"""What the clock may send: a planned message (where it goes, what it is, its delivery key and state).

The reminder and summary services (:mod:`cebot.services.reminders`, :mod:`cebot.services.summary`) return
:class:`Planned` messages; the clock claims, sends and marks them (:mod:`cebot.jobs.delivery`). A message carries
its content as plain data: it is rendered for Slack at send time, by the sender.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import Session, col

from cebot.domain.reminders import DueReminder
from cebot.domain.summary import WeeklySummary
from cebot.models import Workspace

if TYPE_CHECKING:
    from cebot.exports.chart import ChartRow


@dataclass(frozen=True)
class Planned:
    """One message due now: where it goes, what it is, why, and its delivery state."""

    workspace_id: int
    team_id: str
    recipient: str
    kind: str
    period: str
    reason: str
    message: DueReminder | WeeklySummary | None = None
    """What to say (rendered by the sender just before it sends)."""
    state: str = "new"
    """``new`` (no delivery row), ``retry`` (a claimed row whose lease or backoff is over)."""
    chart: tuple[ChartRow, ...] = ()
    """The weekly summary's chart rows; the sender draws the PNG only after the claim was won."""

    @property
    def key(self) -> tuple[int, str, str, str]:
        return (self.workspace_id, self.recipient, self.kind, self.period)


@dataclass
class PlanStats:
    """What planning a tick looked at (for logs, the dry run and the bench)."""

    workspaces: int = 0
    batches: int = 0
    members_in_window: int = 0
    members_progressed: int = 0
    already_delivered: int = 0
    summaries_due: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(key, state) of messages due but delivered already or in flight, for the dry run."""


@dataclass(frozen=True)
class WorkspaceRow:
    """An installed workspace, as planning reads it."""

    id: int
    team_id: str
    timezone: str
    settings: dict[str, Any]


def installed_workspaces(*, session: Session, team_ids: list[str] | None = None) -> list[WorkspaceRow]:
    """The workspaces cebot is installed in (optionally only some teams), one query."""
    stmt = sa.select(col(Workspace.id), col(Workspace.team_id), col(Workspace.timezone), col(Workspace.settings)
                     ).where(col(Workspace.uninstalled_at).is_(None))
    if team_ids:
        stmt = stmt.where(col(Workspace.team_id).in_(team_ids))
    return [WorkspaceRow(i, t, tz or "UTC", _json_dict(s)) for i, t, tz, s in session.execute(stmt)]


def _json_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, str) and value:  # a JSON column read back as text
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def delivery_state(status: str, next_attempt_at: datetime | None, now: datetime) -> str:
    """A delivery row's state for planning: ``retry`` when a claimed row may be claimed again now, else its
    status (``claimed`` rows still leased or backing off are ``in_flight``)."""
    if status == "claimed":
        if next_attempt_at is not None and next_attempt_at.tzinfo is None:
            next_attempt_at = next_attempt_at.replace(tzinfo=UTC)  # SQLite reads it back without a zone
        return "retry" if next_attempt_at is None or next_attempt_at <= now else "in_flight"
    return status


OPEN_STATES = frozenset({"new", "retry"})
"""Delivery states in which a due message is planned (again)."""
