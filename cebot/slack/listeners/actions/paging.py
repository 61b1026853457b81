"""*Newer*/*Older* under ``/ce list`` and *Back*/*Next* under ``/ce team``: the same reply for another page.

Reading only, so a click needs no de-duplication; the new page replaces the message the button was on.
The command handlers build their first page with the same functions, so a page looks the same however
it was reached.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from sqlmodel import Session

from cebot.domain.parsing import LIST_MAX, PAGE_MAX, ListRequest
from cebot.models import Member, Workspace
from cebot.services import ledger
from cebot.services.errors import ServiceError
from cebot.services.progress import team_progress
from cebot.services.workspaces import is_manager, list_members, require_fresh_admin_flag
from cebot.slack.context import scope_from
from cebot.slack.mrkdwn import escape
from cebot.slack.render import ledger as render
from cebot.slack.render.team import TEAM_PAGE, refusal_text, team_blocks, team_text

logger = logging.getLogger(__name__)

SORRY = "Something went wrong on my side. Try again in a moment."
STALE = "That button is out of date. Type `/ce list` to see your log."


def list_reply(*, session: Session, member: Member, request: ListRequest) -> dict[str, Any]:
    """Page ``request.page`` of the member's log (one or two queries)."""
    entries = ledger.list_entries(session=session, member=member, limit=request.size, offset=request.offset)
    total = (ledger.count_entries(session=session, member=member)
             if len(entries) >= request.size or request.page > 1 else len(entries))
    return render.list_message(entries, total, page=request.page, size=request.size)


def team_reply(*, session: Session, workspace: Workspace, member: Member, today: Any, page: int) -> dict[str, Any]:
    """Page ``page`` of ``/ce team`` for a manager, or who can grant access for anyone else."""
    require_fresh_admin_flag(member, "show the team's progress")
    if not is_manager(member):
        managers = [m for m in list_members(session=session, workspace=workspace) if is_manager(m)]
        return {"text": refusal_text(managers)}
    team = team_progress(session=session, workspace=workspace, today=today)
    return {"text": team_text(team), "blocks": team_blocks(team, today=today, page=page)}


def _value(body: dict[str, Any]) -> str:
    actions = body.get("actions") or [{}]
    return str((actions[0] if isinstance(actions[0], dict) else {}).get("value") or "")


def _number(text: str, top: int) -> int:
    if not text.isdigit() or not 1 <= int(text) <= top:
        raise ValueError(text)
    return int(text)


def handle_list_page(ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    ack()
    size, _, page = _value(body).partition(":")
    try:
        request = ListRequest(size=_number(size, LIST_MAX), page=_number(page, PAGE_MAX))
    except ValueError:
        respond(text=STALE, response_type="ephemeral", replace_original=False)
        return
    try:
        with scope_from(context) as scope:
            message = list_reply(session=scope.session, member=scope.member, request=request)
    except Exception:
        logger.exception("list page failed")
        respond(text=SORRY, response_type="ephemeral", replace_original=False)
        return
    respond(replace_original=True, **message)


def handle_team_page(ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    ack()
    try:
        page = _number(_value(body), PAGE_MAX)
    except ValueError:
        respond(text="That button is out of date. Type `/ce team`.", response_type="ephemeral",
                replace_original=False)
        return
    try:
        with scope_from(context) as scope:
            message = team_reply(session=scope.session, workspace=scope.workspace, member=scope.member,
                                 today=scope.today, page=page)
    except ServiceError as exc:
        respond(text=escape(exc.message), response_type="ephemeral", replace_original=False)
        return
    except Exception:
        logger.exception("team page failed")
        respond(text=SORRY, response_type="ephemeral", replace_original=False)
        return
    respond(replace_original=True, **message)


def register(app: App) -> None:
    app.action(render.LIST_PAGE)(handle_list_page)
    app.action(TEAM_PAGE)(handle_team_page)
