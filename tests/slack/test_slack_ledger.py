"""``/ce list``, ``/ce edit``, ``/ce delete`` (with its confirm step) and ``/ce undo``, through signed requests."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from cebot.slack.render import ledger as render
from tests.helpers.ledger_helpers import all_entries, click, element, elements, frozen, live_entries, track  # noqa: F401
from tests.helpers.slackharness import SlackHarness

pytestmark = pytest.mark.usefixtures("frozen")


def log(slack: SlackHarness, text: str, user: str = "U1") -> None:
    assert "Logged" in slack.ask(f"log {text}", user=user).text


# -- list ----------------------------------------------------------------------------------------


def test_list_of_an_empty_log_shows_how_to_log(slack: SlackHarness) -> None:
    """An empty ledger says so and shows the one-line log command and a Log button."""
    reply = slack.ask("list")
    assert "empty" in reply.text
    assert "/ce log 3h" in reply.text
    element(reply, render.LOG_OPEN)


def test_list_shows_the_latest_entries_with_a_menu_each(slack: SlackHarness, engine: Engine) -> None:
    """``/ce list 2`` shows the two newest courses compactly, with Edit/Delete menus and the total count."""
    log(slack, "3h Ethics in Touch #ethics date:3/1")
    log(slack, "1.5h Cupping format:online date:3/10")
    log(slack, "2h Laws refresher #law date:3/15")
    reply = slack.ask("list 2")
    ids = [e.id for e in live_entries(engine)]
    assert "2 latest entries (3.5 h) of 3" in reply.text
    assert f"*#{ids[2]}* · Mar 15, 2026 · 2 h · *Laws refresher* · Laws &amp; rules · in person · certificate: no" \
        in reply.text
    assert f"*#{ids[1]}* · Mar 10, 2026 · 1.5 h · *Cupping* · live online" in reply.text
    assert "Ethics in Touch" not in reply.text
    menus = [e for e in elements(reply.blocks) if e.get("action_id") == render.ENTRY_MENU]
    assert [[o["value"] for o in m["options"]] for m in menus] == [
        [f"edit:{ids[2]}", f"delete:{ids[2]}"], [f"edit:{ids[1]}", f"delete:{ids[1]}"]]
    everything = slack.ask("list")
    assert "Your CE log: 3 entries, 6.5 h" in everything.text


def test_long_list_is_plain_lines(slack: SlackHarness, engine: Engine) -> None:
    """More than 20 entries are listed as lines (no menus), within Slack's block limit."""
    for day in range(1, 23):
        log(slack, f"1h Course {day} date:2026-02-{day:02d}")
    reply = slack.ask("list all")
    assert "Your CE log: 22 entries, 22 h" in reply.text
    assert all(f"*Course {day}*" in reply.text for day in range(1, 23))
    assert not [e for e in elements(reply.blocks) if e.get("action_id") == render.ENTRY_MENU]
    assert len(reply.blocks) <= 50


@pytest.mark.parametrize("text", ["list abc", "list 0", "list 99", "list 3 4"])
def test_list_bad_input_shows_the_usage(slack: SlackHarness, text: str) -> None:
    """A count that is not 1-50 answers with the usage."""
    assert "/ce list" in slack.ask(text).text


def test_list_shows_only_my_entries(slack: SlackHarness) -> None:
    """A therapist never sees a colleague's courses."""
    log(slack, "3h Sam's secret course", user="U2")
    log(slack, "1h Mine")
    reply = slack.ask("list")
    assert "Mine" in reply.text
    assert "secret" not in reply.text


# -- edit ----------------------------------------------------------------------------------------


def test_edit_changes_the_entry_and_shows_progress_moving(slack: SlackHarness, engine: Engine) -> None:
    """``/ce edit <id> hours:2 date:3/14`` saves both and shows the new state, the licence line and Undo."""
    slack.ask("list")
    track(engine, "U1", "FL")
    log(slack, "3h Ethics in Touch #ethics")
    [entry] = live_entries(engine)
    reply = slack.ask(f"edit {entry.id} hours:2 date:3/14 provider:\"Acme & Co\"")
    [edited] = live_entries(engine)
    assert (edited.hours_q, edited.completed_on.isoformat(), edited.provider) == (8, "2026-03-14", "Acme & Co")
    assert f"Updated *#{entry.id}* (hours, date, provider)" in reply.text
    assert "provider: Acme &amp; Co" in reply.text
    assert "2 of 24 h" in reply.text
    assert "(−1 h)" in reply.text
    assert element(reply, render.UNDO)["value"] == f"edited:{entry.id}"
    slack.fake.wait_for("views.publish", where=lambda c: c.get("user_id") == "U1")


def test_edit_clears_optional_fields_and_subjects(slack: SlackHarness, engine: Engine) -> None:
    """``provider:none subjects:none`` clears them."""
    log(slack, "3h Course #ethics provider:Acme")
    [entry] = live_entries(engine)
    slack.ask(f"edit {entry.id} provider:none subjects:none")
    [edited] = live_entries(engine)
    assert (edited.provider, edited.subjects) == (None, [])


@pytest.mark.parametrize(("text", "expected"), [
    ("edit", "Which entry?"),
    ("edit abc hours:2", "isn't an entry number"),
    ("edit {id} colour:red", "don't know the option"),
    ("edit {id} hours:0", "at least 0.25 h"),
    ("edit {id} date:2027-01-01", "in the future"),
])
def test_edit_bad_input_changes_nothing(slack: SlackHarness, engine: Engine, text: str, expected: str) -> None:
    """Bad ids, unknown keys and impossible values answer with the usage; the entry is unchanged."""
    log(slack, "3h Course")
    [entry] = live_entries(engine)
    reply = slack.ask(text.format(id=entry.id))
    assert expected in reply.text
    [same] = live_entries(engine)
    assert (same.hours_q, same.completed_on, same.updated_at) == (entry.hours_q, entry.completed_on, entry.updated_at)


# -- someone else's entry ------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["edit {id} hours:1", "delete {id}", "edit {id}"])
def test_someone_elses_entry_is_not_found(slack: SlackHarness, engine: Engine, command: str) -> None:
    """U1 cannot see, edit or delete U2's entry: the answer is "couldn't find", and nothing changes."""
    log(slack, "3h Sam's course", user="U2")
    [theirs] = live_entries(engine, "U2")
    reply = slack.ask(command.format(id=theirs.id), user="U1")
    assert f"couldn't find entry #{theirs.id}" in reply.text
    assert slack.fake.calls("views.open") == []
    [same] = live_entries(engine, "U2")
    assert same.hours_q == 12


def test_another_workspaces_entry_is_not_found(slack: SlackHarness, engine: Engine) -> None:
    """The same Slack user id in another workspace cannot reach the entry."""
    log(slack, "3h Course in T1")
    [entry] = live_entries(engine)
    reply = slack.ask(f"delete {entry.id}", team="T2")
    assert f"couldn't find entry #{entry.id}" in reply.text
    _, answer = click(slack, render.DELETE_CONFIRM, str(entry.id), team="T2")
    assert "couldn't find" in answer.text
    assert len(live_entries(engine)) == 1


# -- delete --------------------------------------------------------------------------------------


def test_delete_asks_first_then_deletes_with_undo(slack: SlackHarness, engine: Engine) -> None:
    """``/ce delete <id>`` only asks (with a confirm dialog); the confirmed button deletes; Undo brings it back."""
    slack.ask("list")
    track(engine, "U1", "FL")
    log(slack, "3h Ethics in Touch #ethics")
    [entry] = live_entries(engine)
    prompt = slack.ask(f"delete #{entry.id}")
    button = element(prompt, render.DELETE_CONFIRM)
    assert button["confirm"]["style"] == "danger"
    assert "Ethics in Touch" in button["confirm"]["text"]["text"]
    assert len(live_entries(engine)) == 1
    _, deleted = click(slack, render.DELETE_CONFIRM, button["value"])
    assert deleted.payload.get("replace_original") is True
    assert f"Deleted *#{entry.id}* 3 h *Ethics in Touch*" in deleted.text
    assert "0 of 24 h" in deleted.text
    assert "(−3 h)" in deleted.text
    assert live_entries(engine) == []
    assert len(all_entries(engine)) == 1  # kept (soft-deleted) so undo can restore it
    _, undone = click(slack, render.UNDO, element(deleted, render.UNDO)["value"])
    assert "is back in your log" in undone.text
    assert [e.id for e in live_entries(engine)] == [entry.id]


def test_delete_keep_it_changes_nothing(slack: SlackHarness, engine: Engine) -> None:
    """*Keep it* replaces the question and deletes nothing."""
    log(slack, "3h Course")
    [entry] = live_entries(engine)
    prompt = slack.ask(f"delete {entry.id}")
    _, kept = click(slack, render.DELETE_CANCEL, element(prompt, render.DELETE_CANCEL)["value"])
    assert f"*#{entry.id}* stays in your log" in kept.text
    assert len(live_entries(engine)) == 1


@pytest.mark.parametrize(("text", "expected"), [("delete", "Which entry?"), ("delete 1 2", "One entry at a time"),
                                                ("delete 999", "couldn't find entry #999")])
def test_delete_bad_input(slack: SlackHarness, engine: Engine, text: str, expected: str) -> None:
    """No id, two ids or an unknown id: a clear answer and nothing deleted."""
    log(slack, "3h Course")
    assert expected in slack.ask(text).text
    assert len(live_entries(engine)) == 1


def test_list_menu_edit_and_delete(slack: SlackHarness, engine: Engine) -> None:
    """The list's menu: Edit opens the prefilled form; Delete posts the confirm step (nothing deleted yet)."""
    log(slack, "3h Course")
    [entry] = live_entries(engine)
    option = {"text": {"type": "plain_text", "text": "Delete"}, "value": f"delete:{entry.id}"}
    result = slack.action(render.ENTRY_MENU, action_type="overflow", selected_option=option)
    prompt = slack.reply(result)
    assert prompt.payload.get("replace_original") is False
    element(prompt, render.DELETE_CONFIRM)
    assert len(live_entries(engine)) == 1
    option = {"text": {"type": "plain_text", "text": "Edit"}, "value": f"edit:{entry.id}"}
    assert slack.action(render.ENTRY_MENU, action_type="overflow", selected_option=option).status == 200
    assert f'"entry_id":{entry.id}' in slack.fake.wait_for("views.open")["view"]["private_metadata"]


# -- undo ----------------------------------------------------------------------------------------


def test_undo_reverses_edit_then_log_then_says_nothing_left(slack: SlackHarness, engine: Engine) -> None:
    """``/ce undo`` reverts the latest edit, then removes the logged course, then says there's nothing to undo."""
    slack.ask("list")
    track(engine, "U1", "FL")
    log(slack, "3h Ethics in Touch")
    [entry] = live_entries(engine)
    slack.ask(f"edit {entry.id} hours:5")
    first = slack.ask("undo")
    assert f"*#{entry.id}* is back as it was before your edit" in first.text
    assert "3 of 24 h" in first.text
    assert live_entries(engine)[0].hours_q == 12
    second = slack.ask("undo")
    assert "removed 3 h *Ethics in Touch*" in second.text
    assert live_entries(engine) == []
    third = slack.ask("undo")
    assert "nothing to undo" in third.text
    slack.fake.wait_for("views.publish", count=2, where=lambda c: c.get("user_id") == "U1")


def test_undo_with_extra_text_shows_the_usage(slack: SlackHarness, engine: Engine) -> None:
    """``/ce undo 12`` is refused with the usage (undo takes no id) and nothing changes."""
    log(slack, "3h Course")
    reply = slack.ask("undo 12")
    assert "/ce delete" in reply.text
    assert len(live_entries(engine)) == 1


def test_undo_only_touches_my_changes(slack: SlackHarness, engine: Engine) -> None:
    """U2's ``/ce undo`` does not reverse U1's log."""
    log(slack, "3h Course")
    assert "nothing to undo" in slack.ask("undo", user="U2").text
    assert len(live_entries(engine)) == 1
