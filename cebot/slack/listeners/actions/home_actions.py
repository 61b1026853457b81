"""The App Home buttons: *Log CE*, *Track a licence* (a small form) and *See requirements*.

Each action acks at once and opens a modal with the click's ``trigger_id``. The
Track form's submission validates its fields and answers bad ones inline
(``response_action: errors``) with nothing saved; on success the modal closes and
the Home tab is republished.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from cebot.domain.parsing import MAX_LICENCE_NUMBER, TrackRequest
from cebot.services import credentials
from cebot.services.errors import ServiceError
from cebot.slack.context import AlreadyDone, MemberScope, scope_from
from cebot.slack.home import refresh_home_after_commit
from cebot.slack.listeners.views.log_modal import open_log_modal
from cebot.slack.render import home as render

logger = logging.getLogger(__name__)

SORRY = "Something went wrong on my side; nothing was saved. Try again in a moment."


def _open(client: WebClient, trigger_id: str | None, view: dict[str, Any]) -> None:
    if not trigger_id:
        return
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except (SlackApiError, SlackClientError, OSError) as exc:
        logger.warning("views.open failed: %s", exc)


def catalog_keys(scope: MemberScope) -> list[tuple[str, str]]:
    """``(key, name)`` of every requirement set the workspace can track, by key."""
    catalog = credentials.resolve_catalog(session=scope.session, workspace_id=scope.workspace.id or 0)
    return sorted(((rs.key, rs.name) for rs in catalog), key=lambda pair: pair[0])


def handle_log(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    ack()
    with scope_from(context) as scope:
        open_log_modal(context.client, body.get("trigger_id"), scope)


def handle_track(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    ack()
    with scope_from(context) as scope:
        view = render.track_modal(catalog_keys(scope), today=scope.today)
    _open(context.client, body.get("trigger_id"), view)


def handle_requirements(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    ack()
    with scope_from(context) as scope:
        view = render.requirements_modal(catalog_keys(scope))
    _open(context.client, body.get("trigger_id"), view)


# -- the Track form ------------------------------------------------------------------------------


def _state(view: dict[str, Any], block_id: str, action_id: str) -> dict[str, Any]:
    values = ((view.get("state") or {}).get("values") or {}).get(block_id) or {}
    value = values.get(action_id)
    return value if isinstance(value, dict) else {}


def read_track_form(view: dict[str, Any]) -> tuple[TrackRequest | None, dict[str, str]]:
    """The form's ``TrackRequest``, or None and inline errors keyed by block id."""
    errors: dict[str, str] = {}
    option = _state(view, render.TRACK_KEY_BLOCK, render.KEY_ACTION).get("selected_option") or {}
    key = str(option.get("value") or "").strip().upper()
    if not key:
        errors[render.TRACK_KEY_BLOCK] = "Choose the licence or certification to track."
    raw_date = _state(view, render.TRACK_DEADLINE_BLOCK, render.DEADLINE_ACTION).get("selected_date")
    deadline = None
    if raw_date:
        try:
            deadline = date.fromisoformat(str(raw_date))
        except ValueError:
            errors[render.TRACK_DEADLINE_BLOCK] = "Pick the renewal deadline from the calendar."
    number = str(_state(view, render.TRACK_NUMBER_BLOCK, render.NUMBER_ACTION).get("value") or "").strip()
    if len(number) > MAX_LICENCE_NUMBER:
        errors[render.TRACK_NUMBER_BLOCK] = f"Keep the licence number to {MAX_LICENCE_NUMBER} characters."
    if errors:
        return None, errors
    return TrackRequest(key=key, deadline=deadline, licence_number=number or None), {}


def _error_block(message: str) -> str:
    lowered = message.lower()
    if "deadline" in lowered:
        return render.TRACK_DEADLINE_BLOCK
    if "licence number" in lowered or "license number" in lowered:
        return render.TRACK_NUMBER_BLOCK
    return render.TRACK_KEY_BLOCK


def handle_track_submission(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """Save the credential, or answer the form's bad fields inline (nothing saved)."""
    request, errors = read_track_form(view)
    if request is None:
        ack(response_action="errors", errors=errors)
        return
    try:
        with scope_from(context, body) as scope:
            credentials.track(session=scope.session, member=scope.member, request=request, today=scope.today)
            scope.after_commit(ack)  # close the modal first, then republish the Home tab
            refresh_home_after_commit(scope)
    except AlreadyDone:
        ack()  # a replayed submission: the credential is tracked already; just close the form
    except ServiceError as exc:
        ack(response_action="errors", errors={_error_block(exc.message): exc.message[:300]})
    except Exception:
        logger.exception("Track form failed")
        ack(response_action="errors", errors={render.TRACK_KEY_BLOCK: SORRY})


def register(app: App) -> None:
    app.action(render.LOG_ACTION)(handle_log)
    app.action(render.TRACK_ACTION)(handle_track)
    app.action(render.REQUIREMENTS_ACTION)(handle_requirements)
    app.view_submission(render.TRACK_CALLBACK)(handle_track_submission)
