"""Claim, send, mark: the delivery table makes each scheduled message go out once.

A message is *claimed* by inserting its row (unique key workspace, recipient,
kind, period) with ``INSERT ... ON CONFLICT DO NOTHING ... RETURNING``: when two
clocks plan the same message, the database lets exactly one insert through, and
only the clock that got a row back sends. The claim is committed before the
send, and the row is marked ``sent`` (with Slack's ``ts``) right after.

A claimed row carries a lease in ``next_attempt_at``. It may be claimed again
(by a conditional ``UPDATE ... WHERE status = 'claimed' AND next_attempt_at <=
now``, which at most one transaction can win) only when:

* the send failed: the row waits for a backoff (5, 10, 20, 40 min)
  and is retried by a later tick while the message is still due; after
  :data:`MAX_ATTEMPTS` it is marked ``failed`` and logged as an error;
* the clock died between claim and mark: after :data:`LEASE` the row is
  claimed again. This is the one at-least-once window: if Slack had already
  accepted the message when the process died (or a timeout hid its answer),
  it goes out a second time. Slack's ``chat.postMessage`` has no idempotency
  key, so no design can close that window without reading the channel back;
  the alternative (never resend a claimed row) would lose the message for
  every crash or timeout *before* Slack got it, which is the likelier case
  and the worse outcome for a licence deadline.

A tick marks through :class:`Marks`: one connection held for the tick, each mark a single ``UPDATE`` in
autocommit, so a mark is committed before the next message is sent, in one round trip (the old short
transaction was five: pool ping, ``BEGIN``, ``SET LOCAL``, ``UPDATE``, ``COMMIT``). The resend windows are
unchanged: a clock that dies resends at most the one message whose send had not been marked (a database
server crash: below).

On PostgreSQL claims and marks commit with ``synchronous_commit`` off (``SET LOCAL`` in the claim's
transaction, :func:`cebot.jobs.leasing.fast_commits`; ``SET`` once on the marks' connection, which is then
closed rather than given back to the pool): each mark would otherwise wait for a disk flush (about 1 ms, most
of a tick's delivery time). A *database server* crash may then lose the last few hundred milliseconds of
committed marks (never part of one, never out of order): those rows are claimed again after their lease and
resent, which is exactly the window above (a crash between send and mark), not a new one. A lost claim is the
same: its message, if sent, is claimed and sent again. Nothing is lost, and a client crash loses nothing more.
A summary's mark also enqueues its chart job (:mod:`cebot.jobs.summary_chart`) in the same transaction (a
short pooled one, not autocommit), so the two are kept or lost together.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import cebot.models  # noqa: F401  (registers the delivery table)
from cebot.jobs.leasing import (
    PERMANENT_SLACK_ERRORS,
    backoff_after,
    dialect_insert,
    fast_commits,
    retry_outage,
    write_retrying,
)
from cebot.services.scheduled import Planned

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 5
BACKOFF: tuple[timedelta, ...] = (timedelta(minutes=5), timedelta(minutes=10), timedelta(minutes=20),
                                  timedelta(minutes=40))
"""Gaps after failed attempts 1-4: all five tries fit in one two-hour reminder window."""
DB_RETRY_SECONDS = 60.0
"""How long marking a row sent (or failed) is retried while the database is away (see :func:`mark_sent`)."""
STALE_AFTER = timedelta(days=2)
"""A row still claimed this long after it was created has missed its window: it is marked failed."""
PERMANENT_ERRORS = PERMANENT_SLACK_ERRORS
"""Slack errors a retry cannot fix: the row is marked failed at once."""

_TABLE: Any = SQLModel.metadata.tables["delivery"]


@dataclass(frozen=True)
class Claim:
    """A message this process owns until it marks the row."""

    delivery_id: int
    planned: Planned
    attempt: int
    claimed_at: datetime


def backoff(attempt: int) -> timedelta:
    """How long to wait after failed attempt number ``attempt`` (1-based)."""
    return backoff_after(attempt, BACKOFF)


def _claim_new(engine: Engine) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING RETURNING`` the rows this clock won (run with many parameter sets)."""
    return (dialect_insert(engine.dialect.name, _TABLE)
            .on_conflict_do_nothing(index_elements=["workspace_id", "recipient", "kind", "period"])
            .returning(_TABLE.c.id, _TABLE.c.workspace_id, _TABLE.c.recipient, _TABLE.c.kind, _TABLE.c.period))


def claim(engine: Engine, planned: Sequence[Planned], now: datetime) -> list[Claim]:
    """Claim what can be claimed of ``planned`` (one committed transaction); the rest is someone else's."""
    now = now.astimezone(UTC)
    if not planned:
        return []
    by_key = {p.key: p for p in planned}
    claims: list[Claim] = []
    new = [p for p in by_key.values() if p.state == "new"]
    retry = [p for p in by_key.values() if p.state != "new"]
    with engine.begin() as conn:
        fast_commits(conn)
        rows = [{"workspace_id": p.workspace_id, "recipient": p.recipient, "kind": p.kind, "period": p.period,
                 "status": "claimed", "attempts": 1, "claimed_at": now, "next_attempt_at": now + LEASE,
                 "created_at": now} for p in new]
        if rows:
            # One statement run for many rows: SQLAlchemy sends it as multi-row INSERTs ("insertmanyvalues")
            # compiled once, where building a VALUES clause of 500 rows each time cost more than running it.
            for did, wid, recipient, kind, period in conn.execute(_claim_new(engine), rows):
                claims.append(Claim(did, by_key[(wid, recipient, kind, period)], 1, now))
        # A conflict on a "new" row means another clock got it first: nothing to do. Retries are taken over
        # one by one with a conditional update that only one transaction can win.
        for p in retry:
            row = conn.execute(
                _TABLE.update()
                .where(_TABLE.c.workspace_id == p.workspace_id, _TABLE.c.recipient == p.recipient,
                       _TABLE.c.kind == p.kind, _TABLE.c.period == p.period, _TABLE.c.status == "claimed",
                       _TABLE.c.next_attempt_at <= now, _TABLE.c.attempts < MAX_ATTEMPTS)
                .values(attempts=_TABLE.c.attempts + 1, claimed_at=now, next_attempt_at=now + LEASE)
                .returning(_TABLE.c.id, _TABLE.c.attempts)
            ).first()
            if row is not None:
                claims.append(Claim(row[0], p, row[1], now))
    return claims


_MARK_SENT: Any = (
    _TABLE.update().where(_TABLE.c.id == sa.bindparam("c_id"), _TABLE.c.claimed_at == sa.bindparam("c_claimed_at"))
    .values(status="sent", sent_at=sa.bindparam("c_sent_at"), message_ts=sa.bindparam("c_ts"), last_error=None,
            next_attempt_at=None))
"""Built once: a tick marks thousands of rows, and building the statement cost more than running it."""


class Marks:
    """Records sends and failures as they happen, on one connection held for a whole tick.

    Each mark is a single ``UPDATE`` in autocommit: committed when it returns, as its own transaction was, in
    one round trip instead of five (pool ping, ``BEGIN``, ``SET LOCAL``, ``UPDATE``, ``COMMIT``). On PostgreSQL
    the connection is detached from the pool and sets ``synchronous_commit`` off once (see the module
    docstring), so that setting never reaches the pool's other users. A mark with a follow-up write (``then``)
    needs a transaction and takes a short one from the pool.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._conn: sa.Connection | None = None

    def __enter__(self) -> Marks:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Give back (or, on PostgreSQL, close) the held connection; the next mark opens another."""
        if self._conn is not None:
            conn, self._conn = self._conn, None
            conn.close()

    def _connection(self) -> sa.Connection:
        if self._conn is None:
            conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            try:
                if conn.dialect.name == "postgresql":
                    conn.detach()
                    conn.execute(sa.text("SET synchronous_commit TO OFF"))
            except BaseException:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def _execute(self, statement: Any, params: dict[str, Any], what: str) -> int:
        """One autocommitted statement, retried on a fresh connection while the database is briefly away."""
        def attempt() -> int:
            try:
                return int(self._connection().execute(statement, params).rowcount)
            except sa.exc.OperationalError:
                self.close()  # most likely dead; the next try connects again
                raise

        return retry_outage(attempt, what, retry_for=DB_RETRY_SECONDS)

    def sent(self, c: Claim, now: datetime, message_ts: str | None, *,
             then: Callable[[sa.Connection], None] | None = None) -> bool:
        """See :func:`mark_sent`."""
        params = {"c_id": c.delivery_id, "c_claimed_at": c.claimed_at, "c_sent_at": now.astimezone(UTC),
                  "c_ts": message_ts}
        what = f"{c.planned.kind} {c.planned.period} as sent"
        if then is None:
            return bool(self._execute(_MARK_SENT, params, what))

        def write(conn: sa.Connection) -> bool:
            marked = bool(conn.execute(_MARK_SENT, params).rowcount)
            if marked:
                then(conn)
            return marked

        return bool(write_retrying(self.engine, write, what, retry_for=DB_RETRY_SECONDS, fast_commit=True))

    def failed(self, c: Claim, now: datetime, error: str, *, permanent: bool = False) -> str:
        """See :func:`mark_failed`."""
        final = permanent or c.attempt >= MAX_ATTEMPTS
        status = "failed" if final else "claimed"
        nxt = None if final else now.astimezone(UTC) + backoff(c.attempt)
        self._execute(_MARK_FAILED, {"c_id": c.delivery_id, "c_claimed_at": c.claimed_at, "c_status": status,
                                     "c_next": nxt, "c_error": error[:500]}, f"{c.planned.kind} as failed")
        p = c.planned
        if final:
            log.error("giving up on %s %s to %s in workspace %s after %d attempt(s): %s",
                      p.kind, p.period, p.recipient, p.team_id, c.attempt, error)
        else:
            log.warning("sending %s %s to %s in workspace %s failed (attempt %d of %d), retrying after %s: %s",
                        p.kind, p.period, p.recipient, p.team_id, c.attempt, MAX_ATTEMPTS, nxt, error)
        return status


_MARK_FAILED: Any = (
    _TABLE.update().where(_TABLE.c.id == sa.bindparam("c_id"), _TABLE.c.claimed_at == sa.bindparam("c_claimed_at"))
    .values(status=sa.bindparam("c_status"), next_attempt_at=sa.bindparam("c_next"),
            last_error=sa.bindparam("c_error")))


def mark_sent(engine: Engine, c: Claim, now: datetime, message_ts: str | None, *,
              then: Callable[[sa.Connection], None] | None = None) -> bool:
    """Record a successful send; False if the lease was lost meanwhile (another clock re-claimed it).

    ``then`` runs in the same transaction once the row is marked (the summary enqueues its chart job). Retried
    for :data:`DB_RETRY_SECONDS` while the database is briefly away (:func:`cebot.jobs.leasing.retry_outage`).
    A tick marks through one :class:`Marks` instead."""
    with Marks(engine) as marks:
        return marks.sent(c, now, message_ts, then=then)


def mark_failed(engine: Engine, c: Claim, now: datetime, error: str, *, permanent: bool = False) -> str:
    """Record a failed send: schedule a retry with backoff, or give up after the last try. Returns the status."""
    with Marks(engine) as marks:
        return marks.failed(c, now, error, permanent=permanent)


def sweep(engine: Engine, now: datetime) -> int:
    """Mark failed (and log) the claimed rows that can never be sent: out of attempts or past their window."""
    now = now.astimezone(UTC)
    stale = sa.and_(_TABLE.c.status == "claimed", _TABLE.c.next_attempt_at <= now, sa.or_(
        _TABLE.c.attempts >= MAX_ATTEMPTS, _TABLE.c.created_at < now - STALE_AFTER))
    with engine.begin() as conn:
        rows = conn.execute(
            _TABLE.update().where(stale)
            .values(status="failed",
                    last_error=sa.func.coalesce(_TABLE.c.last_error, "not sent before its window closed"))
            .returning(_TABLE.c.workspace_id, _TABLE.c.recipient, _TABLE.c.kind, _TABLE.c.period, _TABLE.c.attempts,
                       _TABLE.c.last_error)
        ).all()
    for wid, recipient, kind, period, attempts, error in rows:
        log.error("gave up on %s %s to %s in workspace id %s after %d attempt(s): %s",
                  kind, period, recipient, wid, attempts, error)
    return len(rows)
