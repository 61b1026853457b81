"""No token, secret or OAuth code in any log line, at DEBUG, across install, rotation, commands, events and jobs."""

from __future__ import annotations

import base64
import io
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from oauth_helpers import CLIENT_ID, CLIENT_SECRET, SIGNING_SECRET, eventually, install, oauth_settings, serve_oauth
from slackharness import SlackHarness
from sqlalchemy.engine import Engine

from cebot.jobs.clock import tick
from cebot.jobs.sender import SlackSender
from cebot.logging_setup import TOKEN_RE, configure_logging
from cebot.settings import Settings
from cebot.slack.installations import bot_client_for
from cebot.testing.fake_slack import FakeSlack


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """Everything logged at DEBUG, through cebot's own logging setup (kv lines)."""
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = configure_logging(level="DEBUG", stream=stream)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(team_id="T1") as f:
        f.add_user("U1", "maria", tz="America/New_York")
        f.add_user("UADMIN", "ada", tz="America/New_York", is_admin=True)
        yield f


def secrets_seen(fake: FakeSlack, *extra: str) -> set[str]:
    """Every secret this test's app handled: issued tokens, refresh tokens, codes, client and signing secrets."""
    found = {CLIENT_SECRET, SIGNING_SECRET, *extra}
    found.add(base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode())
    for call in fake.calls("oauth.v2.access"):
        for key in ("access_token", "refresh_token"):
            if call.answer.get(key):
                found.add(str(call.answer[key]))
        for key in ("code", "refresh_token"):
            if call.get(key):
                found.add(str(call.get(key)))
    found |= set(fake.tokens)
    return {s for s in found if s}


def assert_no_secret(text: str, secrets: set[str]) -> None:
    assert text.strip(), "nothing was logged: the check would prove nothing"
    leaked = sorted(s for s in secrets if s in text)
    assert leaked == [], f"secrets in the logs: {leaked}"
    assert TOKEN_RE.findall(text) == []


def test_oauth_commands_rotation_uninstall_and_jobs_log_no_secret(
    settings: Settings, engine: Engine, fake: FakeSlack, log_stream: io.StringIO
) -> None:
    """At DEBUG (slack_sdk logs request bodies and answers), the logs of a whole OAuth life hold no secret."""
    multi = oauth_settings(settings, fake)
    fake.token_expires_in = 12 * 3600
    with serve_oauth(multi, engine, fake) as slack:
        assert install(slack, "T1").status == 200
        slack.ask("track FL deadline:2027-08-31 number:MA1", user="U1")
        slack.ask("log 2h Ethics in Touch #ethics", user="U1")
        slack.ask("admin summary <#C1|general> day:mon time:09:00", user="UADMIN")
        slack.home_opened("U1")
        fake.wait_for("views.publish")
        slack.command("/ce", "this is not a command", user="U1")
        slack.post(b"not signed properly", sign=False)
        with time_machine.travel(datetime.now(UTC) + timedelta(hours=11), tick=True):
            slack.ask("progress", user="U1")
            assert bot_client_for("T1", settings=multi, engine=engine) is not None
        monday = datetime(2026, 3, 23, 13, 5, tzinfo=UTC)
        with time_machine.travel(monday, tick=False):
            tick(engine, SlackSender(multi, min_interval=0.0))
        slack.event({"type": "app_uninstalled"}, team="T1")
        eventually(lambda: "uninstalled cebot" in log_stream.getvalue())
        slack.get("/slack/oauth_redirect?code=leaky-code-123&state=leaky-state-456")
    text = log_stream.getvalue()
    assert "request_id=" in text
    assert [c for c in fake.calls("oauth.v2.access") if c.get("grant_type") == "refresh_token"]
    assert_no_secret(text, secrets_seen(fake, "leaky-code-123", "leaky-state-456"))


def test_single_workspace_mode_logs_no_secret(slack: SlackHarness, slack_settings: Settings, engine: Engine,
                                              log_stream: io.StringIO) -> None:
    """Single-workspace mode at DEBUG: commands, events, a forged request and the bot token never appear."""
    slack.ask("log 2h Ethics in Touch #ethics", user="U1")
    slack.home_opened("U1")
    slack.fake.wait_for("views.publish")
    slack.post(b"token=xoxb-forged-123&text=x", secret="wrong-secret")
    client = bot_client_for("T1", settings=slack_settings, engine=engine)
    assert client is not None
    client.chat_postMessage(channel="D1", text="hello")
    text = log_stream.getvalue()
    assert re.search(r"request_id=[0-9a-f]{16}", text)
    assert_no_secret(text, {"xoxb-test-token", slack_settings.slack_signing_secret or "x", "xoxb-forged-123"})
