"""Slack event bookkeeping: the ids of events already handled (``processed_event``), kept only as long as needed.

``cebot.slack.app.record_event`` stores each Events API ``event_id`` so a retry never acts twice. Slack retries
a failed event at most three times within a few minutes, so a row older than a day never stops a duplicate again:
:func:`prune_processed_events` deletes such rows (the clock should call it about once an hour).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from cebot.models import ProcessedEvent, utcnow

PROCESSED_EVENT_TTL = timedelta(days=1)
"""How long a handled event id is kept: well past Slack's last retry (minutes after the event)."""


def prune_processed_events(
    *, session: Session, older_than: timedelta = PROCESSED_EVENT_TTL, now: datetime | None = None
) -> int:
    """Delete the handled-event ids recorded more than ``older_than`` before ``now``; the number deleted.

    One statement, all workspaces (rows are keyed by event id, not by workspace).
    """
    if older_than < timedelta(0):
        raise ValueError(f"older_than must not be negative, got {older_than}")
    cutoff = (now or utcnow()) - older_than
    table: Any = ProcessedEvent.__table__  # type: ignore[attr-defined]  # SQLModel sets it at class creation
    result: Any = session.execute(sa.delete(table).where(table.c.created_at < cutoff))
    return int(result.rowcount or 0)


__all__ = ["PROCESSED_EVENT_TTL", "prune_processed_events"]
