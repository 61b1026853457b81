"""gunicorn's access log (cebot.web.gunicorn_conf's logger class) never shows OAuth codes, states or tokens."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cebot.core.logs import redact
from cebot.shell.fake_slack import FakeSlack
from tests.helpers.paths import PROJECT_ROOT
from tests.helpers.slackharness import SlackHarness

CODE = "4711.98765.f00dcafe1234"
STATE = "0b6e6a0e-4c1e-4b0e-9b0e-3f1d2a6c9e11"
TOKEN = "xoxb-1234-5678-abcdefabcdef"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow  # a real gunicorn (about 2 s): .ci/run runs it on SQLite and on PostgreSQL
def test_gunicorn_access_log_redacts_code_state_and_tokens(
    database_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    """GET /slack/oauth_redirect?code=...&state=... (and a token-like value) is logged with them redacted."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update(PORT=str(port), WEB_CONCURRENCY="1", GUNICORN_THREADS="2", DATABASE_URL=database_url,
               SLACK_BOT_TOKEN="xoxb-test-token", SLACK_SIGNING_SECRET="gunicorn-secret", SLACK_API_URL=fake_slack.url,
               RUN_CLOCK="false", LOG_LEVEL="info")
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "python:cebot.web.gunicorn_conf",
                                 "--bind", f"127.0.0.1:{port}", "cebot.web.wsgi:application"],
                                env=env, cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT)
        harness = SlackHarness(base_url=f"http://127.0.0.1:{port}", fake=fake_slack, signing_secret="gunicorn-secret")
        try:
            deadline = time.monotonic() + 30
            while True:
                assert proc.poll() is None, log.read_text()
                try:
                    if harness.get("/healthz").status == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, "gunicorn did not become healthy"
                time.sleep(0.1)
            harness.get(f"/slack/oauth_redirect?code={CODE}&state={STATE}")
            harness.get(f"/slack/install?page=2&t={TOKEN}")
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    text = log.read_text()
    lines = [line for line in text.splitlines() if "/slack/oauth_redirect" in line]
    assert any("code=[redacted]&state=[redacted]" in line for line in lines), text
    assert any("page=2&t=[redacted]" in line for line in text.splitlines()), text
    for secret in (CODE, STATE, TOKEN):
        assert secret not in text


def test_redact_hides_secret_and_random_looking_query_values_only() -> None:
    """code/state/token values and long random-looking values go; short plain ones stay."""
    line = redact(f"GET /x?code=abc&state=s1&page=2&q=hello&nonce=Zm9vYmFyYmF6cXV4MTIzNDU2&next={TOKEN} HTTP/1.1")
    assert line == "GET /x?code=[redacted]&state=[redacted]&page=2&q=hello&nonce=[redacted]&next=[redacted] HTTP/1.1"
