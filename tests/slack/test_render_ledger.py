"""Unit tests for the ledger renderers and the shared one-line credential renderer."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from cebot.domain.cycles import CycleWindow
from cebot.domain.progress import NotCounted, Progress, Status
from cebot.models import CEEntry
from cebot.slack import blocks as b
from cebot.slack.render import ledger as render
from cebot.slack.render import ledger_modal
from cebot.slack.render.credential_line import credential_line
from cebot.slack.render.once import split_once

DEADLINE = date(2027, 8, 31)
WINDOW = CycleWindow(date(2025, 9, 1), DEADLINE)


def progress(status: Status = Status.ON_PACE, *, counted: int = 72, required: int = 96, remaining: int = 24,
             days_left: int | None = 279, name: str = "Florida licence", **kw: Any) -> Progress:
    has_window = status not in (Status.NEEDS_INFO, Status.EXEMPT)
    return Progress(key="FL", name=name, status=status, window=WINDOW if has_window else None,
                    deadline=DEADLINE if has_window else None, days_left=days_left if has_window else None,
                    required=required, counted=counted, remaining=remaining, **kw)


def entry(**kw: Any) -> CEEntry:
    data: dict[str, Any] = dict(id=12, workspace_id=1, member_id=1, title="Ethics in Touch",
                                   completed_on=date(2026, 3, 14), hours_q=12, delivery_format="in_person",
                                   subjects=["ethics"])
    data.update(kw)
    return CEEntry(**data)


# -- credential_line -----------------------------------------------------------------------------


def test_line_on_pace() -> None:
    """Hours counted of required, hours to go, the deadline and days left."""
    assert credential_line(progress()) == "*Florida licence*: 18 of 24 h, 6 to go by Aug 31, 2027 (279 days)"


def test_line_due_soon_today_and_one_day() -> None:
    """Due soon gets a warning; 0 days reads "today", 1 reads "1 day"."""
    assert credential_line(progress(Status.DUE_SOON, days_left=0)).endswith("by Aug 31, 2027 (today) :warning:")
    assert "(1 day)" in credential_line(progress(Status.DUE_SOON, days_left=1))


def test_line_complete_and_overdue() -> None:
    """Complete shows a tick; overdue says since when."""
    assert credential_line(progress(Status.COMPLETE, counted=120, remaining=0)) == \
        "*Florida licence*: 30 of 24 h, complete for Aug 31, 2027 ✅"
    assert credential_line(progress(Status.OVERDUE, days_left=-3)) == \
        "*Florida licence*: 18 of 24 h, 6 to go: overdue since Aug 31, 2027 (3 days ago) :warning:"


def test_line_exempt_and_needs_info() -> None:
    """Exempt shows the reason; needs-info shows the question with the command as code."""
    exempt = progress(Status.EXEMPT, notes=("Your first renewal needs no CE.",))
    assert credential_line(exempt) == "*Florida licence*: exempt: Your first renewal needs no CE."
    needs = progress(Status.NEEDS_INFO, needs="Tell me your licence expiry date: /ce track FL deadline:YYYY-MM-DD")
    assert credential_line(needs) == ("*Florida licence*: needs your deadline. Tell me your licence expiry date: "
                                      "`/ce track FL deadline:YYYY-MM-DD`")


def test_line_escapes_a_workspace_set_name() -> None:
    """A workspace's own set name cannot ping anyone."""
    line = credential_line(progress(name="<!here> clinic rules"))
    assert line.startswith("*&lt;!here&gt; clinic rules*:")


# -- entries and progress ------------------------------------------------------------------------


def test_entry_line_is_compact_and_escaped() -> None:
    """Id, date, hours, title, subjects, format and certificate, with user text escaped."""
    line = render.entry_line(entry(title="<!channel> free pizza", subjects=["ethics", "laws_rules"],
                                   delivery_format="home_study", certificate_ref="F1"))
    assert line == ("*#12* · Mar 14, 2026 · 3 h · *&lt;!channel&gt; free pizza* · Ethics, Laws &amp; rules · "
                    "home study · certificate: yes")


def test_entry_details_add_provider_approval_and_notes() -> None:
    """Provider, approval number and notes go on a second line, escaped."""
    text = render.entry_details(entry(provider="A&B", approval_number="X-1", notes="<@U2> said hi"))
    assert text.splitlines()[1] == "provider: A&amp;B · approval: X-1 · notes: &lt;@U2&gt; said hi"


def test_progress_lines_show_the_change_and_why_a_course_does_not_count() -> None:
    """The change since before is shown; a course that does not count here says why."""
    before = [progress(counted=60, remaining=36)]
    after = [progress(not_counted=(NotCounted(12, "Old", 8, "outside this cycle (Sep 1, 2025 – Aug 31, 2027)"),))]
    [line] = render.progress_lines(after, before, entry_id=12)
    assert "6 to go by Aug 31, 2027 (279 days) (+3 h)" in line
    assert "this course doesn't count here: outside this cycle" in line
    partial = [progress(not_counted=(NotCounted(12, "Big", 4, "over the 12 h home-study cap", partial=True),))]
    assert "1 h of it don't count here: over the 12 h home-study cap" in render.progress_lines(partial, entry_id=12)[0]
    assert "(+" not in render.progress_lines(after, after)[0]


def test_logged_message_without_credentials_says_how_to_track() -> None:
    """No tracked credential: the reply shows /ce track; an Undo and Edit button carry the entry."""
    message = render.logged_message(entry(), [], today=date(2026, 3, 14))
    text = json.dumps(message)
    assert "/ce track FL" in text
    assert "on Mar 14" not in message["text"]
    values = {e["action_id"]: e.get("value") for blk in message["blocks"] if blk["type"] == "actions"
              for e in blk["elements"]}
    assert values == {render.UNDO: "logged:12", render.EDIT_OPEN: "12"}


def test_duplicate_message_carries_the_log_text_or_refuses_when_too_long() -> None:
    """The button carries the canonical text and a once-token; too long for a button, it asks for shorter notes."""
    message = render.duplicate_message(entry(), '3h "Ethics in Touch" date:2026-03-14 format:in-person')
    buttons = [e for blk in message["blocks"] if blk["type"] == "actions" for e in blk["elements"]]
    once, text = split_once(buttons[0]["value"])
    assert text == '3h "Ethics in Touch" date:2026-03-14 format:in-person'
    assert once is not None
    assert len(buttons[0]["value"]) <= 2000
    long = render.duplicate_message(entry(), "x" * (2001 - len("once:123456789abc:")))
    assert not [blk for blk in long["blocks"] if blk["type"] == "actions"]
    assert "shorten its notes" in json.dumps(long)


def test_list_message_empty_short_and_long() -> None:
    """Empty: how to log. Short: a menu per entry. Long: plain lines within 50 blocks."""
    assert "Log your first course" in json.dumps(render.list_message([], 0))
    short = render.list_message([entry(id=i) for i in range(1, 4)], 10)
    assert short["text"].startswith("Your 3 latest entries (9 h) of 10")
    assert sum(1 for blk in short["blocks"] if blk.get("accessory", {}).get("action_id") == render.ENTRY_MENU) == 3
    many = render.list_message([entry(id=i, title="T" * 200) for i in range(1, 51)], 50)
    assert len(many["blocks"]) <= b.MAX_BLOCKS_MESSAGE
    assert all(len(blk["text"]["text"]) <= b.SECTION_TEXT_MAX for blk in many["blocks"] if "text" in blk)
    assert sum(blk["text"]["text"].count("*#") for blk in many["blocks"] if blk["type"] == "section") == 50


def test_delete_prompt_has_a_danger_confirm_dialog() -> None:
    """The Delete button asks again in a dialog; Keep it is a plain button."""
    message = render.delete_prompt(entry())
    [row] = [blk for blk in message["blocks"] if blk["type"] == "actions"]
    delete, keep = row["elements"]
    assert (delete["action_id"], delete["value"], delete["style"]) == (render.DELETE_CONFIRM, "12", "danger")
    assert delete["confirm"]["confirm"]["text"] == "Delete"
    assert keep["action_id"] == render.DELETE_CANCEL


@pytest.mark.parametrize(("action", "words"), [("logged", "removed 3 h"), ("deleted", "is back in your log"),
                                                ("edited", "back as it was before your edit")])
def test_undone_message_says_what_was_reversed(action: str, words: str) -> None:
    """Each kind of undo reads differently."""
    assert words in render.undone_message(action, entry(), [])["text"]


# -- the modal -----------------------------------------------------------------------------------


def test_modal_new_and_prefilled() -> None:
    """New: dated today, in person, no metadata id. Edit: every field filled and the id in the metadata."""
    new = ledger_modal.log_modal(today=date(2026, 3, 20), channel_id="C1")
    blocks = {blk["block_id"]: blk for blk in new["blocks"]}
    assert blocks[render.DATE]["element"]["initial_date"] == "2026-03-20"
    assert blocks[render.FORMAT]["element"]["initial_option"]["value"] == "in_person"
    assert ledger_modal.ModalMeta.load(new["private_metadata"]) == ledger_modal.ModalMeta(channel_id="C1")
    assert len(blocks[render.SUBJECTS_BLOCK]["element"]["options"]) <= 100
    edit = ledger_modal.log_modal(today=date(2026, 3, 20), entry=entry(hours_q=6, provider="Acme", notes="n",
                                                                 delivery_format="live_online"))
    blocks = {blk["block_id"]: blk for blk in edit["blocks"]}
    assert blocks[render.HOURS]["element"]["initial_value"] == "1.5"
    assert blocks[render.DATE]["element"]["initial_date"] == "2026-03-14"
    assert blocks[render.FORMAT]["element"]["initial_option"]["value"] == "live_online"
    assert blocks[render.NOTES]["element"]["initial_value"] == "n"
    assert ledger_modal.ModalMeta.load(edit["private_metadata"]).entry_id == 12
    assert edit["title"]["text"] == "Edit entry #12"


@pytest.mark.parametrize("raw", ["", "not json", "[1]", '{"entry_id": "12"}', '{"entry_id": true}'])
def test_modal_metadata_ignores_garbage(raw: str) -> None:
    """Unreadable or mistyped metadata means a new entry, never an edit of some id."""
    assert ledger_modal.ModalMeta.load(raw).entry_id is None
