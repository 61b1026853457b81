"""Two workspaces installed by OAuth on one deployment: nothing of one ever reaches, or is changed from, the other.

Both workspaces have a member with the same Slack user id (U1), as Enterprise Grid and shared
channels allow. Each has marker data (Alpha in T1, Beta in T2); every reply, message, view and upload
is checked for the other workspace's markers, and every Web API call must use the bot token of the
workspace the request came from.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from cebot.core.settings import Settings
from cebot.jobs.worker import run_due_jobs
from cebot.models import CEEntry, Credential, Member, Workspace
from cebot.shell.fake_records import ResponsePost
from cebot.shell.fake_slack import FakeSlack
from cebot.slack.render import home as home_render
from cebot.slack.render import ledger as render
from cebot.slack.render.exports import MYDATA_DELETE_ACTION
from cebot.slack.render.ledger_modal import ModalMeta
from tests.helpers.exports_helpers import pdf_text
from tests.helpers.ledger_helpers import click
from tests.helpers.oauth_helpers import eventually, install, oauth_settings, serve_oauth
from tests.helpers.slackharness import SlackHarness, date_value, multi_select_value, select_value, text_value

NOW = datetime(2026, 3, 20, 15, 0, tzinfo=UTC)
"""Friday 11:00 in New York (both workspaces' people live there)."""
MARKERS = {"T1": ("Alpha Ethics Course", "ALPHA123", "Alpha Notes"), "T2": ("Beta Ethics Course", "BETA456",
                                                                          "Beta Notes")}
OTHER = {"T1": "T2", "T2": "T1"}


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(team_id="T1") as f:
        f.add_user("U1", "maria", real_name="Maria Lopez", tz="America/New_York")
        f.add_user("U2", "sam", real_name="Sam Lee", tz="America/New_York", team_id="T2")
        f.add_user("UM1", "ada", real_name="Ada Admin", tz="America/New_York", is_admin=True)
        f.add_user("UM2", "bea", real_name="Bea Admin", tz="America/New_York", is_admin=True, team_id="T2")
        yield f


@pytest.fixture
def multi(settings: Settings, fake: FakeSlack) -> Settings:
    return oauth_settings(settings, fake)


@pytest.fixture
def two(multi: Settings, engine: Engine, fake: FakeSlack) -> Iterator[SlackHarness]:
    """T1 and T2 installed, each with U1's licence, a course with notes, and a milestone; U2 in T2 too."""
    with time_machine.travel(NOW, tick=True), serve_oauth(multi, engine, fake) as slack:
        for team in ("T1", "T2"):
            assert install(slack, team).status == 200
        for team in ("T1", "T2"):
            title, number, notes = MARKERS[team]
            ask(slack, f"track FL deadline:2027-08-31 number:{number}", "U1", team)
            ask(slack, f"log 3h {title} #ethics notes:\"{notes}\"", "U1", team)
            ask(slack, "milestone mblex date:2024-05-01", "U1", team)
        ask(slack, "log 2h Beta Second Course", "U2", "T2")
        yield slack
    assert_tokens_match_teams(fake)


def flat(post: ResponsePost | dict[str, Any]) -> str:
    payload = post.payload if isinstance(post, ResponsePost) else post
    return json.dumps(payload)


def assert_clean(text: str, team: str) -> None:
    """``text`` (something shown in ``team``) has none of the other workspace's markers."""
    for marker in MARKERS[OTHER[team]]:
        assert marker not in text, f"{marker!r} from {OTHER[team]} leaked into {team}: {text[:500]}"


def ask(slack: SlackHarness, text: str, user: str, team: str) -> ResponsePost:
    reply = slack.ask(text, user=user, team=team)
    assert "went wrong" not in reply.text, reply.text
    assert_clean(flat(reply), team)
    return reply


def assert_tokens_match_teams(fake: FakeSlack) -> None:
    """Every Web API call used a token the fake issued, and what it carried is clean for that token's team."""
    for call in fake.calls():
        if call.method == "oauth.v2.access":
            continue
        team = fake.team_of_token(call.token)
        assert team in ("T1", "T2"), f"{call.method} with an unknown token"
        assert_clean(json.dumps(call.args, default=str), team)


def entry(engine: Engine, team: str, title: str) -> CEEntry:
    with Session(engine) as s:
        stmt = (select(CEEntry).join(Workspace, col(Workspace.id) == col(CEEntry.workspace_id))
                .where(Workspace.team_id == team, CEEntry.title == title))
        return s.exec(stmt).one()


def rows(engine: Engine, team: str) -> dict[str, list[dict[str, Any]]]:
    """The workspace's members, credentials and entries, for before/after comparisons."""
    with Session(engine) as s:
        ws = s.exec(select(Workspace).where(Workspace.team_id == team)).one()
        return {
            "members": [m.model_dump() for m in s.exec(select(Member).where(Member.workspace_id == ws.id))],
            "credentials": [c.model_dump() for c in s.exec(select(Credential).where(Credential.workspace_id == ws.id))],
            "entries": [e.model_dump() for e in s.exec(select(CEEntry).where(CEEntry.workspace_id == ws.id))],
        }


# -- reads ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["list", "list 50", "progress", "requirements", "requirements FL", "amma",
                                     "help", "remind off", "remind on", "undo"])
@pytest.mark.parametrize("team", ["T1", "T2"])
def test_member_commands_show_only_their_workspace(two: SlackHarness, engine: Engine, command: str,
                                                   team: str) -> None:
    """Every member command answers from its own workspace only (the same user id exists in both)."""
    other = OTHER[team]
    before = rows(engine, other)
    reply = ask(two, command, "U1", team)
    if command.startswith("list"):
        assert MARKERS[team][0] in reply.text
    if command == "undo":  # the latest change of U1 in this workspace: its own course
        assert MARKERS[team][0] in reply.text
    assert rows(engine, other) == before


@pytest.mark.parametrize("team", ["T1", "T2"])
def test_manager_views_show_only_their_workspace(two: SlackHarness, engine: Engine, team: str) -> None:
    """/ce team, /ce admin managers and /ce admin summary by each workspace's admin stay in that workspace."""
    admin = "UM1" if team == "T1" else "UM2"
    team_view = ask(two, "team", admin, team)
    assert "<@U1>" in team_view.text
    # T1: U1 and its admin; T2: U1, U2 and its admin.
    assert ("1 of 2 people" if team == "T1" else "1 of 3 people") in team_view.text
    if team == "T1":
        assert "<@U2>" not in team_view.text
    ask(two, "admin managers", admin, team)
    ask(two, "admin managers add <@U1|maria>", admin, team)
    ask(two, f"admin summary <#C{team}|general> day:fri time:09:00", admin, team)
    with Session(engine) as s:
        mine = s.exec(select(Workspace).where(Workspace.team_id == team)).one()
        theirs = s.exec(select(Workspace).where(Workspace.team_id == OTHER[team])).one()
        assert mine.settings.get("summary")
        assert not theirs.settings.get("summary")
        roles: dict[tuple[int | None, str], str] = {(m.workspace_id, m.slack_user_id): m.role
                                                    for m in s.exec(select(Member))}
    assert roles[(mine.id, "U1")] == "manager"
    assert roles[(theirs.id, "U1")] == "member"


def test_home_tab_shows_only_its_workspace(two: SlackHarness, fake: FakeSlack) -> None:
    """The Home tab of U1 in each workspace is published with that workspace's token and data only."""
    for team in ("T1", "T2"):
        two.home_opened("U1", team=team)

    def published(team: str) -> list[Any]:
        return [c for c in fake.calls("views.publish")
                if c.get("user_id") == "U1" and fake.team_of_token(c.token) == team and MARKERS[team][0] in c.text]

    eventually(lambda: bool(published("T1")) and bool(published("T2")))
    for call in fake.calls("views.publish"):
        assert_clean(json.dumps(call.args), fake.team_of_token(call.token) or "?")


# -- ids from the other workspace ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["edit {id} hours:1", "edit {id} title:Stolen", "delete {id}", "attach {id}",
                                     "edit {id}"])
def test_commands_with_another_workspaces_id_are_not_found(two: SlackHarness, engine: Engine, fake: FakeSlack,
                                                           command: str) -> None:
    """U1 in T2 naming T1's entry id gets "couldn't find", and T1's entry is untouched."""
    target = entry(engine, "T1", MARKERS["T1"][0])
    before = rows(engine, "T1")
    reply = ask(two, command.format(id=target.id), "U1", "T2")
    assert f"couldn't find entry #{target.id}" in reply.text
    assert fake.calls("views.open") == []
    assert rows(engine, "T1") == before


@pytest.mark.parametrize(("action_id", "value"), [
    (render.DELETE_CONFIRM, "{id}"), (render.EDIT_OPEN, "{id}"), (render.UNDO, "logged:{id}"),
    (render.UNDO, "deleted:{id}"), (render.UNDO, "edited:{id}"),
])
def test_buttons_with_another_workspaces_id_are_refused(two: SlackHarness, engine: Engine, fake: FakeSlack,
                                                        action_id: str, value: str) -> None:
    """Buttons carrying T1's entry id, pressed in T2, change nothing in T1 and open nothing."""
    target = entry(engine, "T1", MARKERS["T1"][0])
    before = rows(engine, "T1")
    result, answer = click(two, action_id, value.format(id=target.id), user="U1", team="T2")
    assert result.status == 200
    assert answer.payload.get("replace_original") is not True
    assert any(w in answer.text for w in ("couldn't find", "out of date", "nothing to undo", "Nothing to undo",
                                          "can't undo", "isn't"))
    assert_clean(flat(answer), "T2")
    assert fake.calls("views.open") == []
    assert rows(engine, "T1") == before


@pytest.mark.parametrize("choice", ["edit", "delete"])
def test_list_menu_with_another_workspaces_id_is_refused(two: SlackHarness, engine: Engine, choice: str) -> None:
    """The list's overflow menu with T1's id, used in T2, is answered as not found."""
    target = entry(engine, "T1", MARKERS["T1"][0])
    before = rows(engine, "T1")
    option = {"text": {"type": "plain_text", "text": choice}, "value": f"{choice}:{target.id}"}
    result = two.action(render.ENTRY_MENU, user="U1", team="T2", action_type="overflow", selected_option=option)
    assert result.status == 200
    answer = two.reply(result)
    assert "couldn't find" in answer.text
    assert rows(engine, "T1") == before


def _log_form(title: str) -> dict[str, dict[str, dict[str, object]]]:
    f = render.FIELD
    return {
        render.TITLE: {f: text_value(title)}, render.HOURS: {f: text_value("1")},
        render.DATE: {f: date_value(NOW.date())}, render.FORMAT: {f: select_value("in_person")},
        render.SUBJECTS_BLOCK: {f: multi_select_value([])}, render.PROVIDER: {f: text_value(None)},
        render.APPROVAL: {f: text_value(None)}, render.NOTES: {f: text_value(None)},
    }


def test_edit_form_with_another_workspaces_id_changes_nothing(two: SlackHarness, engine: Engine,
                                                              fake: FakeSlack) -> None:
    """A logging form submitted in T2 with T1's entry id in its metadata cannot edit T1's entry."""
    target = entry(engine, "T1", MARKERS["T1"][0])
    before = rows(engine, "T1")
    meta = ModalMeta(entry_id=target.id).dump()
    result = two.view_submission(render.MODAL_CALLBACK, _log_form("Stolen title"), user="U1", team="T2",
                                 private_metadata=meta)
    assert result.status == 200
    assert_clean(result.text, "T2")
    assert rows(engine, "T1") == before
    for call in fake.calls("chat.postMessage"):
        assert "Stolen title" not in call.text or fake.team_of_token(call.token) == "T2"


def test_forms_save_in_their_own_workspace(two: SlackHarness, engine: Engine) -> None:
    """A new course from the logging form and a licence from the Home tab's Track form land in T2 only."""
    before = rows(engine, "T1")
    result = two.view_submission(render.MODAL_CALLBACK, _log_form("Beta Form Course"), user="U1", team="T2")
    assert result.status == 200
    eventually(lambda: any(e["title"] == "Beta Form Course" for e in rows(engine, "T2")["entries"]))
    result = two.view_submission(home_render.TRACK_CALLBACK, {
        home_render.TRACK_KEY_BLOCK: {home_render.KEY_ACTION: select_value("NCBTMB")},
        home_render.TRACK_DEADLINE_BLOCK: {home_render.DEADLINE_ACTION: date_value("2027-06-30")},
        home_render.TRACK_NUMBER_BLOCK: {home_render.NUMBER_ACTION: text_value("BETA-BC1")},
    }, user="U1", team="T2")
    assert result.status == 200
    eventually(lambda: any(c["requirement_key"] == "NCBTMB" for c in rows(engine, "T2")["credentials"]))
    assert rows(engine, "T1") == before


def test_log_anyway_and_undo_stay_in_the_workspace(two: SlackHarness, engine: Engine) -> None:
    """Log it anyway and /ce undo in T2 act on T2's log; T1's identical user keeps everything."""
    before = rows(engine, "T1")
    _, answer = click(two, render.LOG_ANYWAY, "1h Beta Anyway Course", user="U1", team="T2")
    assert "Beta Anyway Course" in answer.text
    assert_clean(flat(answer), "T2")
    undone = ask(two, "undo", "U1", "T2")
    assert "Beta Anyway Course" in undone.text
    assert rows(engine, "T1") == before


# -- exports and my data -----------------------------------------------------------------------------------


def _upload_text(fake: FakeSlack, count: int) -> str:
    fake.wait_for("files.completeUploadExternal", count=count)
    data = fake.uploads[count - 1].data
    return pdf_text(data) if data.startswith(b"%PDF") else data.decode("utf-8")


@pytest.mark.parametrize("team", ["T1", "T2"])
def test_exports_hold_only_their_workspace(two: SlackHarness, fake: FakeSlack, team: str, engine: Engine,
                                           multi: Settings) -> None:
    """CSV and PDF transcripts, the team CSV and the my-data JSON made in a workspace hold its data only
    (each made by its job with that workspace's token)."""
    admin = "UM1" if team == "T1" else "UM2"
    ask(two, f"admin managers add <@{admin}|admin>", admin, team)
    exports = [("export csv", "U1"), ("export pdf", "U1"), ("mydata export", "U1"), ("export team csv", admin)]
    for n, (command, user) in enumerate(exports, start=1):
        ask(two, command, user, team)
        assert run_due_jobs(engine=engine, settings=multi) == 1
        text = _upload_text(fake, n)
        assert_clean(text, team)
        if command != "export team csv":
            assert MARKERS[team][0] in " ".join(text.split())
        upload = fake.last("files.completeUploadExternal")
        assert fake.team_of_token(upload.token) == team
    team_rows = list(csv.DictReader(io.StringIO(_upload_text(fake, 4))))
    assert team_rows
    assert all(MARKERS[OTHER[team]][1] not in json.dumps(r) for r in team_rows)


def test_deleting_my_data_in_one_workspace_keeps_the_other(two: SlackHarness, engine: Engine) -> None:
    """/ce mydata delete confirmed by U1 in T2 erases U1's T2 data only; U1 in T1 keeps every row."""
    before = rows(engine, "T1")
    ask(two, "mydata delete", "U1", "T2")
    result = two.action(MYDATA_DELETE_ACTION, value="U1", user="U1", team="T2")
    assert "I removed" in two.reply(result).text
    assert rows(engine, "T1") == before
    after = rows(engine, "T2")
    assert all(m["slack_user_id"] != "U1" for m in after["members"])
    assert [e["title"] for e in after["entries"]] == ["Beta Second Course"]
# -- jobs ------------------------------------------------------------------------------------------------------


def test_clock_sends_each_workspace_its_own_messages_with_its_own_token(
    two: SlackHarness, engine: Engine, fake: FakeSlack, multi: Settings
) -> None:
    """Reminders and weekly summaries go out per workspace with that workspace's token and data; after T2
    uninstalls, the next due messages go to T1 only."""
    from cebot.jobs.clock import tick
    from cebot.jobs.sender import SlackSender

    for team, admin in (("T1", "UM1"), ("T2", "UM2")):
        ask(two, f"admin summary <#C{team}|general> day:mon time:09:00", admin, team)
    fake.reset()
    monday = datetime(2026, 3, 23, 13, 5, tzinfo=UTC)  # 09:05 in New York
    sender = SlackSender(multi, min_interval=0.0)
    with time_machine.travel(monday, tick=False):
        report = tick(engine, sender)
    assert report.sent >= 2
    posts = [c for c in fake.calls("chat.postMessage") if c.status == 200]
    summaries = {c["channel"]: c for c in posts if c["channel"].startswith("C")}
    assert set(summaries) == {"CT1", "CT2"}
    for channel, call in summaries.items():
        team = channel[1:]
        assert fake.team_of_token(call.token) == team
        assert_clean(json.dumps(call.args), team)
    for call in posts:
        assert fake.team_of_token(call.token) in ("T1", "T2")
    two.event({"type": "app_uninstalled"}, team="T2")
    eventually(lambda: _stamped(engine, "T2"))
    fake.reset()
    with time_machine.travel(monday + timedelta(days=7), tick=False):
        tick(engine, sender)
    later = [c for c in fake.calls("chat.postMessage") if c.status == 200]
    assert later
    assert {fake.team_of_token(c.token) for c in later} == {"T1"}


def _stamped(engine: Engine, team: str) -> bool:
    with Session(engine) as s:
        ws = s.exec(select(Workspace).where(Workspace.team_id == team)).one()
        return ws.uninstalled_at is not None
