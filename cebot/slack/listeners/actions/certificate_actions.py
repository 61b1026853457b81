"""Buttons about certificates: *Save* and *Edit* on a proposal read from a shared file, and the Home tab's
*Audit packet* per credential.

*Save* logs the course exactly as read and links the file, at most once: a replayed or double click finds the
proposal saved and only says so (a concurrent one loses the conditional UPDATE and rolls back). *Edit* opens
the logging modal prefilled; its submission saves the same proposal. *Audit packet* records a
``certificate.audit`` job (key: the click's trigger id, so a replay makes no second packet).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk.errors import SlackApiError, SlackClientError

from cebot.jobs import certificate_intake, certificate_jobs
from cebot.services import certificates
from cebot.services.errors import ServiceError
from cebot.slack.certificate_form import edit_view
from cebot.slack.context import AlreadyDone, scope_from
from cebot.slack.dm import post_dm
from cebot.slack.home import refresh_home_after_commit
from cebot.slack.mrkdwn import escape
from cebot.slack.render import certificates as render

logger = logging.getLogger(__name__)

SORRY = "Something went wrong on my side; nothing was saved. Try again in a moment."
STALE = "That button is out of date: share the certificate with me again."


def _value(body: dict[str, Any]) -> str:
    actions = body.get("actions") or [{}]
    first = actions[0] if isinstance(actions[0], dict) else {}
    return str(first.get("value") or "")


def _certificate_id(body: dict[str, Any]) -> int | None:
    text = _value(body)
    return int(text) if text.isdigit() and 0 < int(text) < 2**31 else None


def _ephemeral(respond: Respond, text: str) -> None:
    respond(text=text, response_type="ephemeral", replace_original=False)


def handle_save(ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    ack()
    certificate_id = _certificate_id(body)
    if certificate_id is None:
        _ephemeral(respond, STALE)
        return
    try:
        with scope_from(context, body) as scope:
            saved = certificates.save_proposal(session=scope.session, member=scope.member,
                                               certificate_id=certificate_id)
            missing = certificate_intake.counted_without_certificate(scope.session, scope.member, scope.today)
            e = saved.entry
            message = render.saved(e.id or 0, e.title, e.hours_q, created=saved.created, missing=missing)
            scope.after_commit(lambda: respond(replace_original=True, **message))
            if saved.created:
                refresh_home_after_commit(scope)
    except certificates.AlreadySaved:
        _ephemeral(respond, "Already saved: that was a second click. Nothing more to do.")
    except ServiceError as exc:
        _ephemeral(respond, escape(exc.message))
    except Exception:
        logger.exception("saving a certificate proposal failed")
        _ephemeral(respond, SORRY)


def handle_edit(ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    ack()
    certificate_id = _certificate_id(body)
    trigger_id = body.get("trigger_id")
    if certificate_id is None or not trigger_id:
        _ephemeral(respond, STALE)
        return
    try:
        with scope_from(context) as scope:
            row = certificates.get_certificate(session=scope.session, member=scope.member,
                                               certificate_id=certificate_id)
            if row.entry_id is not None:
                _ephemeral(respond, f"Already saved as course #{row.entry_id}: edit it with `/ce edit {row.entry_id}`.")
                return
            view = edit_view(scope, certificate_id)
        context.client.views_open(trigger_id=trigger_id, view=view)
    except ServiceError as exc:
        _ephemeral(respond, escape(exc.message))
    except (SlackApiError, SlackClientError, OSError) as exc:
        logger.warning("views.open for a certificate proposal failed: %s", exc)
        _ephemeral(respond, "Slack didn't open the form in time; press Edit again.")


def handle_audit(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    ack()
    key = _value(body).strip().upper()[:64]
    request_id = str(body.get("trigger_id") or body.get("container", {}).get("message_ts") or "")
    if not key or not request_id:
        return
    client = context.client
    try:
        with scope_from(context, body) as scope:
            user_id = scope.user_id
            queued = certificate_jobs.enqueue_audit(session=scope.session, workspace=scope.workspace,
                                                    member=scope.member, key=key, cycle="current",
                                                    request_id=f"home:{request_id}")
            if queued:
                team_id = scope.team_id
                scope.after_commit(lambda: post_dm(client, user_id, team_id=team_id, text=render.audit_started(key)))
    except AlreadyDone:
        logger.info("audit packet click %s was handled already", request_id)
    except Exception:
        logger.exception("queuing an audit packet from Home failed")


def register(app: App) -> None:
    app.action(render.SAVE_ACTION)(handle_save)
    app.action(render.EDIT_ACTION)(handle_edit)
    app.action(render.AUDIT_ACTION)(handle_audit)
