"""The tick's marks: one autocommitted statement each on one held connection, surviving a dropped connection."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from cebot.jobs import delivery, leasing
from cebot.services.scheduled import Planned
from tests.helpers.clock_helpers import deliveries, seed_workspace

NOW = datetime(2026, 7, 31, 13, 5, tzinfo=UTC)


def _claims(engine: Engine, n: int) -> list[delivery.Claim]:
    ws = seed_workspace(engine, team_id="TMARK")
    planned = [Planned(workspace_id=ws, team_id="TMARK", recipient=f"U{i}", kind="countdown", period="FL:x:30d",
                       reason="test") for i in range(n)]
    return delivery.claim(engine, planned, NOW)


def _statements(engine: Engine) -> list[str]:
    seen: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda _c, _cur, stmt, *a: seen.append(stmt))
    return seen


def test_each_mark_is_one_statement_and_commits_at_once(engine: Engine) -> None:
    """Marks on one held connection: one UPDATE per message, each visible to others before the next send."""
    claims = _claims(engine, 3)
    seen = _statements(engine)
    with delivery.Marks(engine) as marks:
        for i, c in enumerate(claims):
            assert marks.sent(c, NOW, f"1.{i}") is True
            with engine.connect() as other:
                status = other.execute(sa.text("SELECT status FROM delivery WHERE id = :i"),
                                       {"i": c.delivery_id}).scalar_one()
            assert status == "sent"
    updates = [s for s in seen if s.lstrip().upper().startswith("UPDATE DELIVERY")]
    assert len(updates) == 3
    assert not [s for s in seen if "SET LOCAL" in s.upper()]
    assert [(d.status, d.message_ts) for d in deliveries(engine)] == [("sent", "1.0"), ("sent", "1.1"),
                                                                    ("sent", "1.2")]


def test_a_lost_lease_is_not_overwritten(engine: Engine) -> None:
    """A mark guarded by an old claim time changes nothing (another clock took the row over)."""
    c = _claims(engine, 1)[0]
    stale = delivery.Claim(c.delivery_id, c.planned, c.attempt, datetime(2026, 7, 31, 12, 0, tzinfo=UTC))
    with delivery.Marks(engine) as marks:
        assert marks.sent(stale, NOW, "1.0") is False
        assert marks.failed(c, NOW, "boom") == "claimed"
    assert [(d.status, d.attempts, d.last_error) for d in deliveries(engine)] == [("claimed", 1, "boom")]


def test_pooled_connections_keep_synchronous_commit(engine: Engine) -> None:
    """The held connection's commit setting never reaches the pool (it is closed, not given back)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    claims = _claims(engine, 2)
    with delivery.Marks(engine) as marks:
        marks.sent(claims[0], NOW, "1.0")
        marks.failed(claims[1], NOW, "boom")
    with engine.connect() as a, engine.connect() as b:
        assert [conn.execute(sa.text("SHOW synchronous_commit")).scalar_one() for conn in (a, b)] == ["on", "on"]


def test_a_mark_after_the_connection_died_reconnects(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The server dropping the held connection between two sends costs one retry, not the mark."""
    if engine.dialect.name != "postgresql":
        pytest.skip("terminating a backend is PostgreSQL's")
    monkeypatch.setattr(leasing.time, "sleep", lambda s: None)
    claims = _claims(engine, 2)
    with delivery.Marks(engine) as marks:
        marks.sent(claims[0], NOW, "1.0")
        with engine.begin() as admin:
            killed = admin.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND query LIKE 'UPDATE delivery%'")).scalars().all()
        assert killed == [True]
        assert marks.sent(claims[1], NOW, "1.1") is True
    assert [d.status for d in deliveries(engine)] == ["sent", "sent"]


def test_marks_outlast_a_database_blip(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """A mark whose first try fails with an operational error is retried on a fresh connection."""
    c = _claims(engine, 1)[0]
    monkeypatch.setattr(leasing.time, "sleep", lambda s: None)
    failures = {"left": 1}

    def blip(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE DELIVERY") and failures["left"]:
            failures["left"] -= 1
            raise sa.exc.OperationalError(statement, {}, Exception("server closed the connection unexpectedly"))

    sa.event.listen(engine, "before_cursor_execute", blip)
    with delivery.Marks(engine) as marks:
        assert marks.failed(c, NOW, "boom", permanent=True) == "failed"
    assert failures["left"] == 0
    assert [d.status for d in deliveries(engine)] == ["failed"]
