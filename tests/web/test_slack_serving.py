"""Serving: `cebot serve` settings checks, and the Procfile's gunicorn command serving real signed requests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from cebot import cli
from cebot.shell.fake_slack import FakeSlack
from tests.helpers.paths import PROJECT_ROOT
from tests.helpers.slackharness import SlackHarness

SLACK_VARS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL")


@pytest.fixture
def bare_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No Slack variables and no .env file in the working directory."""
    for name in SLACK_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_serve_names_every_missing_variable(bare_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`cebot serve` without tokens exits 2, naming each missing variable and pointing to the manifest."""
    assert cli.main(["serve", "--no-clock"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN" in err
    assert "SLACK_SIGNING_SECRET" in err
    assert "manifest.yml" in err
    assert not (bare_env / "cebot.sqlite3").exists()


def test_serve_socket_mode_needs_an_app_level_token(
    bare_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A SLACK_APP_TOKEN that is not an xapp- token is refused before connecting."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xoxb-wrong-kind")
    assert cli.main(["serve", "--no-clock"]) == 2
    assert "xapp-" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running(cmd: list[str], env: dict[str, str], port: int, fake: FakeSlack) -> Iterator[SlackHarness]:
    """Run a server command, wait until /healthz answers, yield a harness for it, then stop it."""
    proc = subprocess.Popen(cmd, env=env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    harness = SlackHarness(base_url=f"http://127.0.0.1:{port}", fake=fake, signing_secret=env["SLACK_SIGNING_SECRET"])
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                out = proc.stdout.read().decode() if proc.stdout else ""
                raise AssertionError(f"server exited with {proc.returncode}:\n{out}")
            try:
                if harness.get("/healthz").status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("server did not become healthy")
            time.sleep(0.1)
        yield harness
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _server_env(database_url: str, fake: FakeSlack, port: int, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (*SLACK_VARS, "XDG_RUNTIME_DIR")}
    env.update(PORT=str(port), WEB_CONCURRENCY="1", GUNICORN_THREADS="4", DATABASE_URL=database_url,
               SLACK_BOT_TOKEN="xoxb-test-token", SLACK_SIGNING_SECRET="gunicorn-secret",
               SLACK_API_URL=fake.url, RUN_CLOCK="false", LOG_LEVEL="warning", HOME=str(home))
    return env


def _check_ce_help(harness: SlackHarness) -> None:
    result = harness.command("/ce", "help")
    assert result.status == 200
    assert "/ce log" in harness.reply(result, timeout=10).text
    forged = harness.command("/ce", "help", secret="wrong")
    assert forged.status == 401
    assert harness.get("/nope").status == 404


@pytest.mark.slow  # a real gunicorn (about 2 s): .ci/run runs it on SQLite and on PostgreSQL
def test_procfile_web_command_serves_slack(database_url: str, fake_slack: FakeSlack, tmp_path: Path) -> None:
    """The Procfile's gunicorn command serves /healthz and signed /ce requests, refusing forged ones, and opens no
    control socket in the user's home."""
    web = next(line for line in (PROJECT_ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    assert web.split(":", 1)[1].split() == [
        "gunicorn", "--config", "python:cebot.web.gunicorn_conf", '"cebot.web.wsgi:application"']
    port = _free_port()
    cmd = [sys.executable, "-m", "gunicorn", "--config", "python:cebot.web.gunicorn_conf", "cebot.web.wsgi:application"]
    with running(cmd, _server_env(database_url, fake_slack, port, tmp_path), port, fake_slack) as harness:
        _check_ce_help(harness)
    assert not (tmp_path / ".gunicorn").exists()


@pytest.mark.slow  # a real gunicorn (about 2 s): .ci/run runs it on SQLite and on PostgreSQL
def test_cebot_serve_runs_gunicorn_over_http(database_url: str, fake_slack: FakeSlack, tmp_path: Path) -> None:
    """`cebot serve` without SLACK_APP_TOKEN serves HTTP on $PORT with gunicorn, and opens no control socket."""
    port = _free_port()
    cmd = [sys.executable, "-m", "cebot", "serve", "--no-clock"]
    with running(cmd, _server_env(database_url, fake_slack, port, tmp_path), port, fake_slack) as harness:
        _check_ce_help(harness)
    assert not (tmp_path / ".gunicorn").exists()


def test_manifest_matches_the_app() -> None:
    """manifest.yml declares /ce (escaped), every URL at /slack/events, the scopes and events cebot uses."""
    yaml = pytest.importorskip("yaml")
    manifest = yaml.safe_load((PROJECT_ROOT / "manifest.yml").read_text())
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/ce"
    assert command["should_escape"] is True
    urls = [command["url"], manifest["settings"]["event_subscriptions"]["request_url"],
            manifest["settings"]["interactivity"]["request_url"]]
    assert all(url.endswith("/slack/events") for url in urls)
    assert {"commands", "chat:write", "im:write", "users:read"} <= set(manifest["oauth_config"]["scopes"]["bot"])
    assert "app_home_opened" in manifest["settings"]["event_subscriptions"]["bot_events"]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
