"""Small Block Kit builders shared by every feature.

Each returns a plain ``dict`` ready for ``blocks=[...]`` or ``view=...``. Text
given to ``section``/``context`` is **mrkdwn as is**: escape user parts with
:func:`cebot.slack.mrkdwn.escape` first. ``plain_text`` objects (headers,
buttons, modal labels) are never parsed by Slack, so they need no escaping.
Texts are cut to Slack's limits so a long title can never make Slack refuse a
whole message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

Block = dict[str, Any]

SECTION_TEXT_MAX = 3000
FIELD_TEXT_MAX = 2000
CONFIRM_TEXT_MAX = 300
CONFIRM_TITLE_MAX = 100
HEADER_MAX = 150
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
MODAL_TITLE_MAX = 24
OPTION_TEXT_MAX = 75
MAX_BLOCKS_MESSAGE = 50
MAX_BLOCKS_VIEW = 100


def truncate(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending in an ellipsis when cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


_OPEN_ENTITY = re.compile(r"&[a-z#0-9]*$")


def truncate_mrkdwn(text: str, limit: int) -> str:
    """Escaped mrkdwn cut to ``limit`` characters without leaving half an entity (``&am``) or half a
    ``<link|label>``/``<@U1>`` token. A last resort: renderers clip user text (:func:`mrkdwn.clip`) so
    their replies never get here."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    cut = _OPEN_ENTITY.sub("", cut)
    if cut.rfind("<") > cut.rfind(">"):
        cut = cut[: cut.rfind("<")]
    return cut.rstrip() + "…"


def mrkdwn(text: str, limit: int = SECTION_TEXT_MAX) -> Block:
    return {"type": "mrkdwn", "text": truncate_mrkdwn(text, limit)}


def plain_text(text: str, limit: int = SECTION_TEXT_MAX) -> Block:
    return {"type": "plain_text", "text": truncate(text, limit) or " ", "emoji": True}


def section(
    text: str | None = None,
    *,
    fields: Sequence[str] = (),
    accessory: Block | None = None,
    block_id: str | None = None,
) -> Block:
    """A section with mrkdwn ``text`` (already escaped) and optional two-column ``fields`` and ``accessory``."""
    block: Block = {"type": "section"}
    if text is not None:
        block["text"] = mrkdwn(text)
    if fields:
        block["fields"] = [mrkdwn(f, FIELD_TEXT_MAX) for f in list(fields)[:10]]
    if accessory is not None:
        block["accessory"] = accessory
    if block_id:
        block["block_id"] = block_id
    return block


def context(*texts: str) -> Block:
    """A context block: small grey mrkdwn lines (up to 10)."""
    return {"type": "context", "elements": [mrkdwn(t) for t in texts[:10] if t]}


def divider() -> Block:
    return {"type": "divider"}


def header(text: str) -> Block:
    """A large bold plain-text header."""
    return {"type": "header", "text": plain_text(text, HEADER_MAX)}


def actions(*elements: Block, block_id: str | None = None) -> Block:
    """A row of interactive elements (buttons, selects), at most 25."""
    block: Block = {"type": "actions", "elements": list(elements)[:25]}
    if block_id:
        block["block_id"] = block_id
    return block


def confirm_dialog(title: str, text: str, *, confirm: str = "Yes", deny: str = "Cancel", danger: bool = False) -> Block:
    """A confirmation dialog for a button (``text`` is mrkdwn, escape user parts; at most 300 characters,
    so clip user text in it with :func:`cebot.slack.mrkdwn.clip`)."""
    dialog: Block = {
        "title": plain_text(title, CONFIRM_TITLE_MAX),
        "text": mrkdwn(text, CONFIRM_TEXT_MAX),
        "confirm": plain_text(confirm, 30),
        "deny": plain_text(deny, 30),
    }
    if danger:
        dialog["style"] = "danger"
    return dialog


def button(
    text: str,
    action_id: str,
    *,
    value: str | None = None,
    style: str | None = None,
    url: str | None = None,
    confirm: Block | None = None,
) -> Block:
    """A button; ``style`` is ``"primary"``, ``"danger"`` or None."""
    element: Block = {"type": "button", "text": plain_text(text, BUTTON_TEXT_MAX), "action_id": action_id}
    if value is not None:
        element["value"] = value[:BUTTON_VALUE_MAX]
    if style in ("primary", "danger"):
        element["style"] = style
    if url:
        element["url"] = url
    if confirm is not None:
        element["confirm"] = confirm
    return element


def progress_bar(counted: int, required: int, width: int = 10) -> str:
    """A text bar like ``▰▰▰▰▰▰▱▱▱▱`` for ``counted`` of ``required`` (any unit; full when done or nothing needed)."""
    width = max(width, 1)
    if required <= 0:
        filled = width
    else:
        ratio = min(max(counted, 0) / required, 1.0)
        filled = int(ratio * width)  # rounds down: the bar is full only when the requirement is met
        if counted > 0 and filled == 0:
            filled = 1
        if counted < required and filled == width:
            filled = width - 1
    return "▰" * filled + "▱" * (width - filled)


# -- modal inputs --------------------------------------------------------------------------------


def option(text: str, value: str) -> Block:
    return {"text": plain_text(text, OPTION_TEXT_MAX), "value": value[:150]}


def plain_text_input(
    action_id: str,
    *,
    initial_value: str | None = None,
    multiline: bool = False,
    placeholder: str | None = None,
    max_length: int | None = None,
) -> Block:
    element: Block = {"type": "plain_text_input", "action_id": action_id, "multiline": multiline}
    if initial_value:
        element["initial_value"] = initial_value
    if placeholder:
        element["placeholder"] = plain_text(placeholder, 150)
    if max_length:
        element["max_length"] = max_length
    return element


def datepicker(action_id: str, *, initial_date: date | None = None) -> Block:
    element: Block = {"type": "datepicker", "action_id": action_id}
    if initial_date is not None:
        element["initial_date"] = initial_date.isoformat()
    return element


def static_select(
    action_id: str, options: Iterable[tuple[str, str]], *, initial: str | None = None, placeholder: str = "Choose"
) -> Block:
    """A single select over ``(label, value)`` pairs; ``initial`` is a value."""
    opts = [option(label, value) for label, value in options]
    element: Block = {"type": "static_select", "action_id": action_id, "options": opts[:100],
                      "placeholder": plain_text(placeholder, 150)}
    chosen = [o for o in opts if o["value"] == initial]
    if chosen:
        element["initial_option"] = chosen[0]
    return element


def multi_static_select(
    action_id: str, options: Iterable[tuple[str, str]], *, initial: Iterable[str] = (), placeholder: str = "Choose"
) -> Block:
    """A multi select over ``(label, value)`` pairs; ``initial`` are values."""
    opts = [option(label, value) for label, value in options]
    wanted = set(initial)
    element: Block = {"type": "multi_static_select", "action_id": action_id, "options": opts[:100],
                      "placeholder": plain_text(placeholder, 150)}
    chosen = [o for o in opts if o["value"] in wanted]
    if chosen:
        element["initial_options"] = chosen
    return element


def input_block(
    label: str, element: Block, *, block_id: str, optional: bool = False, hint: str | None = None
) -> Block:
    """A modal input; errors from ``response_action: errors`` are keyed by ``block_id``."""
    block: Block = {"type": "input", "block_id": block_id, "label": plain_text(label, 2000),
                    "element": element, "optional": optional}
    if hint:
        block["hint"] = plain_text(hint, 2000)
    return block


def modal(
    title: str,
    blocks: Sequence[Block],
    *,
    callback_id: str,
    submit: str | None = "Save",
    close: str = "Cancel",
    private_metadata: str = "",
) -> Block:
    """A modal view (title at most 24 characters, metadata at most 3000)."""
    view: Block = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain_text(title, MODAL_TITLE_MAX),
        "close": plain_text(close, MODAL_TITLE_MAX),
        "blocks": list(blocks)[:MAX_BLOCKS_VIEW],
        "private_metadata": private_metadata[:3000],
    }
    if submit:
        view["submit"] = plain_text(submit, MODAL_TITLE_MAX)
    return view


def home(blocks: Sequence[Block]) -> Block:
    """An App Home tab view."""
    return {"type": "home", "blocks": list(blocks)[:MAX_BLOCKS_VIEW]}


def message(text: str, blocks: Sequence[Block] = ()) -> dict[str, Any]:
    """Keyword arguments for ``respond``/``chat.postMessage``: fallback ``text`` plus ``blocks``.

    ``text`` is the notification and screen-reader fallback; it is mrkdwn too, so escape user parts.
    """
    payload: dict[str, Any] = {"text": truncate_mrkdwn(text, 3000)}
    if blocks:
        payload["blocks"] = list(blocks)[:MAX_BLOCKS_MESSAGE]
    return payload
