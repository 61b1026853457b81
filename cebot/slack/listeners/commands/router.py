"""The ``/ce`` slash command: ack at once, pick the subcommand, run its handler in one transaction.

Feature modules in this package add subcommands from their ``register(app)``::

    def register(app: App) -> None:
        register_subcommand("log", handle_log, aliases=("add",))

A handler takes a :class:`~cebot.slack.context.CommandContext` and queues its
reply with ``ctx.respond(...)``; it raises ``ParseError`` for bad input and
``ServiceError`` for refused requests, and the router turns those into friendly
ephemeral replies (with nothing saved).
"""

from __future__ import annotations

import difflib
import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond, Say

from cebot.db import session_scope
from cebot.services.errors import ServiceError
from cebot.slack.context import CommandContext, engine_of, ensure_registered, member_today, settings_of
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
    example: str | None = None
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
    example: str | None = None,
    summary: str | None = None,
) -> None:
    """Make ``/ce <name>`` (and each alias) run ``handler``. Registering a name again replaces it.

    ``example`` and ``summary`` show in ``/ce help`` for subcommands not in its built-in table.
    """
    key = name.strip().lower()
    SUBCOMMANDS[key] = Subcommand(key, handler, tuple(a.lower() for a in aliases), example, summary)
    for alias in aliases:
        ALIASES[alias.strip().lower()] = key


def resolve(word: str) -> str | None:
    """The canonical subcommand for ``word`` (a name or an alias), or None."""
    word = word.lower()
    if word in SUBCOMMANDS:
        return word
    return ALIASES.get(word)


# -- parsing (cebot.domain.parsing owns the grammar; a plain split until it is there) -------------


def _parsing() -> ModuleType | None:
    try:
        return importlib.import_module("cebot.domain.parsing")
    except ImportError:
        return None


def parse_errors() -> tuple[type[BaseException], ...]:
    """The exception types that mean "bad input": the grammar's ``ParseError`` and plain ``ValueError``s it raises."""
    mod = _parsing()
    error = getattr(mod, "ParseError", None) if mod else None
    return (error,) if isinstance(error, type) and issubclass(error, BaseException) else ()


def split_command(text: str) -> tuple[str, str]:
    """``("log", "3h Ethics")`` for ``"log 3h Ethics"``; ``("", "")`` for an empty command."""
    mod = _parsing()
    parse = getattr(mod, "parse_command", None) if mod else None
    if callable(parse):
        sub, rest = parse(text)
        return str(sub).lower(), str(rest)
    parts = text.strip().split(None, 1)
    if not parts:
        return "", ""
    return parts[0].lower(), (parts[1].strip() if len(parts) > 1 else "")


def usage_for(subcommand: str) -> str | None:
    """The usage line for a subcommand: the grammar's ``USAGE`` table, else its help example."""
    mod = _parsing()
    table = getattr(mod, "USAGE", None) if mod else None
    if isinstance(table, dict) and table.get(subcommand):
        return str(table[subcommand])
    from cebot.slack.listeners.commands.help import example_for

    return example_for(subcommand)


def closest(word: str) -> str | None:
    """The known subcommand nearest to a mistyped ``word``."""
    from cebot.slack.listeners.commands.help import known_names

    names = sorted(set(known_names()) | set(SUBCOMMANDS) | set(ALIASES))
    match = difflib.get_close_matches(word.lower(), names, n=1, cutoff=0.5)
    if not match:
        match = [n for n in names if n.startswith(word.lower()[:3])][:1] if len(word) >= 3 else []
    if not match:
        return None
    return resolve(match[0]) or match[0]


def unknown_reply(word: str) -> str:
    from cebot.slack.listeners.commands.help import known_names

    if word.lower() in known_names():
        return f"`/ce {escape(word.lower())}` isn't ready yet, sorry. {HELP_POINTER}"
    guess = closest(word)
    text = f"I don't know `/ce {escape(word)}`."
    if guess:
        text += f" Did you mean `/ce {guess}`?"
    return f"{text} {HELP_POINTER}"


def parse_error_reply(exc: BaseException, subcommand: str) -> str:
    message = str(getattr(exc, "message", None) or exc).strip() or "I couldn't read that."
    usage = getattr(exc, "usage", None) or usage_for(subcommand)
    text = escape(message)
    if usage and escape(usage) not in text:
        text += f"\nTry it like this: `{escape(usage)}`"
    return text


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
    except ServiceError as exc:
        respond(text=escape(exc.message), response_type="ephemeral")
        return
    except Exception as exc:
        if isinstance(exc, parse_errors()):
            respond(text=parse_error_reply(exc, entry.name), response_type="ephemeral")
            return
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
    except Exception as exc:
        if isinstance(exc, parse_errors()):
            respond(text=parse_error_reply(exc, "help"), response_type="ephemeral")
            return
        raise
    name = resolve(word or "help")
    if name is None:
        respond(text=unknown_reply(word), response_type="ephemeral")
        return
    run_subcommand(
        entry=SUBCOMMANDS[name], context=context, body=body, command=command, subcommand_text=rest,
        respond=respond, say=say,
    )


def register(app: App) -> None:
    app.command("/ce")(handle_ce)
