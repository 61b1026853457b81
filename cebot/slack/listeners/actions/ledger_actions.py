"""Buttons on ledger replies: Undo, Log it anyway / Cancel, Edit, Delete (confirmed) / Keep it, the list's menu.

Each listener works in one transaction, applied at most once (a replayed click finds its ``trigger_id``
and changes nothing), and answers by replacing the message the button was on (``replace_original``)
after the commit; a refusal (someone else's entry, a change that is no longer the latest) comes as a new
ephemeral message and leaves the original as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from cebot.domain.parsing import ParseError, parse_log
from cebot.services import ledger
from cebot.services.errors import ServiceError
from cebot.services.events import claim_request
from cebot.slack.context import AlreadyDone, MemberScope, scope_from
from cebot.slack.home import refresh_home_after_commit
from cebot.slack.listeners.commands.delete import delete_and_render
from cebot.slack.listeners.commands.log import log_and_render
from cebot.slack.listeners.commands.undo import undo_and_render
from cebot.slack.listeners.views.log_modal import open_log_modal
from cebot.slack.mrkdwn import escape
from cebot.slack.render import ledger as render
from cebot.slack.render import reading as reading_render
from cebot.slack.render.once import split_once

logger = logging.getLogger(__name__)

SORRY = "Something went wrong on my side; nothing was saved. Try again in a moment."
STALE = "That button is out of date. Type `/ce list` to see your log."


def _action(body: dict[str, Any]) -> dict[str, Any]:
    actions = body.get("actions") or [{}]
    first = actions[0]
    return first if isinstance(first, dict) else {}


def _value(body: dict[str, Any]) -> str:
    action = _action(body)
    if action.get("type") == "overflow":
        return str((action.get("selected_option") or {}).get("value") or "")
    return str(action.get("value") or "")


def _entry_id(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 2**31:
        raise ParseError(STALE)
    return int(text)


def _channel(body: dict[str, Any]) -> str | None:
    channel = body.get("channel") or {}
    return channel.get("id") if isinstance(channel, dict) else None


def run(context: BoltContext, respond: Respond, work: Callable[[MemberScope], dict[str, Any] | None], *,
        body: dict[str, Any], changes: bool = True) -> None:
    """Run ``work`` in one transaction (once per click); its message replaces the original after commit, then
    Home refreshes."""
    try:
        with scope_from(context, body) as scope:
            message = work(scope)
            if message is not None:
                scope.after_commit(lambda: respond(replace_original=True, **message))
            if changes:
                refresh_home_after_commit(scope)
    except (ParseError, ServiceError) as exc:
        respond(text=escape(exc.message), response_type="ephemeral", replace_original=False)
    except Exception:
        logger.exception("ledger action failed")
        respond(text=SORRY, response_type="ephemeral", replace_original=False)


def handle_undo(ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    ack()
    action, _, raw_id = _value(body).partition(":")
    if action not in (ledger.LOGGED, ledger.EDITED, ledger.DELETED):
        respond(text=STALE, response_type="ephemeral", replace_original=False)
        return
    run(context, respond, lambda scope: undo_and_render(scope, entry_id=_entry_id(raw_id), action=action),
        body=body)


def handle_log_anyway(ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    """*Log it anyway* (and ``/ce check``'s *Log it*): log the course on the button once, however often clicked."""
    ack()
    once, text = split_once(_value(body))

    def work(scope: MemberScope) -> dict[str, Any]:
        if once is not None and not claim_request(session=scope.session, key=once, team_id=scope.team_id):
            raise AlreadyDone  # the other click of a double click logged it
        return log_and_render(scope, parse_log(text, today=scope.today))

    run(context, respond, work, body=body)


def handle_log_format(ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    """*Live online* / *Self-paced* on the "online" question: log the course once, as that format.

    A replayed click is refused by its ``trigger_id``; a second click (the other button, or the same one
    again) finds the course it logged, same title and date, and adds nothing.
    """
    ack()
    text = _value(body)

    def work(scope: MemberScope) -> dict[str, Any]:
        request = parse_log(text, today=scope.today)
        existing = ledger.find_duplicate(session=scope.session, member=scope.member, title=request.title,
                                         completed_on=request.completed_on)
        if existing is not None:
            return reading_render.already_logged_message(existing.id or 0)
        return log_and_render(scope, request)

    run(context, respond, work, body=body)


def handle_log_cancel(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
    ack()
    respond(replace_original=True, **render.cancelled_message(_value(body)))


def handle_delete(ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    ack()
    raw = _value(body)
    run(context, respond, lambda scope: delete_and_render(scope, _entry_id(raw)), body=body)


def handle_delete_cancel(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
    ack()
    respond(replace_original=True, **render.kept_message(_value(body)))


def _open_editor(context: BoltContext, respond: Respond, body: dict[str, Any], raw_id: str) -> None:
    trigger_id = body.get("trigger_id")

    def work(scope: MemberScope) -> None:
        entry = ledger.get_entry(session=scope.session, member=scope.member, entry_id=_entry_id(raw_id))
        if not open_log_modal(context.client, trigger_id, scope, entry=entry, channel_id=_channel(body)):
            raise ServiceError(f"I couldn't open the form. Change it in one line instead, like "
                               f"/ce edit {entry.id} hours:2")

    run(context, respond, work, body=body, changes=False)


def handle_edit_open(ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    ack()
    _open_editor(context, respond, body, _value(body))


def handle_log_open(ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    ack()

    def work(scope: MemberScope) -> None:
        open_log_modal(context.client, body.get("trigger_id"), scope, channel_id=_channel(body))

    run(context, respond, work, body=body, changes=False)


def handle_entry_menu(ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    """The list's overflow menu: ``edit:<id>`` opens the form, ``delete:<id>`` asks to confirm (a new message)."""
    ack()
    choice, _, raw_id = _value(body).partition(":")
    if choice == "edit":
        _open_editor(context, respond, body, raw_id)
        return
    if choice != "delete":
        respond(text=STALE, response_type="ephemeral", replace_original=False)
        return
    try:
        with scope_from(context, body) as scope:
            entry = ledger.get_entry(session=scope.session, member=scope.member, entry_id=_entry_id(raw_id))
            prompt = render.delete_prompt(entry)
            scope.after_commit(lambda: respond(response_type="ephemeral", replace_original=False, **prompt))
    except (ParseError, ServiceError) as exc:
        respond(text=escape(exc.message), response_type="ephemeral", replace_original=False)


def register(app: App) -> None:
    app.action(render.UNDO)(handle_undo)
    app.action(render.LOG_ANYWAY)(handle_log_anyway)
    app.action(render.LOG_CANCEL)(handle_log_cancel)
    app.action(reading_render.LOG_LIVE)(handle_log_format)
    app.action(reading_render.LOG_SELF_PACED)(handle_log_format)
    app.action(reading_render.FORMAT_CANCEL)(handle_log_cancel)
    app.action(render.DELETE_CONFIRM)(handle_delete)
    app.action(render.DELETE_CANCEL)(handle_delete_cancel)
    app.action(render.EDIT_OPEN)(handle_edit_open)
    app.action(render.LOG_OPEN)(handle_log_open)
    app.action(render.ENTRY_MENU)(handle_entry_menu)
