"""``/ce log``, its duplicate check, the logging modal and the Undo button, through signed requests to the app."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.engine import Engine

from cebot.domain.parsing import parse_log
from cebot.slack.render import ledger as render
from cebot.slack.render.once import split_once
from tests.helpers.ledger_helpers import TODAY, all_entries, click, element, frozen, live_entries, track  # noqa: F401
from tests.helpers.slackharness import SlackHarness, date_value, multi_select_value, select_value, text_value

pytestmark = pytest.mark.usefixtures("frozen")


def form(*, title: str | None = "Ethics in Touch", hours: str | None = "3", day: str | None = TODAY.isoformat(),
         fmt: str | None = "in_person", subjects: tuple[str, ...] = ("ethics",), provider: str | None = None,
         approval: str | None = None, notes: str | None = None) -> dict[str, dict[str, dict[str, object]]]:
    """``view.state.values`` of the logging modal as Slack sends it."""
    f = render.FIELD
    return {
        render.TITLE: {f: text_value(title)}, render.HOURS: {f: text_value(hours)},
        render.DATE: {f: date_value(day)}, render.FORMAT: {f: select_value(fmt)},
        render.SUBJECTS_BLOCK: {f: multi_select_value(list(subjects))}, render.PROVIDER: {f: text_value(provider)},
        render.APPROVAL: {f: text_value(approval)}, render.NOTES: {f: text_value(notes)},
    }


# -- /ce log <text> ------------------------------------------------------------------------------


def test_log_saves_and_shows_how_each_credential_moved(slack: SlackHarness, engine: Engine) -> None:
    """A logged course is saved, and the reply names it, shows the licence line with the change, and an Undo."""
    slack.ask("list")
    track(engine, "U1", "FL")
    reply = slack.ask("log 3h Ethics in Touch #ethics provider:\"Acme Seminars\"")
    [entry] = live_entries(engine)
    assert (entry.hours_q, entry.title, entry.subjects, entry.provider) == (12, "Ethics in Touch", ["ethics"],
                                                                            "Acme Seminars")
    assert entry.completed_on == TODAY
    assert f"Logged 3 h *Ethics in Touch* (Ethics) as *#{entry.id}*" in reply.text
    assert "3 of 24 h, 21 to go by Aug 31, 2027 (529 days)" in reply.text
    assert "(+3 h)" in reply.text
    assert element(reply, render.UNDO)["value"] == f"logged:{entry.id}"
    assert reply.response_type == "ephemeral"
    slack.fake.wait_for("views.publish", where=lambda c: c.get("user_id") == "U1")


def test_log_without_a_tracked_credential_says_how_to_start(slack: SlackHarness, engine: Engine) -> None:
    """With nothing tracked, the course is logged and the reply shows how to track a licence."""
    reply = slack.ask("log 1.5h Myofascial release date:3/14 format:online")
    [entry] = live_entries(engine)
    assert (entry.hours_q, entry.delivery_format, entry.completed_on.isoformat()) == (6, "live_online", "2026-03-14")
    assert "on Mar 14, 2026" in reply.text
    assert "/ce track FL" in reply.text


def test_log_outside_the_cycle_says_it_does_not_count(slack: SlackHarness, engine: Engine) -> None:
    """A course from before the licence's window is logged, and the reply says why it does not count."""
    slack.ask("list")
    track(engine, "U1", "FL")
    reply = slack.ask("log 2h Old course date:2025-03-01")
    assert len(live_entries(engine)) == 1
    assert "this course doesn't count here: outside this cycle" in reply.text
    assert "(+" not in reply.text


@pytest.mark.parametrize(("text", "expected"), [
    ("log abc Ethics", "couldn't read"),
    ("log 3h", "title"),
    ("log 3h Ethics date:2026-04-01", "in the future"),
    ("log 3h Ethics #notasubject", "don't know the subject"),
    ("log 50h Marathon", "more than 40 h"),
])
def test_log_bad_input_shows_the_usage_and_saves_nothing(slack: SlackHarness, engine: Engine, text: str,
                                                         expected: str) -> None:
    """Unreadable hours, a missing title, a future date, an unknown subject or too many hours: nothing saved."""
    reply = slack.ask(text)
    assert expected in reply.text
    assert "/ce log" in reply.text
    assert all_entries(engine) == []


def test_title_with_a_mention_is_escaped(slack: SlackHarness, engine: Engine) -> None:
    """A course titled ``<!channel> free pizza`` is stored as typed and shown escaped, pinging no one."""
    reply = slack.ask("log 1h <!channel> free pizza")
    assert live_entries(engine)[0].title == "<!channel> free pizza"
    assert "&lt;!channel&gt; free pizza" in reply.text
    assert "<!channel>" not in json.dumps(reply.payload)
    listed = slack.ask("list")
    assert "&lt;!channel&gt; free pizza" in listed.text
    assert "<!channel>" not in json.dumps(listed.payload)


# -- duplicates ----------------------------------------------------------------------------------


def test_duplicate_asks_first_and_logs_only_when_confirmed(slack: SlackHarness, engine: Engine) -> None:
    """Same title and date again: nothing is saved until *Log it anyway*, which then replaces the question."""
    slack.ask("log 3h Ethics in Touch #ethics")
    ask = slack.ask("log 3h ethics in touch #ethics notes:second")
    assert "already logged" in ask.text
    assert len(live_entries(engine)) == 1
    value = element(ask, render.LOG_ANYWAY)["value"]
    once, text = split_once(value)
    assert once is not None
    assert parse_log(text, today=TODAY).notes == "second"
    _, answer = click(slack, render.LOG_ANYWAY, value)
    assert answer.payload.get("replace_original") is True
    assert "Logged 3 h" in answer.text
    entries = live_entries(engine)
    assert len(entries) == 2
    assert entries[1].notes == "second"


def test_duplicate_cancel_saves_nothing(slack: SlackHarness, engine: Engine) -> None:
    """Cancel on the duplicate question replaces it with "nothing logged"; still one entry."""
    slack.ask("log 3h Ethics in Touch")
    ask = slack.ask("log 2h Ethics in Touch")
    cancel = element(ask, render.LOG_CANCEL)
    _, answer = click(slack, render.LOG_CANCEL, cancel["value"])
    assert "nothing logged" in answer.text
    assert answer.payload.get("replace_original") is True
    assert len(live_entries(engine)) == 1


def test_same_title_on_another_day_is_not_a_duplicate(slack: SlackHarness, engine: Engine) -> None:
    """The same course on another date is logged straight away."""
    slack.ask("log 3h Ethics in Touch date:3/1")
    reply = slack.ask("log 3h Ethics in Touch")
    assert "Logged" in reply.text
    assert len(live_entries(engine)) == 2


# -- Undo ----------------------------------------------------------------------------------------


def test_undo_button_removes_the_entry_and_replaces_the_reply(slack: SlackHarness, engine: Engine) -> None:
    """Undo on the log reply removes that entry; pressing it again changes nothing."""
    slack.ask("list")
    track(engine, "U1", "FL")
    reply = slack.ask("log 3h Ethics in Touch #ethics")
    value = element(reply, render.UNDO)["value"]
    _, answer = click(slack, render.UNDO, value)
    assert answer.payload.get("replace_original") is True
    assert "Undone: removed 3 h *Ethics in Touch*" in answer.text
    assert "0 of 24 h" in answer.text
    assert live_entries(engine) == []
    _, again = click(slack, render.UNDO, value)
    assert "nothing to undo" in again.text.lower()
    assert again.payload.get("replace_original") is False
    assert live_entries(engine) == []


def test_undo_button_of_an_older_log_leaves_newer_changes(slack: SlackHarness, engine: Engine) -> None:
    """An Undo button whose change is no longer the latest refuses; both courses stay."""
    first = slack.ask("log 3h Course A")
    slack.ask("log 2h Course B")
    _, answer = click(slack, render.UNDO, element(first, render.UNDO)["value"])
    assert "isn't your latest one any more" in answer.text
    assert [e.title for e in live_entries(engine)] == ["Course A", "Course B"]


def test_undo_button_for_someone_else_changes_nothing(slack: SlackHarness, engine: Engine) -> None:
    """U2 pressing (or forging) U1's Undo value undoes nothing of U1's."""
    reply = slack.ask("log 3h Course A")
    _, answer = click(slack, render.UNDO, element(reply, render.UNDO)["value"], user="U2")
    assert "nothing to undo" in answer.text.lower()
    assert len(live_entries(engine, "U1")) == 1


def test_forged_button_values_are_refused(slack: SlackHarness, engine: Engine) -> None:
    """Garbage values on ledger buttons get a polite answer and change nothing."""
    slack.ask("log 3h Course A")
    for action_id, value in ((render.UNDO, "exploded:1"), (render.UNDO, "logged:abc"),
                             (render.DELETE_CONFIRM, "-1"), (render.LOG_ANYWAY, "not a log line")):
        _, answer = click(slack, action_id, value)
        assert answer.payload.get("replace_original") is False
    assert len(live_entries(engine)) == 1


# -- the modal -----------------------------------------------------------------------------------


def test_log_alone_opens_the_modal(slack: SlackHarness, engine: Engine) -> None:
    """``/ce log`` with no text opens the form with the command's trigger id, dated today, nothing saved."""
    result = slack.command("/ce", "log", trigger_id="trigger-log-1")
    assert result.status == 200
    call = slack.fake.wait_for("views.open")
    assert call["trigger_id"] == "trigger-log-1"
    view = call["view"]
    assert view["callback_id"] == render.MODAL_CALLBACK
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert set(blocks) == {render.TITLE, render.HOURS, render.DATE, render.FORMAT, render.SUBJECTS_BLOCK,
                           render.PROVIDER, render.APPROVAL, render.NOTES, "certificate"}
    assert blocks[render.DATE]["element"]["initial_date"] == TODAY.isoformat()
    assert 0 < len(blocks[render.SUBJECTS_BLOCK]["element"]["options"]) <= 100
    assert json.loads(view["private_metadata"]) == {"channel_id": "C1"}
    assert all_entries(engine) == []


def test_modal_that_cannot_open_says_so(slack: SlackHarness) -> None:
    """When Slack refuses views.open (a stale trigger), the user gets the one-line alternative."""
    slack.fake.fail_next("views.open", status=200, error="expired_trigger_id")
    reply = slack.ask("log")
    assert "couldn't open the form" in reply.text
    assert "/ce log 3h" in reply.text


def test_modal_errors_come_back_inline_and_nothing_is_saved(slack: SlackHarness, engine: Engine) -> None:
    """Bad hours, a future date, a blank title and a too-long approval number: errors per field, no entry."""
    result = slack.view_submission(render.MODAL_CALLBACK,
                                   form(title="   ", hours="abc", day="2026-03-25", approval="x" * 65))
    assert result.status == 200
    answer = result.json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {render.TITLE, render.HOURS, render.DATE, render.APPROVAL}
    assert "in the future" in answer["errors"][render.DATE]
    assert "3, 1.5h" in answer["errors"][render.HOURS]
    assert all_entries(engine) == []
    assert slack.fake.calls("chat.postMessage") == []


def test_modal_rejects_quarter_hours_and_unknown_subjects(slack: SlackHarness, engine: Engine) -> None:
    """1.1 h and a forged subject value are field errors too."""
    result = slack.view_submission(render.MODAL_CALLBACK, form(hours="1.1", subjects=("astrology",)))
    errors = result.json()["errors"]
    assert set(errors) == {render.HOURS, render.SUBJECTS_BLOCK}
    assert all_entries(engine) == []


def test_modal_submission_saves_and_confirms_by_dm(slack: SlackHarness, engine: Engine) -> None:
    """A valid form closes (empty ack), saves every field, DMs the confirmation and refreshes Home."""
    slack.ask("list")
    track(engine, "U1", "FL")
    result = slack.view_submission(render.MODAL_CALLBACK, form(
        hours="1h30m", day="2026-03-02", fmt="home_study", subjects=("ethics", "laws_rules"),
        provider="Acme", approval="AB-1", notes="certificate in email"))
    assert result.status == 200
    assert not result.body or result.json() in (None, {})
    [entry] = live_entries(engine)
    assert (entry.title, entry.hours_q, entry.completed_on.isoformat(), entry.delivery_format) == (
        "Ethics in Touch", 6, "2026-03-02", "home_study")
    assert (entry.subjects, entry.provider, entry.approval_number, entry.notes) == (
        ["ethics", "laws_rules"], "Acme", "AB-1", "certificate in email")
    dm = slack.fake.wait_for("chat.postMessage")
    assert dm["channel"] == "D1"  # the DM conversations.open gave, never the user id
    assert "Logged 1.5 h *Ethics in Touch* (Ethics, Laws &amp; rules)" in dm.text
    assert "1.5 of 24 h" in dm.text
    slack.fake.wait_for("views.publish", where=lambda c: c.get("user_id") == "U1")


def test_edit_opens_the_modal_prefilled_and_saves_the_change(slack: SlackHarness, engine: Engine) -> None:
    """``/ce edit <id>`` opens the form filled in; submitting it edits that entry and DMs what changed."""
    slack.ask("log 3h Ethics in Touch #ethics provider:Acme")
    [entry] = live_entries(engine)
    slack.command("/ce", f"edit {entry.id}")
    view = slack.fake.wait_for("views.open")["view"]
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert blocks[render.TITLE]["element"]["initial_value"] == "Ethics in Touch"
    assert blocks[render.HOURS]["element"]["initial_value"] == "3"
    assert blocks[render.PROVIDER]["element"]["initial_value"] == "Acme"
    assert [o["value"] for o in blocks[render.SUBJECTS_BLOCK]["element"]["initial_options"]] == ["ethics"]
    meta = view["private_metadata"]
    assert json.loads(meta)["entry_id"] == entry.id
    result = slack.view_submission(render.MODAL_CALLBACK, form(hours="2", provider=None), private_metadata=meta)
    assert result.status == 200
    assert not result.body
    [edited] = live_entries(engine)
    assert (edited.id, edited.hours_q, edited.provider) == (entry.id, 8, None)
    dm = slack.fake.wait_for("chat.postMessage")
    assert f"Updated *#{entry.id}* (hours, provider)" in dm.text
    assert element(dm.args, render.UNDO)["value"] == f"edited:{entry.id}"


def test_edit_button_opens_the_prefilled_modal(slack: SlackHarness, engine: Engine) -> None:
    """The Edit button on a log reply opens the form for that entry."""
    reply = slack.ask("log 3h Ethics in Touch")
    result = slack.action(render.EDIT_OPEN, value=element(reply, render.EDIT_OPEN)["value"])
    assert result.status == 200
    view = slack.fake.wait_for("views.open")["view"]
    assert json.loads(view["private_metadata"])["entry_id"] == live_entries(engine)[0].id
    assert view["title"]["text"].startswith("Edit entry #")


def test_modal_edit_of_someone_elses_entry_changes_nothing(slack: SlackHarness, engine: Engine) -> None:
    """A form whose metadata names U2's entry is refused inline for U1; U2's entry is unchanged."""
    slack.ask("log 3h Sam's course", user="U2")
    [theirs] = live_entries(engine, "U2")
    result = slack.view_submission(render.MODAL_CALLBACK, form(title="Mine now", hours="9"), user="U1",
                                   private_metadata=json.dumps({"entry_id": theirs.id}))
    answer = result.json()
    assert answer["response_action"] == "errors"
    assert "couldn't find entry" in answer["errors"][render.TITLE]
    [still] = live_entries(engine, "U2")
    assert (still.title, still.hours_q) == ("Sam's course", 12)
    assert live_entries(engine, "U1") == []


def test_log_button_from_the_home_tab_opens_the_modal(slack: SlackHarness) -> None:
    """The Log button (also usable on App Home) opens the empty form."""
    result = slack.action(render.LOG_OPEN, value="", view={"type": "home"})
    assert result.status == 200
    view = slack.fake.wait_for("views.open")["view"]
    assert view["callback_id"] == render.MODAL_CALLBACK
    assert "entry_id" not in json.loads(view["private_metadata"] or "{}")


def test_modal_duplicate_asks_first_then_logs_anyway(slack: SlackHarness, engine: Engine) -> None:
    """A form for a course already logged that day comes back filled in and saying so; its Save logs it."""
    slack.ask("log 3h Ethics in Touch")
    result = slack.view_submission(render.MODAL_CALLBACK, form(hours="2", notes="again"))
    answer = result.json()
    assert answer["response_action"] == "update"
    view = answer["view"]
    assert "You already logged *Ethics in Touch*" in json.dumps(view)
    assert view["submit"]["text"] == "Log it anyway"
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert blocks[render.HOURS]["element"]["initial_value"] == "2"
    assert blocks[render.NOTES]["element"]["initial_value"] == "again"
    assert len(live_entries(engine)) == 1
    result = slack.view_submission(render.MODAL_CALLBACK, form(hours="2", notes="again"),
                                   private_metadata=view["private_metadata"])
    assert not result.body
    assert [e.hours_q for e in live_entries(engine)] == [12, 8]
