"""Socket Mode end to end: the real `cebot serve` with SLACK_APP_TOKEN, against a local Socket Mode server."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from cebot.models import CEEntry, Member
from cebot.shell.fake_records import flatten_text
from cebot.shell.fake_slack import FakeSlack
from cebot.slack.render import ledger as render
from tests.helpers.paths import PROJECT_ROOT
from tests.helpers.socket_mode_server import Link, SocketModeServer, buttons, reply_of
from tests.slack.test_slack_log import form

SLACK_VARS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "SLACK_CLIENT_ID",
              "SLACK_CLIENT_SECRET")
APP_TOKEN = "xapp-1-A0FAKE-1-test"
PING_SECONDS = 1.0
"""The app's SOCKET_MODE_PING_SECONDS here (5 by default): a connection the server closes is replaced at the
client's next check, within this time; a silently dead one after five failed pings."""


@dataclass
class Served:
    server: SocketModeServer
    fake: FakeSlack
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture
def served(database_url: str, fake_slack: FakeSlack, tmp_path: Path) -> Iterator[Served]:
    """`python -m cebot serve --no-clock` in Socket Mode, its Web API on the fake, its WebSocket on our server."""
    env = {k: v for k, v in os.environ.items() if k not in SLACK_VARS}
    env.update(SLACK_BOT_TOKEN="xoxb-test-token", SLACK_APP_TOKEN=APP_TOKEN, SLACK_API_URL=fake_slack.url,
               DATABASE_URL=database_url, RUN_CLOCK="false", LOG_LEVEL="info",
               SOCKET_MODE_PING_SECONDS=str(PING_SECONDS))
    log = tmp_path / "serve.log"
    with SocketModeServer(fake_slack) as server, log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "cebot", "serve", "--no-clock"], env=env, cwd=PROJECT_ROOT,
                                stdout=out, stderr=subprocess.STDOUT)
        served = Served(server, fake_slack, proc, log)
        try:
            yield served
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def entries(engine: Engine) -> list[tuple[str, int, bool]]:
    """(title, quarter hours, deleted) of every course in the database, oldest first."""
    with Session(engine) as s:
        rows = s.exec(select(CEEntry).order_by(col(CEEntry.id))).all()
        return [(e.title, e.hours_q, e.deleted_at is not None) for e in rows]


def log_by_command(served: Served, link: Link, text: str) -> dict:
    """Send `/ce <text>`; its reply is the ack's payload (an ephemeral message), not a response_url post."""
    response_url = served.fake.new_response_url()
    ack = link.request(link.slash_command("/ce", text, response_url=response_url))
    assert ack.payload, ack
    assert ack.payload.get("text"), ack
    assert served.fake.responses(response_url) == []
    return ack.payload


def test_socket_mode_end_to_end_with_reconnects(served: Served, engine: Engine) -> None:
    """Slash command, button, modal (a redelivery saved once) and Home each acked on the socket and saved; after the
    server drops the connection, and after Slack's `disconnect`, the app opens a new one and keeps working."""
    server, fake = served.server, served.fake
    try:
        link = server.wait_for_link(timeout=60)  # the process starts, checks its token, opens the socket
    except AssertionError:
        raise AssertionError(f"no connection; cebot serve said:\n{served.output()}") from None
    [opened] = fake.calls("apps.connections.open")
    assert opened.token == APP_TOKEN
    assert link.path.startswith("/link/?ticket=")

    # 1. A slash command: acked, and the reply says what was logged.
    reply = log_by_command(served, link, "log 2h Ethics #ethics")
    assert "Logged 2 h *Ethics*" in flatten_text(reply)
    assert entries(engine) == [("Ethics", 8, False)]

    # 2. A block action: the reply's Undo button, pressed.
    [undo] = [b for b in buttons(reply) if b["action_id"] == render.UNDO]
    response_url = fake.new_response_url()
    ack = link.request(link.block_action(undo, response_url=response_url))
    assert ack.payload in (None, {})
    assert "removed 2 h *Ethics*" in flatten_text(reply_of(ack, fake, response_url))
    assert entries(engine) == [("Ethics", 8, True)]

    # 3. A view submission: the logging modal, saved; the modal closes (empty ack), the confirmation is a DM.
    day = (date.today() - timedelta(days=3)).isoformat()
    submission = link.view_submission(render.MODAL_CALLBACK, form(title="Cupping Basics", hours="1.5", day=day,
                                                                   subjects=("technique",)))
    ack = link.request(submission)
    assert ack.payload in (None, {}), ack.payload
    dm = fake.wait_for("chat.postMessage", where=lambda c: "Cupping Basics" in c.text)
    assert dm["channel"] == fake.dm_id("U1")
    assert entries(engine)[-1] == ("Cupping Basics", 6, False)
    ack = link.request(submission)  # the same envelope again (a redelivery): acked, closes, saved once
    assert ack.payload in (None, {}), ack.payload
    assert [e for e in entries(engine) if e[0] == "Cupping Basics"] == [("Cupping Basics", 6, False)]

    # 4. app_home_opened: acked at once, then the Home tab is published.
    ack = link.request(link.app_home_opened("U1"))
    assert ack.payload in (None, {})
    home = fake.wait_for("views.publish", where=lambda c: c["user_id"] == "U1" and "Cupping Basics" in c.text)
    assert home["view"]["type"] == "home"
    assert link.unknown == []  # nothing but acks of what we sent

    # 5. The server drops the connection: the app opens a new one (a new apps.connections.open) and works on it.
    link.close()
    second = server.wait_for_link(2)
    assert len(fake.calls("apps.connections.open")) == 2
    assert second.path != link.path
    reply = log_by_command(served, second, "log 1h Florida laws #laws")
    assert "Logged 1 h *Florida laws*" in flatten_text(reply)

    # 6. Slack's `disconnect` (refresh_requested): a third connection, still working.
    second.ask_to_reconnect()
    third = server.wait_for_link(3)
    assert len(fake.calls("apps.connections.open")) == 3
    listed = flatten_text(log_by_command(served, third, "list"))
    assert "Cupping Basics" in listed
    assert "Florida laws" in listed

    assert entries(engine) == [("Ethics", 8, True), ("Cupping Basics", 6, False), ("Florida laws", 4, False)]
    with Session(engine) as s:
        assert [m.slack_user_id for m in s.exec(select(Member))] == ["U1"]
    assert served.process.poll() is None, served.output()

    # 7. SIGTERM: the app closes its connection and exits cleanly.
    served.process.terminate()
    assert served.process.wait(timeout=30) == 0, served.output()
    third.wait_closed()


@pytest.mark.slow
def test_socket_mode_reconnects_after_a_network_drop(served: Served, engine: Engine) -> None:
    """A connection that dies without a WebSocket close is noticed by the client's pings and replaced."""
    link = served.server.wait_for_link(timeout=60)
    assert "Logged 2 h" in flatten_text(log_by_command(served, link, "log 2h Ethics #ethics"))
    link.drop()
    second = served.server.wait_for_link(2, timeout=90)  # five failed pings, PING_SECONDS apart
    assert "Logged 1 h" in flatten_text(log_by_command(served, second, "log 1h Florida laws #laws"))
    assert entries(engine) == [("Ethics", 8, False), ("Florida laws", 4, False)]
