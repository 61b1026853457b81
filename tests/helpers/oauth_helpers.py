"""Multi-workspace (OAuth) mode for end-to-end tests: settings, the served app, and installing a workspace."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine

from cebot.core.settings import Settings
from cebot.shell.fake_slack import FakeSlack
from cebot.slack.app import create_app
from cebot.slack.home import HOME_PUBLISHER
from tests.helpers.slackharness import HttpResult, SlackHarness, serve_app

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "client-s3cret-9f8e7d"
SIGNING_SECRET = "signing-s3cret-4c3b2a"


def oauth_settings(settings: Settings, fake: FakeSlack, **changes: object) -> Settings:
    """``settings`` switched to OAuth mode (no bot token) with every Web API call going to ``fake``."""
    return settings.model_copy(update={
        "slack_bot_token": None, "slack_client_id": CLIENT_ID, "slack_client_secret": CLIENT_SECRET,
        "slack_signing_secret": SIGNING_SECRET, "slack_api_url": fake.url, **changes,
    })


@contextmanager
def serve_oauth(settings: Settings, engine: Engine, fake: FakeSlack) -> Iterator[SlackHarness]:
    """The app in OAuth mode served on loopback; listeners finish before the database goes."""
    app = create_app(settings, engine=engine)
    try:
        with serve_app(app, engine, fake, settings.slack_signing_secret or "") as harness:
            yield harness
    finally:
        HOME_PUBLISHER.wait_idle(timeout=10)  # Home refreshes run after the answer


def state_from(result: HttpResult) -> str:
    """The OAuth state Bolt put in the installer's cookie."""
    found = re.search(r"slack-app-oauth-state=([^;]+)", result.headers.get("set-cookie", ""))
    assert found, f"no state cookie in {result.headers}"
    return found.group(1)


def install(slack: SlackHarness, team_id: str, name: str = "", *, installer: str = "U1") -> HttpResult:
    """Click through ``/slack/install`` and Slack's redirect back for ``team_id``; returns the redirect's page."""
    page = slack.get("/slack/install")
    assert page.status == 200, page.text
    state = state_from(page)
    code = f"code-{team_id}-{uuid.uuid4().hex[:8]}"
    slack.fake.add_install(code, team_id, name or f"Clinic {team_id}", installer=installer)
    return slack.request("GET", f"/slack/oauth_redirect?code={code}&state={state}",
                         headers={"Cookie": f"slack-app-oauth-state={state}"})


def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait until ``check()`` is true: event listeners finish after the HTTP ack."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out waiting for the listener"
        time.sleep(0.02)
