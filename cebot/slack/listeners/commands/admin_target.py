"""``/ce admin target [KEY]`` opens the clinic-target form; ``/ce admin target remove KEY`` removes one.

Managers only. :func:`handle_target` is called by the ``admin`` subcommand (``cebot.slack.listeners.commands.admin``)
when its first word is ``target``; the form's submission is read by
``cebot.slack.listeners.views.clinic_target``.
"""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk.errors import SlackApiError, SlackClientError

from cebot.domain.clinic_target import TargetForm, form_from_set
from cebot.services import credentials, workspaces
from cebot.slack.context import CommandContext
from cebot.slack.mrkdwn import code
from cebot.slack.render.clinic_target import removed_message, target_modal

logger = logging.getLogger(__name__)

TARGET_WORDS = frozenset({"target", "targets"})
REMOVE_WORDS = frozenset({"remove", "rm", "delete", "del"})


def is_target(rest: str) -> bool:
    """Whether ``/ce admin <rest>`` is about the clinic target."""
    words = rest.split()
    return bool(words) and words[0].lower() in TARGET_WORDS


def handle_target(ctx: CommandContext) -> None:
    words = ctx.rest.split()[1:]
    if words and words[0].lower() in REMOVE_WORDS:
        _remove(ctx, words[1:])
        return
    workspaces.require_manager(ctx.member, "set the clinic's target")
    if len(words) > 1:
        ctx.respond(f"I read “{' '.join(words)}” as more than one key. Write {code('/ce admin target')} for a new "
                    f"target or {code('/ce admin target AMMA')} to change one.")
        return
    key = words[0].upper() if words else ""
    existing = credentials.workspace_set(session=ctx.session, workspace_id=ctx.workspace.id or 0, key=key) \
        if key else None
    form = form_from_set(existing) if existing is not None else TargetForm(key=key)
    if not ctx.trigger_id:
        ctx.respond("Slack didn't send what I need to open the form; try the command again.")
        return
    try:
        ctx.client.views_open(trigger_id=ctx.trigger_id, view=target_modal(form, editing=existing is not None))
    except (SlackApiError, SlackClientError, OSError) as exc:
        logger.warning("views.open for the clinic target failed: %s", exc)
        ctx.respond("Slack didn't open the form just now; nothing was changed. Try the command again.")
        return
    what = f"your clinic's {code(key)} target" if existing is not None else "a new clinic target"
    ctx.respond(f"Opened the form for {what}. Save it there; nothing changes until you do.")


def _remove(ctx: CommandContext, words: list[str]) -> None:
    if len(words) != 1:
        ctx.respond(f"Which one? Write {code('/ce admin target remove AMMA')} (the key members track).")
        return
    key = words[0].upper()
    credentials.remove_workspace_set(session=ctx.session, workspace=ctx.workspace, acting=ctx.member, key=key)
    ctx.respond(removed_message(key))


def register(app: App) -> None:
    """Nothing to register: ``admin`` dispatches to :func:`handle_target`."""
