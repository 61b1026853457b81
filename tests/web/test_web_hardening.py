"""The HTTP guard in front of Bolt: malformed headers and bodies get a 4xx, Bolt's internal headers are dropped,
and a command containing the word "payload" works. Property tests send random input through the served app."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_bolt import App, BoltContext, BoltRequest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.core.logs import RedactingFilter
from cebot.core.settings import Settings
from cebot.models import CEEntry
from cebot.shell.fake_slack import FakeSlack
from cebot.slack.app import create_app
from cebot.slack.context import AlreadyDone, scope_from
from tests.helpers.slackharness import SlackHarness, serve_app

EXAMPLES = int(os.environ.get("CEBOT_HARDENING_EXAMPLES", "40"))
"""40 examples a property keep the default run short; set more to search harder."""
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])
HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=255, exclude_characters="\x7f"), max_size=80)
"""What an HTTP client can put in a header value (latin-1, no control characters)."""


def _nested(depth: int, *, array: bool) -> str:
    return ("[" * depth + "]" * depth) if array else ('{"a":' * depth + "1" + "}" * depth)


# -- malformed headers and bodies ------------------------------------------------------------------------------


@pytest.mark.parametrize("timestamp", ["abc", "9" * 5000, "-5", "1.5", " ", "²³"])
def test_a_timestamp_that_is_not_one_is_401(slack: SlackHarness, timestamp: str) -> None:
    """A non-numeric or 5,000-digit X-Slack-Request-Timestamp gets 401, never a 500."""
    result = slack.post("command=%2Fce&text=help", headers={"X-Slack-Request-Timestamp": timestamp})
    assert result.status == 401


def test_a_signature_that_is_not_ascii_is_401(slack: SlackHarness) -> None:
    """A signature header with non-ASCII text (which hmac refuses to compare) gets 401."""
    result = slack.post("command=%2Fce&text=help", headers={"X-Slack-Signature": "v0=é" * 10})
    assert result.status == 401


@pytest.mark.parametrize("array", [True, False])
@pytest.mark.parametrize("form", [True, False])
def test_json_nested_a_thousand_deep_is_400(slack: SlackHarness, array: bool, form: bool) -> None:
    """A signed JSON body (or interactivity payload) nested 1,000 deep gets a plain 400."""
    deep = _nested(1000, array=array)
    result = slack.post(urlencode({"payload": deep})) if form else slack.post(deep, content_type="application/json")
    assert result.status == 400
    assert result.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize("content_type", ["text/plain", "", "multipart/form-data; boundary=x", "application/xml"])
def test_a_content_type_slack_never_sends_is_400(slack: SlackHarness, content_type: str) -> None:
    """Only forms and JSON are read; anything else is a 400."""
    assert slack.post("command=%2Fce&text=help", content_type=content_type).status == 400


def test_json_with_a_charset_is_read(slack: SlackHarness) -> None:
    """``application/json; charset=utf-8`` is JSON (the url_verification handshake still answers)."""
    result = slack.post(json.dumps({"type": "url_verification", "challenge": "c1", "token": "t"}),
                        content_type="application/json; charset=utf-8")
    assert result.status == 200
    assert "c1" in result.text


def test_the_request_id_comes_back(slack: SlackHarness) -> None:
    """A sane X-Request-Id is echoed; a missing one is made up."""
    given_id = slack.request("GET", "/healthz", headers={"X-Request-Id": "abc-123"})
    assert given_id.headers["x-request-id"] == "abc-123"
    assert len(slack.get("/healthz").headers["x-request-id"]) == 16


class _Recording(logging.Handler):
    """Keeps the records it is given."""

    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__()
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_each_request_line_carries_its_request_id_and_team(slack: SlackHarness,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    """cebot.web.wsgi's line for a request names the caller's X-Request-Id and the team of the signed body."""
    records: list[logging.LogRecord] = []
    handler = _Recording(records)
    handler.addFilter(RedactingFilter())
    caplog.set_level(logging.INFO, logger="cebot.web.wsgi")
    logging.getLogger("cebot.web.wsgi").addHandler(handler)
    try:
        assert slack.command("/ce", "help", headers={"X-Request-Id": "req-42"}).status == 200
    finally:
        logging.getLogger("cebot.web.wsgi").removeHandler(handler)
    [line] = [r for r in records if r.getMessage().startswith("POST /slack/events 200")]
    assert (getattr(line, "request_id", None), getattr(line, "team", None)) == ("req-42", "T1")


# -- Bolt's internal headers -----------------------------------------------------------------------------------


@pytest.fixture
def seen_app(slack_settings: Settings, engine: Engine) -> Iterator[tuple[App, list[BoltRequest], list[str]]]:
    """The cebot app with one extra listener for ``reaction_added``: it records each request it sees and the
    event ids it applied (once each, like every listener with a side effect)."""
    seen: list[BoltRequest] = []
    applied: list[str] = []

    def extra(app: App) -> None:
        @app.event("reaction_added")
        def record(request: BoltRequest, body: dict[str, Any], context: BoltContext) -> None:
            seen.append(request)
            try:
                with scope_from(context, body, user_id="U1"):
                    applied.append(body["event_id"])
            except AlreadyDone:
                pass

    app = create_app(slack_settings, engine=engine, extra_listeners=extra)
    yield app, seen, applied
    app.listener_runner.listener_executor.shutdown(wait=True)


def test_bolt_internal_headers_are_dropped_so_dedupe_holds(
    seen_app: tuple[App, list[BoltRequest], list[str]], engine: Engine, fake_slack: FakeSlack,
    slack_settings: Settings,
) -> None:
    """X-Slack-Bolt-Lazy-Only/-Function-Name sent by a caller never reach Bolt: a resent event stays a duplicate."""
    app, seen, applied = seen_app
    with serve_app(app, engine, fake_slack, slack_settings.slack_signing_secret or "") as slack:
        event = {"type": "reaction_added", "user": "U1", "reaction": "tada", "item": {"type": "message"}}
        assert slack.event(event, event_id="EvLAZY1").status == 200
        payload = {"token": "t", "team_id": "T1", "api_app_id": "A0FAKE", "event": event, "type": "event_callback",
                   "event_id": "EvLAZY1", "event_time": int(time.time())}
        replay = slack.post_json(payload, headers={"X-Slack-Bolt-Lazy-Only": "1",
                                                   "X-Slack-Bolt-Lazy-Function-Name": "record"})
        assert replay.status == 200
    assert applied == ["EvLAZY1"]
    assert len(seen) == 2
    assert not any(name.startswith("x-slack-bolt-") for name in seen[1].headers)
    assert seen[1].lazy_only is False


# -- the word "payload" in a command -----------------------------------------------------------------------------


def _command_fields(text: str) -> dict[str, str]:
    return {"token": "t", "team_id": "T1", "user_id": "U1", "command": "/ce", "text": text,
            "channel_id": "C1", "response_url": "http://127.0.0.1:9/r", "trigger_id": "x"}


def test_plain_bolt_still_loses_a_command_containing_payload() -> None:
    """Bolt's parse_body still reads such a form as an (empty) interactivity payload; when this fails, Bolt has
    fixed it and cebot.web.wsgi.keep_form_fields can go."""
    raw = urlencode(_command_fields("1h payload safety for therapists"))
    request = BoltRequest(body=raw, headers={"content-type": "application/x-www-form-urlencoded"})
    assert request.body == {}


def test_a_command_containing_payload_is_logged(slack: SlackHarness, engine: Engine) -> None:
    """`/ce log 1h payload safety for therapists` is logged like any other course."""
    reply = slack.ask("log 1h payload safety for therapists")
    assert "Logged" in reply.text
    with Session(engine) as session:
        assert [e.title for e in session.exec(select(CEEntry))] == ["payload safety for therapists"]


# -- properties: nothing reaches a 5xx ---------------------------------------------------------------------------


@PROPERTY
@given(timestamp=st.one_of(HEADER_TEXT, st.integers(-10**20, 10**20).map(str), st.integers(1, 6000).map(
    lambda n: "9" * n)), signature=st.one_of(st.none(), HEADER_TEXT, st.just("v0=" + "0" * 64)))
def test_any_timestamp_and_signature_header_is_4xx(slack: SlackHarness, timestamp: str, signature: str | None) -> None:
    """Random X-Slack-Request-Timestamp and X-Slack-Signature headers: a 4xx, never a 5xx."""
    headers = {"X-Slack-Request-Timestamp": timestamp}
    if signature is not None:
        headers["X-Slack-Signature"] = signature
    result = slack.post("command=%2Fce&text=help&team_id=T1&user_id=U1", sign=False, headers=headers)
    assert 400 <= result.status < 500, (timestamp[:40], signature, result.status)


@PROPERTY
@given(content_type=st.one_of(HEADER_TEXT, st.sampled_from(["application/json", "application/x-www-form-urlencoded",
                                                             "application/json; charset=utf-8", "APPLICATION/JSON"])),
       body=st.one_of(st.binary(max_size=300), st.just(b'{"type": "url_verification", "challenge": "c"}'),
                      st.just(b"command=%2Fce&text=help&team_id=T1&user_id=U1")))
def test_any_content_type_and_body_signed_is_never_5xx(slack: SlackHarness, content_type: str, body: bytes) -> None:
    """Signed bodies of any bytes under any content type: never a 5xx."""
    result = slack.post(body, content_type=content_type)
    assert result.status < 500, (content_type, body[:60], result.status)


@PROPERTY
@given(depth=st.integers(1, 1200), array=st.booleans(), form=st.booleans(), wrap=st.booleans())
def test_any_nesting_depth_is_never_5xx(slack: SlackHarness, depth: int, array: bool, form: bool, wrap: bool) -> None:
    """JSON nested to any depth, bare or inside a view's state, as JSON or as a form payload: never a 5xx."""
    deep = _nested(depth, array=array)
    if wrap:
        deep = json.dumps({"type": "view_submission", "user": {"id": "U1"}, "team": {"id": "T1"},
                           "view": {"type": "modal", "callback_id": "ledger_log_modal", "private_metadata": "",
                                    "state": {"values": {"b": {"a": json.loads(deep) if depth < 500 else {}}}}}})
    result = slack.post(urlencode({"payload": deep})) if form else slack.post(deep, content_type="application/json")
    assert result.status < 500, (depth, array, form, wrap, result.status)


def _json() -> st.SearchStrategy[Any]:
    return st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                    max_size=3), max_leaves=8)


def _payloads() -> st.SearchStrategy[dict[str, Any]]:
    """Interactivity and event payloads whose known fields are sometimes the right shape and sometimes not."""
    anything = _json()
    ref = st.fixed_dictionaries({"id": st.sampled_from(["U1", "T1", "C1"])}) | anything
    option = st.fixed_dictionaries({"value": st.sampled_from(["FL", "1", "x"]) | anything}) | anything
    state_value = st.fixed_dictionaries({}, optional={"type": st.just("static_select") | anything,
                                                      "value": st.text(max_size=10) | anything,
                                                      "selected_option": option,
                                                      "selected_options": st.lists(option, max_size=2) | anything,
                                                      "selected_date": st.just("2026-12-01") | anything})
    view = st.fixed_dictionaries({
        "type": st.just("modal") | anything,
        "callback_id": st.sampled_from(["ledger_log_modal", "home_track_modal", "x"]) | anything,
    }, optional={"private_metadata": st.just('{"entry_id": 1}') | anything,
                 "state": st.fixed_dictionaries({"values": st.dictionaries(
                     st.text(max_size=8), st.dictionaries(st.text(max_size=8), state_value, max_size=2),
                     max_size=3) | anything}) | anything})
    action = st.fixed_dictionaries({
        "action_id": st.sampled_from(["ledger_undo", "ledger_delete", "ledger_entry_menu", "home_track", "x"]) |
        anything}, optional={"value": st.text(max_size=5) | anything, "selected_option": option,
                             "type": st.just("overflow") | anything})
    event = st.fixed_dictionaries({"type": st.sampled_from(["app_home_opened", "file_shared", "tokens_revoked",
                                                            "reaction_added"]) | anything},
                                  optional={"user": st.just("U1") | anything, "tab": st.just("home") | anything,
                                            "tokens": anything, "file": ref, "file_id": anything})
    return st.fixed_dictionaries({
        "type": st.sampled_from(["block_actions", "view_submission", "view_closed", "event_callback",
                                 "block_suggestion", "shortcut", "interactive_message"]) | anything,
    }, optional={"user": ref, "team": ref, "channel": ref, "actions": st.lists(action, max_size=2) | anything,
                 "view": view | anything, "event": event | anything, "callback_id": anything,
                 "action_id": anything, "response_url": anything, "trigger_id": anything, "team_id": anything})


@PROPERTY
@given(payload=_payloads(), as_json=st.booleans())
def test_any_payload_shape_signed_is_never_5xx(slack: SlackHarness, payload: dict[str, Any], as_json: bool) -> None:
    """Signed payloads of any shape, as a form payload or a JSON body: a 2xx or a 4xx, never a 5xx."""
    result = slack.post_json(payload) if as_json else slack.post_payload(payload)
    assert result.status < 500, (payload, result.status, result.text[:200])
