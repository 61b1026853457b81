"""``/ce team`` and ``/ce admin managers ...`` through real signed requests to the served app."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.core.db import session_scope
from cebot.domain.facts import LogRequest
from cebot.domain.reminders import SummarySchedule
from cebot.models import Member, Workspace
from cebot.services import ledger
from tests.helpers.slackharness import SlackHarness

NOW = datetime(2026, 3, 20, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[object]:
    """Every test here runs on Mar 20, 2026 (time ticks, so signatures stay fresh)."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def role(engine: Engine, user: str) -> str | None:
    with Session(engine) as s:
        member = s.exec(select(Member).where(Member.slack_user_id == user)).first()
        return member.role if member else None


def log_course(engine: Engine, user: str, hours: int, on: date) -> None:
    with session_scope(engine) as s:
        member = s.exec(select(Member).where(Member.slack_user_id == user)).one()
        ledger.log_entry(session=s, member=member, request=LogRequest(hours=hours * 4, title="Course",
                                                                      completed_on=on))


# -- /ce team -------------------------------------------------------------------------------------


def test_team_refuses_a_non_manager_and_says_who_can_grant_it(slack: SlackHarness) -> None:
    """A therapist who isn't a manager is told politely, with the managers to ask and the command."""
    slack.ask("help", user="UADMIN")
    reply = slack.ask("team", user="U1")
    assert "Only clinic managers can see the team's progress" in reply.text
    assert "<@UADMIN>" in reply.text
    assert "`/ce admin managers add @you`" in reply.text
    assert reply.blocks == []


def test_team_refusal_without_known_managers_names_slack_admins(slack: SlackHarness) -> None:
    """With no manager known yet, the refusal points to a Slack workspace admin or owner."""
    reply = slack.ask("team", user="U1")
    assert "Ask a Slack workspace admin or owner to run `/ce admin managers add @you`" in reply.text


def test_team_lists_overdue_and_due_soon_people_first(slack: SlackHarness, engine: Engine) -> None:
    """Overdue first, then at risk, then on track and complete; people tracking nothing come last."""
    slack.fake.add_user("U3", "kim", real_name="Kim", tz="America/New_York")
    slack.fake.add_user("U4", "lee", real_name="Lee", tz="America/New_York")
    slack.ask("track NCBTMB deadline:2027-12-31", user="U1")           # on track
    slack.ask("track NCBTMB deadline:2026-03-01", user="U2")           # overdue
    slack.ask("track NCBTMB deadline:2026-05-01", user="U3")           # at risk
    slack.ask("track TX deadline:2026-05-01", user="U4")
    log_course(engine, "U4", 12, date(2026, 1, 5))                     # complete
    slack.ask("help", user="UADMIN")
    reply = slack.ask("team", user="UADMIN")
    lines = reply.text.splitlines()
    order = [next(i for i, line in enumerate(lines) if line.startswith(f"<@{u}> ·")) for u in ("U2", "U3", "U1", "U4")]
    assert order == sorted(order)
    assert "<@U2> · :red_circle: NCBTMB 24 h missing, 19 days overdue" in reply.text
    assert "<@U3> · :large_orange_circle: NCBTMB 24 h to go, 42 days left" in reply.text
    assert "<@U4> · :white_check_mark: TX done" in reply.text
    assert "Not tracking anything yet: <@UADMIN>" in reply.text
    assert "4 of 5 people track a credential" in reply.text
    assert len(reply.blocks) <= 50


def test_team_shows_people_as_mentions_never_raw_names(slack: SlackHarness) -> None:
    """A display name with markup never appears raw: people are shown as Slack mentions."""
    slack.fake.add_user("U5", "x", real_name="<!channel> Mallory", tz="UTC")
    slack.ask("track FL deadline:2027-08-31", user="U5")
    reply = slack.ask("team", user="UADMIN")
    assert "<@U5>" in reply.text
    assert "<!channel>" not in str(reply.payload)


def test_team_with_nobody_tracking(slack: SlackHarness) -> None:
    """A manager of a team that tracks nothing gets how to start."""
    reply = slack.ask("team", user="UADMIN")
    assert "Nobody on the team tracks a licence or certification yet" in reply.text


# -- /ce admin managers ---------------------------------------------------------------------------


def test_admin_adds_a_manager_who_can_then_use_team(slack: SlackHarness, engine: Engine) -> None:
    """A Slack admin adds U1 as a manager; U1 then sees /ce team and can add another manager."""
    assert "Only clinic managers" in slack.ask("team", user="U1").text
    reply = slack.ask("admin managers add <@U1|maria>", user="UADMIN")
    assert "<@U1> is now a manager" in reply.text
    assert role(engine, "U1") == "manager"
    assert "Team CE progress" in slack.ask("team", user="U1").text
    reply = slack.ask("admin managers add <@U2>", user="U1")
    assert "<@U2> is now a manager" in reply.text
    assert role(engine, "U2") == "manager"


def test_adding_someone_already_a_manager(slack: SlackHarness, engine: Engine) -> None:
    """Adding an existing manager or a Slack admin changes nothing and says why."""
    slack.ask("admin managers add <@U1>", user="UADMIN")
    reply = slack.ask("admin managers add <@U1> <@UADMIN>", user="UADMIN")
    assert "<@U1> is already a manager." in reply.text
    assert "<@UADMIN> is a Slack admin or owner, so always a manager." in reply.text
    assert role(engine, "UADMIN") == "member"  # the admin's rights come from Slack, not a stored role


def test_a_non_manager_cannot_add_or_remove_managers(slack: SlackHarness, engine: Engine) -> None:
    """A therapist can't make themselves (or anyone) a manager; nothing is stored."""
    reply = slack.ask("admin managers add <@U1>", user="U1")
    assert "Only a clinic manager or a Slack admin can add a manager" in reply.text
    assert role(engine, "U1") is None  # the refused request rolled back, registration too
    reply = slack.ask("admin managers remove <@U2>", user="U1")
    assert "Only a clinic manager or a Slack admin can remove a manager" in reply.text


def test_remove_a_manager_but_not_a_slack_admin(slack: SlackHarness, engine: Engine) -> None:
    """Removing a cebot manager works; a Slack admin's rights can't be taken away here, and the reply says so."""
    slack.ask("admin managers add <@U1>", user="UADMIN")
    reply = slack.ask("admin managers remove <@UADMIN>", user="U1")
    assert "<@UADMIN> is a Slack workspace admin or owner, so they stay a manager" in reply.text
    reply = slack.ask("admin managers remove <@U1> <@U2>", user="UADMIN")
    assert "<@U1> is no longer a manager." in reply.text
    assert "<@U2> wasn't a manager, so nothing changed." in reply.text
    assert role(engine, "U1") == "member"
    assert "Only clinic managers" in slack.ask("team", user="U1").text


def test_managers_list(slack: SlackHarness) -> None:
    """The list shows managers added in cebot and the Slack admins who are always managers."""
    slack.ask("admin managers add <@U2>", user="UADMIN")
    reply = slack.ask("admin managers", user="U1")
    assert "*Managers* (added in cebot): <@U2>" in reply.text
    assert "*Slack admins and owners* (always managers): <@UADMIN>" in reply.text


@pytest.mark.parametrize(("text", "expected"), [
    ("admin", "Say managers or summary"),
    ("admin managers add", "Who? @mention the person"),
    ("admin managers add Dana", "I need an @mention that Slack links"),
    ("admin managers promote <@U1>", "Say managers add or managers remove"),
    ("admin everything", "I don't know"),
])
def test_admin_bad_input_shows_the_usage(slack: SlackHarness, engine: Engine, text: str, expected: str) -> None:
    """Bad admin commands answer with what's wrong and the usage; nobody's role changes."""
    reply = slack.ask(text, user="UADMIN")
    assert expected in reply.text
    assert "/ce admin managers add" in reply.text
    assert role(engine, "U1") is None


def test_admin_summary_still_works_through_the_dispatcher(slack: SlackHarness, engine: Engine) -> None:
    """``/ce admin summary`` reaches the clock engineer's handler through the one admin subcommand."""
    reply = slack.ask("admin summary <#C0TEAM|team> day:tue", user="UADMIN")
    assert "Every Tuesday at 09:00" in reply.text
    with Session(engine) as s:
        schedule = SummarySchedule.from_settings(s.exec(select(Workspace)).one().settings)
    assert schedule is not None
    assert schedule.channel == "C0TEAM"
    assert "off" in slack.ask("admin summary off", user="UADMIN").text
