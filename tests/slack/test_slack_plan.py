"""``/ce check`` (a what-if that saves nothing, with a *Log it* button) and ``/ce plan``, through signed requests."""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import parse_qsl

import pytest
from sqlalchemy.engine import Engine

from cebot.slack.render import plan as render
from tests.helpers.ledger_helpers import TODAY, element, frozen, live_entries, track  # noqa: F401
from tests.helpers.slackharness import HttpResult, SlackHarness

pytestmark = pytest.mark.usefixtures("frozen")


def _replay(slack: SlackHarness, first: HttpResult) -> HttpResult:
    """The same signed request again, byte for byte."""
    fields = dict(parse_qsl(first.request_body.decode()))
    again = slack.post(first.request_body)
    again.response_url = json.loads(fields.get("payload", "{}")).get("response_url") or first.response_url
    return again


def test_check_saves_nothing_and_says_what_would_count(slack: SlackHarness, engine: Engine) -> None:
    """A what-if names each credential with the hours that would count, the minimum served and the new to go."""
    slack.ask("help")
    track(engine, "U1", "FL")
    reply = slack.ask("check 2h Medical errors update #medical_errors format:online")
    assert live_entries(engine) == []
    assert "If you logged 2 h *Medical errors update*" in reply.text
    assert "2 h would count" in reply.text
    assert "Medical" in reply.text
    assert "+2 h" in reply.text
    assert "to go 24 → 22 h" in reply.text
    assert reply.response_type == "ephemeral"


def test_check_says_why_hours_are_left_out(slack: SlackHarness, engine: Engine) -> None:
    """A course outside the cycle window would not count, and the reply says why."""
    slack.ask("help")
    track(engine, "U1", "FL")
    reply = slack.ask("check 3h Old course date:2025-01-10")
    assert "would not count" in reply.text
    assert "outside this cycle" in reply.text
    assert live_entries(engine) == []


def test_log_it_logs_exactly_the_checked_course_once(slack: SlackHarness, engine: Engine) -> None:
    """*Log it* logs the checked course as read; a replayed click logs nothing more."""
    slack.ask("help")
    track(engine, "U1", "FL")
    reply = slack.ask('check 1.5h "Ethics in Touch" #ethics format:online date:2026-03-02')
    value = element(reply, render.LOG_IT)["value"]
    click = slack.action(render.LOG_IT, value=value)
    answer = slack.reply(click)
    assert "Logged 1.5 h" in answer.text
    assert answer.payload.get("replace_original") is True
    [entry] = live_entries(engine)
    assert (entry.title, entry.hours_q, entry.delivery_format, entry.subjects, entry.completed_on) == (
        "Ethics in Touch", 6, "live_online", ["ethics"], date(2026, 3, 2))
    assert "already done" in slack.reply(_replay(slack, click), count=2).text
    assert len(live_entries(engine)) == 1


def test_check_with_bad_text_explains_the_grammar(slack: SlackHarness, engine: Engine) -> None:
    """``/ce check`` with no hours reads like ``/ce log`` and says what it expected."""
    reply = slack.ask("check Ethics")
    assert "hours" in reply.text.lower()
    assert live_entries(engine) == []


def test_plan_lists_course_kinds_with_dates(slack: SlackHarness, engine: Engine) -> None:
    """``/ce plan`` for FL and NCBTMB: a total, shared ethics hours, and each kind's latest useful date."""
    slack.ask("help")
    track(engine, "U1", "FL")
    track(engine, "U1", "NCBTMB", deadline=date(2027, 12, 31))
    reply = slack.ask("plan")
    assert "Your plan:" in reply.text
    block_text = json.dumps(reply.blocks)
    assert "FL, NCBTMB" in block_text
    assert "by Aug 31, 2027" in block_text


def test_plan_with_nothing_tracked_says_how_to_start(slack: SlackHarness) -> None:
    """With nothing tracked the plan says how to track a licence."""
    reply = slack.ask("plan")
    assert "/ce track FL" in json.dumps(reply.blocks)


def test_home_shows_the_plan(slack: SlackHarness, engine: Engine) -> None:
    """The Home tab carries the plan section once a credential is tracked."""
    slack.ask("help")
    track(engine, "U1", "FL")
    slack.home_opened("U1")
    call = slack.fake.wait_for("views.publish", where=lambda c: "Your plan" in json.dumps(c["view"]))
    assert len(call["view"]["blocks"]) < 100
