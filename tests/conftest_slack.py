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


@pytest.fixture(autouse=True)
def slack_limits_kept(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every fake Slack a test starts must end with no refused payload: a message or view over Slack's limits
    fails the test that sent it, with the limit and its documentation link."""
    started: list[FakeSlack] = []
    start = FakeSlack.start

    def recording_start(self: FakeSlack) -> FakeSlack:
        started.append(self)
        return start(self)

    monkeypatch.setattr(FakeSlack, "start", recording_start)
    yield
    refused = [str(r) for fake in dict.fromkeys(started) for r in fake.violations]
    assert not refused, "Slack would refuse what this test sent:\n" + "\n".join(refused)


@pytest.fixture(autouse=True)
def _home_published_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each change's Home publish happens at once (tests count them); test_slack_home_coalescing.py sets the
    quiet period of production back to test it."""
    monkeypatch.setattr(HOME_PUBLISHER, "interval", 0.0)
    HOME_PUBLISHER.forget_quiet_periods()


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
