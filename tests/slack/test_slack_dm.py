"""One way to DM: conversations.open first (remembered per workspace and person), never a user id as the channel."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from cebot.core.settings import Settings
from cebot.jobs.sender import SlackSender
from cebot.shell.fake_slack import FakeSlack
from cebot.slack import dm


@pytest.fixture(autouse=True)
def _no_remembered_dms() -> Iterator[None]:
    dm.forget_dms()
    yield
    dm.forget_dms()


@pytest.fixture
def client(fake_slack: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-test-token", base_url=fake_slack.url)


def test_fake_refuses_a_user_id_as_channel(client: WebClient, fake_slack: FakeSlack) -> None:
    """Like Slack for a bot without an open DM, the fake answers channel_not_found to chat.postMessage to U…/W…,
    and records it, so a test fails even where the app only logs the error."""
    for user_id in ("U1", "W1"):
        with pytest.raises(SlackApiError) as raised:
            client.chat_postMessage(channel=user_id, text="hello")
        assert raised.value.response["error"] == "channel_not_found"
    refused = fake_slack.take_violations()
    assert [r.violations[0].found for r in refused] == ["U1", "W1"]
    assert "conversations.open" in str(refused[0])


def test_open_dm_asks_slack_once_per_workspace_and_person(client: WebClient, fake_slack: FakeSlack) -> None:
    """The DM channel is opened once and remembered; another workspace's same user id is opened separately."""
    assert dm.open_dm(client, "U1", team_id="T1") == fake_slack.dm_id("U1")
    assert dm.open_dm(client, "U1", team_id="T1") == fake_slack.dm_id("U1")
    assert len(fake_slack.calls("conversations.open")) == 1
    dm.open_dm(client, "U1", team_id="T2")
    assert [c["users"] for c in fake_slack.calls("conversations.open")] == ["U1", "U1"]


def test_remembered_dms_are_bounded(client: WebClient, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past DM_CACHE_SIZE people, the least recently used DM is forgotten (and opened again when needed)."""
    monkeypatch.setattr(dm, "DM_CACHE_SIZE", 2)
    for user_id in ("U1", "U2", "U1", "U3"):  # U2 is now the least recently used
        dm.open_dm(client, user_id, team_id="T1")
    dm.open_dm(client, "U1", team_id="T1")
    dm.open_dm(client, "U2", team_id="T1")
    assert [c["users"] for c in fake_slack.calls("conversations.open")] == ["U1", "U2", "U3", "U2"]


def test_open_dm_raises_what_slack_answered(client: WebClient, fake_slack: FakeSlack) -> None:
    """A refused conversations.open raises with Slack's error, and nothing is remembered."""
    fake_slack.fail_next("conversations.open", status=200, error="cannot_dm_bot")
    with pytest.raises(SlackApiError) as raised:
        dm.open_dm(client, "UBOT", team_id="T1")
    assert raised.value.response["error"] == "cannot_dm_bot"
    assert dm.open_dm(client, "UBOT", team_id="T1") == fake_slack.dm_id("UBOT")


def test_sender_opens_the_dm_for_a_person_and_posts_to_a_channel_as_is(
    slack_settings: Settings, fake_slack: FakeSlack
) -> None:
    """The clock's sender posts a reminder to the person's DM, and a summary to its channel without opening one."""
    sender = SlackSender(slack_settings, min_interval=0.0)
    assert sender.send("T1", "U1", {"text": "reminder"})
    assert sender.send("T1", "U1", {"text": "another"})
    assert sender.send("T1", "C0SUMMARY", {"text": "summary"})
    assert [c["channel"] for c in fake_slack.calls("chat.postMessage")] == ["D1", "D1", "C0SUMMARY"]
    assert [c["users"] for c in fake_slack.calls("conversations.open")] == ["U1"]
