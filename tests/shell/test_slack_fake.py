"""The fake Slack Web API answers slack_sdk like Slack does and records what it was sent."""

from __future__ import annotations

import logging
import socket
import struct
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from cebot.shell.fake_records import Call, flatten_text
from cebot.shell.fake_server import LISTEN_BACKLOG
from cebot.shell.fake_slack import FakeSlack


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(team_id="T9") as f:
        f.add_user("U1", "maria", real_name="Maria Lopez", tz="America/Denver", is_owner=True)
        yield f


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-1", base_url=fake.url)


def test_auth_test_and_users_info(client: WebClient, fake: FakeSlack) -> None:
    """auth.test names the team and bot; users.info returns the configured person, GET query and all."""
    assert client.auth_test()["team_id"] == "T9"
    user = client.users_info(user="U1")["user"]
    assert (user["real_name"], user["tz"], user["is_owner"], user["is_admin"]) == (
        "Maria Lopez", "America/Denver", True, False)
    with pytest.raises(SlackApiError) as err:
        client.users_info(user="U404")
    assert err.value.response["error"] == "user_not_found"
    assert [c.args.get("user") for c in fake.calls("users.info")] == ["U1", "U404"]


def test_json_and_form_bodies_are_recorded_decoded(client: WebClient, fake: FakeSlack) -> None:
    """chat.postMessage (JSON) and chat.postEphemeral (form) are both recorded with blocks decoded."""
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Hi* there"}}]
    posted = client.chat_postMessage(channel="C1", text="fallback", blocks=blocks)
    assert posted["ok"]
    assert posted["channel"] == "C1"
    client.api_call("chat.postEphemeral", data={"channel": "C1", "user": "U1", "text": "psst",
                                                "blocks": '[{"type": "divider"}]'})
    call = fake.wait_for("chat.postMessage")
    assert call["blocks"] == blocks
    assert call.token == "xoxb-1"
    assert call.text.splitlines() == ["fallback", "*Hi* there"]
    assert fake.last("chat.postEphemeral")["blocks"] == [{"type": "divider"}]


def test_failures_can_be_injected(client: WebClient, fake: FakeSlack) -> None:
    """fail_next gives an HTTP error or a Slack error once, then the method works again."""
    fake.fail_next("chat.postMessage", status=500)
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C1", text="a")
    fake.fail_next("chat.postMessage", status=200, error="channel_not_found")
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="b")
    assert err.value.response["error"] == "channel_not_found"
    fake.delay_next("chat.postMessage", 0.01)
    assert client.chat_postMessage(channel="C1", text="c")["ok"]
    assert [c.status for c in fake.calls("chat.postMessage")] == [500, 200, 200]


def test_rate_limit_answers_retry_after(fake: FakeSlack) -> None:
    """A 429 carries Retry-After and the ratelimited error."""
    fake.fail_next("views.publish", status=429, retry_after=7)
    client = WebClient(token="xoxb-1", base_url=fake.url, retry_handlers=[])
    with pytest.raises(SlackApiError) as err:
        client.views_publish(user_id="U1", view={"type": "home", "blocks": []})
    assert err.value.response.status_code == 429
    assert err.value.response.headers.get("retry-after") == "7"


def test_missing_token_is_not_authed(fake: FakeSlack) -> None:
    """A call without a token is refused like Slack does."""
    with pytest.raises(SlackApiError) as err:
        WebClient(base_url=fake.url).chat_postMessage(channel="C1", text="x")
    assert err.value.response["error"] == "not_authed"


def test_views_open_update_publish(client: WebClient, fake: FakeSlack) -> None:
    """views.open returns a view id that views.update accepts; views.publish needs a home view."""
    view = {"type": "modal", "callback_id": "log", "title": {"type": "plain_text", "text": "Log CE"},
            "blocks": [{"type": "divider"}]}
    opened = client.views_open(trigger_id="t1", view=view)["view"]
    assert client.views_update(view_id=opened["id"], view=view)["ok"]
    with pytest.raises(SlackApiError):
        client.views_update(view_id="V-unknown", view=view)
    with pytest.raises(SlackApiError):
        client.views_publish(user_id="U1", view=view)
    home = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Welcome"}}]}
    client.views_publish(user_id="U1", view=home)
    assert fake.last("views.publish").text == "Welcome"


def test_file_upload_v2_flow(client: WebClient, fake: FakeSlack) -> None:
    """files_upload_v2 gets an upload URL, uploads the bytes there and completes the upload."""
    result = client.files_upload_v2(content=b"%PDF-1.4 cert", filename="cert.pdf", title="Certificate")
    assert result["file"]["title"] == "Certificate"
    [upload] = fake.uploads
    assert (upload.filename, upload.data) == ("cert.pdf", b"%PDF-1.4 cert")
    assert fake.last("files.completeUploadExternal")["files"][0]["id"] == upload.file_id


def test_conversations_open_gives_a_dm(client: WebClient) -> None:
    """conversations.open answers a DM channel id for a user."""
    assert client.conversations_open(users="U1")["channel"]["id"].startswith("D")


def test_response_url_posts_are_recorded(fake: FakeSlack) -> None:
    """Posts to a response URL are recorded per URL and can be waited for."""
    url = fake.new_response_url()
    WebhookClient(url).send(text="Logged *3 h*", response_type="ephemeral")
    post = fake.wait_for_response(url)
    assert post.text == "Logged *3 h*"
    assert post.response_type == "ephemeral"
    assert fake.responses(fake.new_response_url()) == []


def test_wait_for_times_out_with_what_was_called(fake: FakeSlack, client: WebClient) -> None:
    """wait_for fails with the list of calls made when the awaited one never comes."""
    client.auth_test()
    with pytest.raises(AssertionError, match=r"views.open.*auth.test"):
        fake.wait_for("views.open", timeout=0.05)


def test_unknown_method_and_custom_answers(client: WebClient, fake: FakeSlack) -> None:
    """Methods the fake does not know answer unknown_method unless the test supplies an answer."""
    with pytest.raises(SlackApiError):
        client.api_call("reminders.add")
    fake.respond_with("reminders.add", {"ok": True, "reminder": {"id": "Rm1"}})
    assert client.api_call("reminders.add")["reminder"]["id"] == "Rm1"


def test_flatten_text_reads_blocks_and_views() -> None:
    """flatten_text collects texts from sections, fields, context, buttons and inputs."""
    payload = {"text": "fb", "blocks": [
        {"type": "header", "text": {"type": "plain_text", "text": "H"}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "F1"}],
         "accessory": {"type": "button", "text": {"type": "plain_text", "text": "Undo"}}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "C"}]},
        {"type": "input", "label": {"type": "plain_text", "text": "Title"},
         "element": {"type": "plain_text_input", "initial_value": "Ethics"}},
    ]}
    assert flatten_text(payload).splitlines() == ["fb", "H", "F1", "Undo", "C", "Title", "Ethics"]


def test_a_burst_of_connections_is_queued_not_dropped(fake: FakeSlack) -> None:
    """The fake listens with a 256-connection backlog (not http.server's 5), and 100 callers at once all get answers."""
    assert fake._server is not None
    assert fake._server.request_queue_size == LISTEN_BACKLOG == 256
    start = threading.Barrier(100)
    answers: list[bool] = []

    def call() -> None:
        c = WebClient(token="xoxb-1", base_url=fake.url)
        start.wait()
        answers.append(bool(c.api_test()["ok"]))

    threads = [threading.Thread(target=call) for _ in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert answers == [True] * 100


def test_a_client_gone_before_its_answer_is_no_error(fake: FakeSlack, capsys: pytest.CaptureFixture[str]) -> None:
    """A caller that resets its connection before the answer is written costs a debug line, not a traceback."""
    asked, hung_up, dropped = threading.Event(), threading.Event(), threading.Event()

    def slow(_call: Call) -> dict[str, Any]:
        asked.set()
        hung_up.wait(timeout=5)
        return {"ok": True}

    logged: list[logging.LogRecord] = []

    class Dropped(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            logged.append(record)
            dropped.set()

    # The record, seen by a handler of our own before the event is set (caplog's handler on the root logger runs
    # after ours, on the server's thread); not passed on, so no other test's log setup prints it.
    server_log = logging.getLogger("cebot.shell.fake_server")
    watcher, level = Dropped(level=logging.DEBUG), server_log.level
    server_log.addHandler(watcher)
    server_log.setLevel(logging.DEBUG)
    server_log.propagate = False
    fake.respond_with("api.test", slow)
    try:
        with socket.create_connection(("127.0.0.1", int(fake.base_url.rsplit(":", 1)[1]))) as sock:
            sock.sendall(b"POST /api/api.test HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
            assert asked.wait(timeout=5)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with a reset
        hung_up.set()
        assert dropped.wait(timeout=5)
    finally:
        hung_up.set()
        server_log.removeHandler(watcher)
        server_log.setLevel(level)
        server_log.propagate = True
    assert [(r.levelno, "went away" in r.getMessage()) for r in logged] == [(logging.DEBUG, True)]
    assert "Traceback" not in capsys.readouterr().err
    assert WebClient(token="xoxb-1", base_url=fake.url).api_test()["ok"]  # and the fake serves on


def test_a_request_cut_off_mid_body_is_not_a_call(fake: FakeSlack) -> None:
    """A caller killed while sending (fewer body bytes than its Content-Length) leaves no call and no violation."""
    with socket.create_connection(("127.0.0.1", int(fake.base_url.rsplit(":", 1)[1]))) as sock:
        sock.sendall(b"POST /api/views.publish HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Authorization: Bearer xoxb-1\r\nContent-Length: 500\r\n\r\n{\"user_id\": \"U1\"")
        sock.shutdown(socket.SHUT_WR)
        assert sock.recv(100) == b""  # no answer: the connection is closed
    WebClient(token="xoxb-1", base_url=fake.url).api_test()  # the fake still serves, and has handled that one first
    assert [c.method for c in fake.calls()] == ["api.test"]
    assert fake.violations == []
