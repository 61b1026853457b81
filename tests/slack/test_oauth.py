"""Multi-workspace mode end to end: OAuth install, token rotation for requests and jobs, uninstall and reinstall."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.core.settings import Settings
from cebot.models import SLACK_BOTS_TABLE, SLACK_INSTALLATIONS_TABLE, SLACK_OAUTH_STATES_TABLE, CEEntry, Workspace
from cebot.shell.fake_slack import FakeSlack
from cebot.slack.app import NOT_INSTALLED_MESSAGE, create_app
from cebot.slack.installations import bot_client_for
from tests.helpers.oauth_helpers import (
    CLIENT_ID,
    CLIENT_SECRET,
    eventually,
    install,
    oauth_settings,
    serve_oauth,
    state_from,
)
from tests.helpers.slackharness import SlackHarness


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    """A fake Slack with people in two workspaces: U1 in T1, U2 in T2."""
    with FakeSlack(team_id="T1") as f:
        f.add_user("U1", "maria", tz="America/New_York", team_id="T1")
        f.add_user("U2", "sam", tz="America/Los_Angeles", team_id="T2")
        yield f


@pytest.fixture
def multi(settings: Settings, fake: FakeSlack) -> Settings:
    return oauth_settings(settings, fake)


@pytest.fixture
def oauth(multi: Settings, engine: Engine, fake: FakeSlack) -> Iterator[SlackHarness]:
    """The app in OAuth mode served on loopback."""
    with serve_oauth(multi, engine, fake) as harness:
        yield harness


def bots(engine: Engine) -> list[dict[str, object]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(SLACK_BOTS_TABLE).order_by(SLACK_BOTS_TABLE.c.id)).mappings()
        return [dict(r) for r in rows]


def workspace(engine: Engine, team_id: str) -> Workspace | None:
    with Session(engine) as s:
        return s.exec(select(Workspace).where(Workspace.team_id == team_id)).first()


def stamped(engine: Engine, team_id: str) -> bool:
    ws = workspace(engine, team_id)
    return ws is not None and ws.uninstalled_at is not None


def uninstall_event(slack: SlackHarness, engine: Engine, team: str) -> None:
    """Send app_uninstalled and wait for the listener to stamp the workspace."""
    result = slack.event({"type": "app_uninstalled"}, team=team)
    assert result.status == 200
    eventually(lambda: stamped(engine, team))


# -- install ---------------------------------------------------------------------------------------


def test_install_page_links_to_slack_with_the_manifest_scopes(oauth: SlackHarness) -> None:
    """GET /slack/install links to Slack's authorize page with our client id and bot scopes, and sets the state."""
    page = oauth.get("/slack/install")
    assert page.status == 200
    assert "https://slack.com/oauth/v2/authorize?state=" in page.text
    assert f"client_id={CLIENT_ID}" in page.text
    assert "scope=commands,chat:write,im:write,users:read,files:write,files:read" in page.text
    cookie = page.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "Secure" in cookie
    assert state_from(page) in page.text


def test_install_saves_the_bot_and_the_workspace(oauth: SlackHarness, engine: Engine, fake: FakeSlack) -> None:
    """The redirect exchanges the code, stores the bot token, registers the workspace and shows a plain page."""
    done = install(oauth, "T1", "Sunny <b>Clinic</b>")
    assert done.status == 200
    assert "cebot is installed" in done.text
    assert "Sunny &lt;b&gt;Clinic&lt;/b&gt;" in done.text
    assert "/ce help" in done.text
    [bot] = bots(engine)
    assert bot["team_id"] == "T1"
    assert bot["client_id"] == CLIENT_ID
    assert fake.team_of_token(str(bot["bot_token"])) == "T1"
    ws = workspace(engine, "T1")
    assert ws is not None
    assert ws.name == "Sunny <b>Clinic</b>"
    assert ws.uninstalled_at is None
    exchange = fake.last("oauth.v2.access")
    assert exchange["code"].startswith("code-T1-")
    assert "client_secret" not in exchange.args  # sent as HTTP basic auth, never in the body
    basic = base64.b64decode(exchange.headers["authorization"].split()[1]).decode()
    assert basic == f"{CLIENT_ID}:{CLIENT_SECRET}"


@pytest.mark.parametrize("tamper", ["cookie", "state", "replay", "missing"])
def test_forged_or_replayed_redirects_are_refused(oauth: SlackHarness, engine: Engine, fake: FakeSlack,
                                                  tamper: str) -> None:
    """A state that does not match the browser's cookie, is unknown, already used or missing installs nothing."""
    page = oauth.get("/slack/install")
    state = state_from(page)
    fake.add_install("good-code", "T1")
    if tamper == "replay":
        first = oauth.request("GET", f"/slack/oauth_redirect?code=good-code&state={state}",
                              headers={"Cookie": f"slack-app-oauth-state={state}"})
        assert first.status == 200
        before = bots(engine)
        fake.add_install("good-code-2", "T1")
        again = oauth.request("GET", f"/slack/oauth_redirect?code=good-code-2&state={state}",
                              headers={"Cookie": f"slack-app-oauth-state={state}"})
        assert again.status in (400, 401)
        assert bots(engine) == before
        return
    query = {"cookie": f"code=good-code&state={state}", "state": "code=good-code&state=forged",
             "missing": "code=good-code"}[tamper]
    cookie = {"cookie": "slack-app-oauth-state=someone-else", "state": "slack-app-oauth-state=forged",
              "missing": f"slack-app-oauth-state={state}"}[tamper]
    result = oauth.request("GET", f"/slack/oauth_redirect?{query}", headers={"Cookie": cookie})
    assert result.status in (400, 401)
    assert "cebot was not installed" in result.text
    assert "/slack/install" in result.text
    assert bots(engine) == []
    assert fake.calls("oauth.v2.access") == []


def test_cancelled_install_says_so(oauth: SlackHarness, engine: Engine) -> None:
    """Slack's redirect with error=access_denied shows a plain page with the way to try again."""
    state = state_from(oauth.get("/slack/install"))
    result = oauth.request("GET", f"/slack/oauth_redirect?error=access_denied&state={state}",
                           headers={"Cookie": f"slack-app-oauth-state={state}"})
    assert result.status >= 400
    assert "cancelled" in result.text
    assert bots(engine) == []


def test_lapsed_states_are_cleared(oauth: SlackHarness, engine: Engine) -> None:
    """Issuing a state deletes the ones that lapsed, so abandoned installs do not pile up."""
    oauth.get("/slack/install")
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=1), tick=True):
        oauth.get("/slack/install")
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(SLACK_OAUTH_STATES_TABLE)).scalar_one() == 1


def test_oauth_pages_only_answer_get(oauth: SlackHarness) -> None:
    """POST to the install page is 405; a giant query string is refused."""
    assert oauth.request("POST", "/slack/install").status == 405
    assert oauth.get("/slack/oauth_redirect?code=" + "x" * 5000).status == 414


def test_single_workspace_mode_has_no_install_pages(slack: SlackHarness) -> None:
    """With SLACK_BOT_TOKEN only, /slack/install does not exist."""
    assert slack.get("/slack/install").status == 404
    assert slack.get("/slack/oauth_redirect?code=x&state=y").status == 404


# -- requests use each workspace's own token -------------------------------------------------------------


def test_each_workspace_is_served_with_its_own_token(oauth: SlackHarness, fake: FakeSlack) -> None:
    """After two installs, a request from T1 calls Slack with T1's bot token and one from T2 with T2's."""
    install(oauth, "T1")
    install(oauth, "T2")
    assert "/ce log" in oauth.ask("help", user="U1", team="T1").text
    assert "/ce log" in oauth.ask("help", user="U2", team="T2").text
    lookups = {c["user"]: fake.team_of_token(c.token) for c in fake.calls("users.info")}
    assert lookups == {"U1": "T1", "U2": "T2"}


def test_a_workspace_that_never_installed_is_told_and_nothing_is_saved(oauth: SlackHarness, engine: Engine) -> None:
    """A request from a workspace without an installation gets the reinstall message; no row is written."""
    install(oauth, "T1")
    reply = oauth.ask("log 2h Ethics #ethics", user="U9", team="T9")
    assert reply.text == NOT_INSTALLED_MESSAGE
    assert workspace(engine, "T9") is None


def test_requests_refresh_a_rotating_token_before_it_expires(
    oauth: SlackHarness, engine: Engine, fake: FakeSlack
) -> None:
    """With token rotation on, a request 11 h into a 12 h token refreshes it first and uses the new one."""
    fake.token_expires_in = 12 * 3600
    install(oauth, "T1")
    [first] = bots(engine)
    assert str(first["bot_token"]).startswith("xoxe.xoxb-T1-")
    oauth.home_opened("U1", team="T1")
    fake.wait_for("views.publish")
    assert [c for c in fake.calls("oauth.v2.access") if c.get("grant_type") == "refresh_token"] == []
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=11), tick=True):
        oauth.home_opened("U1", team="T1")
        publish = fake.wait_for("views.publish", count=2)
    [refresh] = [c for c in fake.calls("oauth.v2.access") if c.get("grant_type") == "refresh_token"]
    assert refresh["refresh_token"] == first["bot_refresh_token"]
    [now] = bots(engine)
    assert now["bot_token"] != first["bot_token"]
    assert publish.token == now["bot_token"]
    assert fake.team_of_token(publish.token) == "T1"


# -- tokens for jobs -------------------------------------------------------------------------------------


def test_jobs_get_a_fresh_token_for_each_workspace(oauth: SlackHarness, multi: Settings, engine: Engine,
                                                  fake: FakeSlack) -> None:
    """bot_client_for hands out each workspace's token, refreshed when it expires within the rotation window."""
    fake.token_expires_in = 12 * 3600
    install(oauth, "T1")
    install(oauth, "T2")
    one = bot_client_for("T1", settings=multi, engine=engine)
    two = bot_client_for("T2", settings=multi, engine=engine)
    assert one is not None
    assert two is not None
    assert (fake.team_of_token(one.token), fake.team_of_token(two.token)) == ("T1", "T2")
    assert one.base_url == fake.url
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=11), tick=True):
        fresh = bot_client_for("T1", settings=multi, engine=engine)
        assert fresh is not None
        assert fresh.token != one.token
        assert fake.team_of_token(fresh.token) == "T1"
        again = bot_client_for("T1", settings=multi, engine=engine)
        assert again is not None
        assert again.token == fresh.token  # refreshed once, then reused
    assert bot_client_for("T9", settings=multi, engine=engine) is None


def test_jobs_get_none_when_the_refresh_is_refused(oauth: SlackHarness, multi: Settings, engine: Engine,
                                                   fake: FakeSlack) -> None:
    """A refresh token Slack no longer accepts gives no client (the job skips the workspace), not a crash."""
    fake.token_expires_in = 600
    install(oauth, "T1")
    fake.refresh_tokens.clear()
    assert bot_client_for("T1", settings=multi, engine=engine) is None


def test_single_workspace_jobs_use_the_bot_token(settings: Settings, engine: Engine, fake: FakeSlack) -> None:
    """In single-workspace mode every installed workspace gets SLACK_BOT_TOKEN; an uninstalled one gets None."""
    single = settings.model_copy(update={"slack_api_url": fake.url})
    client = bot_client_for("T1", settings=single, engine=engine)
    assert client is not None
    assert client.token == "xoxb-test-token"
    with Session(engine) as s:
        s.add(Workspace(team_id="T1", uninstalled_at=datetime.now(UTC)))
        s.commit()
    assert bot_client_for("T1", settings=single, engine=engine) is None


# -- uninstall, revoke, reinstall -----------------------------------------------------------------------------


def test_uninstall_forgets_tokens_keeps_data_and_reinstall_resumes(
    oauth: SlackHarness, engine: Engine, multi: Settings
) -> None:
    """app_uninstalled deletes T2's tokens and stamps it (T1 untouched, T2's log kept); a reinstall brings it back."""
    install(oauth, "T1")
    install(oauth, "T2")
    oauth.ask("log 2h Ethics in Touch #ethics", user="U2", team="T2")
    uninstall_event(oauth, engine, "T2")
    assert [b["team_id"] for b in bots(engine)] == ["T1"]
    with engine.connect() as conn:
        teams = conn.execute(sa.select(SLACK_INSTALLATIONS_TABLE.c.team_id)).scalars().all()
    assert teams == ["T1"]
    gone = workspace(engine, "T2")
    assert gone is not None
    assert gone.uninstalled_at is not None
    kept = workspace(engine, "T1")
    assert kept is not None
    assert kept.uninstalled_at is None
    with Session(engine) as s:
        assert len(s.exec(select(CEEntry).where(CEEntry.workspace_id == gone.id)).all()) == 1
    assert bot_client_for("T2", settings=multi, engine=engine) is None
    assert oauth.ask("list", user="U2", team="T2").text == NOT_INSTALLED_MESSAGE
    assert install(oauth, "T2").status == 200
    back = workspace(engine, "T2")
    assert back is not None
    assert back.uninstalled_at is None
    assert "Ethics in Touch" in oauth.ask("list", user="U2", team="T2").text
    assert bot_client_for("T2", settings=multi, engine=engine) is not None


def test_tokens_revoked_for_the_bot_uninstalls_for_users_only_does_not(oauth: SlackHarness, engine: Engine) -> None:
    """tokens_revoked with the bot's token stops the workspace; with only user tokens the workspace carries on."""
    install(oauth, "T1")
    install(oauth, "T2")
    oauth.ask("help", user="U1", team="T1")
    oauth.ask("help", user="U2", team="T2")
    assert oauth.event({"type": "tokens_revoked", "tokens": {"oauth": ["U1"], "bot": []}}, team="T1").status == 200
    assert oauth.event({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}}, team="T2").status == 200
    eventually(lambda: stamped(engine, "T2"))
    one, two = workspace(engine, "T1"), workspace(engine, "T2")
    assert one is not None
    assert two is not None
    assert one.uninstalled_at is None
    assert two.uninstalled_at is not None
    assert [b["team_id"] for b in bots(engine)] == ["T1"]


def test_single_workspace_uninstall_then_restart_with_a_new_token(slack: SlackHarness, slack_settings: Settings,
                                                                   engine: Engine) -> None:
    """Single-workspace mode: app_uninstalled stamps the workspace; starting with a working token clears it."""
    slack.ask("help")
    uninstall_event(slack, engine, "T1")
    stamped = workspace(engine, "T1")
    assert stamped is not None
    assert stamped.uninstalled_at is not None
    create_app(slack_settings, engine=engine)
    back = workspace(engine, "T1")
    assert back is not None
    assert back.uninstalled_at is None


# -- settings ------------------------------------------------------------------------------------------------


def test_oauth_mode_needs_no_bot_token(multi: Settings) -> None:
    """With a client id and secret the bot token is not required; the mode is OAuth."""
    assert multi.oauth_mode
    assert multi.missing_for_slack() == []
    multi.require_slack()


def test_request_id_is_echoed_when_sane_and_replaced_when_not(oauth: SlackHarness) -> None:
    """X-Request-Id from the caller comes back if it is a short token; anything else gets a fresh id."""
    ok = oauth.request("GET", "/healthz", headers={"X-Request-Id": "abc-123"})
    assert ok.headers["x-request-id"] == "abc-123"
    bad = oauth.request("GET", "/healthz", headers={"X-Request-Id": "a b\"c" * 30})
    assert bad.headers["x-request-id"] != "a b\"c" * 30
    assert len(bad.headers["x-request-id"]) == 16
