"""``/ce admin target``: a manager sets, edits and removes the clinic's own target through the signed form."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.models import WorkspaceRequirementSet
from cebot.shell.textrender import render_view
from cebot.slack.render.clinic_target import BLOCK_IDS, CALLBACK, FIELD
from tests.helpers.slackharness import SlackHarness, select_value, text_value

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[object]:
    """Every test here runs on Dec 1, 2026 (time ticks, so signatures stay fresh)."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def form(*, key: str = "AMMA", hours: str = "16", cycle: str = "12", deadline: str = "fixed:12",
         minimums: str = "medical_massage 8", name: str = "") -> dict[str, dict[str, Any]]:
    return {
        BLOCK_IDS["key"]: {FIELD: text_value(key)},
        BLOCK_IDS["name"]: {FIELD: text_value(name or None)},
        BLOCK_IDS["hours"]: {FIELD: text_value(hours)},
        BLOCK_IDS["cycle"]: {FIELD: text_value(cycle)},
        BLOCK_IDS["deadline"]: {FIELD: select_value(deadline)},
        BLOCK_IDS["minimums"]: {FIELD: text_value(minimums or None)},
    }


def stored(engine: Engine) -> list[WorkspaceRequirementSet]:
    with Session(engine) as s:
        return list(s.exec(select(WorkspaceRequirementSet)))


def test_manager_opens_the_form(slack: SlackHarness) -> None:
    """`/ce admin target` opens the form with hours, cycle, deadline rule and subject minimums."""
    reply = slack.ask("admin target", user="UADMIN")
    assert "Opened the form" in reply.text
    text = render_view(slack.fake.wait_for("views.open")["view"])
    for label in ("Hours per cycle", "Cycle length (months)", "A cycle ends", "Subject minimums"):
        assert label in text


def test_a_member_who_is_not_a_manager_gets_no_form(slack: SlackHarness, engine: Engine) -> None:
    """A therapist who isn't a manager is told so; no form opens and a forged submission saves nothing."""
    assert "Only a clinic manager" in slack.ask("admin target", user="U1").text
    answer = slack.view_submission(CALLBACK, form(), user="U1").json()
    assert answer["response_action"] == "errors"
    assert "Only a clinic manager" in answer["errors"][BLOCK_IDS["key"]]
    assert stored(engine) == []


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"hours": "-4"}, "hours", "more than 0"),
    ({"hours": "ten"}, "hours", "number"),
    ({"minimums": "medical_massage 20"}, "minimums", "more than the 16 h total"),
    ({"minimums": "astrology 3"}, "minimums", "I don't know the subject"),
    ({"cycle": "0"}, "cycle", "from 1 to 120"),
])
def test_bad_input_answers_inline_and_saves_nothing(slack: SlackHarness, engine: Engine, changes: dict[str, str],
                                                    field: str, words: str) -> None:
    """Negative hours, a minimum over the total, an unknown subject, a bad cycle: inline field errors only."""
    answer = slack.view_submission(CALLBACK, form(**changes), user="UADMIN").json()
    assert answer["response_action"] == "errors"
    assert words in answer["errors"][BLOCK_IDS[field]]
    assert stored(engine) == []


def test_a_good_form_saves_and_shows_as_set_by_the_clinic(slack: SlackHarness, engine: Engine) -> None:
    """Saving closes the form, stores the set with who set it, DMs the manager, and /ce amma counts toward it."""
    result = slack.view_submission(CALLBACK, form(), user="UADMIN")
    assert result.status == 200
    assert result.text in ("", "null")
    [row] = stored(engine)
    assert (row.key, row.created_by, row.updated_by) == ("AMMA", "UADMIN", "UADMIN")
    dm = slack.fake.wait_for("chat.postMessage")
    assert "target set by your clinic (<@UADMIN>, Dec 1, 2026)" in dm["text"]
    assert "Medical massage 8 h" in dm["text"]
    detail = slack.ask("requirements AMMA", user="U1").text
    assert "target set by your clinic" in detail
    assert "<@UADMIN>" in detail


def test_editing_prefills_and_updates_the_same_set(slack: SlackHarness, engine: Engine) -> None:
    """`/ce admin target AMMA` opens the form filled in; saving new hours replaces the set, not adds one."""
    slack.view_submission(CALLBACK, form(), user="UADMIN")
    slack.ask("admin target AMMA", user="UADMIN")
    view = slack.fake.wait_for("views.open")["view"]
    hours_block = next(b for b in view["blocks"] if b.get("block_id") == BLOCK_IDS["hours"])
    assert hours_block["element"]["initial_value"] == "16"
    slack.view_submission(CALLBACK, form(hours="20"), user="UADMIN")
    [row] = stored(engine)
    assert "total_hours = 20" in row.definition


def test_remove_deletes_the_clinic_target(slack: SlackHarness, engine: Engine) -> None:
    """`/ce admin target remove AMMA` deletes it (after the commit says so); removing again says there is none."""
    slack.view_submission(CALLBACK, form(), user="UADMIN")
    assert "Removed your clinic's target `AMMA`" in slack.ask("admin target remove AMMA", user="UADMIN").text
    assert stored(engine) == []
    assert "no requirement set called AMMA" in slack.ask("admin target remove AMMA", user="UADMIN").text


def test_members_progress_names_the_clinic_target_and_who_set_it(slack: SlackHarness) -> None:
    """A member tracking the clinic's AMMA target sees "Target set by your clinic (name, date)" in progress."""
    slack.view_submission(CALLBACK, form(), user="UADMIN")
    slack.ask("track AMMA deadline:2026-12-31", user="U1")
    text = slack.ask("progress", user="U1").text
    assert "Target set by your clinic (" in text
    assert "Dec 1, 2026)" in text
