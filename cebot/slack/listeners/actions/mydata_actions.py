"""The buttons of ``/ce mydata delete``: delete everything (after Slack's confirm dialog) or cancel."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from cebot.services import mydata
from cebot.services.certificate_files import delete_stored_files
from cebot.services.errors import ServiceError
from cebot.slack.context import scope_from
from cebot.slack.mrkdwn import escape
from cebot.slack.render import exports as render

logger = logging.getLogger(__name__)


def handle_delete(ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    ack()
    user_id = str((body.get("user") or {}).get("id") or context.user_id or "")
    value = str(((body.get("actions") or [{}])[0]).get("value") or "")
    if value != user_id:
        respond(text="That button belongs to someone else's request. Use `/ce mydata delete` yourself.",
                response_type="ephemeral", replace_original=False)
        return
    try:
        with scope_from(context, body, user_id=user_id) as scope:
            report = mydata.delete_member_data(session=scope.session, member=scope.member)
            settings, released = scope.settings, report.released
            scope.after_commit(lambda: delete_stored_files(settings, released))
    except ServiceError as exc:  # AlreadyDone: a replayed click deletes nothing logged since
        respond(text=escape(exc.message), response_type="ephemeral", replace_original=False)
        return
    except Exception:
        logger.exception("mydata delete failed for %s", user_id)
        respond(text="Something went wrong on my side; nothing was deleted. Try again in a moment.",
                response_type="ephemeral", replace_original=False)
        return
    respond(text=render.mydata_deleted(report), response_type="ephemeral", replace_original=True)


def handle_cancel(ack: Ack, respond: Respond) -> None:
    ack()
    respond(text=render.mydata_cancelled(), response_type="ephemeral", replace_original=True)


def register(app: App) -> None:
    app.action(render.MYDATA_DELETE_ACTION)(handle_delete)
    app.action(render.MYDATA_CANCEL_ACTION)(handle_cancel)
