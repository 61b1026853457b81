"""Home republishing is coalesced: at most one views.publish per member per quiet period, always the latest state."""

from __future__ import annotations

import io
import threading
from datetime import date
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.core.db import session_scope
from cebot.domain.parsing import TrackRequest
from cebot.models import Member
from cebot.services import credentials, workspaces
from cebot.shell import session as shell
from cebot.shell.textrender import render_view
from cebot.slack.home import HOME_MIN_INTERVAL_SECONDS, HOME_PUBLISHER, HomePublisher, build_home_view
from tests.helpers.slackharness import SlackHarness
from tests.shell.test_shell import args

LONG = 3600.0
"""A quiet period no burst outlasts, however slow the machine: the tests do not depend on timing."""


def track_fl(engine: Engine, user: str = "U1") -> None:
    with session_scope(engine) as session:
        ws = workspaces.ensure_workspace(session=session, team_id="T1")
        member = workspaces.ensure_member(session=session, workspace=ws, slack_user_id=user, display_name="Maria",
                                          timezone="America/New_York", is_slack_admin=False)
        credentials.track(session=session, member=member, request=TrackRequest(key="FL", deadline=date(2027, 8, 31)),
                          today=date(2026, 2, 10))


class Submits:
    """Counts the refreshes the listeners hand to HOME_PUBLISHER (they do so after their reply is sent)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        self._cond = threading.Condition()
        submit = HOME_PUBLISHER.submit

        def counting(*a: Any, **kw: Any) -> bool:
            ok = submit(*a, **kw)
            with self._cond:
                self.count += 1
                self._cond.notify_all()
            return ok

        monkeypatch.setattr(HOME_PUBLISHER, "submit", counting)
        monkeypatch.setattr(HOME_PUBLISHER, "interval", LONG)

    def wait(self, count: int) -> None:
        with self._cond:
            assert self._cond.wait_for(lambda: self.count >= count, timeout=30), self.count


@pytest.fixture
def submits(monkeypatch: pytest.MonkeyPatch) -> Submits:
    """HOME_PUBLISHER with an hour-long quiet period, counting the refreshes asked for."""
    return Submits(monkeypatch)


def test_production_quiet_period_is_a_few_seconds() -> None:
    """The shared publisher waits a few seconds between a member's publishes (tests set it to 0 by default)."""
    assert 1.0 <= HOME_MIN_INTERVAL_SECONDS <= 5.0
    assert HomePublisher(threads=1).interval == HOME_MIN_INTERVAL_SECONDS


def test_a_burst_of_twenty_changes_is_two_publishes_the_last_showing_all(
    slack: SlackHarness, engine: Engine, submits: Submits
) -> None:
    """20 /ce log in a row: one publish at once, one at the end of the quiet period, and that one has all 20."""
    track_fl(engine)
    for n in range(1, 21):
        assert "Logged 1 h" in slack.ask(f"log 1h Course {n:02d}").text
    submits.wait(20)
    first = slack.fake.wait_for("views.publish", where=lambda c: c["user_id"] == "U1")
    assert "Course 01" in render_view(first["view"])
    assert "Course 02" not in render_view(first["view"])
    assert HOME_PUBLISHER.wait_idle(timeout=30, flush=True)  # the end of the quiet period, without waiting an hour
    publishes = [c for c in slack.fake.calls("views.publish") if c["user_id"] == "U1"]
    assert len(publishes) == 2
    assert "Course 20" in render_view(publishes[-1]["view"])
    with Session(engine) as session:  # the last publish is the tab as the database has it after all 20
        member = session.exec(select(Member).where(Member.slack_user_id == "U1")).one()
        assert publishes[-1]["view"] == build_home_view(session=session, member=member)


def test_members_are_coalesced_separately(slack: SlackHarness, engine: Engine, submits: Submits) -> None:
    """One member's quiet period does not hold back another member's first publish."""
    track_fl(engine, "U1")
    track_fl(engine, "U2")
    slack.ask("log 1h Course A", user="U1")
    slack.ask("log 1h Course B", user="U1")
    slack.ask("log 1h Course C", user="U2")
    submits.wait(3)
    slack.fake.wait_for("views.publish", where=lambda c: c["user_id"] == "U2")
    assert HOME_PUBLISHER.wait_idle(timeout=30, flush=True)
    users = [c["user_id"] for c in slack.fake.calls("views.publish")]
    assert sorted(users) == ["U1", "U1", "U2"]


def test_a_waiting_publish_runs_by_itself_at_the_end_of_the_quiet_period() -> None:
    """Without any flush, the latest publish asked for during the quiet period runs once when it ends."""
    publisher = HomePublisher(threads=1, interval=1.0)
    ran: list[str] = []
    done = threading.Event()

    def job(name: str) -> None:
        ran.append(name)
        if name == "third":
            done.set()

    publisher.submit(("T1", "U1"), lambda: job("first"))
    publisher.submit(("T1", "U1"), lambda: job("second"))
    publisher.submit(("T1", "U1"), lambda: job("now"), later=lambda: job("third"))
    assert done.wait(timeout=30)
    assert publisher.wait_idle(timeout=30)
    assert ran == ["first", "third"]


def test_a_failing_publish_does_not_stop_the_next(caplog: pytest.LogCaptureFixture) -> None:
    """A publish that raises is logged, and the one waiting behind it still runs."""
    publisher = HomePublisher(threads=1, interval=LONG)
    ran: list[str] = []

    def boom() -> None:
        raise RuntimeError("slack is down")

    publisher.submit(("T1", "U1"), boom)
    publisher.submit(("T1", "U1"), lambda: ran.append("latest"))
    assert publisher.wait_idle(timeout=30, flush=True)
    assert ran == ["latest"]
    assert "Home tab publish failed" in caplog.text


def test_too_many_members_at_once_are_dropped(caplog: pytest.LogCaptureFixture) -> None:
    """Past the backlog, a new member's publish is refused (logged); members idle past their period are forgotten."""
    publisher = HomePublisher(threads=1, backlog=1, interval=LONG)
    gate = threading.Event()
    assert publisher.submit(("T1", "U1"), gate.wait)
    assert not publisher.submit(("T1", "U2"), lambda: None)
    assert "dropped" in caplog.text
    gate.set()
    assert publisher.wait_idle(timeout=30)
    publisher.interval = 0.0
    assert not publisher.submit(("T1", "U3"), lambda: None)  # U1 is still inside its hour-long quiet period
    fresh = HomePublisher(threads=1, backlog=1, interval=0.0)
    assert fresh.submit(("T1", "U1"), lambda: None)
    assert fresh.wait_idle(timeout=30)
    assert fresh.submit(("T1", "U2"), lambda: None)  # U1 is idle and past its period: forgotten
    assert fresh.wait_idle(timeout=30)


def test_shell_shows_each_home_update_with_its_command(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """cebot shell publishes a waiting Home update at once, so each change reports it, even inside a quiet period."""
    monkeypatch.setattr(HOME_PUBLISHER, "interval", LONG)
    out = io.StringIO()
    text = "/ce track FL deadline:2027-08-31\n/ce log 3h Ethics in Touch #ethics\n:home\n"
    assert shell.run(args(database_url), stdin=io.StringIO(text), out=out) == 0
    tracked, logged = out.getvalue().split("cebot> /ce log", 1)
    logged, home = logged.split("cebot> :home", 1)
    assert "Home tab was updated" in tracked
    assert "Home tab was updated" in logged
    assert "3 of 24 h" in home
