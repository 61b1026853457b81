"""What the delivery table and the job table share: claim rows with a lease, retry with backoff, write safely.

Both tables are claimed the same way: a row is taken by a conditional ``UPDATE ... WHERE status ... AND
next_attempt_at <= now`` that at most one transaction can win (or inserted with ``INSERT ... ON CONFLICT DO
NOTHING RETURNING``, where the database lets one insert through), and ``next_attempt_at`` is then the end of
the holder's lease. Both wait longer after each failed attempt, and both record the outcome with a short write
that outlasts a brief database outage (:func:`write_retrying`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

T = TypeVar("T")

PERMANENT_SLACK_ERRORS = frozenset({
    "channel_not_found", "not_in_channel", "is_archived", "user_not_found", "account_inactive", "invalid_auth",
    "not_authed", "token_revoked", "cannot_dm_bot", "user_disabled", "invalid_blocks", "msg_too_long",
    "restricted_action", "team_access_not_granted", "missing_scope",
})
"""Slack errors a retry cannot fix: a delivery or a job fails at once."""


def backoff_after(attempt: int, steps: Sequence[timedelta]) -> timedelta:
    """The wait after failed attempt number ``attempt`` (1-based); the last step repeats."""
    return steps[min(max(attempt, 1), len(steps)) - 1]


def dialect_insert(dialect_name: str, table: Any) -> Any:
    """An ``INSERT`` with ``on_conflict_do_nothing`` for the two databases cebot runs on."""
    if dialect_name == "postgresql":
        return postgresql.insert(table)
    if dialect_name == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"unsupported database dialect {dialect_name!r}")  # pragma: no cover


def fast_commits(conn: sa.Connection) -> None:
    """On PostgreSQL, let this transaction's commit return before its WAL record is flushed to disk.

    A server crash (not a client crash: the commit is still atomic and in order) may then lose the last few
    hundred milliseconds of such commits. Used only for delivery claims and marks (:class:`cebot.jobs.delivery.Marks`
    sets it once for its connection instead), where losing a mark is the window the delivery table already has
    (see :mod:`cebot.jobs.delivery`); it saves a disk flush per message.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SET LOCAL synchronous_commit TO OFF"))


def write_retrying(engine: Engine, statement: Any, what: str, *, retry_for: float, fast_commit: bool = False) -> Any:
    """Run one short write in its own transaction, again and again for up to ``retry_for`` seconds while the
    database is briefly away (a restart, a failover); the result of the statement. ``statement`` may also be a
    function of the connection (several writes in the one transaction).

    ``fast_commit``: on PostgreSQL, commit without waiting for the WAL flush (``synchronous_commit`` off for this
    transaction only; see :func:`fast_commits`).

    The outcome of work that already reached Slack must be recorded even across a database restart: a mark given
    up here would do the work a second time once its lease runs out.
    """
    def attempt() -> Any:
        with engine.begin() as conn:
            if fast_commit:
                fast_commits(conn)
            return statement(conn) if callable(statement) else conn.execute(statement)

    return retry_outage(attempt, what, retry_for=retry_for)


def retry_outage(attempt: Callable[[], T], what: str, *, retry_for: float) -> T:
    """``attempt()``, tried again with a growing pause for up to ``retry_for`` seconds while it raises
    :class:`~sqlalchemy.exc.OperationalError` (the database restarting or failing over)."""
    deadline = time.monotonic() + retry_for
    delay = 0.25
    while True:
        try:
            return attempt()
        except sa.exc.OperationalError as exc:
            if time.monotonic() + delay > deadline:
                raise
            log.warning("database unavailable while recording %s, retrying in %.2g s: %s", what, delay,
                        str(exc.orig or exc).splitlines()[0][:200])
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
