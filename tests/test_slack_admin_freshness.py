"""Manager access by a Slack admin flag is checked against Slack at most 10 minutes ago."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from slackharness import SlackHarness
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.models import Member
from cebot.services.workspaces import ADMIN_FLAG_MAX_AGE

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
TEAM_TEXT = "Team CE progress"  # what /ce team shows a manager
REFUSED = "Only clinic managers can see the team's progress"


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """Time starts at NOW and ticks (signatures stay fresh); tests move it on."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def _admin_flag(engine: Engine, user: str) -> bool:
    with Session(engine) as session:
        return bool(session.exec(select(Member).where(Member.slack_user_id == user)).one().is_slack_admin)


def test_a_demoted_admin_loses_team_access_within_ten_minutes(
    slack: SlackHarness, engine: Engine, clock: time_machine.Traveller
) -> None:
    """An admin demoted in Slack keeps /ce team for at most 10 minutes, then is refused (profile refreshed)."""
    assert TEAM_TEXT in slack.ask("team", user="UADMIN").text
    slack.fake.users["UADMIN"].is_admin = False
    clock.shift(timedelta(minutes=9))
    assert REFUSED not in slack.ask("team", user="UADMIN").text  # within the 10 minutes the cached flag holds
    clock.shift(ADMIN_FLAG_MAX_AGE - timedelta(minutes=9))
    assert REFUSED in slack.ask("team", user="UADMIN").text
    assert _admin_flag(engine, "UADMIN") is False


def test_an_admin_is_refused_when_slack_cannot_confirm_the_flag(
    slack: SlackHarness, engine: Engine, clock: time_machine.Traveller
) -> None:
    """Past 10 minutes, if users.info fails, a manager action by admin flag is refused with a clear message."""
    assert TEAM_TEXT in slack.ask("team", user="UADMIN").text
    clock.shift(ADMIN_FLAG_MAX_AGE + timedelta(seconds=1))
    slack.fake.fail_next("users.info", status=200, error="fatal_error")
    reply = slack.ask("team", user="UADMIN")
    assert "couldn't check with Slack just now that you are still a Slack admin" in reply.text
    assert "try again in a minute" in reply.text
    assert TEAM_TEXT in slack.ask("team", user="UADMIN").text  # Slack answers again: access is back


def test_a_demoted_admin_cannot_add_managers_after_ten_minutes(
    slack: SlackHarness, engine: Engine, clock: time_machine.Traveller
) -> None:
    """/ce admin managers add (require_manager) follows the refreshed flag too."""
    slack.ask("help", user="UADMIN")
    slack.fake.users["UADMIN"].is_admin = False
    clock.shift(ADMIN_FLAG_MAX_AGE + timedelta(seconds=1))
    reply = slack.ask("admin managers add <@U1>", user="UADMIN")
    assert "Only a clinic manager or a Slack admin can add a manager" in reply.text
    with Session(engine) as session:
        assert session.exec(select(Member).where(Member.role == "manager")).all() == []


def test_a_therapist_profile_is_not_refreshed_every_ten_minutes(
    slack: SlackHarness, clock: time_machine.Traveller
) -> None:
    """Only admins' profiles are re-read after 10 minutes; others' keep the 24-hour refresh."""
    slack.ask("help", user="U1")
    before = len(slack.fake.calls("users.info"))
    clock.shift(timedelta(hours=1))
    slack.ask("help", user="U1")
    assert len(slack.fake.calls("users.info")) == before
