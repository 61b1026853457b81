"""``/ce progress``, ``/ce amma`` and ``/ce milestone`` through real signed requests to the served app."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.core.db import session_scope
from cebot.domain.facts import LogRequest
from cebot.models import Member, Milestone, Workspace
from cebot.services import credentials, ledger
from cebot.shell.textrender import render_view
from tests.helpers.services_helpers import AMMA_TARGET_TOML
from tests.helpers.slackharness import SlackHarness

NOW = datetime(2026, 3, 20, 15, 0, tzinfo=UTC)  # Mar 20, 2026, 11:00 in New York (U1)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[object]:
    """Every test here runs on Mar 20, 2026 (time ticks, so signatures stay fresh)."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def log_course(engine: Engine, user: str, title: str, hours: float, on: date, *subjects: str,
               fmt: str = "in_person") -> int:
    with session_scope(engine) as s:
        member = s.exec(select(Member).where(Member.slack_user_id == user)).one()
        entry = ledger.log_entry(session=s, member=member, request=LogRequest(
            hours=int(hours * 4), title=title, completed_on=on, subjects=tuple(subjects), delivery_format=fmt))
        assert entry.id is not None
        return entry.id


# -- /ce progress ---------------------------------------------------------------------------------


def test_progress_with_nothing_tracked_says_how_to_start(slack: SlackHarness) -> None:
    """No credentials: the reply says so and shows the track command and /ce requirements."""
    reply = slack.ask("progress", user="U1")
    assert "You're not tracking any licence or certification yet" in reply.text
    assert "`/ce track FL deadline:2027-08-31`" in reply.text
    assert "`/ce requirements`" in reply.text


def test_progress_shows_bar_missing_subjects_deadline_and_not_counted(slack: SlackHarness, engine: Engine) -> None:
    """FL: a bar, counted/required, missing subjects, days left, status, and what doesn't count."""
    slack.ask("track FL deadline:2027-08-31", user="U1")
    log_course(engine, "U1", "Ethics in Touch", 3, date(2026, 1, 10), "ethics")
    old = log_course(engine, "U1", "Old <!channel> course", 2, date(2025, 6, 1), "ethics")
    reply = slack.ask("status", user="U1")  # an alias of progress
    text = reply.text
    assert "Your CE progress" in text
    assert "*Florida massage therapist licence* (FL)" in text
    assert "▰▱▱▱▱▱▱▱▱▱ 3 of 24 h · 21 h to go" in text
    assert ":large_green_circle: On pace · deadline Aug 31, 2027 (529 days left)" in text
    assert "Still missing: Prevention of medical errors 2 h" in text
    assert "Hands-on technique, in person 12 h" in text
    assert "Ethics 2 h" not in text.split("Still missing:")[1].split("\n")[0]  # 3 h of ethics: met
    assert f"Not counted: #{old} Old &lt;!channel&gt; course (2 h): outside this cycle" in text
    assert "<!channel>" not in str(reply.payload)
    assert "1 counted course has no certificate on file" in text
    assert "3 of 24 h, 21 to go by Aug 31, 2027 (529 days)" in reply.payload["text"]
    assert len(reply.blocks) <= 50


def test_florida_in_person_hours_are_listed_once(slack: SlackHarness, engine: Engine) -> None:
    """FL's 12 in-person hours are the hands-on minimum's: progress, /ce log and Home name them once."""
    slack.ask("track FL deadline:2027-08-31", user="U1")
    log_course(engine, "U1", "Myofascial lab", 4, date(2026, 2, 10), "hands_on")
    missing = slack.ask("progress", user="U1").text.split("Still missing:")[1].split("\n")[0]
    assert "Hands-on technique, in person 8 h" in missing
    assert "· in person" not in missing
    reply = slack.ask("log 3h Ethics in Touch #ethics date:2026-03-01", user="U1")
    assert "7 of 24 h" in reply.text
    assert "in person 5 h" not in reply.text
    home = render_view(slack.fake.wait_for("views.publish", count=2, where=lambda c: c["user_id"] == "U1")["view"])
    assert "Hands-on technique, in person 8 h" in home  # the Home tab /ce log published (after /ce track's)
    assert "· in person" not in home


def test_progress_status_conditions_and_unconfirmed_notes(slack: SlackHarness) -> None:
    """A deadline six weeks away with hours missing is at risk; CPR on file meets the (unconfirmed) condition."""
    slack.ask("track NCBTMB deadline:2026-05-01 cpr:2027-01-31", user="U1")
    text = slack.ask("progress", user="U1").text
    assert ":large_orange_circle: Due soon · deadline May 1, 2026 (42 days left)" in text
    assert "Also needed: ☐ Background check with the renewal · ✅ Current CPR certification ⚠️ unconfirmed" in text
    assert "⚠️ Unconfirmed: CPR is required for initial certification" in text


def test_progress_overdue_and_needs_info(slack: SlackHarness) -> None:
    """A passed deadline with hours missing is overdue; a licence without its expiry date asks for it."""
    slack.ask("track NCBTMB deadline:2026-03-01", user="U1")
    slack.ask("track TX", user="U1")
    text = slack.ask("progress", user="U1").text
    assert ":red_circle: Overdue · deadline Mar 1, 2026 (19 days ago)" in text
    assert ":grey_question: Needs your dates" in text
    assert "`/ce track TX deadline:YYYY-MM-DD`" in text


def test_progress_with_many_credentials_stays_within_slack_limits(slack: SlackHarness) -> None:
    """Twelve credentials become one compact line each, within Slack's 50 blocks."""
    keys = ["FL", "TX", "NCBTMB", "AMTA", "OH", "NY", "GA", "IL", "WA", "NJ", "PA", "OR"]
    for key in keys:
        slack.ask(f"track {key} deadline:2027-06-30", user="U1")
    reply = slack.ask("progress", user="U1")
    assert len(reply.blocks) <= 50
    for key in keys:
        assert f"({key})" in reply.text
    assert "Many credentials" in reply.text


def test_progress_shows_only_my_own_courses(slack: SlackHarness, engine: Engine) -> None:
    """U2's courses never count toward or show in U1's progress."""
    slack.ask("track FL deadline:2027-08-31", user="U1")
    slack.ask("track FL deadline:2027-08-31", user="U2")
    log_course(engine, "U2", "Sam's secret seminar", 5, date(2026, 2, 1), "ethics")
    text = slack.ask("progress", user="U1").text
    assert "0 of 24 h" in text
    assert "secret" not in text


# -- /ce amma and /ce milestone -------------------------------------------------------------------


def test_amma_checklist_then_milestone(slack: SlackHarness, engine: Engine) -> None:
    """The five steps start unchecked; a milestone marks one done with its date and the next step moves on."""
    reply = slack.ask("amma", user="U1")
    assert "AMMA pathway: 0 of 5 steps" in reply.text
    assert "⬜ 1. *Accredited massage program*" in reply.text
    assert "`/ce milestone program date:YYYY-MM-DD`" in reply.text
    assert "AMMA does not publish a CE requirement; target set by your clinic" in reply.text
    assert "hasn't set an hour target" in reply.text

    slack.ask("milestone program date:2019-06-01", user="U1")
    reply = slack.ask("milestone mblex 2024-05-01", user="U1")
    assert "Marked *Pass the MBLEx* done on May 1, 2024" in reply.text
    assert "✅ 1. *Accredited massage program* — done Jun 1, 2019" in reply.text
    assert "✅ 2. *MBLEx* — done May 1, 2024" in reply.text
    assert "*Next:* Experience" in reply.text
    assert "`/ce milestone experience date:YYYY-MM-DD`" in reply.text
    slack.fake.wait_for("views.publish")  # the Home tab follows the change

    reply = slack.ask("milestone mblex date:2024-06-15", user="U1")  # again: a new date, not a new row
    assert "done Jun 15, 2024" in reply.text
    with Session(engine) as s:
        assert len(list(s.exec(select(Milestone)))) == 2


def test_milestone_without_a_date_is_today(slack: SlackHarness) -> None:
    """No date means today, in the member's own timezone."""
    reply = slack.ask("milestone experience", user="U1")
    assert "done on Mar 20, 2026" in reply.text


@pytest.mark.parametrize(("text", "expected"), [
    ("milestone", "Which step?"),
    ("milestone flying", "I don't know the step"),
    ("milestone exam date:2030-01-01", "2030-01-01 is in the future. Mark a step once you've done it"),
    ("milestone mblex 2026-04-01", "2026-04-01 is in the future. Mark a step once you've done it"),
])
def test_milestone_bad_input_saves_nothing(slack: SlackHarness, engine: Engine, text: str, expected: str) -> None:
    """A missing or unknown step, or a future date, answers with the usage; nothing is stored."""
    reply = slack.ask(text, user="U1")
    assert expected in reply.text
    assert "/ce milestone" in reply.text
    assert "Log a course" not in reply.text
    with Session(engine) as s:
        assert list(s.exec(select(Milestone))) == []


def test_amma_counts_medical_massage_hours_toward_the_clinic_target(slack: SlackHarness, engine: Engine) -> None:
    """With a clinic-defined AMMA target, /ce amma shows the hours toward it once the member tracks it."""
    slack.ask("help", user="UADMIN")
    with session_scope(engine) as s:
        workspace = s.exec(select(Workspace)).one()
        admin = s.exec(select(Member).where(Member.slack_user_id == "UADMIN")).one()
        credentials.define_workspace_set(session=s, workspace=workspace, acting=admin, toml_text=AMMA_TARGET_TOML)
    reply = slack.ask("amma", user="U1")
    assert "No medical-massage CE logged yet. Your clinic has set a target" in reply.text
    assert "`/ce track AMMA deadline:YYYY-MM-DD`" in reply.text
    slack.ask("track AMMA", user="U1")
    log_course(engine, "U1", "Medical massage for low back pain", 6, date(2026, 2, 1), "medical_massage")
    reply = slack.ask("amma", user="U1")
    assert "6 of 16 h toward your clinic's target · 10 h to go" in reply.text
    assert "AMMA does not publish a CE requirement; target set by your clinic" in reply.text


def test_amma_without_a_clinic_target_shows_the_medical_massage_hours_logged(slack: SlackHarness,
                                                                              engine: Engine) -> None:
    """No clinic target: /ce amma still says how many medical-massage hours are logged (live ones, all dates)."""
    slack.ask("amma", user="U2")
    reply = slack.ask("amma", user="U1")
    assert "*Medical-massage CE:* No medical-massage CE logged yet. Your clinic hasn't set an hour target yet" \
        in reply.text
    log_course(engine, "U1", "Medical massage for low back pain", 4, date(2026, 2, 1), "medical_massage")
    log_course(engine, "U1", "Orthopedic assessment", 2, date(2019, 5, 1), "medical_massage", "assessment")
    log_course(engine, "U1", "Ethics in Touch", 3, date(2026, 1, 10), "ethics")
    log_course(engine, "U2", "Someone else's medical massage", 8, date(2026, 1, 10), "medical_massage")
    deleted = log_course(engine, "U1", "Deleted medical massage", 5, date(2026, 1, 5), "medical_massage")
    with session_scope(engine) as s:
        member = s.exec(select(Member).where(Member.slack_user_id == "U1")).one()
        ledger.delete_entry(session=s, member=member, entry_id=deleted)
    reply = slack.ask("amma", user="U1")
    assert ("*Medical-massage CE:* You've logged 6 h of medical-massage CE. Your clinic hasn't set an hour target "
            "yet: a manager can set one with `/ce admin target AMMA`. Tag those courses `#medical_massage` so they "
            "count once it does."
            ) in reply.text
    reply = slack.ask("milestone mblex date:2024-05-01", user="U1")
    assert "You've logged 6 h of medical-massage CE" in reply.text


def test_tracking_the_shipped_amma_pathway_points_to_the_checklist(slack: SlackHarness) -> None:
    """AMMA without a clinic target has no hours: the reply points to /ce amma."""
    reply = slack.ask("track AMMA", user="U1")
    assert "Now following *AMMA medical massage certification pathway* (AMMA)" in reply.text
    assert "`/ce amma`" in reply.text
    slack.fake.wait_for("views.publish")
