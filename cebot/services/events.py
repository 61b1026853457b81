"""Requests and events already handled (``processed_event``), so a retry or a replay never acts twice.

Every Slack request that opens a member's transaction first claims its key (:func:`claim_request`): the
``trigger_id`` of a slash command, button or form submission, the ``event_id`` of an event. The claim is the
transaction's first statement, so it commits or rolls back with the request's write: a replay of a request that
was applied finds its key and changes nothing; a request that failed left no key and can be retried. Slack
retries an event within minutes and a signed request may be replayed for 5 minutes, so a key older than a day
never stops a duplicate again: :func:`prune_processed_events` deletes such rows (the clock calls it hourly).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from cebot.models import ProcessedEvent, utcnow

PROCESSED_EVENT_TTL = timedelta(days=1)
"""How long a handled key is kept: well past Slack's last retry and its 5-minute replay window."""
KEY_LENGTH = 64
"""The column's width; a longer key is stored as its hash."""


def request_key(body: dict[str, Any]) -> str | None:
    """The key that identifies one Slack request for de-duplication, or None when it carries none.

    Events: their ``event_id`` (Slack's retries repeat it). Slash commands, buttons and form submissions: their
    ``trigger_id``, which Slack makes anew for every invocation and a replay repeats.
    """
    if body.get("type") == "event_callback":
        event_id = body.get("event_id")
        return f"event:{event_id}" if isinstance(event_id, str) and event_id else None
    trigger_id = body.get("trigger_id")
    return f"trigger:{trigger_id}" if isinstance(trigger_id, str) and trigger_id else None


def _stored(key: str) -> str:
    if len(key) <= KEY_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()[: KEY_LENGTH - 7]


def claim_request(*, session: Session, key: str, team_id: str, now: datetime | None = None) -> bool:
    """Record ``key`` in this transaction; False if it is already recorded (a retry or replay to skip).

    Call it first in the transaction: on SQLite the insert takes the database's write lock before anything is
    read, so the request's reads and writes cannot interleave with another's. On PostgreSQL a concurrent claim
    of the same key waits for this transaction and then finds the key.
    """
    table: Any = ProcessedEvent.__table__  # type: ignore[attr-defined]  # SQLModel sets it at class creation
    insert: Any = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    values = {"event_id": _stored(key), "team_id": (team_id or "")[:32], "created_at": now or utcnow()}
    stmt = insert(table).values(**values).on_conflict_do_nothing(index_elements=["event_id"])
    # RETURNING, not rowcount: psycopg reports -1 for ON CONFLICT inserts.
    return session.execute(stmt.returning(table.c.event_id)).first() is not None


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


__all__ = ["PROCESSED_EVENT_TTL", "claim_request", "prune_processed_events", "request_key"]
