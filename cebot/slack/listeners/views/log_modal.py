"""The logging modal (``/ce log`` with no text, the Log buttons, and Edit buttons): open it, read it, save it.

A submission is checked field by field with the grammar's own parsers; bad fields come back inline
(``response_action: errors``, keyed by block id) with nothing saved. A good one is saved in one
transaction, then the modal closes (the ack is the first after-commit step), the confirmation goes to
the member as a direct message from the app (:func:`cebot.slack.dm.post_dm`: a view submission has
no ``response_url``, and a DM works wherever the modal was opened from), and the Home tab is republished.
Edit mode is the same modal prefilled, with the entry id in ``private_metadata``. A likely duplicate
(same title and date) is not saved: the form comes back (``response_action: update``) filled in as
submitted, saying so, and its button then logs it anyway.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from cebot.domain.facts import LogRequest
from cebot.domain.parsing import (
    EARLIEST_DATE,
    ParseError,
    parse_approval,
    parse_format,
    parse_hours,
    parse_notes,
    parse_provider,
    parse_subject,
    parse_title,
)
from cebot.domain.progress import format_date
from cebot.models import CEEntry
from cebot.services import ledger
from cebot.services.errors import NotFound, ServiceError
from cebot.services.progress import member_progress
from cebot.slack import certificate_form
from cebot.slack.background import in_background
from cebot.slack.context import AlreadyDone, MemberScope, scope_from
from cebot.slack.dm import post_dm
from cebot.slack.home import refresh_home_after_commit
from cebot.slack.render import ledger as render
from cebot.slack.render import ledger_modal
from cebot.slack.render.ledger_modal import ModalMeta

logger = logging.getLogger(__name__)

SORRY = "Something went wrong on my side; nothing was saved. Try again in a moment."
ERROR_MAX = 300

_SERVICE_FIELDS = (
    ("hours", render.HOURS), ("title", render.TITLE), ("date", render.DATE), ("future", render.DATE),
    ("1990", render.DATE), ("format", render.FORMAT), ("subject", render.SUBJECTS_BLOCK),
    ("provider", render.PROVIDER), ("approval", render.APPROVAL), ("note", render.NOTES),
)


# -- opening -------------------------------------------------------------------------------------


def open_log_modal(client: WebClient, trigger_id: str | None, scope: MemberScope, *, entry: CEEntry | None = None,
                   channel_id: str | None = None) -> bool:
    """Open the logging modal (prefilled from ``entry`` to edit it); False when Slack refused (e.g. stale trigger)."""
    if not trigger_id:
        return False
    view = ledger_modal.log_modal(today=scope.today, entry=entry, channel_id=channel_id)
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except (SlackApiError, SlackClientError, OSError) as exc:
        logger.warning("views.open failed: %s", exc)
        return False
    return True


# -- reading -------------------------------------------------------------------------------------


def _field(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    block = values.get(block_id)
    value = block.get(render.FIELD) if isinstance(block, dict) else None
    return value if isinstance(value, dict) else {}


def _text(values: dict[str, Any], block_id: str) -> str:
    value = _field(values, block_id).get("value")
    return value.strip() if isinstance(value, str) else ""


def read_log_form(values: dict[str, Any], *, today: date) -> tuple[LogRequest | None, dict[str, str]]:
    """The modal's ``LogRequest``, or None with inline errors keyed by block id (``view.state.values`` in)."""
    errors: dict[str, str] = {}

    def check(block_id: str, read: Callable[[], Any]) -> Any:
        try:
            return read()
        except ParseError as exc:
            errors[block_id] = exc.message[:ERROR_MAX]
            return None

    title_text = _text(values, render.TITLE)
    title = check(render.TITLE, lambda: parse_title(title_text)) if title_text else None
    if not title_text:
        errors[render.TITLE] = "Give the course a title, like Ethics in Touch."
    hours_text = _text(values, render.HOURS)
    hours = check(render.HOURS, lambda: parse_hours(hours_text)) if hours_text else None
    if not hours_text:
        errors[render.HOURS] = "How many hours? Write them like 3, 1.5h, 1h30m or 90m."
    completed_on = _read_date(_field(values, render.DATE).get("selected_date"), today, errors)
    option = _field(values, render.FORMAT).get("selected_option") or {}
    raw_format = option.get("value") if isinstance(option, dict) else None
    delivery_format = check(render.FORMAT, lambda: parse_format(str(raw_format))) if raw_format else "in_person"
    subjects: list[str] = []
    for opt in _field(values, render.SUBJECTS_BLOCK).get("selected_options") or []:
        raw = str((opt or {}).get("value") or "") if isinstance(opt, dict) else ""
        key = check(render.SUBJECTS_BLOCK, functools.partial(parse_subject, raw))
        if key and key not in subjects:
            subjects.append(key)
    optional: dict[str, str | None] = {}
    readers: tuple[tuple[str, Callable[[str], str]], ...] = (
        (render.PROVIDER, parse_provider), (render.APPROVAL, parse_approval), (render.NOTES, parse_notes))
    for block_id, parse in readers:
        text = _text(values, block_id)
        optional[block_id] = check(block_id, functools.partial(parse, text)) if text else None
    if errors or title is None or hours is None or completed_on is None or delivery_format is None:
        return None, errors or {render.TITLE: "Please check the form."}
    return LogRequest(hours=hours, title=title, completed_on=completed_on, delivery_format=delivery_format,
                      subjects=tuple(subjects), provider=optional[render.PROVIDER],
                      approval_number=optional[render.APPROVAL], notes=optional[render.NOTES]), {}


def _read_date(raw: Any, today: date, errors: dict[str, str]) -> date | None:
    if not raw:
        errors[render.DATE] = "Pick the day you completed the course."
        return None
    try:
        day = date.fromisoformat(str(raw))
    except ValueError:
        errors[render.DATE] = "Pick the day you completed the course from the calendar."
        return None
    if day > today:
        errors[render.DATE] = (f"{format_date(day)} is in the future: log a course once you've completed it "
                               f"(today is {format_date(today)}).")
        return None
    if day < EARLIEST_DATE:
        errors[render.DATE] = f"{format_date(day)} is before 1990: check the year."
        return None
    return day


def edit_changes(entry: CEEntry, request: LogRequest) -> dict[str, Any]:
    """What the form changes in ``entry``, as ``ledger.edit_entry`` changes (only fields that differ)."""
    pairs: dict[str, tuple[Any, Any]] = {
        "title": (entry.title, request.title),
        "hours": (entry.hours_q, request.hours),
        "date": (entry.completed_on, request.completed_on),
        "format": (entry.delivery_format, request.delivery_format),
        "subjects": (tuple(entry.subjects or ()), tuple(request.subjects)),
        "provider": (entry.provider, request.provider),
        "approval": (entry.approval_number, request.approval_number),
        "notes": (entry.notes, request.notes),
    }
    return {key: new for key, (old, new) in pairs.items() if old != new}


def _block_for(message: str) -> str:
    lowered = message.lower()
    for word, block_id in _SERVICE_FIELDS:
        if word in lowered:
            return block_id
    return render.TITLE


# -- saving --------------------------------------------------------------------------------------


def save_form(scope: MemberScope, request: LogRequest, meta: ModalMeta) -> dict[str, Any]:
    """Log (or, with ``meta.entry_id``, edit) the entry; returns the confirmation message."""
    before = member_progress(session=scope.session, member=scope.member, today=scope.today)
    if meta.entry_id is not None:
        entry = ledger.get_entry(session=scope.session, member=scope.member, entry_id=meta.entry_id)
        changes = edit_changes(entry, request)
        if not changes:
            return render.unchanged_message(entry)
        entry = ledger.edit_entry(session=scope.session, member=scope.member, entry_id=meta.entry_id,
                                  changes=changes)
        after = member_progress(session=scope.session, member=scope.member, today=scope.today)
        return render.edited_message(entry, list(changes), after, before)
    entry = ledger.log_entry(session=scope.session, member=scope.member, request=request)
    after = member_progress(session=scope.session, member=scope.member, today=scope.today)
    return render.logged_message(entry, after, before, today=scope.today)


def _post(client: WebClient, team_id: str, user_id: str, message: dict[str, Any]) -> None:
    try:
        post_dm(client, user_id, team_id=team_id, **message)
    except (SlackApiError, SlackClientError, OSError) as exc:
        logger.warning("could not send the logging confirmation to %s: %s", user_id, exc)


def handle_submission(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """Save the form, or answer its bad fields inline with nothing saved."""
    acked = False

    def ack_once(**kwargs: Any) -> None:
        nonlocal acked
        if not acked:
            acked = True
            ack(**kwargs)

    meta = ModalMeta.load(view.get("private_metadata"))
    certificate_id = certificate_form.certificate_id_of(view.get("private_metadata"))
    values = (view.get("state") or {}).get("values") or {}
    client = context.client
    try:
        with scope_from(context, body) as scope:
            request, errors = read_log_form(values if isinstance(values, dict) else {}, today=scope.today)
            if request is None:
                ack_once(response_action="errors", errors=errors)
                return
            if meta.entry_id is None and not meta.duplicate_ok:
                existing = ledger.find_duplicate(session=scope.session, member=scope.member, title=request.title,
                                                 completed_on=request.completed_on)
                if existing is not None:  # ask first: the same form, saying so, whose Save logs it anyway
                    ack_once(response_action="update", view=certificate_form.with_certificate(ledger_modal.log_modal(
                        today=scope.today, channel_id=meta.channel_id, prefill=request, duplicate_of=existing),
                        certificate_id))
                    return
            if certificate_id is not None:  # Edit on a proposal read from a certificate: save that, once
                message = certificate_form.save_edited(scope, request, certificate_id)
            else:
                message = save_form(scope, request, meta)
                certificate_form.fetch_form_file(scope, values, meta.entry_id)
            team_id, user_id = scope.team_id, scope.user_id
            scope.after_commit(ack_once)  # close the modal as soon as the entry is saved
            scope.after_commit(lambda: in_background(lambda: _post(client, team_id, user_id, message)))
            refresh_home_after_commit(scope)
    except AlreadyDone:
        ack_once()  # a replayed submission: it was saved the first time; just close the form
    except NotFound as exc:
        ack_once(response_action="errors", errors={render.TITLE: exc.message[:ERROR_MAX]})
    except ServiceError as exc:
        ack_once(response_action="errors", errors={_block_for(exc.message): exc.message[:ERROR_MAX]})
    except Exception:
        logger.exception("logging form failed")
        ack_once(response_action="errors", errors={render.TITLE: SORRY})


def register(app: App) -> None:
    app.view_submission(render.MODAL_CALLBACK)(handle_submission)
