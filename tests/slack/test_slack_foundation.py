"""The Slack foundation end to end: signed requests into the served app, replies recorded by a fake Slack."""

from __future__ import annotations

import gc
import io
import json
import threading
import weakref
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from slack_bolt import App, BoltContext
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool
from sqlmodel import Session, select

from cebot.core.db import make_engine
from cebot.core.settings import Settings
from cebot.domain.parsing import SUBCOMMANDS as GRAMMAR_SUBCOMMANDS
from cebot.domain.parsing import ParseError
from cebot.models import Member, ProcessedEvent, Workspace
from cebot.services.errors import NotFound
from cebot.shell.fake_slack import FakeSlack
from cebot.slack import blocks as bk
from cebot.slack.app import create_app
from cebot.slack.context import AlreadyDone, CommandContext, scope_from
from cebot.slack.listeners.commands import help as help_module
from cebot.slack.listeners.commands import router
from cebot.slack.mrkdwn import bold, escape, link, user_mention
from cebot.web.wsgi import MAX_BODY_BYTES, make_wsgi_app
from tests.helpers.slackharness import SlackHarness, serve_app


def members(engine: Engine) -> list[Member]:
    with Session(engine) as s:
        return list(s.exec(select(Member)))


# -- HTTP layer -----------------------------------------------------------------------------------


def test_healthz_reports_database_ok(slack: SlackHarness) -> None:
    """GET /healthz answers 200 {"ok": true} when the database answers."""
    result = slack.get("/healthz")
    assert result.status == 200
    assert result.json() == {"ok": True}


def test_healthz_503_when_database_is_down(slack_app: App, fake_slack: FakeSlack, tmp_path: Any) -> None:
    """GET /healthz answers 503 when the database cannot be reached."""
    broken = make_engine(f"sqlite:///{tmp_path}/missing-dir/nope/db.sqlite3")
    with serve_app(slack_app, broken, fake_slack, "test-signing-secret") as harness:
        result = harness.get("/healthz")
    assert result.status == 503
    assert result.json()["ok"] is False


def test_unknown_path_is_404_and_get_events_is_405(slack: SlackHarness) -> None:
    """Only POST /slack/events and GET /healthz exist."""
    assert slack.get("/").status == 404
    assert slack.post("x", path="/slack/other").status == 404
    assert slack.get("/slack/events").status == 405


def test_forged_signature_is_401_and_changes_nothing(slack: SlackHarness, engine: Engine) -> None:
    """A request signed with the wrong secret gets 401; no member is registered and nothing is sent."""
    result = slack.command("/ce", "help", secret="not-the-secret")
    assert result.status == 401
    assert members(engine) == []
    assert slack.fake.responses() == []
    assert slack.fake.calls("users.info") == []


def test_missing_signature_is_401(slack: SlackHarness, engine: Engine) -> None:
    """An unsigned request gets 401."""
    result = slack.post("command=%2Fce&text=help&team_id=T1&user_id=U1", sign=False)
    assert result.status == 401
    assert members(engine) == []


def test_stale_timestamp_is_401(slack: SlackHarness, engine: Engine) -> None:
    """A correctly signed request older than five minutes is refused (replay protection)."""
    old = int(datetime.now(UTC).timestamp()) - 6 * 60
    result = slack.command("/ce", "help", timestamp=old)
    assert result.status == 401
    assert members(engine) == []
    assert slack.fake.responses() == []


def test_oversized_body_is_413(slack: SlackHarness, engine: Engine) -> None:
    """A body declared over the limit is refused with 413 before it is read or parsed."""
    result = slack.post("text=help", headers={"Content-Length": str(MAX_BODY_BYTES + 1)})
    assert result.status == 413
    assert members(engine) == []


def test_oversized_body_without_length_is_413(slack_app: App, engine: Engine) -> None:
    """A body with no Content-Length is read only up to the limit, then refused with 413."""
    statuses: list[str] = []
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "SERVER_PROTOCOL": "HTTP/1.1",
               "wsgi.input": io.BytesIO(b"a" * (MAX_BODY_BYTES + 10))}
    def start(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
        statuses.append(status)

    make_wsgi_app(slack_app, engine)(environ, start)
    assert statuses == ["413 Request Entity Too Large"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"type": "event_callback", ', "application/json"),
        ("[1, 2, 3]", "application/json"),
        ("payload=%7Bnot-json", "application/x-www-form-urlencoded"),
        (b"text=\xff\xfe", "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_payload_is_400(slack: SlackHarness, body: str | bytes, content_type: str) -> None:
    """Broken JSON, a JSON array, a broken payload field or bad UTF-8 get 400, never 500 (even when signed)."""
    result = slack.post(body, content_type=content_type)
    assert result.status == 400
    assert "Traceback" not in result.text


def test_url_verification_challenge(slack: SlackHarness) -> None:
    """Slack's url_verification handshake is answered with the challenge."""
    result = slack.post_json({"type": "url_verification", "challenge": "abc123", "token": "t"})
    assert result.status == 200
    assert "abc123" in result.text


def test_every_web_api_call_goes_to_the_fake(slack: SlackHarness, slack_app: App) -> None:
    """The app's client and the clients Bolt makes per request use SLACK_API_URL with the bot token."""
    slack.ask("help")
    assert slack_app.client.base_url == slack.fake.url
    calls = slack.fake.calls()
    assert {c.method for c in calls} >= {"auth.test", "users.info"}
    assert all(c.token == "xoxb-test-token" for c in calls)


# -- /ce router -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "help", "HELP", "?"])
def test_help_lists_every_subcommand_with_an_example(slack: SlackHarness, text: str) -> None:
    """`/ce` and `/ce help` answer in the HTTP response, ephemerally, with every subcommand and an example."""
    result = slack.command("/ce", text)
    assert result.status == 200
    assert result.json()["response_type"] == "ephemeral"
    assert slack.fake.responses(result.response_url) == []  # the answer itself, not a response_url post
    reply = slack.reply(result)
    assert reply.response_type == "ephemeral"
    for name in GRAMMAR_SUBCOMMANDS:
        assert f"/ce {name}" in reply.text
    assert "/ce log 3h" in reply.text


def test_help_for_one_subcommand_shows_its_usage(slack: SlackHarness) -> None:
    """`/ce help log` shows the log usage line and an example, escaped."""
    reply = slack.ask("help log")
    assert "/ce log &lt;hours&gt; &lt;title&gt;" in reply.payload["text"]
    assert "For example" in reply.text


def test_unknown_subcommand_suggests_the_closest(slack: SlackHarness) -> None:
    """A typo gets the closest subcommand and a pointer to help."""
    reply = slack.ask("progres")
    assert "/ce progress" in reply.text
    assert "/ce help" in reply.text


def test_nonsense_subcommand_points_to_help(slack: SlackHarness) -> None:
    """`/ce frobnicate` says it is unknown and points to help."""
    reply = slack.ask("frobnicate")
    assert "frobnicate" in reply.text
    assert "/ce help" in reply.text
    assert reply.response_type == "ephemeral"


def test_unknown_subcommand_text_is_escaped(slack: SlackHarness) -> None:
    """Text echoed back in an error can never ping the channel."""
    reply = slack.ask("<!channel> & pizza")
    assert "<!channel>" not in json.dumps(reply.payload)
    assert "&lt;!channel&gt;" in reply.payload["text"]


def test_known_but_unregistered_subcommand_says_not_ready(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A subcommand the grammar knows but no feature handles yet gets a polite 'not ready'."""
    monkeypatch.delitem(router.SUBCOMMANDS, "undo", raising=False)
    reply = slack.ask("undo")
    assert "isn't ready yet" in reply.text


# -- handler errors and transactions --------------------------------------------------------------


def _register(monkeypatch: pytest.MonkeyPatch, name: str, handler: Any) -> None:
    monkeypatch.setitem(router.SUBCOMMANDS, name, router.Subcommand(name, handler))


def test_handler_reply_and_context(slack: SlackHarness, monkeypatch: pytest.MonkeyPatch, engine: Engine) -> None:
    """A handler gets the rest text, ids, member, local date and a session; its reply goes out after commit."""
    seen: dict[str, Any] = {}

    def handler(ctx: CommandContext) -> None:
        seen.update(rest=ctx.rest, sub=ctx.subcommand, team=ctx.team_id, user=ctx.user_id, channel=ctx.channel_id,
                    trigger=ctx.trigger_id, tz=ctx.member.timezone, today=ctx.today, ws=ctx.workspace.team_id)
        ctx.member.reminders_enabled = False
        ctx.session.add(ctx.member)
        ctx.respond(f"Logged {bold('<b>')}")

    _register(monkeypatch, "log", handler)
    reply = slack.ask("log 3h Ethics #ethics", user="U1", channel="C9")
    assert reply.payload["text"] == "Logged *&lt;b&gt;*"
    assert reply.response_type == "ephemeral"
    assert seen["rest"] == "3h Ethics #ethics"
    assert (seen["sub"], seen["team"], seen["user"], seen["channel"], seen["ws"]) == ("log", "T1", "U1", "C9", "T1")
    assert seen["trigger"]
    assert seen["tz"] == "America/New_York"
    assert [m.reminders_enabled for m in members(engine)] == [False]


def test_alias_of_the_grammar_reaches_the_handler(slack: SlackHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    """`/ce ls` runs the list handler (aliases come from the grammar)."""
    _register(monkeypatch, "list", lambda ctx: ctx.respond(f"list {ctx.rest}"))
    assert slack.ask("ls 5").payload["text"] == "list 5"


def test_unexpected_error_rolls_back_and_apologises(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    """A crash in a handler saves nothing, drops queued replies and answers with a friendly apology."""

    def handler(ctx: CommandContext) -> None:
        ctx.respond("Saved!")
        raise RuntimeError("boom")

    _register(monkeypatch, "undo", handler)
    result = slack.command("/ce", "undo")
    reply = slack.reply(result)
    assert reply.payload["text"] == router.SORRY
    assert members(engine) == []
    assert result.json()["text"] == router.SORRY  # the answer itself; "Saved!" never went anywhere
    assert slack.fake.responses(result.response_url) == []


def test_service_error_message_is_shown(slack: SlackHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ServiceError's message is the reply, escaped."""

    def handler(ctx: CommandContext) -> None:
        raise NotFound.entry(12)

    _register(monkeypatch, "delete", handler)
    reply = slack.ask("delete 12")
    assert "couldn't find entry #12" in reply.text


def test_parse_error_shows_usage(slack: SlackHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ParseError from a handler answers with its message and the subcommand's usage line."""

    def handler(ctx: CommandContext) -> None:
        raise ParseError("I need the hours <first>.")

    _register(monkeypatch, "log", handler)
    reply = slack.ask("log Ethics")
    assert "I need the hours &lt;first&gt;." in reply.payload["text"]
    assert "Usage: `/ce log &lt;hours&gt;" in reply.payload["text"]


# -- members register themselves ------------------------------------------------------------------


def test_first_time_user_is_registered_from_users_info(slack: SlackHarness, engine: Engine) -> None:
    """The first command registers the workspace and member with name, timezone and admin flag from users.info."""
    slack.ask("help", user="U1")
    slack.ask("help", user="UADMIN")
    by_id = {m.slack_user_id: m for m in members(engine)}
    assert by_id["U1"].display_name == "Maria"
    assert by_id["U1"].timezone == "America/New_York"
    assert by_id["U1"].is_slack_admin is False
    assert by_id["UADMIN"].display_name == "Ada Admin"
    assert by_id["UADMIN"].is_slack_admin is True
    with Session(engine) as s:
        assert [w.team_id for w in s.exec(select(Workspace))] == ["T1"]


def test_profile_is_cached_then_refreshed_after_a_day(slack: SlackHarness, engine: Engine) -> None:
    """users.info is asked once, not on every command, and again once the profile is over 24 hours old."""
    slack.ask("help", user="U2")
    slack.ask("help", user="U2")
    assert len(slack.fake.calls("users.info")) == 1
    slack.fake.add_user("U2", "sam", real_name="Samuel Lee", tz="Europe/London")
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=25), tick=True):
        slack.ask("help", user="U2")
    assert len(slack.fake.calls("users.info")) == 2
    [member] = members(engine)
    assert (member.display_name, member.timezone) == ("Samuel Lee", "Europe/London")


def test_users_info_failure_does_not_block_the_command(slack: SlackHarness, engine: Engine) -> None:
    """When users.info fails the command still answers; the member gets defaults and is refreshed next time."""
    slack.fake.fail_next("users.info", status=500)
    reply = slack.ask("help", user="U1")
    assert "/ce log" in reply.text
    [member] = members(engine)
    assert member.profile_refreshed_at is None
    slack.ask("help", user="U1")
    assert members(engine)[0].display_name == "Maria"


def test_rate_limited_users_info_is_retried(slack: SlackHarness, engine: Engine) -> None:
    """A 429 from users.info is retried after Retry-After, so the profile still arrives."""
    slack.fake.fail_next("users.info", status=429, retry_after=0)
    slack.ask("help", user="U1")
    assert [c.status for c in slack.fake.calls("users.info")] == [429, 200]
    assert members(engine)[0].display_name == "Maria"


# -- Events API retries ---------------------------------------------------------------------------


def test_event_retry_is_not_processed_twice(
    slack_settings: Settings, engine: Engine, fake_slack: FakeSlack
) -> None:
    """A retried event (X-Slack-Retry-Num) whose event id was applied is acked and changes nothing."""
    handled: list[str] = []
    lock = threading.Lock()

    def extra(app: App) -> None:
        @app.event("reaction_added")
        def on_reaction(body: dict[str, Any], context: BoltContext) -> None:
            try:
                with scope_from(context, body, user_id="U1"), lock:
                    handled.append(body["event_id"])
            except AlreadyDone:
                pass

    app = create_app(slack_settings, engine=engine, extra_listeners=extra)
    with serve_app(app, engine, fake_slack, slack_settings.slack_signing_secret or "") as harness:
        event = {"type": "reaction_added", "user": "U1", "reaction": "tada", "item": {"type": "message"}}
        first = harness.event(event, event_id="Ev1")
        retry = harness.event(event, event_id="Ev1", retry_num=1)
        again = harness.event(event, event_id="Ev1", retry_num=2, retry_reason="http_error")
        other = harness.event(event, event_id="Ev2", retry_num=1)
        unhandled = harness.event({"type": "channel_created", "channel": {"id": "C2"}}, event_id="Ev3")
    assert [r.status for r in (first, retry, again, other, unhandled)] == [200] * 5
    assert sorted(handled) == ["Ev1", "Ev2"]
    with Session(engine) as s:
        assert sorted(e.event_id for e in s.exec(select(ProcessedEvent))) == ["event:Ev1", "event:Ev2"]


# -- mrkdwn and blocks ----------------------------------------------------------------------------


def test_escape_neutralises_mentions() -> None:
    """escape() turns &, < and > into entities so user text cannot ping or link."""
    assert escape("<!channel> & co") == "&lt;!channel&gt; &amp; co"
    assert bold("<@U1> *x*") == "*&lt;@U1&gt; ∗x∗*"
    assert user_mention("U123") == "<@U123>"
    with pytest.raises(ValueError, match="user id"):
        user_mention("U1> <!here")
    assert link("javascript:alert(1)", "x") == "x"
    assert link("https://a.test/?a=1&b=2", "<c>") == "<https://a.test/?a=1&amp;b=2|&lt;c&gt;>"


@pytest.mark.parametrize(
    ("counted", "required", "bar"),
    [(0, 24, "▱" * 10), (12, 24, "▰" * 5 + "▱" * 5), (1, 100, "▰" + "▱" * 9), (23, 24, "▰" * 9 + "▱"),
     (24, 24, "▰" * 10), (30, 24, "▰" * 10), (0, 0, "▰" * 10)],
)
def test_progress_bar(counted: int, required: int, bar: str) -> None:
    """The bar is empty at zero, never full before done, full when done or nothing is required."""
    assert bk.progress_bar(counted, required) == bar


def test_block_builders_cut_text_to_slack_limits() -> None:
    """Builders cut long texts so Slack never refuses a message for length."""
    assert len(bk.header("x" * 500)["text"]["text"]) == bk.HEADER_MAX
    assert len(bk.button("y" * 200, "act")["text"]["text"]) == bk.BUTTON_TEXT_MAX
    view = bk.modal("A very long modal title indeed", [bk.divider()], callback_id="cb")
    assert len(view["title"]["text"]) == bk.MODAL_TITLE_MAX
    assert bk.section("hi", accessory=bk.button("Undo", "undo", value="1"))["accessory"]["value"] == "1"
    select = bk.static_select("fmt", [("In person", "in_person"), ("Online", "live_online")], initial="live_online")
    assert select["initial_option"]["value"] == "live_online"


def test_help_table_covers_the_grammar() -> None:
    """Every subcommand of the grammar has a help line with a summary."""
    assert set(help_module.names()) == set(GRAMMAR_SUBCOMMANDS)
    assert all(help_module.summary(n) for n in GRAMMAR_SUBCOMMANDS)


def test_make_wsgi_app_registers_engine_for_after_fork(slack_app: App, engine: Engine) -> None:
    """Engines served by make_wsgi_app are disposed in forked workers (and not kept alive by it)."""
    from cebot.web import wsgi

    make_wsgi_app(slack_app, engine)
    assert engine in wsgi._served_engines
    with engine.connect():
        pass
    inherited = engine.pool
    assert isinstance(inherited, QueuePool)
    assert inherited.checkedin() == 1
    wsgi.after_fork()
    fresh = engine.pool  # the inherited connections are left to the parent, never closed or reused here
    assert isinstance(fresh, QueuePool)
    assert fresh is not inherited
    assert fresh.checkedin() == 0


def test_an_app_built_and_dropped_frees_its_engine(slack_settings: Settings, database_url: str) -> None:
    """Nothing module-wide keeps a dropped app's engine (and its compiled-SQL cache) alive."""
    engine = make_engine(database_url)
    gone = weakref.ref(engine)
    make_wsgi_app(create_app(slack_settings, engine=engine), engine)
    engine.dispose()
    del engine
    gc.collect()
    assert gone() is None
