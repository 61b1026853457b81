"""``/ce`` and ``/ce help``: what cebot does and every subcommand with an example."""

from __future__ import annotations

from slack_bolt import App

from cebot.slack import blocks as bk
from cebot.slack.context import CommandContext
from cebot.slack.listeners.commands import router
from cebot.slack.mrkdwn import escape

INTRO = (
    "I keep your continuing-education (CE) log and show how far you are from renewing your licence "
    "and certifications. Log a course in one line, then check your progress."
)

# (name, example, what it does), in the order a new user needs them.
HELP_TABLE: tuple[tuple[str, str, str], ...] = (
    ("log", "/ce log 3h Ethics in Touch #ethics", "log a course (just `/ce log` opens a form)"),
    ("progress", "/ce progress", "how far you are from each deadline"),
    ("track", "/ce track FL deadline:2027-08-31", "follow a licence or certification"),
    ("untrack", "/ce untrack FL", "stop following one"),
    ("list", "/ce list 10", "your latest entries"),
    ("edit", "/ce edit 12 hours:2.5", "change an entry"),
    ("delete", "/ce delete 12", "remove an entry"),
    ("undo", "/ce undo", "reverse your last change"),
    ("requirements", "/ce requirements FL", "a rule with its source (alone: every key)"),
    ("amma", "/ce amma", "your AMMA pathway checklist"),
    ("milestone", "/ce milestone exam date:2026-03-01", "mark an AMMA step done"),
    ("team", "/ce team", "the team's progress (managers)"),
    ("admin", "/ce admin managers add @maria", "choose who manages cebot (Slack admins)"),
    ("help", "/ce help", "this list"),
)


def known_names() -> list[str]:
    """Every subcommand help knows of: the built-in table plus registered extras."""
    names = [name for name, _, _ in HELP_TABLE]
    return names + [n for n in router.SUBCOMMANDS if n not in names]


def entries() -> list[tuple[str, str, str]]:
    """(name, example, summary) for every subcommand to list, table first, then registered extras."""
    rows = list(HELP_TABLE)
    table_names = {name for name, _, _ in HELP_TABLE}
    for name, sub in router.SUBCOMMANDS.items():
        if name not in table_names:
            rows.append((name, sub.example or f"/ce {name}", sub.summary or ""))
    return rows


def example_for(subcommand: str) -> str | None:
    for name, example, _ in entries():
        if name == subcommand:
            return example
    return None


def help_text() -> str:
    """The help as mrkdwn (also the notification fallback)."""
    lines = [INTRO, ""]
    for _name, example, summary in entries():
        lines.append(f"• `{escape(example)}` – {summary}" if summary else f"• `{escape(example)}`")
    lines.append("")
    lines.append("Start with `/ce track` for your licence, then `/ce log` after each course.")
    return "\n".join(lines)


def help_blocks() -> list[bk.Block]:
    rows = [f"`{escape(example)}`  {summary}" for _, example, summary in entries()]
    return [
        bk.section(f"*cebot* – {INTRO}"),
        bk.section("\n".join(rows)),
        bk.context("Start with `/ce track` for your licence, then `/ce log` after each course."),
    ]


def handle_help(ctx: CommandContext) -> None:
    topic = ctx.rest.strip().split(None, 1)[0].lower() if ctx.rest.strip() else ""
    name = router.resolve(topic) if topic else None
    if topic and (name or topic in known_names()):
        key = name or topic
        for entry_name, example, summary in entries():
            if entry_name == key:
                usage = router.usage_for(key) or example
                ctx.respond(f"`{escape(usage)}` – {summary}\nExample: `{escape(example)}`. {router.HELP_POINTER}")
                return
    ctx.respond(help_text(), blocks=help_blocks())


def register(app: App) -> None:
    router.register_subcommand("help", handle_help, aliases=("?", "h"))
