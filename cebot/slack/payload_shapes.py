"""The shapes of the Slack payloads cebot reads, checked once, before any listener: a wrong shape gets a 400.

Slack's payloads are signed, but a signed payload can still be wrong (a client bug, a replayed and edited test
request, a hostile workspace member with the signing secret's help). Listeners read nested fields such as
``view.state.values``, ``view.private_metadata`` and ``actions[0].selected_option``; without this check a number
where text belongs, or text where an object belongs, would reach them and end in a 500.

The models below type only the fields cebot or Bolt's routing reads; every other field may be anything
(``extra="allow"``). They are strict: a number is not text, text is not an object.
:func:`register` adds the check as a global Bolt middleware (public ``App.use``), so it runs after Bolt has
verified the signature and before any listener or the de-duplication middleware.

:func:`envelope_problem` is the part Bolt itself reads before that point or for payloads no listener handles
(``event`` and ``view`` must be objects); :mod:`cebot.wsgi` calls it before dispatching.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

logger = logging.getLogger(__name__)


class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class Ref(_Shape):
    """``user``, ``team``, ``channel``, ``enterprise``, ``file``: an object with an ``id``."""

    id: str | None = None


class Option(_Shape):
    value: str | None = None


class Action(_Shape):
    """One of ``actions``: a button's ``value``, an overflow or select's ``selected_option``."""

    action_id: str
    block_id: str | None = None
    type: str | None = None
    value: str | None = None
    selected_option: Option | None = None
    selected_options: list[Option] | None = None
    selected_date: str | None = None


class StateValue(_Shape):
    """An input's value in ``view.state.values[block_id][action_id]``."""

    type: str | None = None
    value: str | None = None
    selected_option: Option | None = None
    selected_options: list[Option] | None = None
    selected_date: str | None = None
    selected_user: str | None = None
    files: list[dict[str, Any]] | None = None


class ViewState(_Shape):
    values: dict[str, dict[str, StateValue]] = Field(default_factory=dict)


class View(_Shape):
    """A view a button was clicked in (a modal or the Home tab, which may have no ``callback_id``)."""

    id: str | None = None
    type: str
    callback_id: str | None = None
    private_metadata: str = ""
    hash: str | None = None
    state: ViewState | None = None


class SubmittedView(View):
    callback_id: str  # Bolt routes submissions by it


class _Interactive(_Shape):
    user: Ref
    team: Ref | None = None
    enterprise: Ref | None = None
    channel: Ref | None = None
    trigger_id: str | None = None
    response_url: str | None = None
    container: dict[str, Any] | None = None
    message: dict[str, Any] | None = None


class ResponseUrl(_Shape):
    response_url: str


class BlockActions(_Interactive):
    actions: list[Action] = Field(min_length=1)
    view: View | None = None


class ViewPayload(_Interactive):
    """``view_submission`` and ``view_closed``."""

    view: SubmittedView
    response_urls: list[ResponseUrl] | None = None


class CallbackPayload(_Interactive):
    """Shortcuts, legacy attachment buttons, dialogs, workflow steps: Bolt routes them by ``callback_id``."""

    callback_id: str
    actions: list[dict[str, Any]] | None = None


class Options(_Shape):
    """``block_suggestion``: Bolt routes it by ``action_id``."""

    action_id: str
    value: str | None = None


class Event(_Shape):
    type: str


class HomeOpened(Event):
    user: str
    tab: str | None = None
    channel: str | None = None


class FileShared(Event):
    user_id: str | None = None
    channel_id: str | None = None
    file_id: str | None = None
    file: Ref | None = None


class TokensRevoked(Event):
    tokens: dict[str, list[str]] | None = None


EVENT_SHAPES: dict[str, type[Event]] = {
    "app_home_opened": HomeOpened, "file_shared": FileShared, "tokens_revoked": TokensRevoked}
"""The events cebot acts on; of the others (acknowledged and dropped) only ``type`` is read."""


class EventCallback(_Shape):
    team_id: str | None = None
    event_id: str | None = None
    event: Event


class Command(_Shape):
    """A slash command (form fields: all text)."""

    command: str
    text: str = ""
    user_id: str
    team_id: str | None = None
    channel_id: str | None = None
    trigger_id: str | None = None
    response_url: str | None = None


SHAPES: dict[str, type[_Shape]] = {
    "block_actions": BlockActions,
    "view_submission": ViewPayload,
    "view_closed": ViewPayload,
    "shortcut": CallbackPayload,
    "message_action": CallbackPayload,
    "interactive_message": CallbackPayload,
    "dialog_submission": CallbackPayload,
    "dialog_cancellation": CallbackPayload,
    "workflow_step_edit": CallbackPayload,
    "block_suggestion": Options,
    "event_callback": EventCallback,
}


def shape_of(body: dict[str, Any]) -> type[_Shape] | None:
    """The model a payload must fit, by its ``type`` (a slash command has none, but a ``command``)."""
    kind = body.get("type")
    if isinstance(kind, str) and kind in SHAPES:
        return SHAPES[kind]
    if "command" in body and "type" not in body:
        return Command
    return None


def problem(body: Any) -> str | None:
    """What is wrong with the shape of ``body`` (a short description), or None when cebot can read it."""
    if not isinstance(body, dict):
        return "the payload is not an object"
    found = envelope_problem(body)
    if found:
        return found
    model = shape_of(body)
    if model is None:
        return None
    found = _misfit(model, body, "")
    event = body.get("event")
    if not found and model is EventCallback and isinstance(event, dict) and event.get("type") in EVENT_SHAPES:
        found = _misfit(EVENT_SHAPES[event["type"]], event, "event.")
    return found


def _misfit(model: type[_Shape], data: dict[str, Any], prefix: str) -> str | None:
    try:
        model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = prefix + ".".join(str(part) for part in first["loc"])
        return f"{where or 'payload'}: {first['msg']}"[:200]
    return None


OBJECTS = ("event", "view")
"""Top-level fields that must be objects whenever present: Bolt reads them for every payload (to ignore the app's
own events, to describe a request no listener handles)."""
OBJECTS_OR_NULL = ("user", "team", "channel", "enterprise", "message", "container")


def envelope_problem(body: Any) -> str | None:
    """What Bolt itself cannot read, before or without :func:`register`'s check (unknown payload types), or None."""
    if not isinstance(body, dict):
        return "the payload is not an object"
    for key in OBJECTS:
        if key in body and not isinstance(body[key], dict):
            return f"{key}: must be an object"
    for key in OBJECTS_OR_NULL:
        if body.get(key) is not None and not isinstance(body[key], dict):
            return f"{key}: must be an object"
    if not isinstance(body.get("type", ""), str):
        return "type: must be text"
    return None


class ShapeCheck(Middleware):
    """Bolt global middleware: a 400 naming the first wrong field, else on to the listeners.

    A :class:`~slack_bolt.middleware.Middleware` rather than a function: Bolt builds a function middleware's
    arguments (``action``, ``view``...) from the payload first, and that alone fails on some wrong shapes.
    """

    def process(self, *, req: BoltRequest, resp: BoltResponse,
                next: Callable[[], BoltResponse]) -> BoltResponse | None:
        found = problem(req.body)
        if found:
            logger.info("refused a payload of the wrong shape: %s", found)
            return BoltResponse(status=400, body=f"Bad Request: {found}")
        return next()


def register(app: App) -> None:
    """Check every request's payload shape before cebot's other middleware and listeners see it."""
    app.use(ShapeCheck())
