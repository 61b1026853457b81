"""Reminder DMs you can act on: their buttons through real signed requests to the served app, and lead times."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.domain import reminders as r
from cebot.models import Member
from cebot.services.reminders import reminders_due
from cebot.services.scheduled import installed_workspaces
from cebot.slack.home import build_home_view
from cebot.slack.render import reminders as render
from tests.helpers.ledger_helpers import track
from tests.helpers.slackharness import SlackHarness

NOW = datetime(2026, 3, 20, 15, 0, tzinfo=UTC)
"""Friday, March 20, 2026, 11:00 in New York (U1's zone)."""
DEADLINE = date(2026, 4, 15)
"""26 days after NOW: inside the default 30-day countdown stage."""
MONDAY_MORNING = datetime(2026, 3, 23, 14, 0, tzinfo=UTC)
"""10:00 in New York, in the reminder window."""
NEXT_FRIDAY_MORNING = datetime(2026, 3, 27, 14, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


def member(engine: Engine, user: str = "U1") -> Member:
    with Session(engine) as s:
        return s.exec(select(Member).where(Member.slack_user_id == user)).one()


def due_for(engine: Engine, now: datetime, user: str = "U1") -> list[str]:
    """The kinds of reminder the clock would send ``user`` at ``now``."""
    with Session(engine) as s:
        planned = reminders_due(session=s, workspaces=installed_workspaces(session=s), now=now)
    return [p.kind for p in planned if p.recipient == user]


def setup_member(slack: SlackHarness, engine: Engine, user: str = "U1") -> None:
    slack.ask("remind", user=user)  # registers the member
    track(engine, user, "FL", DEADLINE)


def click(slack: SlackHarness, action_id: str, *, owner: str = "U1", user: str = "U1", trigger: str | None = None,
          **action: Any) -> Any:
    block_id = render.actions_block_id(owner)
    element = {"type": action.pop("action_type", "button"), "action_id": action_id, "block_id": block_id,
               "action_ts": "1774018800.000001", **action}
    extra: dict[str, Any] = {"actions": [element]}
    if trigger:
        extra["trigger_id"] = trigger
    return slack.action(action_id, user=user, block_id=block_id, channel="DU1", extra=extra)


def test_reminder_message_carries_the_four_actions() -> None:
    """A reminder sent to a member has Snooze a week, a Snooze until date picker, Show my plan and Log a course."""
    cred = r.CredentialSnapshot(key="FL", name="Florida LMT", status="behind_pace", deadline=DEADLINE, remaining=24)
    due = r.DueReminder(kind=r.COUNTDOWN, period="p", reason="", today=NOW.date(), credential=cred, days=26)
    blocks = render.render_reminder(due, recipient="U1")["blocks"]
    [row] = [b for b in blocks if b["type"] == "actions"]
    assert row["block_id"] == "reminder_actions:U1"
    ids = [e["action_id"] for e in row["elements"]]
    assert ids == [render.SNOOZE_WEEK, render.SNOOZE_UNTIL, render.SHOW_PLAN, render.LOG_COURSE]
    assert row["elements"][1]["type"] == "datepicker"


def test_snooze_a_week_moves_the_next_reminder(slack: SlackHarness, engine: Engine) -> None:
    """*Snooze a week* pauses reminders until a week from today: nothing on Monday, the countdown again a week on."""
    setup_member(slack, engine)
    assert due_for(engine, MONDAY_MORNING) == [r.COUNTDOWN]
    reply = slack.reply(click(slack, render.SNOOZE_WEEK, value="7"))
    assert "no reminders until Mar 27, 2026" in reply.text
    assert member(engine).snoozed_until == date(2026, 3, 27)
    assert due_for(engine, MONDAY_MORNING) == []
    assert due_for(engine, NEXT_FRIDAY_MORNING) == [r.COUNTDOWN]


def test_snooze_until_a_date_from_the_picker(slack: SlackHarness, engine: Engine) -> None:
    """*Snooze until...* pauses reminders until the picked date; a date in the past changes nothing."""
    setup_member(slack, engine)
    reply = slack.reply(click(slack, render.SNOOZE_UNTIL, action_type="datepicker", selected_date="2026-04-01"))
    assert "until Apr 1, 2026" in reply.text
    assert member(engine).snoozed_until == date(2026, 4, 1)
    reply = slack.reply(click(slack, render.SNOOZE_UNTIL, action_type="datepicker", selected_date="2026-03-01"))
    assert "Pick a date from tomorrow" in reply.text
    assert member(engine).snoozed_until == date(2026, 4, 1)


def test_replayed_click_changes_nothing(slack: SlackHarness, engine: Engine) -> None:
    """A click replayed (same trigger_id) after the member turned reminders back on leaves them on."""
    setup_member(slack, engine)
    slack.reply(click(slack, render.SNOOZE_WEEK, value="7", trigger="trigger-snooze-once"))
    assert member(engine).snoozed_until == date(2026, 3, 27)
    slack.ask("remind on")
    assert member(engine).snoozed_until is None
    replay = slack.reply(click(slack, render.SNOOZE_WEEK, value="7", trigger="trigger-snooze-once"))
    assert "already" in replay.text.lower()
    assert member(engine).snoozed_until is None
    assert due_for(engine, MONDAY_MORNING) == [r.COUNTDOWN]


def test_another_members_click_is_refused(slack: SlackHarness, engine: Engine) -> None:
    """A click on U1's reminder by U2 is refused and snoozes nobody."""
    setup_member(slack, engine)
    slack.fake.add_user("U2", "sam", tz="America/New_York")
    slack.ask("remind", user="U2")
    for action_id, extra in ((render.SNOOZE_WEEK, {"value": "7"}),
                             (render.SNOOZE_UNTIL, {"action_type": "datepicker", "selected_date": "2026-04-01"}),
                             (render.LOG_COURSE, {"value": "log"})):
        reply = slack.reply(click(slack, action_id, owner="U1", user="U2", **extra))
        assert "belong to the reminder's recipient" in reply.text
    assert member(engine, "U1").snoozed_until is None
    assert member(engine, "U2").snoozed_until is None
    assert slack.fake.calls("views.open") == []


def test_log_a_course_opens_the_log_form(slack: SlackHarness, engine: Engine) -> None:
    """*Log a course* opens the log form with the click's trigger."""
    setup_member(slack, engine)
    assert click(slack, render.LOG_COURSE, value="log", trigger="trigger-log").status == 200
    assert slack.fake.wait_for("views.open")["trigger_id"] == "trigger-log"


def test_show_my_plan_answers_what_ce_plan_answers(slack: SlackHarness, engine: Engine) -> None:
    """*Show my plan* answers with the member's course plan, the same as ``/ce plan``."""
    setup_member(slack, engine)
    reply = slack.reply(click(slack, render.SHOW_PLAN, value="plan"))
    assert reply.text.startswith("Your plan:")
    assert reply.text == slack.ask("plan").text


def test_lead_times_are_stored_shown_and_used(slack: SlackHarness, engine: Engine) -> None:
    """`/ce remind days:20,5` stores the lead times, `/ce remind` shows them, and the countdown follows them."""
    setup_member(slack, engine)
    reply = slack.ask("remind days:5, 20")
    assert "20 and 5 days before a deadline (your choice" in reply.text
    assert member(engine).lead_days == "20,5"
    assert "20 and 5 days" in slack.ask("remind").text
    assert due_for(engine, MONDAY_MORNING) == []  # 23 days out: before the first (20-day) stage
    assert due_for(engine, NEXT_FRIDAY_MORNING) == [r.COUNTDOWN]  # 19 days out
    slack.ask("remind days:90,60,30,14,7,1")
    assert member(engine).lead_days is None  # the defaults are not stored
    assert "(the default" in slack.ask("remind").text
    assert "1 to 6 lead times" in slack.ask("remind days:0,400").text


def test_home_shows_the_lead_times(slack: SlackHarness, engine: Engine) -> None:
    """The Home tab shows the member's lead times once they track something."""
    setup_member(slack, engine)
    slack.ask("remind days:45,10")
    with Session(engine) as s:
        view = build_home_view(session=s, member=member(engine), today=NOW.date())
    assert "45 and 10 days before a deadline" in str(view["blocks"])


def test_a_lead_time_beyond_the_default_stages_is_planned(slack: SlackHarness, engine: Engine) -> None:
    """A 120-day lead time brings a deadline 116 days out into the countdown; the defaults (90 days) do not."""
    slack.ask("remind")
    track(engine, "U1", "FL", date(2026, 7, 17))
    assert due_for(engine, MONDAY_MORNING) == []
    slack.ask("remind days:120,30")
    assert due_for(engine, MONDAY_MORNING) == [r.COUNTDOWN]
