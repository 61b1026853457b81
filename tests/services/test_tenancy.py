"""Modes and their settings, uninstall retention and purge, and the structured, redacted log format."""

from __future__ import annotations

import io
import json
import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from cebot.core.logs import configure_logging, redact, request_id_var
from cebot.core.settings import DEFAULT_BOT_SCOPES, Settings, SettingsError, load_settings
from cebot.models import (
    SLACK_BOTS_TABLE,
    CEEntry,
    Credential,
    Delivery,
    EntryChange,
    Member,
    ProcessedEvent,
    Workspace,
)
from cebot.services import tenancy
from tests.helpers.paths import PROJECT_ROOT

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


# -- settings ------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_slack_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID",
                 "SLACK_CLIENT_SECRET", "SLACK_SCOPES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_default_scopes_are_the_manifest_bot_scopes() -> None:
    """SLACK_SCOPES defaults to exactly the bot scopes manifest.yml asks for."""
    manifest = yaml.safe_load((PROJECT_ROOT / "manifest.yml").read_text())
    assert list(DEFAULT_BOT_SCOPES) == manifest["oauth_config"]["scopes"]["bot"]
    assert load_settings().bot_scopes == list(DEFAULT_BOT_SCOPES)
    assert load_settings(slack_scopes="commands, chat:write").bot_scopes == ["commands", "chat:write"]


def test_missing_settings_name_what_each_mode_needs() -> None:
    """With nothing set, the error names the missing variables and what single-workspace and OAuth modes need."""
    with pytest.raises(SettingsError) as info:
        load_settings().require_slack()
    message = str(info.value)
    assert "missing SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET" in message
    assert "Single-workspace mode needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET" in message
    assert "OAuth) mode needs SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET" in message
    assert "manifest.yml" in message


@pytest.mark.parametrize(("given", "missing"), [
    ({"slack_client_id": "1.2"}, "SLACK_CLIENT_SECRET"),
    ({"slack_client_secret": "abc"}, "SLACK_CLIENT_ID"),
    ({"slack_client_id": "1.2", "slack_client_secret": "abc"}, "SLACK_SIGNING_SECRET"),
])
def test_half_an_oauth_setup_names_the_other_half(given: dict[str, str], missing: str) -> None:
    """A client id without its secret (or the reverse, or without a signing secret) names what is missing."""
    with pytest.raises(SettingsError, match=f"missing {missing}"):
        load_settings(**given).require_slack()


def test_oauth_mode_and_socket_mode_do_not_mix() -> None:
    """OAuth installs need the HTTP pages, so SLACK_APP_TOKEN with a client id and secret is refused."""
    with pytest.raises(SettingsError, match="unset SLACK_APP_TOKEN"):
        load_settings(slack_client_id="1.2", slack_client_secret="abc", slack_signing_secret="s",
                      slack_app_token="xapp-1").require_slack()


def test_single_workspace_mode_is_unchanged() -> None:
    """A bot token and a signing secret still make a complete single-workspace setup."""
    settings = load_settings(slack_bot_token="xoxb-1", slack_signing_secret="s")
    assert not settings.oauth_mode
    settings.require_slack()


# -- retention and purge ---------------------------------------------------------------------------------------


def _seed(engine: Engine, team_id: str, uninstalled_at: datetime | None) -> int:
    with Session(engine) as s:
        ws = Workspace(team_id=team_id, uninstalled_at=uninstalled_at)
        s.add(ws)
        s.flush()
        assert ws.id is not None
        m = Member(workspace_id=ws.id, slack_user_id="U1")
        s.add(m)
        s.flush()
        assert m.id is not None
        s.add(Credential(workspace_id=ws.id, member_id=m.id, requirement_key="FL"))
        e = CEEntry(workspace_id=ws.id, member_id=m.id, title="Course", completed_on=date(2026, 1, 5), hours_q=8)
        s.add(e)
        s.flush()
        assert e.id is not None
        s.add(EntryChange(workspace_id=ws.id, member_id=m.id, entry_id=e.id, action="logged"))
        s.add(Delivery(workspace_id=ws.id, recipient="U1", kind="countdown", period=f"p-{team_id}"))
        s.add(ProcessedEvent(event_id=f"Ev-{team_id}", team_id=team_id))
        s.commit()
        return ws.id


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                for t in SQLModel.metadata.sorted_tables}


def test_purge_deletes_only_workspaces_past_retention(engine: Engine) -> None:
    """91 days after uninstalling, a workspace and all its rows go; 89 days after, and installed ones, stay."""
    _seed(engine, "TOLD", NOW - timedelta(days=91))
    kept_recent = _seed(engine, "TRECENT", NOW - timedelta(days=89))
    kept_live = _seed(engine, "TLIVE", None)
    with engine.begin() as conn:
        conn.execute(SLACK_BOTS_TABLE.insert().values(client_id="1.2", app_id="A", team_id="TOLD", bot_token="x",
                                                      is_enterprise_install=False, installed_at=datetime(2026, 1, 1)))
    before = _counts(engine)
    with Session(engine) as s:
        [dry] = tenancy.purge_uninstalled(session=s, now=NOW, dry_run=True)
        s.commit()
    assert dry.team_id == "TOLD"
    assert dry.rows == {"entry_change": 1, "delivery": 1, "ce_entry": 1, "credential": 1, "member": 1,
                        "processed_event": 1, "slack_bots": 1, "workspace": 1}
    assert "TOLD (uninstalled 2026-03-02)" in str(dry)
    assert _counts(engine) == before
    with Session(engine) as s:
        [done] = tenancy.purge_uninstalled(session=s, now=NOW)
        s.commit()
    assert done.rows == dry.rows
    after = _counts(engine)
    assert after["workspace"] == 2
    assert after["ce_entry"] == 2
    assert after["slack_bots"] == 0
    with Session(engine) as s:
        left = {w.id for w in s.exec(select(Workspace))}
        assert left == {kept_recent, kept_live}
        assert {e.workspace_id for e in s.exec(select(CEEntry))} == {kept_recent, kept_live}
        assert tenancy.purge_uninstalled(session=s, now=NOW) == []


def test_uninstall_and_reinstall_stamp(engine: Engine) -> None:
    """Uninstall stamps once (the first time counts for retention); reinstall clears it; unknown teams are no-ops."""
    _seed(engine, "T1", None)
    with Session(engine) as s:
        first = tenancy.mark_uninstalled(session=s, team_id="T1", now=NOW)
        again = tenancy.mark_uninstalled(session=s, team_id="T1", now=NOW + timedelta(days=3))
        assert first is not None
        assert again is not None
        assert again.uninstalled_at == NOW
        assert tenancy.mark_uninstalled(session=s, team_id="T404") is None
        assert tenancy.is_uninstalled(session=s, team_id="T1")
        tenancy.mark_installed(session=s, team_id="T1")
        assert not tenancy.is_uninstalled(session=s, team_id="T1")
        s.commit()


# -- log format ------------------------------------------------------------------------------------------------


def test_log_lines_are_key_value_with_the_request_id_and_redacted() -> None:
    """A kv line carries level, logger, request id and message; tokens and known secrets come out redacted."""
    stream = io.StringIO()
    handler = configure_logging(level="DEBUG", stream=stream, secrets=["my-signing-secret-1"])
    try:
        token = request_id_var.set("req-42")
        logging.getLogger("cebot.test").info("token %s and secret %s", "xoxb-123-456-abc", "my-signing-secret-1")
        request_id_var.reset(token)
    finally:
        logging.getLogger().removeHandler(handler)
    line = stream.getvalue().strip()
    assert "level=INFO logger=cebot.test request_id=req-42" in line
    assert "xoxb-123" not in line
    assert "my-signing-secret-1" not in line
    assert line.count("[redacted]") == 2


def test_json_log_lines_and_tracebacks_are_redacted() -> None:
    """LOG_FORMAT=json writes one object a line; a traceback that quotes a token is redacted too."""
    stream = io.StringIO()
    handler = configure_logging(level="INFO", fmt="json", stream=stream)
    try:
        try:
            raise RuntimeError("refresh failed for xoxe-1-secret-refresh")
        except RuntimeError:
            logging.getLogger("cebot.test").exception("boom client_secret=abc123")
    finally:
        logging.getLogger().removeHandler(handler)
    data = json.loads(stream.getvalue().strip())
    assert data["level"] == "ERROR"
    assert data["msg"] == "boom client_secret=[redacted]"
    assert "xoxe-1-secret" not in data["exc"]
    assert "RuntimeError" in data["exc"]


@pytest.mark.parametrize(("text", "clean"), [
    ("{'client_secret': 'abc', 'code': 'c0de'}", "{'client_secret': '[redacted]', 'code': '[redacted]'}"),
    ('{"access_token": "xoxe.xoxb-1-a", "token_type": "bot"}', '{"access_token": "[redacted]", "token_type": "bot"}'),
    ("GET /slack/oauth_redirect?code=abc&state=s1", "GET /slack/oauth_redirect?code=[redacted]&state=[redacted]"),
    ("Authorization: Bearer xoxp-1-2", "Authorization: Bearer [redacted]"),
    ("HTTP status code: 200", "HTTP status code: 200"),
])
def test_redaction_patterns(text: str, clean: str) -> None:
    """OAuth fields, tokens and auth headers are redacted; ordinary words like 'code:' are left alone."""
    assert redact(text) == clean


def test_purge_cli_dry_run_then_for_real(database_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """`cebot purge-uninstalled --dry-run` lists what would go and keeps it; without --dry-run it deletes."""
    from cebot import cli

    monkeypatch.setenv("DATABASE_URL", database_url)
    _seed(engine, "TOLD", datetime.now(UTC) - timedelta(days=120))
    _seed(engine, "TNEW", datetime.now(UTC) - timedelta(days=10))
    assert cli.main(["purge-uninstalled", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Would delete 1 workspace(s) uninstalled more than 90 days ago" in out
    assert "TOLD" in out
    assert "ce_entry 1" in out
    assert "nothing was deleted" in out
    assert _counts(engine)["workspace"] == 2
    assert cli.main(["purge-uninstalled", "--days", "5"]) == 0
    assert "Deleted 2 workspace(s)" in capsys.readouterr().out
    assert _counts(engine)["workspace"] == 0
    assert cli.main(["purge-uninstalled"]) == 0
    assert "nothing to delete" in capsys.readouterr().out


# -- uninstalled workspaces and the clock ------------------------------------------------------------------


def test_uninstall_stops_reminders_and_summaries_and_reinstall_resumes(engine: Engine, settings: Settings) -> None:
    """A stamped workspace gets no countdown and no summary at their times; cleared again, the clock catches up."""
    import time_machine

    from cebot.jobs.clock import tick
    from cebot.shell.fake_slack import FakeSlack
    from tests.helpers.clock_helpers import seed_member, seed_workspace, sender_for, utc

    ws = seed_workspace(engine, summary={"channel": "C0SUMMARY", "day": "fri", "time": "09:00"})
    seed_member(engine, ws, "U1")
    with Session(engine) as s:
        tenancy.mark_uninstalled(session=s, team_id="T1")
        s.commit()
    due = utc(2026, 7, 31, 13, 5)  # Friday 09:05 in New York: the 30-day countdown and the summary are due
    with FakeSlack() as fake:
        with time_machine.travel(due, tick=False):
            report = tick(engine, sender_for(settings, fake.url))
        assert (report.planned, fake.calls("chat.postMessage")) == (0, [])
        with Session(engine) as s:
            tenancy.mark_installed(session=s, team_id="T1")
            s.commit()
        with time_machine.travel(due + timedelta(minutes=5), tick=False):
            report = tick(engine, sender_for(settings, fake.url))
        assert sorted(c["channel"] for c in fake.calls("chat.postMessage")) == ["C0SUMMARY", fake.dm_id("U1")]


def test_a_message_for_a_workspace_uninstalled_meanwhile_fails_for_good(engine: Engine, settings: Settings) -> None:
    """If the workspace uninstalls between planning and sending, the send fails permanently, nothing is posted."""
    import time_machine

    from cebot.jobs.clock import tick
    from cebot.jobs.sender import WorkspaceNotInstalled
    from cebot.shell.fake_slack import FakeSlack
    from tests.helpers.clock_helpers import deliveries, seed_member, seed_workspace, sender_for, utc

    ws = seed_workspace(engine)
    seed_member(engine, ws, "U1")
    with FakeSlack() as fake:
        sender = sender_for(settings, fake.url)
        real_client = sender.client

        def uninstalled_now(team_id: str) -> Any:
            with Session(engine) as s:
                tenancy.mark_uninstalled(session=s, team_id=team_id)
                s.commit()
            return real_client(team_id)

        sender.client = uninstalled_now  # type: ignore[method-assign]
        with time_machine.travel(utc(2026, 7, 31, 13, 5), tick=False):
            report = tick(engine, sender)
        assert report.failed == 1
        assert fake.calls("chat.postMessage") == []
        [row] = deliveries(engine)
        assert (row.status, row.last_error) == ("failed", "slack error token_revoked")
        with pytest.raises(WorkspaceNotInstalled):
            real_client("T1")
