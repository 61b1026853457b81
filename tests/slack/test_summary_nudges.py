"""*Remind the people at risk* on the weekly summary: managers only, a durable job, one nudge a week per person."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.core.settings import Settings
from cebot.models import Delivery, Workspace
from cebot.services import jobs
from cebot.services.summary import weekly_summary
from cebot.services.team_nudges import TEAM_NUDGE
from cebot.slack.render import reminders as reminder_render
from cebot.slack.render.summary import REMIND_AT_RISK, render_summary
from tests.helpers.exports_helpers import run_jobs
from tests.helpers.slackharness import SlackHarness

NOW = datetime(2026, 3, 20, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


def nudges_posted(slack: SlackHarness) -> list[dict[str, Any]]:
    return [c.args for c in slack.fake.calls("chat.postMessage") if "check in" in str(c.args.get("text"))]


def setup_team(slack: SlackHarness) -> None:
    slack.ask("track NCBTMB deadline:2027-12-31", user="U1")  # on track
    slack.ask("track NCBTMB deadline:2026-05-01", user="U2")  # at risk
    slack.ask("team", user="UADMIN")  # registers the admin


def test_summary_has_the_button_when_someone_needs_attention(slack: SlackHarness, engine: Engine) -> None:
    """The weekly summary offers *Remind the people at risk* when someone is at risk or overdue."""
    setup_team(slack)
    with Session(engine) as s:
        ws = s.exec(select(Workspace)).one()
        summary = weekly_summary(session=s, workspace_id=ws.id or 0, today=date(2026, 3, 20),
                                 week_start=date(2026, 3, 16), week_end=date(2026, 3, 22))
    ids = [e.get("action_id") for blk in render_summary(summary)["blocks"] if blk["type"] == "actions"
           for e in blk["elements"]]
    assert ids == [REMIND_AT_RISK]


def test_manager_click_sends_one_nudge_per_person_per_week(slack: SlackHarness, engine: Engine,
                                                           slack_settings: Settings) -> None:
    """A manager's click queues a job that DMs only the member at risk, once; more clicks or jobs send nothing."""
    setup_team(slack)
    reply = slack.reply(slack.action(REMIND_AT_RISK, value="2026-03-16", user="UADMIN"))
    assert "one nudge" in reply.text
    assert run_jobs(engine, slack_settings) == 1
    [nudge] = nudges_posted(slack)
    assert nudge["channel"].startswith("D") or nudge["channel"] == "U2"
    [row] = [blk for blk in nudge["blocks"] if blk["type"] == "actions"]
    assert row["block_id"] == reminder_render.actions_block_id("U2")
    again = slack.reply(slack.action(REMIND_AT_RISK, value="2026-03-16", user="UADMIN"))
    assert "already asked for this week" in again.text
    with Session(engine) as s:  # even a second job for the same week finds the delivery rows taken
        ws = s.exec(select(Workspace)).one()
        jobs.enqueue(session=s, workspace=ws, kind=TEAM_NUDGE, payload={"week": "2026-W12", "today": "2026-03-20"},
                     key="another")
        s.commit()
    run_jobs(engine, slack_settings)
    assert len(nudges_posted(slack)) == 1
    with Session(engine) as s:
        rows = s.exec(select(Delivery).where(Delivery.kind == TEAM_NUDGE)).all()
    assert [(d.recipient, d.period, d.status) for d in rows] == [("U2", "2026-W12", "sent")]


def test_non_manager_click_is_refused(slack: SlackHarness, engine: Engine, slack_settings: Settings) -> None:
    """A therapist who is not a manager is refused and no job is queued."""
    setup_team(slack)
    reply = slack.reply(slack.action(REMIND_AT_RISK, value="2026-03-16", user="U1"))
    assert "Only a clinic manager" in reply.text
    assert run_jobs(engine, slack_settings) == 0
    assert nudges_posted(slack) == []
