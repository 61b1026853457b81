"""Signed payloads of the wrong shape get a 400 naming the field, and change nothing (cebot.slack.payload_shapes)."""

from __future__ import annotations

from typing import Any

import pytest
from slackharness import SlackHarness, select_value, text_value
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.models import CEEntry, Credential
from cebot.slack.payload_shapes import problem
from cebot.slack.render import home as home_render
from cebot.slack.render import ledger as ledger_render

LOG_VALUES = {ledger_render.TITLE: {ledger_render.TITLE: text_value("Ethics")},
              ledger_render.HOURS: {ledger_render.HOURS: text_value("2")}}


def _saved(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(CEEntry)).all()) + len(session.exec(select(Credential)).all())


@pytest.mark.parametrize(("extra_view", "field"), [
    ({"private_metadata": 5}, "view.private_metadata"),
    ({"private_metadata": {"entry_id": 1}}, "view.private_metadata"),
    ({"state": "values"}, "view.state"),
    ({"state": {"values": {ledger_render.TITLE: "Ethics"}}}, "view.state.values"),
    ({"state": {"values": {ledger_render.TITLE: {ledger_render.TITLE: {"value": 7}}}}}, "view.state.values"),
    ({"callback_id": 3}, "view.callback_id"),
])
def test_a_log_form_of_the_wrong_shape_is_400(
    slack: SlackHarness, engine: Engine, extra_view: dict[str, Any], field: str
) -> None:
    """The logging form with private_metadata a number or an object, or state text, is refused: 400, nothing saved."""
    result = slack.view_submission(ledger_render.MODAL_CALLBACK, LOG_VALUES, extra_view=extra_view)
    assert result.status == 400
    assert field in result.text
    assert _saved(engine) == 0


def test_a_track_form_whose_selected_option_is_text_is_400(slack: SlackHarness, engine: Engine) -> None:
    """The Home Track form with ``selected_option`` a string is refused with a 400."""
    values = {home_render.TRACK_KEY_BLOCK: {home_render.KEY_ACTION: {"type": "static_select",
                                                                     "selected_option": "FL"}}}
    result = slack.view_submission(home_render.TRACK_CALLBACK, values)
    assert result.status == 400
    assert "selected_option" in result.text
    assert _saved(engine) == 0


def test_a_well_shaped_track_form_still_saves(slack: SlackHarness, engine: Engine) -> None:
    """The same form with a proper option is accepted (the check refuses shapes, not content)."""
    values = {home_render.TRACK_KEY_BLOCK: {home_render.KEY_ACTION: select_value("FL", "Florida")}}
    result = slack.view_submission(home_render.TRACK_CALLBACK, values)
    assert result.status == 200
    assert _saved(engine) == 1


@pytest.mark.parametrize("actions", ["ledger_undo", [], [5], [{"action_id": 5}], {"action_id": "ledger_undo"},
                                     [{"action_id": "ledger_entry_menu", "type": "overflow", "selected_option": "1"}]])
def test_a_button_click_of_the_wrong_shape_is_400(slack: SlackHarness, actions: Any) -> None:
    """``actions`` not a list of actions (or an action's fields of the wrong type) gets a 400."""
    result = slack.action("ledger_undo", value="1", extra={"actions": actions})
    assert result.status == 400
    assert "actions" in result.text


@pytest.mark.parametrize("event", [
    {"type": "file_shared", "file_id": 5, "user_id": "U1", "channel_id": "DU1"},
    {"type": "app_home_opened", "user": "U1", "tab": ["home"]},
    {"type": "tokens_revoked", "tokens": "bot"},
    {"type": 7},
])
def test_an_event_of_the_wrong_shape_is_400(slack: SlackHarness, event: dict[str, Any]) -> None:
    """The events cebot acts on are checked field by field; any event needs a text ``type``."""
    result = slack.event(event)
    assert result.status == 400
    assert "event" in result.text


def test_an_event_cebot_ignores_is_only_checked_for_its_type(slack: SlackHarness) -> None:
    """An event no feature handles passes with any other fields (Slack must get its 2xx)."""
    result = slack.event({"type": "user_change", "user": {"id": "U1", "profile": {}}, "tab": 5, "tokens": "x"})
    assert result.status == 200


@pytest.mark.parametrize(("body", "found"), [
    ({"command": "/ce", "text": "help", "user_id": ["U1"]}, "user_id"),
    ({"type": "event_callback", "event": "app_home_opened"}, "event"),
    ({"type": "nonsense", "view": None}, "view"),
    ({"type": "block_actions", "user": {"id": "U1"}, "actions": [{"action_id": "x"}], "channel": "C1"}, "channel"),
    ({"type": ["block_actions"]}, "type"),
])
def test_problem_names_the_first_wrong_field(body: dict[str, Any], found: str) -> None:
    """``problem`` says which field is wrong."""
    text = problem(body)
    assert text is not None
    assert text.startswith(found)


def test_problem_accepts_what_slack_sends() -> None:
    """A slash command, a button click and a view submission of Slack's shape pass."""
    assert problem({"command": "/ce", "text": "", "user_id": "U1", "team_id": "T1"}) is None
    assert problem({"type": "block_actions", "user": {"id": "U1"}, "team": None, "actions": [
        {"action_id": "a", "type": "button", "value": "1"}], "container": {"type": "message"}}) is None
    assert problem({"type": "view_submission", "user": {"id": "U1"}, "view": {
        "type": "modal", "callback_id": "c", "private_metadata": "", "state": {"values": {"b": {"a": {
            "type": "file_input", "files": [{"id": "F1"}]}}}}}, "response_urls": []}) is None
