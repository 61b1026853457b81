"""Drill: a real ``cebot worker`` killed with SIGKILL in the middle of a burst of exports loses no job, and a
second worker finishes every job exactly once (counted as files uploaded to the fake Slack)."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from cebot.jobs.exports import EXPORT_TRANSCRIPT, transcript_job
from cebot.services import workspaces
from cebot.services.jobs import enqueue
from cebot.shell.fake_records import Call
from cebot.shell.fake_slack import FakeSlack
from tests.helpers.jobs_helpers import jobs

TODAY = date(2026, 3, 2)
KILL_AT = 5
"""The first worker is killed while it waits for Slack in the 5th job (before Slack has the file)."""
LEASE_SECONDS = 1.0


def _enqueue_exports(engine: Engine, first: int, count: int) -> None:
    """One CSV transcript export job for each of members M<first>.. (one committed request each)."""
    for n in range(first, first + count):
        with Session(engine, expire_on_commit=False) as s:
            ws = workspaces.ensure_workspace(session=s, team_id="T1")
            m = workspaces.ensure_member(session=s, workspace=ws, slack_user_id=f"U{n:02d}", display_name=f"M{n:02d}")
            assert enqueue(session=s, workspace=ws, member=m, kind=EXPORT_TRANSCRIPT, key=f"export:trigger-{n}",
                           payload=transcript_job("csv", None, TODAY))
            s.commit()


def _worker(database_url: str, fake: FakeSlack, cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": database_url, "SLACK_BOT_TOKEN": "xoxb-drill", "SLACK_API_URL": fake.url,
           "SLACK_CLIENT_ID": "", "SLACK_CLIENT_SECRET": "", "SLACK_APP_TOKEN": "",
           "JOB_LEASE_SECONDS": str(LEASE_SECONDS), "LOG_LEVEL": "INFO"}
    return subprocess.Popen([sys.executable, "-m", "cebot", "worker", "--interval", "0.1"], cwd=cwd, env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)


def _wait_all_done(engine: Engine, total: int, timeout: float) -> list[Any]:
    deadline = time.monotonic() + timeout
    while True:
        rows = jobs(engine)
        if len(rows) == total and all(j.status == "done" for j in rows):
            return rows
        assert time.monotonic() < deadline, f"jobs not done: {Counter(j.status for j in rows)}"
        time.sleep(0.1)


@pytest.mark.slow  # two real `cebot worker` processes and a kill -9 (3-6 s): .ci/run runs it on SQLite and PostgreSQL
def test_kill_9_of_the_worker_mid_burst_loses_no_job_and_repeats_none(
        database_url: str, engine: Engine, fake_slack: FakeSlack, tmp_path: Path) -> None:
    """20 exports queued, the worker SIGKILLed inside the 5th, 10 more queued while no worker runs: a second
    worker takes the 5th over after its lease and uploads every file exactly once, then stops cleanly on SIGTERM."""
    in_fifth, release = threading.Event(), threading.Event()
    opened = itertools.count(1)

    def conversations_open(call: Call) -> dict[str, Any]:
        if next(opened) == KILL_AT:
            in_fifth.set()
            release.wait(timeout=30)  # the worker that asked is dead by then; nobody reads this answer
        return {"ok": True, "channel": {"id": "D" + str(call["users"]).lstrip("U"), "is_im": True}}

    fake_slack.respond_with("conversations.open", conversations_open)
    _enqueue_exports(engine, 1, 20)
    log = tmp_path / "workers.log"
    first = _worker(database_url, fake_slack, tmp_path, log)
    try:
        assert in_fifth.wait(timeout=60), log.read_text()
        first.send_signal(signal.SIGKILL)
        assert first.wait(timeout=10) == -signal.SIGKILL
    finally:
        release.set()
        if first.poll() is None:
            first.kill()
    uploaded_before_second = len(fake_slack.uploads)
    _enqueue_exports(engine, 21, 10)
    second = _worker(database_url, fake_slack, tmp_path, log)
    try:
        rows = _wait_all_done(engine, 30, timeout=60)
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0, log.read_text()
    finally:
        if second.poll() is None:
            second.kill()
    assert uploaded_before_second == KILL_AT - 1
    per_file = Counter(u.filename for u in fake_slack.uploads)
    assert sorted(per_file) == sorted(f"ce-transcript-M{n:02d}-all-{TODAY}.csv" for n in range(1, 31))
    assert set(per_file.values()) == {1}, per_file
    assert len({j.key for j in rows}) == 30
    assert Counter(j.attempts for j in rows) == {1: 29, 2: 1}
    assert rows[KILL_AT - 1].attempts == 2
    assert "worker stopped" in log.read_text()
