"""`/ce calendar` without PUBLIC_URL says what to set and saves nothing."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.models import Member
from tests.helpers.slackharness import SlackHarness


def test_calendar_without_public_url_says_what_to_set(slack: SlackHarness, engine: Engine) -> None:
    """Without PUBLIC_URL the reply names the setting and no token is stored."""
    slack.ask("remind")
    reply = slack.ask("calendar")
    assert "PUBLIC_URL" in reply.text
    with Session(engine) as s:
        assert s.exec(select(Member).where(Member.slack_user_id == "U1")).one().calendar_token_hash is None
