"""Operators' views (``cebot remind --dry-run``, ``cebot summary --dry-run``) and the in-process scheduler."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from cebot.cli import main
from cebot.jobs.clock import JOB_ID, start_in_process_scheduler
from cebot.jobs.worker import SCHEDULER_JOB_ID
from cebot.settings import Settings
from tests.clock_helpers import deliveries, seed_member, seed_workspace


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api/")  # nothing listens: a send would fail loudly


def test_remind_dry_run_prints_who_what_why_and_sends_nothing(env: None, engine: Engine,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """The dry run lists each due message with recipient, kind, period and reason, and writes no delivery."""
    ws = seed_workspace(engine, summary={"channel": "C0TEAM", "day": "fri", "time": "09:00"})
    seed_member(engine, ws, "U1")
    assert main(["remind", "--dry-run", "--at", "2026-07-31T13:05:00+00:00"]) == 0
    out = capsys.readouterr().out
    assert "would send 2 message(s)" in out
    assert "T1 @U1 (DM) countdown FL:2026-08-31:30d" in out
    assert "why: FL deadline 2026-08-31 in 31 day(s)" in out
    assert "T1 #C0TEAM (channel) summary 2026-W31" in out
    assert deliveries(engine) == []


def test_remind_dry_run_outside_the_window_sends_nothing(env: None, engine: Engine,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """At 3 a.m. local time nothing is due."""
    seed_member(engine, seed_workspace(engine), "U1")
    assert main(["remind", "--dry-run", "--at", "2026-07-31T07:00:00Z"]) == 0
    assert "would send 0 message(s)" in capsys.readouterr().out


def test_summary_dry_run_prints_the_summary(env: None, engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    """The summary dry run shows where and when it goes and its content."""
    ws = seed_workspace(engine, summary={"channel": "C0TEAM", "day": "mon", "time": "09:00"})
    seed_member(engine, ws, "U1")
    assert main(["summary", "--dry-run", "--team", "T1", "--at", "2026-08-10T14:00:00Z"]) == 0
    out = capsys.readouterr().out
    assert "weekly summary to #C0TEAM on mon at 09:00 America/New_York; due now" in out
    assert "<@U1>" in out
    assert deliveries(engine) == []
    assert main(["summary", "--dry-run", "--team", "TNOPE"]) == 1


def test_in_process_scheduler_starts_once(settings: Settings, engine: Engine) -> None:
    """start_in_process_scheduler runs the tick and the due jobs on a background thread; a second call reuses it."""
    scheduler = start_in_process_scheduler(settings, engine, minutes=60)
    try:
        assert scheduler.running
        assert sorted(job.id for job in scheduler.get_jobs()) == sorted([JOB_ID, SCHEDULER_JOB_ID])
        assert start_in_process_scheduler(settings, engine) is scheduler
    finally:
        scheduler.shutdown(wait=True)
