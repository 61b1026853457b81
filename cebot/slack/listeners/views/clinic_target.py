"""The clinic-target form's submission: check every field with the catalog schema, then save it.

Bad fields come back inline (``response_action: errors``, keyed by block id) with nothing saved. A good form
is saved in one transaction (managers only, checked again here); after the commit the modal closes and the
manager gets the confirmation as a direct message (a view submission has no ``response_url``).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from cebot.domain.clinic_target import KEY, TargetForm, read_target
from cebot.models import utcnow
from cebot.services import credentials
from cebot.services.errors import ServiceError
from cebot.slack.background import in_background
from cebot.slack.context import AlreadyDone, scope_from
from cebot.slack.dm import post_dm
from cebot.slack.home import refresh_home_after_commit
from cebot.slack.render.clinic_target import BLOCK_IDS, CALLBACK, FIELD, saved_message

logger = logging.getLogger(__name__)

SORRY = "Something went wrong on my side; nothing was saved. Try again in a moment."
ERROR_MAX = 300


def read_form(values: dict[str, Any]) -> TargetForm:
    """The answers from ``view.state.values``."""

    def answer(name: str) -> str:
        block = values.get(BLOCK_IDS[name])
        element = block.get(FIELD) if isinstance(block, dict) else None
        if not isinstance(element, dict):
            return ""
        option = element.get("selected_option")
        if isinstance(option, dict):
            return str(option.get("value") or "")
        value = element.get("value")
        return value.strip() if isinstance(value, str) else ""

    return TargetForm(**{name: answer(name) for name in BLOCK_IDS})


def _post(client: WebClient, team_id: str, user_id: str, text: str) -> None:
    try:
        post_dm(client, user_id, team_id=team_id, text=text)
    except (SlackApiError, SlackClientError, OSError) as exc:
        logger.warning("could not send the clinic-target confirmation to %s: %s", user_id, exc)


def handle_submission(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """Save the target, or answer its bad fields inline with nothing saved."""
    acked = False

    def ack_once(**kwargs: Any) -> None:
        nonlocal acked
        if not acked:
            acked = True
            ack(**kwargs)

    values = (view.get("state") or {}).get("values") or {}
    client = context.client
    try:
        with scope_from(context, body) as scope:
            read = read_target(read_form(values if isinstance(values, dict) else {}), today=scope.today,
                               set_by=scope.member.display_name or scope.user_id)
            if read.requirement_set is None:
                ack_once(response_action="errors",
                         errors={BLOCK_IDS[name]: message[:ERROR_MAX] for name, message in read.errors.items()})
                return
            created = credentials.workspace_set(session=scope.session, workspace_id=scope.workspace.id or 0,
                                                key=read.requirement_set.key) is None
            rs = credentials.define_workspace_set(session=scope.session, workspace=scope.workspace,
                                                  acting=scope.member, toml_text=read.definition, today=scope.today)
            text = saved_message(rs, created=created, set_by=scope.user_id, set_at=utcnow())
            team_id, user_id = scope.team_id, scope.user_id
            scope.after_commit(ack_once)  # close the form once the target is saved
            scope.after_commit(lambda: in_background(lambda: _post(client, team_id, user_id, text)))
            refresh_home_after_commit(scope)
    except AlreadyDone:
        ack_once()  # a replayed submission: saved the first time; just close the form
    except ServiceError as exc:
        ack_once(response_action="errors", errors={BLOCK_IDS[KEY]: exc.message[:ERROR_MAX]})
    except Exception:
        logger.exception("clinic target form failed")
        ack_once(response_action="errors", errors={BLOCK_IDS[KEY]: SORRY})


def register(app: App) -> None:
    app.view_submission(CALLBACK)(handle_submission)
