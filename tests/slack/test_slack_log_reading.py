"""/ce log as people type it, end to end: the reply says how it was read, and "online" asks with buttons."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.engine import Engine

from cebot.slack.render import ledger as render
from cebot.slack.render import reading as reading_render
from tests.helpers.ledger_helpers import TODAY, click, element, frozen, live_entries, track  # noqa: F401
from tests.helpers.slackharness import SlackHarness

pytestmark = pytest.mark.usefixtures("frozen")


def test_laws_and_rules_yesterday_is_read_and_shown(slack: SlackHarness, engine: Engine) -> None:
    """`2 hours laws and rules yesterday`: dated yesterday, tagged, and the reply shows how it was read."""
    reply = slack.ask("log 2 hours laws and rules yesterday")
    [entry] = live_entries(engine)
    assert (entry.hours_q, entry.title, entry.completed_on, entry.subjects) == (
        8, "laws and rules", date(2026, 3, 19), ["laws_rules"])
    assert "Read as: 2 h · Mar 19 (“yesterday”) · in person · Laws &amp; rules (from the title)" in reply.text
    assert element(reply, render.EDIT_OPEN)["value"] == str(entry.id)  # the one-click fix: the form, prefilled


def test_ethics_in_the_title_gets_ethics_credit(slack: SlackHarness, engine: Engine) -> None:
    """`2h ethics` is tagged ethics; a date after "on" in an earlier year names that year."""
    reply = slack.ask("log 2h Ethics on 11/20")
    [entry] = live_entries(engine)
    assert (entry.title, entry.completed_on, entry.subjects) == ("Ethics", date(2025, 11, 20), ["ethics"])
    assert "Nov 20, 2025 (“on 11/20”)" in reply.text


def test_online_asks_and_one_click_logs_once(slack: SlackHarness, engine: Engine) -> None:
    """"online" logs nothing until a button is pressed; the first click logs, a second click adds nothing."""
    ask = slack.ask("log 3h Myofascial release online")
    assert live_entries(engine) == []
    assert "live online" in ask.text
    assert "self-paced" in ask.text
    self_paced = element(ask, reading_render.LOG_SELF_PACED)["value"]
    live = element(ask, reading_render.LOG_LIVE)["value"]
    _, done = click(slack, reading_render.LOG_SELF_PACED, self_paced)
    [entry] = live_entries(engine)
    assert (entry.delivery_format, entry.title) == ("home_study", "Myofascial release online")
    assert "self-paced (home study)" in done.text
    _, again = click(slack, reading_render.LOG_LIVE, live)
    assert len(live_entries(engine)) == 1
    assert f"already logged as *#{entry.id}*" in again.text


def test_online_cancel_logs_nothing(slack: SlackHarness, engine: Engine) -> None:
    """Cancel on the format question leaves the log as it was."""
    ask = slack.ask("log 3h Myofascial release online")
    _, done = click(slack, reading_render.FORMAT_CANCEL, element(ask, reading_render.FORMAT_CANCEL)["value"])
    assert live_entries(engine) == []
    assert "nothing logged" in done.text


def test_a_wrong_date_in_the_title_is_refused(slack: SlackHarness, engine: Engine) -> None:
    """`Feb 30` at the end is refused (nothing saved) with a message that names no year."""
    reply = slack.ask("log 3h Ethics Feb 30")
    assert live_entries(engine) == []
    assert "February has at most 29 days" in reply.text
    assert str(TODAY.year) not in reply.text.split("Usage")[0]


def test_an_untagged_cpr_class_is_tagged_and_does_not_count_for_amta(slack: SlackHarness, engine: Engine) -> None:
    """`2h CPR recertification` is tagged CPR from its title, so AMTA (which does not accept CPR) counts none of it."""
    slack.ask("list")
    track(engine, "U1", "AMTA", deadline=date(2028, 8, 31))
    reply = slack.ask("log 2h CPR recertification")
    [entry] = live_entries(engine)
    assert entry.subjects == ["cpr"]
    assert "CPR / first aid / BLS (from the title)" in reply.text
    assert "AMTA" in reply.text
    assert "(+2 h)" not in reply.text


def test_format_online_is_logged_live_and_says_how_to_change_it(slack: SlackHarness, engine: Engine) -> None:
    """`format:online` logs live online at once (as documented) and the reply says how to make it self-paced."""
    reply = slack.ask("log 1.5h Myofascial release format:online")
    [entry] = live_entries(engine)
    assert entry.delivery_format == "live_online"
    assert "live online" in reply.text
    assert "format:home-study" in reply.text
