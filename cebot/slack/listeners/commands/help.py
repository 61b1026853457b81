"""``/ce`` and ``/ce help``: what cebot does and every subcommand with an example.

Usage lines, examples and summaries come from the one subcommand registry
(``cebot.domain.parsing.registry``), so help, the router and error messages never disagree.
"""

from __future__ import annotations

from slack_bolt import App

from cebot.domain.parsing import EXAMPLES, SUBCOMMANDS, SUMMARIES, USAGE_LINES, ParseError, parse_command
from cebot.domain.subjects import SUBJECTS
from cebot.slack import blocks as bk
from cebot.slack.context import CommandContext
from cebot.slack.listeners.commands import router
from cebot.slack.mrkdwn import escape

INTRO = (
    "I keep your continuing-education (CE) log and show how far you are from renewing your licence "
    "and certifications. Log a course in one line, then check your progress."
)
NEXT_STEP = "Start with `/ce track` for your licence, then `/ce log` after each course."

ORDER: tuple[str, ...] = SUBCOMMANDS
"""The order a new user needs them in (the registry's); subcommands registered only here go at the end."""


def names() -> list[str]:
    """Every subcommand, in help order."""
    ordered = [n for n in ORDER if n in SUBCOMMANDS]
    return ordered + [n for n in SUBCOMMANDS if n not in ordered]


def summary(name: str) -> str:
    """What ``name`` does, in a few words: the registry's summary (or one given to ``register_subcommand``)."""
    registered = router.SUBCOMMANDS.get(name)
    return (registered.summary if registered and registered.summary else None) or SUMMARIES.get(name, "")


def help_lines() -> list[str]:
    """One mrkdwn line per subcommand: its example and what it does."""
    lines = []
    for name in names():
        what = summary(name)
        lines.append(f"`{escape(EXAMPLES[name])}`" + (f" – {what}" if what else ""))
    return lines


def help_text() -> str:
    """The whole help as mrkdwn (the notification fallback of the blocks)."""
    return "\n".join([INTRO, "", *(f"• {line}" for line in help_lines()), "", NEXT_STEP])


def help_blocks() -> list[bk.Block]:
    return [
        bk.section(f"*cebot* – {INTRO}"),
        bk.section("\n".join(help_lines())),
        bk.context(NEXT_STEP),
    ]


def topic_text(name: str) -> str:
    what = summary(name)
    return (
        f"`{escape(USAGE_LINES[name])}`" + (f"\n{what[0].upper()}{what[1:]}." if what else "")
        + f"\nFor example: `{escape(EXAMPLES[name])}`\n{router.HELP_POINTER}"
    )


SUBJECT_TOPICS = ("subjects", "subject", "tags", "tag")
"""``/ce help subjects`` (the words it also takes) lists the subjects a course can be tagged with."""


def subjects_text() -> str:
    """Every subject with its tag, and how to use one."""
    lines = [f"• {escape(s.label)}: `#{s.key}`" for s in SUBJECTS]
    return "\n".join([
        "*Subjects* a course can be tagged with (other common names work too: `#law` is `#laws_rules`):",
        *lines,
        f"Tag a course when you log it: `{escape(EXAMPLES['log'])}`",
    ])


def handle_help(ctx: CommandContext) -> None:
    """``/ce help [subcommand|subjects]``."""
    topic = ctx.rest.split(None, 1)[0] if ctx.rest.strip() else ""
    if topic.lower().lstrip("#") in SUBJECT_TOPICS:
        ctx.respond(subjects_text())
        return
    if topic:
        try:
            name, _ = parse_command(topic)
        except ParseError as exc:
            ctx.respond(router.parse_error_reply(exc, None))
            return
        if name != "help":
            ctx.respond(topic_text(name))
            return
    ctx.respond(help_text(), blocks=help_blocks())


def register(app: App) -> None:
    router.register_subcommand("help", handle_help)
