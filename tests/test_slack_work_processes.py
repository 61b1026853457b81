"""Listener work in worker processes (``LISTENER_PROCESSES``): the web process acks, a worker does the work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_bolt import App, BoltRequest
from slackharness import SlackHarness, serve_app
from sqlalchemy.engine import Engine

from cebot.logging_setup import request_id_var
from cebot.settings import Settings
from cebot.slack.app import create_app
from cebot.slack.work_processes import LAZY_NAME_HEADER, LAZY_ONLY_HEADER, ProcessLazyListenerRunner, lazy_call_for
from cebot.testing.fake_slack import FakeSlack, ResponsePost

START_TIMEOUT = 60.0
"""A spawned worker imports cebot before its first call: allow for a slow, busy machine."""


def test_a_lazy_call_carries_the_request_as_slack_sent_it() -> None:
    """The call keeps the raw body and headers and adds Bolt's lazy-only headers and the request id."""
    request = BoltRequest(body="command=%2Fce&text=progress", headers={"X-Slack-Signature": "v0=abc"})
    request.lazy_only = True
    request.lazy_function_name = "handle_ce"
    token = request_id_var.set("req-42")
    try:
        call = lazy_call_for(request)
    finally:
        request_id_var.reset(token)
    assert call.body == "command=%2Fce&text=progress"
    assert call.headers["x-slack-signature"] == ["v0=abc"]
    assert call.headers[LAZY_ONLY_HEADER] == ["1"]
    assert call.headers[LAZY_NAME_HEADER] == ["handle_ce"]
    assert (call.function_name, call.mode, call.request_id) == ("handle_ce", "http", "req-42")
    rebuilt = BoltRequest(body=call.body, headers=call.headers, mode=call.mode)
    assert rebuilt.lazy_only
    assert rebuilt.lazy_function_name == "handle_ce"


@pytest.fixture
def process_app(slack_settings: Settings, engine: Engine) -> Iterator[App]:
    """The app with one worker process for listener work, started before the test and stopped after it."""
    app = create_app(slack_settings.model_copy(update={"listener_processes": 1}), engine=engine)
    runner = app.listener_runner.lazy_listener_runner
    assert isinstance(runner, ProcessLazyListenerRunner)
    runner.prestart()
    yield app
    runner.shutdown(wait=True)
    app.listener_runner.listener_executor.shutdown(wait=True)


@pytest.fixture
def served(process_app: App, engine: Engine, fake_slack: FakeSlack, slack_settings: Settings) -> Iterator[SlackHarness]:
    with serve_app(process_app, engine, fake_slack, slack_settings.slack_signing_secret or "") as harness:
        yield harness


def ask(harness: SlackHarness, text: str) -> ResponsePost:
    """``/ce <text>``: acked with 200, and the reply (given time for a worker to start)."""
    result = harness.command("/ce", text)
    assert result.status == 200
    return harness.reply(result, timeout=START_TIMEOUT)


def runner_of(app: App) -> ProcessLazyListenerRunner:
    runner = app.listener_runner.lazy_listener_runner
    assert isinstance(runner, ProcessLazyListenerRunner)
    return runner


def test_commands_and_home_run_in_the_worker_process(served: SlackHarness, process_app: App) -> None:
    """Track, log, progress and App Home work end to end when a worker process does the work."""
    assert ask(served, "track FL deadline:2027-08-31").response_type == "ephemeral"
    logged = ask(served, "log 3h Ethics in Touch #ethics").text
    assert "Ethics in Touch" in logged
    assert "3 h" in logged
    assert "Florida" in ask(served, "progress").text
    assert served.home_opened("U1").status == 200
    home = served.fake.wait_for("views.publish", where=lambda c: c["user_id"] == "U1", timeout=START_TIMEOUT)
    assert "Florida" in home.text
    assert runner_of(process_app).worker_pids(), "no worker process is running"
    assert all(pid != os.getpid() for pid in runner_of(process_app).worker_pids())


def test_the_worker_reuses_the_token_check_of_the_web_process(served: SlackHarness) -> None:
    """A worker does not call auth.test again: the web process's answer at start is handed to it."""
    assert len(served.fake.calls("auth.test")) == 1
    assert "Florida" in ask(served, "requirements FL").text
    assert len(served.fake.calls("auth.test")) == 1


def test_the_ack_does_not_wait_for_the_worker(served: SlackHarness, process_app: App) -> None:
    """With the worker paused, /ce is still acked at once; the reply comes when the worker resumes."""
    ask(served, "help")  # the worker is up
    (pid,) = runner_of(process_app).worker_pids()
    os.kill(pid, signal.SIGSTOP)
    try:
        result = served.command("/ce", "progress")
        assert result.status == 200
        assert served.fake.responses(result.response_url) == []
    finally:
        os.kill(pid, signal.SIGCONT)
    assert "track" in served.reply(result, timeout=START_TIMEOUT).text.lower()


def test_a_dead_worker_is_replaced(served: SlackHarness, process_app: App) -> None:
    """After a worker process is killed, the next command starts a new one and is answered."""
    ask(served, "help")
    (pid,) = runner_of(process_app).worker_pids()
    os.kill(pid, signal.SIGKILL)
    reply = ask(served, "requirements FL")
    assert "Florida" in reply.text
    assert pid not in runner_of(process_app).worker_pids()


ORPHAN_SCRIPT = """
import sys, time
from cebot.settings import load_settings
from cebot.slack.app import create_app
from cebot.testing.fake_slack import FakeSlack

if __name__ == "__main__":
    fake = FakeSlack(team_id="T1").start()
    settings = load_settings(database_url=sys.argv[1], slack_api_url=fake.url, slack_bot_token="xoxb-orphan",
                             slack_signing_secret="s", slack_app_token=None, listener_processes=1, run_clock=False)
    runner = create_app(settings).listener_runner.lazy_listener_runner
    runner.prestart()
    for _ in range(1200):
        if runner.worker_pids():
            break
        time.sleep(0.05)
    print(runner.worker_pids()[0], flush=True)
    time.sleep(600)
"""


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


def test_a_worker_exits_when_its_web_process_is_killed(tmp_path: Path, settings: Settings) -> None:
    """A web process killed outright (gunicorn's timeout) leaves no listener work process behind."""
    script = tmp_path / "web.py"
    script.write_text(ORPHAN_SCRIPT)
    web = subprocess.Popen([sys.executable, str(script), settings.database_url], stdout=subprocess.PIPE,
                           cwd=Path(__file__).resolve().parent.parent)
    try:
        assert web.stdout is not None
        pid = int(web.stdout.readline())
        assert _running(pid)
    finally:
        web.kill()
        web.wait()
    for _ in range(600):  # up to 30 s for the worker to notice (it looks every second)
        if not _running(pid):
            break
        time.sleep(0.05)
    assert not _running(pid)
