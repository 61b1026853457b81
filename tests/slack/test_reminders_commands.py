"""``/ce remind`` and ``/ce admin summary`` through real signed requests to the served app."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.domain.reminders import SummarySchedule
from cebot.models import Member, Workspace
from tests.helpers.slackharness import SlackHarness


def member(engine: Engine, user: str) -> Member:
    with Session(engine) as s:
        return s.exec(select(Member).where(Member.slack_user_id == user)).one()


def workspace(engine: Engine) -> Workspace:
    with Session(engine) as s:
        return s.exec(select(Workspace)).one()


def test_remind_off_on_and_snooze(slack: SlackHarness, engine: Engine) -> None:
    """Off stops reminders, snooze pauses them for the given days from today, on brings them back."""
    reply = slack.ask("remind off", user="U1")
    assert "Reminders are off" in reply.text
    assert member(engine, "U1").reminders_enabled is False
    reply = slack.ask("remind snooze 14", user="U1")
    assert "paused for 14 days" in reply.text
    m = member(engine, "U1")
    assert m.reminders_enabled is True
    assert m.snoozed_until is not None
    assert timedelta(days=13) <= m.snoozed_until - date.today() <= timedelta(days=15)
    reply = slack.ask("remind on", user="U1")
    assert "Reminders are on" in reply.text
    assert member(engine, "U1").snoozed_until is None


def test_remind_bad_input_shows_the_usage(slack: SlackHarness, engine: Engine) -> None:
    """A word the command does not know answers with the right form and changes nothing."""
    slack.ask("remind on", user="U1")
    reply = slack.ask("remind sometimes", user="U1")
    assert "/ce remind" in reply.text
    assert member(engine, "U1").reminders_enabled is True


def test_admin_summary_on_and_off(slack: SlackHarness, engine: Engine) -> None:
    """A Slack admin sets the weekly summary channel, day and time, then turns it off."""
    reply = slack.ask("admin summary <#C0TEAM|team> day:fri time:8:30am", user="UADMIN")
    assert "Every Friday at 08:30" in reply.text
    assert "<#C0TEAM>" in reply.text
    schedule = SummarySchedule.from_settings(workspace(engine).settings)
    assert schedule is not None
    assert (schedule.channel, schedule.day, schedule.at.strftime("%H:%M")) == ("C0TEAM", "fri", "08:30")
    assert schedule.tz == "America/Chicago"  # the workspace has no zone of its own yet: the admin's
    reply = slack.ask("admin summary off", user="UADMIN")
    assert "off" in reply.text
    assert SummarySchedule.from_settings(workspace(engine).settings) is None


def test_admin_summary_is_for_managers_only(slack: SlackHarness, engine: Engine) -> None:
    """A therapist who is not a manager is told politely, and nothing is stored."""
    reply = slack.ask("admin summary <#C0TEAM|team>", user="U1")
    assert "manager" in reply.text
    with Session(engine) as s:
        stored = s.exec(select(Workspace)).first()  # the refused request rolled back, registration too
    assert stored is None or SummarySchedule.from_settings(stored.settings) is None
