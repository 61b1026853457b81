"""The App Home tab end to end: published on open and after changes, the welcome, its buttons and the Track form."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.core.db import session_scope
from cebot.domain.facts import LogRequest
from cebot.domain.parsing import TrackRequest
from cebot.domain.progress import Progress, Status
from cebot.models import Credential, Member
from cebot.services import credentials, ledger, workspaces
from cebot.shell.fake_slack import Call
from cebot.shell.textrender import buttons, render_view
from cebot.slack import blocks as bk
from cebot.slack.home import build_home_view
from cebot.slack.render import home as render
from cebot.slack.render import ledger as ledger_render
from tests.helpers.services_helpers import QueryCounter
from tests.helpers.slackharness import SlackHarness, date_value, select_value, text_value

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 10:00 in New York


def seed(engine: Engine, user: str = "U1", *, track: str | None = "FL", deadline: date = date(2027, 8, 31),
         titles: tuple[str, ...] = ("Ethics in Touch",), on: date = date(2026, 2, 10)) -> None:
    """A member of T1 tracking ``track`` with one 3 h ethics course per title."""
    with session_scope(engine) as session:
        ws = workspaces.ensure_workspace(session=session, team_id="T1")
        member = workspaces.ensure_member(session=session, workspace=ws, slack_user_id=user, display_name="Maria",
                                          timezone="America/New_York", is_slack_admin=False)
        if track:
            credentials.track(session=session, member=member, request=TrackRequest(key=track, deadline=deadline),
                              today=on)
        for title in titles:
            ledger.log_entry(session=session, member=member, request=LogRequest(
                title=title, hours=12, completed_on=on, subjects=("ethics",), delivery_format="in_person"))


def publishes(slack: SlackHarness, user: str) -> list[Call]:
    return [c for c in slack.fake.calls("views.publish") if c["user_id"] == user]


def home_text(call: Call) -> str:
    return render_view(call["view"])


def credentials_of(engine: Engine) -> list[Credential]:
    with Session(engine) as s:
        return list(s.exec(select(Credential)))


# -- publishing ----------------------------------------------------------------------------------


def test_home_opened_publishes_the_members_progress(slack: SlackHarness, engine: Engine) -> None:
    """Opening the Home tab publishes each credential's bar, hours, missing subjects, deadline and days left."""
    seed(engine)
    with time_machine.travel(NOW, tick=True):
        assert slack.home_opened("U1").status == 200
        call = slack.fake.wait_for("views.publish", where=lambda c: c["user_id"] == "U1")
    view = call["view"]
    assert view["type"] == "home"
    assert len(view["blocks"]) < 100
    text = home_text(call)
    assert "Hi Maria!" in text
    assert "Florida" in text
    assert "3 of 24 h" in text
    assert "21 h to go" in text
    assert "Aug 31, 2027 (547 days left)" in text
    assert "On pace" in text
    assert "Ethics in Touch" in text
    assert "Feb 10, 2026" in text
    labels = [b.label for b in buttons(view["blocks"])]
    assert labels[:3] == ["Log CE", "Track a licence", "See requirements"]
    assert labels[3:] == ["Audit packet"]  # one per credential


def test_first_time_visitor_gets_the_welcome(slack: SlackHarness) -> None:
    """Someone with no credentials and no courses sees how to start: three steps with example commands."""
    slack.home_opened("U2")
    call = slack.fake.wait_for("views.publish", where=lambda c: c["user_id"] == "U2")
    text = home_text(call)
    assert "Welcome to cebot" in text
    assert "*1.* Track your licence: `/ce track FL deadline:2027-08-31`" in text
    assert "*2.* Log a course" in text
    assert "/ce log 3h Ethics in Touch #ethics" in text
    assert "*3.* See what's left" in text
    assert "/ce progress" in text
    assert "Track a licence" in [b.label for b in buttons(call["view"]["blocks"])]


def test_messages_tab_publishes_nothing(slack: SlackHarness) -> None:
    """Opening the Messages tab does not publish the Home tab (only the Home tab open does)."""
    slack.event({"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "messages"})
    slack.home_opened("U2")
    slack.fake.wait_for("views.publish", where=lambda c: c["user_id"] == "U2")
    assert publishes(slack, "U1") == []


def test_home_is_republished_after_logging_a_course(slack: SlackHarness, engine: Engine) -> None:
    """``/ce log`` republishes the Home tab with the new course, after its reply."""
    seed(engine, titles=())
    reply = slack.ask("log 3h Ethics in Touch #ethics")
    assert "Ethics in Touch" in reply.text
    call = slack.fake.wait_for("views.publish", where=lambda c: c["user_id"] == "U1")
    text = home_text(call)
    assert "Ethics in Touch" in text
    assert "3 of 24 h" in text


def test_log_reuses_its_progress_for_the_home_tab(slack: SlackHarness, engine: Engine) -> None:
    """``/ce log`` reads credentials twice (before, after), not a third time for Home; the tab equals a fresh build."""
    slack.ask("track FL deadline:2027-08-31")
    slack.ask("track NCBTMB deadline:2027-06-30")
    slack.fake.wait_for("views.publish", count=2, where=lambda c: c["user_id"] == "U1")
    counter = QueryCounter(engine)
    with counter.counting():
        reply = slack.ask("log 3h Ethics in Touch #ethics")
        call = slack.fake.wait_for("views.publish", count=3, where=lambda c: c["user_id"] == "U1")
    assert "Ethics in Touch" in reply.text
    credential_reads = [s for s in counter.statements if "FROM credential" in s]
    assert len(credential_reads) == 2, counter.statements
    with Session(engine) as session:
        member = session.exec(select(Member).where(Member.slack_user_id == "U1")).one()
        assert call["view"] == build_home_view(session=session, member=member)
    assert "3 of 24 h" in home_text(call)


def test_home_is_republished_after_tracking(slack: SlackHarness) -> None:
    """``/ce track`` republishes the Home tab, which now shows the credential instead of the welcome."""
    slack.ask("track FL deadline:2027-08-31")
    call = slack.fake.wait_for("views.publish", where=lambda c: c["user_id"] == "U1")
    text = home_text(call)
    assert "Florida" in text
    assert "Aug 31, 2027" in text
    assert "Welcome" not in text
    assert "No courses logged yet" in text


def test_user_text_is_escaped_in_the_home_tab(slack: SlackHarness, engine: Engine) -> None:
    """A course titled ``<!channel> free pizza & co`` is shown escaped: it can ping no one."""
    seed(engine, titles=("<!channel> free pizza & co",))
    slack.home_opened("U1")
    call = slack.fake.wait_for("views.publish", where=lambda c: c["user_id"] == "U1")
    raw = str(call["view"])
    assert "<!channel>" not in raw
    assert "&lt;!channel&gt; free pizza &amp; co" in raw
    assert "<!channel> free pizza & co" in home_text(call)  # what the therapist reads


def test_only_five_recent_courses_are_listed(slack: SlackHarness, engine: Engine) -> None:
    """The Home tab lists the five latest courses and points to ``/ce list`` for more."""
    seed(engine, titles=tuple(f"Course {i}" for i in range(7)))
    slack.home_opened("U1")
    text = home_text(slack.fake.wait_for("views.publish", where=lambda c: c["user_id"] == "U1"))
    assert sum(f"Course {i}" in text for i in range(7)) == 5
    assert "/ce list" in text


# -- buttons and the Track form ------------------------------------------------------------------


HOME_VIEW = {"id": "VHOME", "type": "home"}


def test_track_button_opens_the_track_form(slack: SlackHarness) -> None:
    """*Track a licence* opens a modal with the requirement keys, a deadline picker and the licence number."""
    assert slack.action(render.TRACK_ACTION, value="track", view=HOME_VIEW).status == 200
    call = slack.fake.wait_for("views.open")
    view = call["view"]
    assert view["callback_id"] == render.TRACK_CALLBACK
    select_block = next(b for b in view["blocks"] if b.get("block_id") == render.TRACK_KEY_BLOCK)
    values = [o["value"] for o in select_block["element"]["options"]]
    assert {"FL", "NCBTMB", "AMMA"} <= set(values)
    assert "Renewal deadline" in render_view(view)


def test_log_button_opens_a_modal(slack: SlackHarness) -> None:
    """*Log CE* opens the logging form (the same one ``/ce log`` with no text opens)."""
    slack.action(render.LOG_ACTION, value="log", view=HOME_VIEW)
    view = slack.fake.wait_for("views.open")["view"]
    assert view["type"] == "modal"
    assert view["callback_id"] == ledger_render.MODAL_CALLBACK


def test_requirements_button_lists_the_keys(slack: SlackHarness) -> None:
    """*See requirements* opens a modal listing every key and how to see one rule."""
    slack.action(render.REQUIREMENTS_ACTION, value="requirements", view=HOME_VIEW)
    text = render_view(slack.fake.wait_for("views.open")["view"])
    assert "`FL`" in text
    assert "`NCBTMB`" in text
    assert "/ce requirements FL" in text


def test_track_form_without_a_key_answers_inline(slack: SlackHarness, engine: Engine) -> None:
    """Submitting the Track form with no licence chosen answers an inline error; nothing is saved."""
    result = slack.view_submission(render.TRACK_CALLBACK, {
        render.TRACK_KEY_BLOCK: {render.KEY_ACTION: select_value(None)},
        render.TRACK_DEADLINE_BLOCK: {render.DEADLINE_ACTION: date_value("2027-08-31")},
        render.TRACK_NUMBER_BLOCK: {render.NUMBER_ACTION: text_value(None)},
    })
    assert result.status == 200
    answer = result.json()
    assert answer["response_action"] == "errors"
    assert "Choose" in answer["errors"][render.TRACK_KEY_BLOCK]
    assert credentials_of(engine) == []


def test_track_form_with_an_impossible_deadline_answers_inline(slack: SlackHarness, engine: Engine) -> None:
    """A deadline decades away comes back as an error on the deadline field; nothing is saved."""
    result = slack.view_submission(render.TRACK_CALLBACK, {
        render.TRACK_KEY_BLOCK: {render.KEY_ACTION: select_value("FL")},
        render.TRACK_DEADLINE_BLOCK: {render.DEADLINE_ACTION: date_value("2099-01-01")},
        render.TRACK_NUMBER_BLOCK: {render.NUMBER_ACTION: text_value("MA1")},
    })
    answer = result.json()
    assert answer["response_action"] == "errors"
    assert "2099-01-01" in answer["errors"][render.TRACK_DEADLINE_BLOCK]
    assert credentials_of(engine) == []


def test_track_form_with_a_too_long_number_answers_inline(slack: SlackHarness, engine: Engine) -> None:
    """A licence number over 64 characters is an error on its field."""
    result = slack.view_submission(render.TRACK_CALLBACK, {
        render.TRACK_KEY_BLOCK: {render.KEY_ACTION: select_value("FL")},
        render.TRACK_NUMBER_BLOCK: {render.NUMBER_ACTION: text_value("X" * 65)},
    })
    assert render.TRACK_NUMBER_BLOCK in result.json()["errors"]
    assert credentials_of(engine) == []


def test_track_form_saves_and_republishes(slack: SlackHarness, engine: Engine) -> None:
    """A good Track form closes (empty ack), saves the credential and republishes the Home tab."""
    result = slack.view_submission(render.TRACK_CALLBACK, {
        render.TRACK_KEY_BLOCK: {render.KEY_ACTION: select_value("FL")},
        render.TRACK_DEADLINE_BLOCK: {render.DEADLINE_ACTION: date_value("2027-08-31")},
        render.TRACK_NUMBER_BLOCK: {render.NUMBER_ACTION: text_value("MM12345")},
    })
    assert result.status == 200
    assert not result.body or "response_action" not in result.text
    call = slack.fake.wait_for("views.publish", where=lambda c: c["user_id"] == "U1")
    assert "Florida" in home_text(call)
    [credential] = credentials_of(engine)
    assert (credential.requirement_key, credential.deadline, credential.licence_number) == (
        "FL", date(2027, 8, 31), "MM12345")


def test_failed_publish_does_not_fail_the_command(slack: SlackHarness) -> None:
    """If ``views.publish`` fails, the command's reply still arrives and the change is kept."""
    slack.fake.fail_next("views.publish", status=200, error="not_enabled")
    reply = slack.ask("track FL deadline:2027-08-31")
    assert "Florida" in reply.text
    slack.home_opened("U1")
    text = home_text(slack.fake.wait_for("views.publish", count=2, where=lambda c: c["user_id"] == "U1"))
    assert "Florida" in text


# -- the renderer --------------------------------------------------------------------------------


def _progress(i: int) -> Progress:
    return Progress(key=f"K{i}", name=f"Set {i}", status=Status.ON_PACE, window=None, deadline=date(2027, 1, 1),
                    days_left=100, required=96, counted=48, remaining=48)


@pytest.mark.parametrize("count", [1, 20, 60])
def test_home_view_stays_under_slacks_block_limit(count: int) -> None:
    """However many credentials, the Home tab stays under 100 blocks and says how to see the rest."""
    recent = [render.RecentEntry(id=i, title=f"C{i}", completed_on=date(2026, 1, 1), hours=4) for i in range(5)]
    view = render.home_view(name="Maria", progress=[_progress(i) for i in range(count)], recent=recent,
                            today=date(2026, 3, 1))
    assert len(view["blocks"]) <= bk.MAX_BLOCKS_VIEW
    text = render_view(view)
    assert "Set 0" in text
    if count > render.MAX_CREDENTIALS_SHOWN:
        assert f"And {count - render.MAX_CREDENTIALS_SHOWN} more" in text
