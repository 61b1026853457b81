"""CI-size fault drill: the production shape (gunicorn, clock, fake Slack) with kill -9 of the clock mid fan-out,
kill -9 of a web worker and a Slack outage in one short run; and the clock's marks surviving a database blip."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from cebot.core.db import session_scope
from cebot.jobs import delivery, leasing
from cebot.services import workspaces
from cebot.services.scheduled import Planned
from tests.helpers.paths import PROJECT_ROOT

# A bench run end to end (tens of seconds): run by .ci/run with `-m slow`, not by the default test command.
pytestmark = pytest.mark.slow

PG_URL = os.environ.get("CEBOT_TEST_DATABASE_URL", "")
DRILLS = PROJECT_ROOT / "bench" / "drills.py"


@pytest.mark.skipif(not DRILLS.exists(), reason="no bench/ in this install")
@pytest.mark.skipif(not PG_URL, reason="the production shape (several web workers and a clock) runs on PostgreSQL; "
                    "the drill runs in the PostgreSQL pass (CEBOT_TEST_DATABASE_URL)")
def test_combined_drill_loses_nothing_and_sends_nothing_twice(tmp_path: Path) -> None:
    """Clock killed mid fan-out, a web worker killed, Slack down: every write and message once, healthy again."""
    out = tmp_path / "drill.json"
    cmd = [sys.executable, str(DRILLS), "--small", "--combined", "--duration", "4", "--rate", "8",
           "--database-url", PG_URL, "--json-out", str(out)]
    run = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert out.exists(), run.stdout + run.stderr
    info: dict[str, Any] = json.loads(out.read_text())
    assert info["database"] == "postgresql"

    faults = {"kill-worker": info["fault"]["kill-worker"], **info["fault"]["clock"]}
    assert set(faults) == {"at_s", "kill-clock", "kill-worker", "slack-outage"}
    faults.pop("at_s")
    assert not [f for f in faults.values() if "error" in f], faults
    assert faults["kill-worker"]["replaced_after_s"] is not None
    assert faults["kill-clock"]["sent_when_killed"] < info["messages"]["expected"]

    writes = info["writes"]
    assert writes["writes"] > 0
    assert writes["lost"] == 0, writes
    assert writes["duplicated"] == 0, writes
    assert writes["contradicted"] == 0, writes
    messages = info["messages"]
    assert messages["expected"] > 0
    assert messages["not_sent"] == 0, messages
    assert messages["unexplained_duplicates"] == 0, messages
    assert messages["in_flight_at_kill"] <= 1
    assert messages["marked_sent_not_received"] == 0
    assert info["healthy_after_s"] is not None
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]


def _claimed(engine: Engine) -> delivery.Claim:
    with session_scope(engine) as session:
        ws = workspaces.ensure_workspace(session=session, team_id="TBLIP", name="Blip")
        wid = ws.id or 0
    planned = Planned(workspace_id=wid, team_id="TBLIP", recipient="U1", kind="countdown", period="TX:x:30d",
                      reason="test")
    claims = delivery.claim(engine, [planned], datetime.now(UTC))
    assert len(claims) == 1
    return claims[0]


def test_mark_sent_is_retried_while_the_database_is_briefly_away(engine: Engine,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A send Slack accepted is still marked sent when the first tries to record it hit a database restart."""
    c = _claimed(engine)
    monkeypatch.setattr(leasing.time, "sleep", lambda s: None)  # the retries wait between tries there
    failures = {"left": 2}

    def blip(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE DELIVERY") and failures["left"]:
            failures["left"] -= 1
            raise sa.exc.OperationalError(statement, {}, Exception("server closed the connection unexpectedly"))

    sa.event.listen(engine, "before_cursor_execute", blip)
    try:
        assert delivery.mark_sent(engine, c, datetime.now(UTC), "1700000000.000100") is True
    finally:
        sa.event.remove(engine, "before_cursor_execute", blip)
    assert failures["left"] == 0
    with engine.connect() as conn:
        status = conn.execute(sa.text("SELECT status, message_ts FROM delivery WHERE id = :i"),
                              {"i": c.delivery_id}).one()
    assert tuple(status) == ("sent", "1700000000.000100")


def test_mark_sent_gives_up_after_the_retry_window(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database that stays away past the retry window surfaces the error (the lease then covers the message)."""
    c = _claimed(engine)
    monkeypatch.setattr(delivery, "DB_RETRY_SECONDS", 0.0)

    def down(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE DELIVERY"):
            raise sa.exc.OperationalError(statement, {}, Exception("connection refused"))

    sa.event.listen(engine, "before_cursor_execute", down)
    try:
        with pytest.raises(sa.exc.OperationalError):
            delivery.mark_sent(engine, c, datetime.now(UTC), "1.2")
    finally:
        sa.event.remove(engine, "before_cursor_execute", down)
