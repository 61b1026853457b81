"""``/ce`` and ``/ce help``: what cebot does and every subcommand with an example.

Usage lines and examples come from the grammar (``cebot.domain.parsing``), so help
and error messages never disagree with what the parser accepts.
"""

from __future__ import annotations

from slack_bolt import App

from cebot.domain.parsing import EXAMPLES, SUBCOMMANDS, USAGE_LINES, ParseError, parse_command
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

ORDER = ("log", "check", "progress", "plan", "track", "untrack", "list", "edit", "delete", "undo", "attach",
         "requirements", "amma", "milestone", "remind", "export", "mydata", "team", "admin", "help")
"""The order a new user needs them in; subcommands the grammar adds later go at the end."""

SUMMARIES: dict[str, str] = {
    "log": "log a course (just `/ce log` opens a form)",
    "progress": "how far you are from each deadline",
    "check": "what a course would count for, before you pay (saves nothing)",
    "plan": "the fewest hours, by kind of course, that finish everything",
    "track": "follow a licence or certification",
    "untrack": "stop following one",
    "list": "your latest entries",
    "edit": "change an entry",
    "delete": "remove an entry",
    "undo": "reverse your last change",
    "requirements": "a rule with its source (alone: every key)",
    "amma": "your AMMA pathway checklist",
    "milestone": "mark an AMMA step done",
    "remind": "reminders on, off or snoozed",
    "attach": "attach a certificate to a course (then share the file in my DM)",
    "export": "your transcript as a PDF or CSV, or the audit packet (export audit KEY), in your DM",
    "mydata": "export or delete everything cebot keeps about you",
    "team": "the team's progress (managers)",
    "admin": "managers and the weekly summary (managers, Slack admins)",
    "help": "one command in detail (alone: this list; `/ce help subjects`: the subject tags)",
}
"""What each subcommand does, in a few words: every subcommand of the grammar has one (a ``summary`` given to
``register_subcommand`` replaces it), so help never shows a bare example."""


def names() -> list[str]:
    """Every subcommand, in help order."""
    ordered = [n for n in ORDER if n in SUBCOMMANDS]
    return ordered + [n for n in SUBCOMMANDS if n not in ordered]


def summary(name: str) -> str:
    """What ``name`` does, in a few words: the summary it was registered with, else :data:`SUMMARIES`."""
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
