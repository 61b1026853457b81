"""The fake Slack refuses, as Slack does, every payload over one of Slack's documented limits."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slackharness import SlackHarness

from cebot.slack import blocks as b
from cebot.slack.mrkdwn import bold, clip
from cebot.slack.render import ledger as render_ledger
from cebot.testing import slack_limits as lim
from cebot.testing.fake_slack import FakeSlack


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as f:
        yield f
        f.take_violations()  # these tests send bad payloads on purpose


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-1", base_url=fake.url, retry_handlers=[])


def text(kind: str, value: str) -> dict[str, Any]:
    return {"type": kind, "text": value}


def section(value: str) -> dict[str, Any]:
    return {"type": "section", "text": text("mrkdwn", value)}


def button(label: str = "Go", **extra: Any) -> dict[str, Any]:
    return {"type": "button", "action_id": "go", "text": text("plain_text", label), **extra}


def confirm(title: str = "Sure?", body: str = "Really?") -> dict[str, Any]:
    return {"title": text("plain_text", title), "text": text("mrkdwn", body),
            "confirm": text("plain_text", "Yes"), "deny": text("plain_text", "No")}


def select(n: int, label: str = "x") -> dict[str, Any]:
    return {"type": "static_select", "action_id": "pick", "placeholder": text("plain_text", "Pick"),
            "options": [{"text": text("plain_text", label), "value": str(i)} for i in range(n)]}


BAD_MESSAGES: dict[str, tuple[dict[str, Any], str, str]] = {
    # name: (payload, the rule's words, its documentation page)
    "51 blocks": ({"text": "t", "blocks": [{"type": "divider"}] * 51}, "at most 50 blocks", lim.DOC_BLOCKS),
    "section text 3001": ({"text": "t", "blocks": [section("x" * 3001)]}, "section text at most 3000",
                          lim.DOC_SECTION),
    "section field 2001": ({"text": "t", "blocks": [{"type": "section", "fields": [text("mrkdwn", "x" * 2001)]}]},
                           "section field at most 2000", lim.DOC_SECTION),
    "empty section text": ({"text": "t", "blocks": [section("")]}, "at least 1 character", lim.DOC_TEXT),
    "header 151": ({"text": "t", "blocks": [{"type": "header", "text": text("plain_text", "h" * 151)}]},
                   "header text at most 150", lim.DOC_HEADER),
    "confirm text 301": ({"text": "t", "blocks": [{"type": "actions", "elements": [
        button(confirm=confirm(body="x" * 301))]}]}, "confirm text at most 300", lim.DOC_CONFIRM),
    "confirm title 101": ({"text": "t", "blocks": [{"type": "actions", "elements": [
        button(confirm=confirm(title="x" * 101))]}]}, "confirm title at most 100", lim.DOC_CONFIRM),
    "button text 76": ({"text": "t", "blocks": [{"type": "actions", "elements": [button("b" * 76)]}]},
                       "button text at most 75", lim.DOC_BUTTON),
    "option text 76": ({"text": "t", "blocks": [{"type": "actions", "elements": [select(3, "o" * 76)]}]},
                       "option text at most 75", lim.DOC_OPTION),
    "101 options": ({"text": "t", "blocks": [{"type": "actions", "elements": [select(101)]}]},
                    "at most 100 options", lim.DOC_SELECT),
    "11 context elements": ({"text": "t", "blocks": [{"type": "context", "elements": [text("mrkdwn", "c")] * 11}]},
                            "at most 10 context elements", lim.DOC_CONTEXT),
    "message text 40001": ({"text": "x" * 40_001}, "message text at most 40000", lim.DOC_MESSAGE_TEXT),
    "unknown block": ({"text": "t", "blocks": [{"type": "sectoin"}]}, "a known block type", lim.DOC_BLOCKS),
    "sdk: image without alt_text": ({"text": "t", "blocks": [{"type": "image", "image_url": "https://x.test/a.png"}]},
                                    "slack_sdk's models refuse it", f"{lim.DOC_BLOCKS}#image"),
}


def modal(**extra: Any) -> dict[str, Any]:
    return {"type": "modal", "callback_id": "c", "title": text("plain_text", "Log"), "blocks": [section("hi")],
            **extra}


BAD_VIEWS: dict[str, tuple[dict[str, Any], str]] = {
    "title 25": (modal(title=text("plain_text", "t" * 25)), "modal title at most 24"),
    "submit 25": (modal(submit=text("plain_text", "s" * 25)), "modal submit at most 24"),
    "close 25": (modal(close=text("plain_text", "c" * 25)), "modal close at most 24"),
    "private_metadata 3001": (modal(private_metadata="m" * 3001), "private_metadata at most 3000"),
    "101 blocks": (modal(blocks=[{"type": "divider"}] * 101), "at most 100 blocks"),
    "bad block inside": (modal(blocks=[section("x" * 3001)]), "section text at most 3000"),
}


@pytest.mark.parametrize("name", BAD_MESSAGES)
@pytest.mark.parametrize("method", ["chat.postMessage", "chat.postEphemeral", "chat.update"])
def test_bad_messages_are_refused_with_the_limit_and_its_docs(client: WebClient, fake: FakeSlack, method: str,
                                                               name: str) -> None:
    """chat.postMessage/postEphemeral/update over a limit answer invalid_blocks (msg_too_long for text) and are
    recorded with the rule and its documentation link."""
    payload, rule, doc = BAD_MESSAGES[name]
    with pytest.raises(SlackApiError) as err:
        client.api_call(method, json={"channel": "C1", "user": "U1", "ts": "1.0", **payload})
    answer = err.value.response.data
    assert answer["error"] == ("msg_too_long" if name.startswith("message text") else "invalid_blocks")
    assert rule in answer["errors"][0]
    assert doc in answer["errors"][0]
    [rejected] = fake.take_violations()
    assert rejected.where == method
    assert rejected.violations[0].doc == doc


@pytest.mark.parametrize("name", BAD_VIEWS)
def test_bad_views_are_refused(client: WebClient, fake: FakeSlack, name: str) -> None:
    """views.open, views.push and views.update refuse a modal over a limit with invalid_arguments."""
    view, rule = BAD_VIEWS[name]
    opened = client.views_open(trigger_id="t", view=modal())["view"]
    for call in (lambda: client.views_open(trigger_id="t", view=view),
                 lambda: client.views_push(trigger_id="t", view=view),
                 lambda: client.views_update(view_id=opened["id"], view=view)):
        with pytest.raises(SlackApiError) as err:
            call()
        assert err.value.response["error"] == "invalid_arguments"
        assert rule in err.value.response["errors"][0]
        assert lim.DOC_VIEWS in err.value.response["errors"][0] or "api.slack.com" in err.value.response["errors"][0]
    assert [r.where for r in fake.take_violations()] == ["views.open", "views.push", "views.update"]


def test_home_over_100_blocks_is_refused(client: WebClient, fake: FakeSlack) -> None:
    """views.publish refuses a Home tab of 101 blocks, and one with a submit button."""
    with pytest.raises(SlackApiError, match="at most 100 blocks"):
        client.views_publish(user_id="U1", view={"type": "home", "blocks": [{"type": "divider"}] * 101})
    with pytest.raises(SlackApiError, match="no submit or close"):
        client.views_publish(user_id="U1", view={"type": "home", "blocks": [section("x")],
                                                 "submit": text("plain_text", "Go")})
    assert len(fake.take_violations()) == 2


def test_response_url_post_over_a_limit_is_refused_and_not_delivered(fake: FakeSlack) -> None:
    """A reply to a command or action (response_url) over a limit is refused and never shown."""
    url = fake.new_response_url()
    body = json.dumps({"text": "t", "blocks": [section("x" * 3001)]}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as resp:
        answer = json.loads(resp.read())
    assert answer["ok"] is False
    assert answer["error"] == "invalid_blocks"
    assert fake.responses(url) == []
    with pytest.raises(AssertionError, match="section text at most 3000"):
        fake.wait_for_response(url, timeout=0.05)
    assert [r.where for r in fake.take_violations()] == ["response_url"]


def test_file_initial_comment_over_a_limit_is_refused(client: WebClient, fake: FakeSlack) -> None:
    """files.completeUploadExternal refuses an initial comment longer than a message may be."""
    upload = client.files_getUploadURLExternal(filename="a.csv", length=3)
    with pytest.raises(SlackApiError, match="msg_too_long"):
        client.files_completeUploadExternal(files=[{"id": upload["file_id"]}], channel_id="C1",
                                            initial_comment="x" * 40_001)
    assert len(fake.take_violations()) == 1


def test_check_records_an_ack_body_over_a_limit(fake: FakeSlack) -> None:
    """``fake.check`` validates what never reaches the fake (an ack body, a response_action view)."""
    assert fake.check("ack of /ce list", {"text": "ok", "blocks": [section("fine")]}) == []
    assert fake.check("ack of /ce list", {"text": "t", "blocks": [{"type": "divider"}] * 51})
    assert fake.check("ack of a submission", modal(title=text("plain_text", "t" * 25)), view=True)
    assert [r.where for r in fake.take_violations()] == ["ack of /ce list", "ack of a submission"]


def test_good_payloads_pass(client: WebClient, fake: FakeSlack) -> None:
    """What the builders make at the limits themselves is accepted."""
    blocks = [b.header("h" * 500), b.section("x" * 5000, fields=["f" * 2500] * 12), b.context(*["c"] * 12),
              b.actions(b.button("b" * 100, "a", confirm=b.confirm_dialog("t" * 200, "&" * 400))),
              b.actions(b.static_select("s", [("o" * 100, str(i)) for i in range(150)]))]
    blocks += [b.divider()] * 60
    assert client.chat_postMessage(channel="C1", **b.message("x" * 50_000, blocks))["ok"]
    assert client.views_open(trigger_id="t", view=b.modal("t" * 40, [b.divider()] * 150, callback_id="c",
                                                          submit="s" * 40, private_metadata="m" * 4000))["ok"]
    assert fake.violations == []


def test_clip_cuts_escaped_text_between_characters() -> None:
    """``clip`` never cuts inside ``&amp;`` and keeps the escaped text within the limit, with an ellipsis."""
    assert clip("a & b", 20) == "a &amp; b"
    cut = clip("&" * 100, 23)
    assert cut == "&amp;" * 4 + "…"
    assert len(cut) <= 23
    assert bold("<b>" * 50, 30).startswith("*&lt;b&gt;")
    assert len(bold("<b>" * 50, 30)) <= 32
    assert b.truncate_mrkdwn("x" * 10 + "&amp;" * 10, 13) == "x" * 10 + "…"
    assert b.truncate_mrkdwn("see <https://a.test/long|label> now", 20) == "see…"


def test_an_ack_body_over_a_limit_fails_the_test(slack: SlackHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    """A slash command's reply in its HTTP answer is checked too: 51 blocks are recorded as refused."""
    monkeypatch.setattr(render_ledger, "list_message",
                        lambda *a, **k: {"text": "t", "blocks": [{"type": "divider"}] * 51})
    slack.ask("list")
    [rejected] = slack.fake.take_violations()
    assert rejected.where == "ack of /ce list"
    assert "at most 50 blocks" in str(rejected)
