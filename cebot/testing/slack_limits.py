"""What Slack checks in a message or view before it accepts it, for the fake Slack (and anyone else).

:func:`validate_message` and :func:`validate_view` return the :class:`Violation` list of a payload: first
Slack's documented limits (each with its documentation page), then whatever slack_sdk's own models
(``Block.parse(...).validate_json()``, ``View(...).validate_json()``) refuse in a block the limits let
through. (slack_sdk's ``Message`` model is deprecated and checks only attachments, so message-level rules are
checked here.) An empty list means real Slack would take it.

Limits as documented on api.slack.com, checked 2026-12-01:

- blocks: 50 per message, 100 per modal or Home tab (:data:`DOC_BLOCKS`);
- section text 3000, each of at most 10 fields 2000; header 150; context at most 10 elements;
  actions at most 25 elements; input label and hint 2000; ``block_id`` 255;
- confirm dialog title 100, text 300, confirm and deny buttons 30 (:data:`DOC_CONFIRM`);
- button text 75, value 2000, url 3000; option text 75, value 150; at most 100 options in a select,
  5 in an overflow menu; placeholders 150;
- view title, submit and close 24, ``private_metadata`` 3000, ``callback_id`` 255 (:data:`DOC_VIEWS`);
- message ``text`` 40,000 (:data:`DOC_MESSAGE_TEXT`).

Lengths are counted in characters of the JSON string as sent, i.e. after mrkdwn escaping.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.basic_objects import JsonObject
from slack_sdk.models.blocks import Block as SdkBlock
from slack_sdk.models.views import View as SdkView

_REF = "https://api.slack.com/reference/block-kit"
DOC_BLOCKS = f"{_REF}/blocks"
DOC_SECTION = f"{_REF}/blocks#section"
DOC_HEADER = f"{_REF}/blocks#header"
DOC_CONTEXT = f"{_REF}/blocks#context"
DOC_ACTIONS = f"{_REF}/blocks#actions"
DOC_INPUT = f"{_REF}/blocks#input"
DOC_TEXT = f"{_REF}/composition-objects#text"
DOC_CONFIRM = f"{_REF}/composition-objects#confirm"
DOC_OPTION = f"{_REF}/composition-objects#option"
DOC_ELEMENTS = f"{_REF}/block-elements"
DOC_BUTTON = f"{_REF}/block-elements#button"
DOC_SELECT = f"{_REF}/block-elements#static_select"
DOC_OVERFLOW = f"{_REF}/block-elements#overflow"
DOC_VIEWS = "https://api.slack.com/reference/surfaces/views"
DOC_MESSAGE_TEXT = "https://api.slack.com/changelog/2018-04-truncating-really-long-messages"

MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100
MESSAGE_TEXT_MAX = 40_000
SECTION_TEXT_MAX = 3000
SECTION_FIELDS_MAX = 10
SECTION_FIELD_MAX = 2000
HEADER_MAX = 150
CONTEXT_ELEMENTS_MAX = 10
ACTIONS_ELEMENTS_MAX = 25
INPUT_LABEL_MAX = 2000
BLOCK_ID_MAX = 255
ACTION_ID_MAX = 255
CONFIRM_TITLE_MAX = 100
CONFIRM_TEXT_MAX = 300
CONFIRM_BUTTON_MAX = 30
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
URL_MAX = 3000
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
OPTIONS_MAX = 100
OVERFLOW_OPTIONS_MAX = 5
PLACEHOLDER_MAX = 150
VIEW_TITLE_MAX = 24
PRIVATE_METADATA_MAX = 3000
CALLBACK_ID_MAX = 255
TEXT_OBJECT_MAX = 3000

KNOWN_BLOCKS = frozenset({"actions", "context", "divider", "file", "header", "image", "input", "markdown",
                          "rich_text", "section", "video"})
_SELECTS = frozenset({"static_select", "multi_static_select", "radio_buttons", "checkboxes", "overflow"})
_PLACEHOLDERS = frozenset({"static_select", "multi_static_select", "users_select", "multi_users_select",
                           "conversations_select", "channels_select", "external_select", "datepicker",
                           "timepicker", "plain_text_input", "number_input", "email_text_input", "url_text_input"})


@dataclass(frozen=True)
class Violation:
    """One thing Slack would refuse: where (a JSON pointer), which rule, what was there, and the docs."""

    where: str
    rule: str
    found: str
    doc: str

    def __str__(self) -> str:
        return f"{self.where}: {self.rule}, found {self.found} (see {self.doc})"


class _Checker:
    def __init__(self) -> None:
        self.found: list[Violation] = []

    def add(self, where: str, rule: str, found: str, doc: str) -> None:
        self.found.append(Violation(where=where or "/", rule=rule, found=found, doc=doc))

    def length(self, value: Any, limit: int, where: str, what: str, doc: str) -> None:
        if isinstance(value, str) and len(value) > limit:
            self.add(where, f"{what} at most {limit} characters", f"{len(value)}", doc)

    def count(self, items: Any, limit: int, where: str, what: str, doc: str, *, least: int = 0) -> list[Any]:
        if not isinstance(items, list):
            if items is not None or least:
                self.add(where, f"{what} must be a list", type(items).__name__, doc)
            return []
        if len(items) > limit:
            self.add(where, f"at most {limit} {what}", f"{len(items)}", doc)
        elif len(items) < least:
            self.add(where, f"at least {least} {what}", f"{len(items)}", doc)
        return items

    def text(self, obj: Any, where: str, *, limit: int, what: str, doc: str, plain: bool = False,
             required: bool = True) -> None:
        """A text object: ``plain_text`` (or ``mrkdwn`` unless ``plain``) with 1 to ``limit`` characters."""
        if obj is None:
            if required:
                self.add(where, f"{what} is required", "nothing", doc)
            return
        kinds = ("plain_text",) if plain else ("plain_text", "mrkdwn")
        if not isinstance(obj, Mapping) or obj.get("type") not in kinds:
            kind = obj.get("type") if isinstance(obj, Mapping) else type(obj).__name__
            self.add(where, f"{what} must be a {' or '.join(kinds)} text object", repr(kind), DOC_TEXT)
            return
        value = obj.get("text")
        if not isinstance(value, str) or not value:
            self.add(where + "/text", f"{what} must have at least 1 character", repr(value), DOC_TEXT)
            return
        self.length(value, limit, where + "/text", what, doc)

    # -- blocks ----------------------------------------------------------------------------------

    def blocks(self, blocks: Any, where: str, *, limit: int) -> None:
        for i, block in enumerate(self.count(blocks, limit, where, "blocks", DOC_BLOCKS)):
            self.block(block, f"{where}/{i}")

    def block(self, block: Any, where: str) -> None:
        if not isinstance(block, Mapping):
            self.add(where, "a block must be an object", type(block).__name__, DOC_BLOCKS)
            return
        before = len(self.found)
        self.length(block.get("block_id"), BLOCK_ID_MAX, where + "/block_id", "block_id", DOC_BLOCKS)
        kind = str(block.get("type"))
        if kind not in KNOWN_BLOCKS:
            self.add(where + "/type", "a known block type", repr(block.get("type")), DOC_BLOCKS)
            return
        check = _BLOCKS.get(kind)
        if check is not None:
            check(self, block, where)
        if len(self.found) == before:  # what the limits let through, slack_sdk's models may still refuse
            self.sdk(lambda: _validate_tree(SdkBlock.parse(dict(block))), where,
                     f"{DOC_BLOCKS}#{block.get('type')}")

    def sdk(self, validate: Callable[[], None], where: str, doc: str) -> None:
        try:
            validate()
        except (SlackObjectFormationError, TypeError, ValueError, KeyError, AttributeError) as exc:
            self.add(where, "slack_sdk's models refuse it", str(exc) or type(exc).__name__, doc)

    def section(self, block: Mapping[str, Any], where: str) -> None:
        if block.get("text") is None and not block.get("fields"):
            self.add(where, "a section needs text or fields", "neither", DOC_SECTION)
        self.text(block.get("text"), where + "/text", limit=SECTION_TEXT_MAX, what="section text", doc=DOC_SECTION,
                  required=False)
        fields = self.count(block.get("fields"), SECTION_FIELDS_MAX, where + "/fields", "fields", DOC_SECTION)
        for i, f in enumerate(fields):
            self.text(f, f"{where}/fields/{i}", limit=SECTION_FIELD_MAX, what="section field", doc=DOC_SECTION)
        if block.get("accessory") is not None:
            self.element(block["accessory"], where + "/accessory")

    def header(self, block: Mapping[str, Any], where: str) -> None:
        self.text(block.get("text"), where + "/text", limit=HEADER_MAX, what="header text", doc=DOC_HEADER,
                  plain=True)

    def context(self, block: Mapping[str, Any], where: str) -> None:
        items = self.count(block.get("elements"), CONTEXT_ELEMENTS_MAX, where + "/elements", "context elements",
                           DOC_CONTEXT, least=1)
        for i, e in enumerate(items):
            if isinstance(e, Mapping) and e.get("type") == "image":
                continue
            self.text(e, f"{where}/elements/{i}", limit=TEXT_OBJECT_MAX, what="context text", doc=DOC_CONTEXT)

    def actions(self, block: Mapping[str, Any], where: str) -> None:
        items = self.count(block.get("elements"), ACTIONS_ELEMENTS_MAX, where + "/elements", "elements",
                           DOC_ACTIONS, least=1)
        for i, e in enumerate(items):
            self.element(e, f"{where}/elements/{i}")

    def input(self, block: Mapping[str, Any], where: str) -> None:
        self.text(block.get("label"), where + "/label", limit=INPUT_LABEL_MAX, what="input label", doc=DOC_INPUT,
                  plain=True)
        self.text(block.get("hint"), where + "/hint", limit=INPUT_LABEL_MAX, what="input hint", doc=DOC_INPUT,
                  plain=True, required=False)
        self.element(block.get("element"), where + "/element")

    # -- elements and composition objects --------------------------------------------------------

    def element(self, element: Any, where: str) -> None:
        if not isinstance(element, Mapping):
            self.add(where, "an element must be an object", type(element).__name__, DOC_ELEMENTS)
            return
        kind = str(element.get("type"))
        self.length(element.get("action_id"), ACTION_ID_MAX, where + "/action_id", "action_id", DOC_ELEMENTS)
        if kind == "button":
            self.text(element.get("text"), where + "/text", limit=BUTTON_TEXT_MAX, what="button text",
                      doc=DOC_BUTTON, plain=True)
            self.length(element.get("value"), BUTTON_VALUE_MAX, where + "/value", "button value", DOC_BUTTON)
            self.length(element.get("url"), URL_MAX, where + "/url", "button url", DOC_BUTTON)
        if kind in _SELECTS:
            self.options(element, kind, where)
        if kind in _PLACEHOLDERS:
            self.text(element.get("placeholder"), where + "/placeholder", limit=PLACEHOLDER_MAX,
                      what="placeholder", doc=DOC_ELEMENTS, plain=True, required=False)
        if element.get("confirm") is not None:
            self.confirm(element["confirm"], where + "/confirm")

    def options(self, element: Mapping[str, Any], kind: str, where: str) -> None:
        overflow = kind == "overflow"
        limit, doc = (OVERFLOW_OPTIONS_MAX, DOC_OVERFLOW) if overflow else (OPTIONS_MAX, DOC_SELECT)
        plain = kind in ("static_select", "multi_static_select", "overflow")
        if "option_groups" not in element:
            opts = self.count(element.get("options"), limit, where + "/options", "options", doc, least=1)
            for i, o in enumerate(opts):
                self.option(o, f"{where}/options/{i}", plain=plain)
        for key in ("initial_option",):
            if element.get(key) is not None:
                self.option(element[key], f"{where}/{key}", plain=plain)
        for i, o in enumerate(element.get("initial_options") or []):
            self.option(o, f"{where}/initial_options/{i}", plain=plain)

    def option(self, opt: Any, where: str, *, plain: bool) -> None:
        if not isinstance(opt, Mapping):
            self.add(where, "an option must be an object", type(opt).__name__, DOC_OPTION)
            return
        self.text(opt.get("text"), where + "/text", limit=OPTION_TEXT_MAX, what="option text", doc=DOC_OPTION,
                  plain=plain)
        self.length(opt.get("value"), OPTION_VALUE_MAX, where + "/value", "option value", DOC_OPTION)
        self.text(opt.get("description"), where + "/description", limit=OPTION_TEXT_MAX,
                  what="option description", doc=DOC_OPTION, required=False)

    def confirm(self, dialog: Any, where: str) -> None:
        if not isinstance(dialog, Mapping):
            self.add(where, "a confirm dialog must be an object", type(dialog).__name__, DOC_CONFIRM)
            return
        self.text(dialog.get("title"), where + "/title", limit=CONFIRM_TITLE_MAX, what="confirm title",
                  doc=DOC_CONFIRM, plain=True)
        self.text(dialog.get("text"), where + "/text", limit=CONFIRM_TEXT_MAX, what="confirm text", doc=DOC_CONFIRM)
        for key in ("confirm", "deny"):
            self.text(dialog.get(key), f"{where}/{key}", limit=CONFIRM_BUTTON_MAX, what=f"confirm's {key} button",
                      doc=DOC_CONFIRM, plain=True)


_BLOCKS: dict[str, Callable[[_Checker, Mapping[str, Any], str], None]] = {
    "section": _Checker.section, "header": _Checker.header, "context": _Checker.context,
    "actions": _Checker.actions, "input": _Checker.input,
}


def _validate_tree(obj: Any, depth: int = 0) -> None:
    """``validate_json`` on a slack_sdk object and every model inside it (it checks only its own fields)."""
    if depth > 12:
        return
    if isinstance(obj, JsonObject):
        obj.validate_json()
        for value in vars(obj).values():
            _validate_tree(value, depth + 1)
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            _validate_tree(item, depth + 1)


def validate_message(payload: Mapping[str, Any]) -> list[Violation]:
    """What Slack would refuse in a message payload (``text``, ``blocks``; chat.*, response_url, ack bodies)."""
    checker = _Checker()
    text = payload.get("text")
    checker.length(text, MESSAGE_TEXT_MAX, "/text", "message text", DOC_MESSAGE_TEXT)
    blocks = payload.get("blocks")
    if blocks is not None:
        checker.blocks(blocks, "/blocks", limit=MESSAGE_BLOCKS_MAX)
    return checker.found


def validate_view(view: Any) -> list[Violation]:
    """What Slack would refuse in a view (views.open/update/push/publish, ``response_action`` acks)."""
    checker = _Checker()
    if not isinstance(view, Mapping):
        checker.add("/view", "a view must be an object", type(view).__name__, DOC_VIEWS)
        return checker.found
    kind = view.get("type")
    if kind not in ("modal", "home"):
        checker.add("/view/type", "a view's type is modal or home", repr(kind), DOC_VIEWS)
    if kind == "modal":
        checker.text(view.get("title"), "/view/title", limit=VIEW_TITLE_MAX, what="modal title", doc=DOC_VIEWS,
                     plain=True)
        for key in ("submit", "close"):
            checker.text(view.get(key), f"/view/{key}", limit=VIEW_TITLE_MAX, what=f"modal {key}", doc=DOC_VIEWS,
                         plain=True, required=False)
        has_input = any(isinstance(b, Mapping) and b.get("type") == "input" for b in view.get("blocks") or [])
        if has_input and view.get("submit") is None:
            checker.add("/view/submit", "a modal with input blocks needs a submit button", "none", DOC_VIEWS)
    elif kind == "home" and (view.get("submit") is not None or view.get("close") is not None):
        checker.add("/view", "a Home tab has no submit or close", "one", DOC_VIEWS)
    checker.length(view.get("private_metadata"), PRIVATE_METADATA_MAX, "/view/private_metadata",
                   "private_metadata", DOC_VIEWS)
    checker.length(view.get("callback_id"), CALLBACK_ID_MAX, "/view/callback_id", "callback_id", DOC_VIEWS)
    checker.blocks(view.get("blocks"), "/view/blocks", limit=VIEW_BLOCKS_MAX)
    if not checker.found:
        checker.sdk(lambda: SdkView(**dict(view)).validate_json(), "/view", DOC_VIEWS)
    return checker.found


def describe(violations: Sequence[Violation]) -> str:
    """One violation per line, for an assertion message or Slack-like ``response_metadata.messages``."""
    return "\n".join(str(v) for v in violations)
