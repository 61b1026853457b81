"""A hanging Slack Web API does not hold the listener threads that later requests need for their ack."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.models import CEEntry
from cebot.slack.home import HOME_PUBLISHER
from tests.helpers.slackharness import SlackHarness


def test_commands_are_acked_and_saved_once_while_views_publish_hangs(slack: SlackHarness, engine: Engine) -> None:
    """With ``views.publish`` hanging, eight ``/ce log`` commands in a row all get their answer and save once."""
    count = 8
    slack.fake.delay_next("views.publish", 5.0, times=count)
    results = [slack.command("/ce", f"log 1h Outage course {n}") for n in range(count)]
    assert [r.status for r in results] == [200] * count
    replies = [slack.reply(r, timeout=15.0) for r in results]
    assert all("Outage course" in reply.text for reply in replies)
    with Session(engine) as session:
        titles = sorted(e.title for e in session.exec(select(CEEntry)).all())
    assert titles == sorted(f"Outage course {n}" for n in range(count))
    assert HOME_PUBLISHER.wait_idle(timeout=30.0)
