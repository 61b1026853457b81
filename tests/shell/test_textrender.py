"""Block Kit as plain text: what ``cebot shell`` prints for a message, a modal or the Home tab."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cebot.shell.textrender import (
    RULE,
    Button,
    buttons,
    mrkdwn_to_text,
    render_blocks,
    render_message,
    render_view,
    unescape,
    user_names,
)
from cebot.slack import blocks as bk
from cebot.slack.mrkdwn import bold, date_token, escape, link, user_mention


@pytest.mark.parametrize(("mrkdwn", "text"), [
    ("&lt;!channel&gt; free pizza &amp; co", "<!channel> free pizza & co"),
    ("&amp;lt;", "&lt;"),
    ("*Ethics in Touch*", "*Ethics in Touch*"),
    ("_soon_", "_soon_"),
    ("<@U123>", "@U123"),
    ("<@U123|maria>", "maria"),
    ("<#C1|general>", "#general"),
    ("<!here> and <!channel>", "@here and @channel"),
    ("<!date^1700000000^{date_short}|Nov 14, 2023>", "Nov 14, 2023"),
    ("<https://example.com|the board>", "the board (https://example.com)"),
    ("<https://example.com>", "https://example.com"),
    (":white_check_mark: done :unknown_emoji:", "✅ done :unknown_emoji:"),
])
def test_mrkdwn_reads_as_a_person_sees_it(mrkdwn: str, text: str) -> None:
    """Slack markup becomes what Slack shows; bold and italic marks stay; entities are unescaped."""
    assert mrkdwn_to_text(mrkdwn) == text


def test_mentions_read_as_names_when_known() -> None:
    """Inside ``user_names``, a mention of a known user reads as their name; unknown ids stay ids."""
    with user_names({"U1": "Maria"}):
        assert mrkdwn_to_text("<@U1> and <@U2>") == "@Maria and @U2"
    assert mrkdwn_to_text("<@U1>") == "@U1"


def test_escaped_user_text_round_trips() -> None:
    """Whatever cebot escapes for Slack prints back exactly as the user typed it."""
    typed = "<b>Tom & Jerry's</b> <!everyone> a > b"
    assert unescape(escape(typed)) == typed
    assert mrkdwn_to_text(bold(typed)) == "*" + typed + "*"


def test_mrkdwn_helpers_render_readably() -> None:
    """Mentions, links and date tokens made by ``cebot.slack.mrkdwn`` read naturally."""
    text = f"{user_mention('U1')} see {link('https://x.test/a?b=1&c=2', 'rules & notes')} by " \
           f"{date_token(1700000000, 'Nov 14')}"
    assert mrkdwn_to_text(text) == "@U1 see rules & notes (https://x.test/a?b=1&c=2) by Nov 14"


def test_header_section_fields_context_divider_and_buttons() -> None:
    """A typical reply: underlined header, section text and fields, context indented, a row of buttons."""
    blocks = [
        bk.header("Your CE progress"),
        bk.section("Logged 3 h *Ethics in Touch*", fields=["*Hours*\n3", "*Date*\nMar 14"]),
        bk.divider(),
        bk.context("Next: `/ce progress`", "as of Mar 14"),
        bk.actions(bk.button("Undo", "undo", value="12"), bk.button("Edit", "edit", value="12")),
    ]
    assert render_blocks(blocks).split("\n") == [
        "Your CE progress",
        "================",
        "Logged 3 h *Ethics in Touch*",
        "  *Hours*",
        "  3",
        "  *Date*",
        "  Mar 14",
        RULE,
        "  Next: `/ce progress`  ·  as of Mar 14",
        "[Undo] [Edit]",
    ]


def test_section_accessory_button_is_shown_beside_the_text() -> None:
    """A section's button accessory appears at the end of its first line."""
    block = bk.section("#12 Ethics in Touch\n3 h", accessory=bk.button("Delete", "delete", value="12"))
    assert render_blocks([block]) == "#12 Ethics in Touch  [Delete]\n3 h"


def test_buttons_are_found_with_what_pressing_them_needs() -> None:
    """``buttons`` lists every button (rows and accessories) with its action id, block id and value."""
    blocks = [
        bk.section("x", accessory=bk.button("Delete", "delete_entry", value="12"), block_id="row12"),
        bk.actions(bk.button("Undo", "undo", value="7"), bk.button("Docs", "docs", url="https://x.test"),
                   block_id="acts"),
        bk.context("no buttons here"),
    ]
    assert buttons(blocks) == [
        Button("Delete", "delete_entry", "row12", "12"),
        Button("Undo", "undo", "acts", "7"),
        Button("Docs", "docs", "acts", None, "https://x.test"),
    ]


def test_modal_is_boxed_with_its_inputs_and_submit() -> None:
    """A modal prints its title, each input with its label and current value, and its Cancel/Save buttons."""
    view = bk.modal("Log CE", [
        bk.input_block("Title", bk.plain_text_input("title", initial_value="Ethics"), block_id="title"),
        bk.input_block("Date", bk.datepicker("date", initial_date=date(2026, 3, 14)), block_id="date"),
        bk.input_block("Format", bk.static_select("fmt", [("In person", "in_person"), ("Online", "live_online")],
                                                  initial="live_online"), block_id="fmt"),
        bk.input_block("Subjects", bk.multi_static_select("subj", [("Ethics", "ethics")], initial=["ethics"]),
                       block_id="subj", optional=True, hint="Pick all that apply"),
        bk.input_block("Notes", bk.plain_text_input("notes", placeholder="Anything else"), block_id="notes",
                       optional=True),
    ], callback_id="log")
    lines = render_view(view).split("\n")
    assert lines[0].startswith("┌─ Log CE ")
    assert "Title: [Ethics]" in lines
    assert "Date: [2026-03-14 📅]" in lines
    assert "Format: [Online ▾]" in lines
    assert "Subjects (optional): [Ethics ▾▾]" in lines
    assert "  Pick all that apply" in lines
    assert "Notes (optional): [Anything else…]" in lines
    assert "[Cancel] [Save]" in lines
    assert lines[-1].startswith("└")


def test_home_view_is_its_blocks() -> None:
    """A Home tab view prints as its blocks, with no modal box."""
    assert render_view(bk.home([bk.header("Hi Maria!"), bk.section("*FL*")])) == "Hi Maria!\n=========\n*FL*"


def test_message_without_blocks_prints_its_text() -> None:
    """A text-only reply prints its mrkdwn text, unescaped; blocks win over text when both are there."""
    assert render_message({"text": "Only &lt;you&gt; can see this"}) == "Only <you> can see this"
    assert render_message(bk.message("fallback", [bk.section("the blocks")])) == "the blocks"


def test_unknown_blocks_and_elements_do_not_break_rendering() -> None:
    """Blocks the renderer does not know are skipped; unknown elements print their type."""
    blocks: list[dict[str, Any]] = [
              {"type": "mystery"}, {"type": "actions", "elements": [{"type": "overflow"}, {"type": "widget"}]},
              {"type": "image", "image_url": "https://x.test/a.png", "alt_text": "chart"},
              {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [
                  {"type": "text", "text": "hello "}, {"type": "user", "user_id": "U1"}]}]}]
    assert render_blocks(blocks) == "[…] [widget]\n[image: chart]\nhello @U1"
