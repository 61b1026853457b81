"""kill -9 drills on the production server: in the middle of 60 distinct ``/ce log`` from 12 threads, every command
whose reply said "Logged" is saved exactly once, and a command whose answer was lost, typed again, is saved once."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.models import CEEntry
from cebot.shell.fake_slack import FakeSlack
from tests.helpers.paths import PROJECT_ROOT

# Real gunicorn processes killed and restarted (seconds each): run by .ci/run with `-m slow`.
pytestmark = pytest.mark.slow

SECRET = "drill-signing-secret"
THREADS = 12
COMMANDS = 60
KILL_AFTER = 20


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    def workers(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True, check=False)
        return [int(p) for p in out.stdout.split()]

    def kill_all(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)


def start_server(database_url: str, fake: FakeSlack, workdir: Path) -> Server:
    """The Procfile's ``web:`` (2 workers x 4 threads), answering ``/healthz``."""
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("SLACK_")},
           "DATABASE_URL": database_url, "SLACK_BOT_TOKEN": "xoxb-drill", "SLACK_SIGNING_SECRET": SECRET,
           "SLACK_API_URL": fake.url, "RUN_CLOCK": "false", "WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "4",
           "LOG_LEVEL": "warning", "PORT": str(port)}
    log = workdir / f"web-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "python:cebot.web.gunicorn_conf",
                                 "--bind", f"127.0.0.1:{port}", "cebot.web.wsgi:application"],
                                cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    server = Server(proc, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        if len(server.workers()) == 2 and status(port, "GET", "/healthz") == 200:
            return server
        time.sleep(0.1)
    raise AssertionError("the server did not start:\n" + log.read_text())


def status(port: int, method: str, path: str) -> int | None:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request(method, path)
        code = conn.getresponse().status
        conn.close()
        return code
    except OSError:
        return None


def send_log(port: int, user: str, title: str) -> str:
    """``/ce log 1h <title>`` as ``user``; the reply text, or "" when no answer came (a killed process)."""
    body = urlencode({"team_id": "T1", "channel_id": "C1", "user_id": user, "user_name": user.lower(),
                      "command": "/ce", "text": f"log 1h {title}", "api_app_id": "A0DRILL",
                      "response_url": "http://127.0.0.1:9/unused", "trigger_id": uuid.uuid4().hex})
    ts = str(int(time.time()))
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
               "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body) or ""}
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        conn.request("POST", "/slack/events", body=body.encode(), headers=headers)
        resp = conn.getresponse()
        text = resp.read().decode("utf-8", "replace") if resp.status == 200 else ""
        conn.close()
        return text
    except (OSError, http.client.HTTPException):
        # HTTPException covers IncompleteRead: the worker was killed while writing the answer, so
        # Slack would show the user an error too. The answer is lost; what it said was never read.
        return ""


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(team_id="T1") as fake:
        for i in range(THREADS):
            fake.add_user(f"UD{i:02d}", f"drill{i}", tz="America/New_York")
        yield fake


def burst(server: Server, on_kill: threading.Event, kill: str) -> dict[str, str]:
    """60 distinct logs from 12 threads; after 20 answers, ``kill`` a worker or every web process."""
    answered = 0
    lock = threading.Lock()
    replies: dict[str, str] = {}

    def client(i: int) -> None:
        nonlocal answered
        for k in range(COMMANDS // THREADS):
            title = f"Drill course {i}-{k}"
            reply = send_log(server.port, f"UD{i:02d}", title)
            with lock:
                replies[title] = reply
                answered += bool(reply)
                if answered >= KILL_AFTER and not on_kill.is_set():
                    on_kill.set()
                    if kill == "worker":
                        os.kill(server.workers()[0], signal.SIGKILL)
                    else:
                        server.kill_all()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(client, range(THREADS)))
    return replies


def saved(engine: Engine) -> list[str]:
    with Session(engine) as s:
        return [e.title for e in s.exec(select(CEEntry))]


@pytest.mark.parametrize("kill", ["worker", "every web process"])
def test_kill_9_mid_burst_loses_no_confirmed_log_and_a_retry_saves_once(
    kill: str, database_url: str, engine: Engine, fake: FakeSlack, tmp_path: Path
) -> None:
    """A kill -9 mid burst: each "Logged" is saved once; each lost answer, typed again, is logged or found once."""
    server = start_server(database_url, fake, tmp_path)
    try:
        killed = threading.Event()
        replies = burst(server, killed, kill)
        assert killed.is_set()
        if kill != "worker":
            server = start_server(database_url, fake, tmp_path)
        lost = sorted(t for t, r in replies.items() if not r)
        if kill != "worker":  # every command between the kill and the restart went unanswered
            assert lost
        retried = {t: send_log(server.port, f"UD{int(t.split()[-1].split('-')[0]):02d}", t) for t in lost}
    finally:
        server.kill_all()
    titles = saved(engine)
    confirmed = [t for t, r in replies.items() if "Logged" in r]
    assert len(confirmed) >= KILL_AFTER - THREADS  # the kill came mid burst, after answers had gone out
    assert all(titles.count(t) == 1 for t in confirmed)
    for title, reply in retried.items():  # saved before the kill (a duplicate, said so) or saved now: once either way
        assert "Logged" in reply or "already logged" in reply, (title, reply)
        assert titles.count(title) == 1
    assert sorted(titles) == sorted(set(titles))
    assert set(titles) <= set(replies)
