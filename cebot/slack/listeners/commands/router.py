"""The ``/ce`` slash command: pick the subcommand, run its handler in one transaction, answer with its reply.

Feature modules in this package add subcommands from their ``register(app)``::

    def register(app: App) -> None:
        register_subcommand("log", handle_log)

A handler takes a :class:`~cebot.slack.context.CommandContext` and queues its
reply with ``ctx.respond(...)``; it raises ``ParseError`` for bad input and
``ServiceError`` for refused requests, and the router turns those into friendly
ephemeral replies (with nothing saved). The reply is the answer to Slack's request
itself, sent once the transaction has committed: "Logged" is never said about
something a crash could still undo, and a process killed mid-request leaves Slack
without an answer (the person sees Slack's error and can try again) and the
database as it was. A subcommand's aliases, usage line, example and summary live in one
registry (``cebot.domain.parsing.registry.COMMANDS``) that this router, ``/ce help`` and the grammar
all read; a new subcommand is an entry there plus its handler here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond, Say

from cebot.domain.parsing import USAGE_LINES, ParseError, parse_command
from cebot.domain.parsing.registry import BY_NAME
from cebot.services.errors import ServiceError
from cebot.services.events import request_key
from cebot.slack.context import CommandContext, engine_of, member_today, request_transaction, settings_of
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

    The aliases and summary come from the registry (``cebot.domain.parsing.registry``); ``aliases`` and
    ``summary`` here are for a subcommand the registry does not know (tests, experiments).
    """
    key = name.strip().lower()
    known = BY_NAME.get(key)
    aliases = tuple(a.lower() for a in aliases) or (known.aliases if known else ())
    SUBCOMMANDS[key] = Subcommand(key, handler, aliases, summary or (known.summary if known else None))
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


# -- the listener -------------------------------------------------------------------------------


def run_subcommand(
    *,
    entry: Subcommand,
    context: BoltContext,
    body: dict[str, Any],
    command: dict[str, Any],
    subcommand_text: str,
    say: Say,
) -> list[dict[str, Any]]:
    """Run ``entry.handler`` in one transaction; the replies to send (every failure is a friendly reply)."""
    try:
        team_id = context.team_id or command.get("team_id") or ""
        user_id = context.user_id or command.get("user_id") or ""
        read_only = entry.name in BY_NAME and BY_NAME[entry.name].read_only
        with request_transaction(engine_of(context), context.client, team_id=team_id, user_id=user_id,
                                 key=None if read_only else request_key(body), lock=not read_only) as (
            session, workspace, member
        ):
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
            )
            entry.handler(ctx)
    except ParseError as exc:
        return [_ephemeral(parse_error_reply(exc, entry.name))]
    except ServiceError as exc:
        return [_ephemeral(escape(exc.message))]
    except Exception:
        logger.exception("/ce %s failed", entry.name)
        return [_ephemeral(SORRY)]
    ctx.run_after_commit()
    return ctx.replies  # none when the handler opened a form: the answer is then empty


def _ephemeral(text: str) -> dict[str, Any]:
    return {"text": text, "response_type": "ephemeral"}


def replies_for(body: dict[str, Any], command: dict[str, Any], context: BoltContext, say: Say) -> list[dict[str, Any]]:
    """What ``/ce <text>`` answers, after its transaction (if any) has committed."""
    text = str(command.get("text") or "")
    try:
        word, rest = split_command(text)
    except ParseError as exc:
        return [_ephemeral(parse_error_reply(exc, None))]
    name = resolve(word or "help")
    if name is None:  # the grammar knows a word no feature registered
        return [_ephemeral(f"`/ce {escape(word)}` isn't ready yet, sorry. {HELP_POINTER}")]
    return run_subcommand(entry=SUBCOMMANDS[name], context=context, body=body, command=command,
                          subcommand_text=rest, say=say)


def handle_ce(
    ack: Ack, body: dict[str, Any], command: dict[str, Any], context: BoltContext, respond: Respond, say: Say
) -> None:
    """The ``/ce`` listener: the first reply is the HTTP answer, any further ones go to ``response_url``."""
    first, *more = replies_for(body, command, context, say) or [{}]
    ack(**first)
    for reply in more:
        respond(**reply)


def register(app: App) -> None:
    app.command("/ce")(handle_ce)
