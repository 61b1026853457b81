"""The longest texts people can type (titles, providers, notes full of ``&``/``<``) stay within Slack's limits.

Every reply, prompt and view goes through the validating fake Slack, so any limit these texts push a payload
over fails the test (tests/conftest_slack.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from ledger_helpers import click, element, frozen, live_entries, track  # noqa: F401
from slackharness import SlackHarness, date_value, multi_select_value, select_value, text_value
from sqlalchemy.engine import Engine

from cebot.slack.mrkdwn import escape
from cebot.slack.render import ledger as render

pytestmark = pytest.mark.usefixtures("frozen")

# 200 characters (the longest title allowed) that grow to about 600 once escaped for mrkdwn.
LONG_TITLE = ("Ethics & Law <Part 2> & " * 10)[:200].strip()
LONG_PROVIDER = ("Acme & <Sons> Seminars " * 10)[:200].strip()
LONG_NOTES = ("Notes & <more> " * 140)[:2000].strip()


def log_long(slack: SlackHarness) -> None:
    """Log a course with every field at its longest, through the logging modal."""
    values: dict[str, dict[str, Any]] = {
        render.TITLE: {render.FIELD: text_value(LONG_TITLE)},
        render.HOURS: {render.FIELD: text_value("3")},
        render.DATE: {render.FIELD: date_value("2026-03-14")},
        render.FORMAT: {render.FIELD: select_value("in_person")},
        render.SUBJECTS_BLOCK: {render.FIELD: multi_select_value(["ethics", "laws"])},
        render.PROVIDER: {render.FIELD: text_value(LONG_PROVIDER)},
        render.APPROVAL: {render.FIELD: text_value("4" * 64)},
        render.NOTES: {render.FIELD: text_value(LONG_NOTES)},
    }
    result = slack.view_submission(render.MODAL_CALLBACK, values)
    assert result.status == 200, result.text
    slack.fake.wait_for("chat.postMessage", where=lambda c: "Logged" in c.text)


def test_delete_prompt_of_a_long_title_fits_the_confirm_dialog(slack: SlackHarness, engine: Engine) -> None:
    """``/ce delete`` and the list menu's Delete ask with a confirm dialog Slack accepts (text at most 300)."""
    slack.ask("list")  # registers U1
    track(engine, "U1", "FL")
    log_long(slack)
    [entry] = live_entries(engine)
    prompt = slack.ask(f"delete {entry.id}")
    dialog = element(prompt, render.DELETE_CONFIRM)["confirm"]
    assert len(dialog["text"]["text"]) <= 300
    assert "Ethics &amp; Law &lt;Part 2&gt;" in dialog["text"]["text"]
    option = {"text": {"type": "plain_text", "text": "Delete"}, "value": f"delete:{entry.id}"}
    menu_prompt = slack.reply(slack.action(render.ENTRY_MENU, action_type="overflow", selected_option=option))
    assert len(element(menu_prompt, render.DELETE_CONFIRM)["confirm"]["text"]["text"]) <= 300
    _, deleted = click(slack, render.DELETE_CONFIRM, str(entry.id))
    assert "Deleted" in deleted.text
    _, undone = click(slack, render.UNDO, element(deleted, render.UNDO)["value"])
    assert "is back in your log" in undone.text


def test_every_ledger_reply_of_a_long_entry_is_accepted(slack: SlackHarness, engine: Engine) -> None:
    """Logging, listing, editing, undoing and the edit form of a course with every field at its longest."""
    slack.ask("list")
    track(engine, "U1", "FL")
    log_long(slack)
    [entry] = live_entries(engine)
    assert escape(LONG_TITLE[:20]) in slack.ask("list").text
    assert "Updated" in slack.ask(f"edit {entry.id} hours:2").text
    assert "Undone" in slack.ask("undo").text
    assert slack.action(render.EDIT_OPEN, value=str(entry.id)).status == 200
    assert slack.fake.wait_for("views.open")["view"]["callback_id"] == render.MODAL_CALLBACK
    assert "FL" in slack.ask("progress").text
    slack.home_opened("U1")
    slack.fake.wait_for("views.publish")
