"""A hanging Slack Web API does not hold the listener threads that later requests need for their ack."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.models import CEEntry
from cebot.slack import app as slack_app_module
from cebot.slack.home import HOME_PUBLISHER
from tests.helpers.slackharness import SlackHarness

HANG_SECONDS = 5.0
"""How long the fake Slack holds each ``views.publish``: far past the app's Web API timeout."""


@pytest.fixture(autouse=True)
def _short_web_api_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app built for this test gives up on a Web API call after 0.5 s instead of 2: the same hang, cut sooner
    (each of the two publishes the burst coalesces into waits that long). Autouse: set before the app is built."""
    monkeypatch.setattr(slack_app_module, "LISTENER_WEB_API_TIMEOUT_SECONDS", 0.5)


def test_commands_are_acked_and_saved_once_while_views_publish_hangs(slack: SlackHarness, engine: Engine) -> None:
    """With ``views.publish`` hanging, eight ``/ce log`` commands in a row all get their answer and save once."""
    count = 8
    slack.fake.delay_next("views.publish", HANG_SECONDS, times=count)
    results = [slack.command("/ce", f"log 1h Outage course {n}") for n in range(count)]
    assert [r.status for r in results] == [200] * count
    replies = [slack.reply(r, timeout=15.0) for r in results]
    assert all("Outage course" in reply.text for reply in replies)
    with Session(engine) as session:
        titles = sorted(e.title for e in session.exec(select(CEEntry)).all())
    assert titles == sorted(f"Outage course {n}" for n in range(count))
    assert HOME_PUBLISHER.wait_idle(timeout=30.0)
