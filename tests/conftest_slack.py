"""Fixtures for end-to-end Slack tests (loaded from tests/conftest.py): the served app and a fake Slack."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_bolt import App
from slackharness import SlackHarness, serve_app
from sqlalchemy.engine import Engine

from cebot.settings import Settings
from cebot.slack.app import create_app
from cebot.slack.home import HOME_PUBLISHER
from cebot.testing.fake_slack import FakeSlack


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """A fake Slack Web API on loopback with three people: U1 (New York), U2 (Los Angeles), UADMIN (admin)."""
    with FakeSlack(team_id="T1") as fake:
        fake.add_user("U1", "maria", real_name="Maria Lopez", display_name="Maria", tz="America/New_York")
        fake.add_user("U2", "sam", real_name="Sam Lee", tz="America/Los_Angeles")
        fake.add_user("UADMIN", "ada", real_name="Ada Admin", tz="America/Chicago", is_admin=True)
        yield fake


@pytest.fixture
def slack_settings(settings: Settings, fake_slack: FakeSlack) -> Settings:
    """The test settings with every Web API call going to ``fake_slack``."""
    return settings.model_copy(update={"slack_api_url": fake_slack.url})


@pytest.fixture
def slack_app(slack_settings: Settings, engine: Engine) -> Iterator[App]:
    """The cebot Bolt app over this test's database; background listeners finish before the database goes."""
    app = create_app(slack_settings, engine=engine)
    yield app
    HOME_PUBLISHER.wait_idle(timeout=10)  # Home refreshes run after the answer


@pytest.fixture
def slack(slack_app: App, engine: Engine, fake_slack: FakeSlack, slack_settings: Settings) -> Iterator[SlackHarness]:
    """The app served on loopback (cebot.wsgi, threaded) and a client that sends it signed Slack requests."""
    with serve_app(slack_app, engine, fake_slack, slack_settings.slack_signing_secret or "") as harness:
        yield harness
