"""The ``/ce`` slash command: ack at once, pick the subcommand, run its handler in one transaction.

Feature modules in this package add subcommands from their ``register(app)``::

    def register(app: App) -> None:
        register_subcommand("log", handle_log, aliases=("add",))

A handler takes a :class:`~cebot.slack.context.CommandContext` and queues its
reply with ``ctx.respond(...)``; it raises ``ParseError`` for bad input and
``ServiceError`` for refused requests, and the router turns those into friendly
ephemeral replies (with nothing saved). A new subcommand also needs its usage line
and example in the grammar (``cebot.domain.parsing.USAGE_LINES``/``EXAMPLES``):
``parse_command`` answers words it does not know itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond, Say

from cebot.db import session_scope
from cebot.domain.parsing import USAGE_LINES, ParseError, parse_command
from cebot.services.errors import ServiceError
from cebot.slack.context import CommandContext, engine_of, ensure_registered, member_today, settings_of
from cebot.slack.listeners import ack_then
from cebot.slack.mrkdwn import escape

logger = logging.getLogger(__name__)

Handler = Callable[[CommandContext], None]

SORRY = "Something went wrong on my side; nothing was saved. Try again in a moment."
HELP_POINTER = "Type `/ce help` to see everything I can do."


@dataclass(frozen=True)
class Subcommand:
    name: str
    handler: Handler
    aliases: tuple[str, ...] = ()
    summary: str | None = None


SUBCOMMANDS: dict[str, Subcommand] = {}
"""Every registered subcommand by canonical name."""
ALIASES: dict[str, str] = {}
"""Alias -> canonical name."""


def register_subcommand(
    name: str,
    handler: Handler,
    *,
    aliases: tuple[str, ...] | list[str] = (),
    summary: str | None = None,
) -> None:
    """Make ``/ce <name>`` (and each alias) run ``handler``. Registering a name again replaces it.

    ``summary`` (a few words) replaces the line ``/ce help`` shows after the example.
    """
    key = name.strip().lower()
    SUBCOMMANDS[key] = Subcommand(key, handler, tuple(a.lower() for a in aliases), summary)
    for alias in aliases:
        ALIASES[alias.strip().lower()] = key


def resolve(word: str) -> str | None:
    """The registered subcommand for ``word`` (a name or an alias), or None."""
    word = word.lower()
    if word in SUBCOMMANDS:
        return word
    return ALIASES.get(word)


# -- replies for bad input ---------------------------------------------------------------------


def split_command(text: str) -> tuple[str, str]:
    """``("log", "3h Ethics")`` for ``"log 3h Ethics"`` (``help`` for empty text); raises ``ParseError``.

    Aliases registered here win over the grammar's; the grammar (``cebot.domain.parsing.parse_command``)
    knows every subcommand name and answers unknown words with the closest one.
    """
    words = text.strip().split(None, 1)
    if words and words[0].lower() in ALIASES:
        return ALIASES[words[0].lower()], (words[1].strip() if len(words) > 1 else "")
    return parse_command(text)


def parse_error_reply(exc: ParseError, subcommand: str | None) -> str:
    """The message of a ``ParseError``, escaped, with the subcommand's usage line when it lacks it."""
    message = (exc.message or str(exc)).strip() or "I couldn't read that."
    usage = USAGE_LINES.get(subcommand or "")
    if usage and usage not in message:
        message += f"\nUsage: `{usage}`"
    return escape(message)


def not_ready_reply(name: str) -> str:
    return f"`/ce {escape(name)}` isn't ready yet, sorry. {HELP_POINTER}"


# -- the listener -------------------------------------------------------------------------------


def run_subcommand(
    *,
    entry: Subcommand,
    context: BoltContext,
    body: dict[str, Any],
    command: dict[str, Any],
    subcommand_text: str,
    respond: Respond,
    say: Say,
) -> None:
    """Run ``entry.handler`` in one transaction and reply; every failure becomes a friendly ephemeral reply."""
    try:
        with session_scope(engine_of(context)) as session:
            team_id = context.team_id or command.get("team_id") or ""
            user_id = context.user_id or command.get("user_id") or ""
            workspace, member = ensure_registered(session, context.client, team_id, user_id)
            ctx = CommandContext(
                session=session,
                workspace=workspace,
                member=member,
                settings=settings_of(context),
                client=context.client,
                team_id=team_id,
                user_id=user_id,
                today=member_today(member),
                command=str(command.get("command") or "/ce"),
                subcommand=entry.name,
                rest=subcommand_text,
                body=body,
                channel_id=command.get("channel_id"),
                trigger_id=command.get("trigger_id"),
                say=say,
                respond_now=respond,
            )
            entry.handler(ctx)
    except ParseError as exc:
        respond(text=parse_error_reply(exc, entry.name), response_type="ephemeral")
        return
    except ServiceError as exc:
        respond(text=escape(exc.message), response_type="ephemeral")
        return
    except Exception:
        logger.exception("/ce %s failed", entry.name)
        respond(text=SORRY, response_type="ephemeral")
        return
    ctx.run_after_commit()


def handle_ce(
    ack: Ack, body: dict[str, Any], command: dict[str, Any], context: BoltContext, respond: Respond, say: Say
) -> None:
    """The ``/ce`` listener."""
    ack()
    text = str(command.get("text") or "")
    try:
        word, rest = split_command(text)
    except ParseError as exc:
        respond(text=parse_error_reply(exc, None), response_type="ephemeral")
        return
    name = resolve(word or "help")
    if name is None:
        respond(text=not_ready_reply(word), response_type="ephemeral")
        return
    run_subcommand(
        entry=SUBCOMMANDS[name], context=context, body=body, command=command, subcommand_text=rest,
        respond=respond, say=say,
    )


def register(app: App) -> None:
    ack_then(app.command("/ce"), handle_ce)
