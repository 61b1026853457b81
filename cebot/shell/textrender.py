"""Block Kit as readable plain text, for ``cebot shell`` and anywhere a terminal shows a Slack reply.

Headers are underlined, sections and fields become lines, context lines are
indented, buttons read ``[Undo]``, inputs read ``Label: [____]``. mrkdwn keeps
its ``*bold*`` and ``_italic_`` marks (they read fine in a terminal), while
Slack's markup is turned back into what a person would see: ``<@U1>`` ->
``@U1``, ``<https://x|label>`` -> ``label (https://x)``, ``<!date^…|Mar 1>`` ->
``Mar 1``, and the entities ``&lt;``, ``&gt;``, ``&amp;`` -> ``<``, ``>``, ``&``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

RULE = "─" * 40

_TOKEN = re.compile(r"<([^<>]*)>")
_EMOJI = re.compile(r":([a-z0-9_+-]+):")
EMOJI: dict[str, str] = {
    "white_check_mark": "✅", "heavy_check_mark": "✔️", "x": "❌", "warning": "⚠️", "red_circle": "🔴",
    "large_orange_circle": "🟠", "large_green_circle": "🟢", "large_yellow_circle": "🟡", "white_circle": "⚪",
    "grey_question": "❔", "question": "❓", "point_right": "👉", "bell": "🔔", "no_bell": "🔕", "zzz": "💤",
    "hourglass_flowing_sand": "⏳", "hourglass": "⌛", "page_facing_up": "📄", "tada": "🎉", "wave": "👋",
    "books": "📚", "calendar": "📆", "memo": "📝", "pencil2": "✏️", "wastebasket": "🗑️", "leftwards_arrow_with_hook":
    "↩️", "information_source": "ℹ️", "bulb": "💡", "clipboard": "📋", "chart_with_upwards_trend": "📈",
    "sparkles": "✨", "star": "⭐", "muscle": "💪", "raised_hands": "🙌", "thumbsup": "👍", "+1": "👍",
}
"""Slack shortcodes cebot uses, as the characters a terminal can show (others stay ``:name:``)."""


def emoji(text: str) -> str:
    """``:white_check_mark:`` -> ``✅`` for the shortcodes in :data:`EMOJI`."""
    return _EMOJI.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), text)
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def unescape(text: str) -> str:
    """Slack's three entities back to characters (``&amp;lt;`` becomes ``&lt;``, as Slack shows it)."""
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    return text


def _token(match: re.Match[str]) -> str:
    inner = match.group(1)
    target, _, label = inner.partition("|")
    if target.startswith("@"):  # user mention
        return label or "@" + _USER_NAMES.get().get(target[1:], target[1:])
    if target.startswith("#"):  # channel link
        return "#" + label if label else target
    if target.startswith("!"):
        special = target[1:]
        if special in ("channel", "here", "everyone"):
            return "@" + special
        if special.startswith("subteam^"):
            return label or "@group"
        if special.startswith("date^"):
            return label or special.split("^")[1]
        return label or special
    if label:
        return f"{label} ({target})" if label != target else label
    return target


_USER_NAMES: ContextVar[Mapping[str, str]] = ContextVar("user_names", default=MappingProxyType({}))


@contextmanager
def user_names(names: Mapping[str, str]) -> Iterator[None]:
    """Within the block, mentions ``<@U1>`` read as ``@Maria`` for the user ids in ``names``."""
    token = _USER_NAMES.set(names)
    try:
        yield
    finally:
        _USER_NAMES.reset(token)


def mrkdwn_to_text(text: str) -> str:
    """What a person reads in Slack for this mrkdwn (``*bold*`` and ``_italic_`` marks kept)."""
    return unescape(emoji(_TOKEN.sub(_token, text or "")))


def text_of(obj: Any) -> str:
    """The readable text of a Block Kit text object (``plain_text`` or ``mrkdwn``) or a plain string."""
    if obj is None:
        return ""
    if isinstance(obj, str):
        return obj
    if isinstance(obj, dict):
        value = str(obj.get("text") or "")
        return mrkdwn_to_text(value) if obj.get("type") == "mrkdwn" else emoji(value)
    return str(obj)


# -- interactive elements -------------------------------------------------------------------------


@dataclass(frozen=True)
class Button:
    """A button found in a message or view, enough to press it again (``cebot shell``'s ``:click``)."""

    label: str
    action_id: str
    block_id: str
    value: str | None = None
    url: str | None = None


def buttons(blocks: Iterable[dict[str, Any]]) -> list[Button]:
    """Every button in ``blocks`` (actions rows and section accessories), in reading order."""
    found: list[Button] = []
    for index, block in enumerate(blocks or ()):
        block_id = str(block.get("block_id") or f"block{index}")
        elements: list[Any] = []
        if block.get("type") == "actions":
            elements = list(block.get("elements") or [])
        elif isinstance(block.get("accessory"), dict):
            elements = [block["accessory"]]
        for element in elements:
            if isinstance(element, dict) and element.get("type") == "button":
                found.append(Button(label=text_of(element.get("text")), action_id=str(element.get("action_id") or ""),
                                    block_id=block_id, value=element.get("value"), url=element.get("url")))
    return found


def element_text(element: dict[str, Any]) -> str:
    """``[Undo]`` for a button, ``[Choose ▾]`` for a select, ``[2027-08-31 📅]`` for a date picker, ..."""
    kind = element.get("type")
    if kind == "button":
        return f"[{text_of(element.get('text'))}]"
    if kind in ("static_select", "external_select", "users_select", "conversations_select", "channels_select"):
        initial = element.get("initial_option")
        shown = text_of(initial.get("text")) if isinstance(initial, dict) else text_of(element.get("placeholder"))
        return f"[{shown or 'Choose'} ▾]"
    if kind in ("multi_static_select", "multi_external_select", "multi_users_select"):
        initial = element.get("initial_options") or []
        shown = ", ".join(text_of(o.get("text")) for o in initial) or text_of(element.get("placeholder"))
        return f"[{shown or 'Choose'} ▾▾]"
    if kind == "datepicker":
        return f"[{element.get('initial_date') or 'pick a date'} 📅]"
    if kind == "plain_text_input":
        value = element.get("initial_value") or ""
        if not value and element.get("placeholder"):
            return f"[{text_of(element.get('placeholder'))}…]"
        return f"[{value or '____________'}]"
    if kind in ("checkboxes", "radio_buttons"):
        options = element.get("options") or []
        mark = "☐" if kind == "checkboxes" else "○"
        return "  ".join(f"{mark} {text_of(o.get('text'))}" for o in options)
    if kind == "overflow":
        return "[…]"
    if kind == "image":
        return f"[image: {element.get('alt_text') or ''}]"
    if kind in ("mrkdwn", "plain_text"):
        return text_of(element)
    return f"[{kind}]"


# -- blocks ---------------------------------------------------------------------------------------


def _rich_text(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if node.get("type") == "text":
            yield str(node.get("text") or "")
        elif node.get("type") == "user":
            yield "@" + str(node.get("user_id") or "")
        elif node.get("type") == "link":
            yield str(node.get("text") or node.get("url") or "")
        elif node.get("type") == "emoji":
            yield ":" + str(node.get("name") or "") + ":"
        for child in node.get("elements") or ():
            yield from _rich_text(child)
    elif isinstance(node, list):
        for child in node:
            yield from _rich_text(child)


def _underline(title: str, char: str = "=") -> list[str]:
    return [title, char * max(len(title), 3)]


def block_lines(block: dict[str, Any]) -> list[str]:
    """One block as lines of plain text."""
    kind = block.get("type")
    if kind == "header":
        return _underline(text_of(block.get("text")))
    if kind == "divider":
        return [RULE]
    if kind == "section":
        lines: list[str] = []
        text = text_of(block.get("text"))
        accessory = block.get("accessory")
        if text:
            lines.extend(text.split("\n"))
        for f in block.get("fields") or ():
            lines.extend("  " + part for part in text_of(f).split("\n"))
        if isinstance(accessory, dict):
            shown = element_text(accessory)
            if lines:
                lines[0] = f"{lines[0]}  {shown}"
            else:
                lines.append(shown)
        return lines
    if kind == "context":
        parts = [element_text(e) for e in block.get("elements") or () if isinstance(e, dict)]
        text = "  ·  ".join(p for p in parts if p)
        return ["  " + line for line in text.split("\n")] if text else []
    if kind == "actions":
        row = " ".join(element_text(e) for e in block.get("elements") or () if isinstance(e, dict))
        return [row] if row else []
    if kind == "input":
        label = text_of(block.get("label"))
        if block.get("optional"):
            label += " (optional)"
        element = block.get("element") if isinstance(block.get("element"), dict) else {}
        lines = [f"{label}: {element_text(element or {})}"]
        if block.get("hint"):
            lines.append("  " + text_of(block.get("hint")))
        return lines
    if kind == "image":
        return [f"[image: {block.get('alt_text') or ''}]"]
    if kind == "rich_text":
        return "".join(_rich_text(block.get("elements"))).split("\n")
    if kind == "file":
        return ["[file]"]
    return []


def render_blocks(blocks: Sequence[dict[str, Any]]) -> str:
    """``blocks`` as plain text, one block after another."""
    lines: list[str] = []
    for block in blocks or ():
        if isinstance(block, dict):
            lines.extend(block_lines(block))
    return "\n".join(lines).rstrip()


def render_message(payload: dict[str, Any]) -> str:
    """A message (``chat.postMessage`` arguments or a ``response_url`` post): its blocks, else its text."""
    blocks = payload.get("blocks")
    if isinstance(blocks, list) and blocks:
        return render_blocks(blocks)
    attachments = payload.get("attachments")
    parts = [mrkdwn_to_text(str(payload.get("text") or ""))]
    if isinstance(attachments, list):
        for attachment in attachments:
            if isinstance(attachment, dict):
                parts.append(render_blocks(attachment.get("blocks") or []) or
                             mrkdwn_to_text(str(attachment.get("text") or "")))
    return "\n".join(p for p in parts if p).rstrip()


def render_view(view: dict[str, Any]) -> str:
    """A modal (title box, blocks, its Submit/Cancel buttons) or a Home tab (its blocks)."""
    body = render_blocks(view.get("blocks") or [])
    if view.get("type") != "modal":
        return body
    title = text_of(view.get("title")) or "Form"
    footer = " ".join(f"[{text_of(view.get(k))}]" for k in ("close", "submit") if view.get(k))
    top = "┌─ " + title + " " + "─" * max(3, 36 - len(title))
    return "\n".join(p for p in (top, body, footer, "└" + "─" * 39) if p)


__all__ = ["EMOJI", "RULE", "Button", "block_lines", "buttons", "element_text", "emoji", "mrkdwn_to_text",
           "render_blocks", "render_message", "render_view", "text_of", "unescape", "user_names"]
