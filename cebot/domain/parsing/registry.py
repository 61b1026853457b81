"""Every ``/ce`` subcommand, once: its name, aliases, usage line, example and summary.

The grammar (``parse_command``, error hints), the Slack router (which aliases it answers) and ``/ce help``
(the list, in this order, and each topic) all read :data:`COMMANDS`; a new subcommand is one entry here
plus its handler.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    """One subcommand as users see it."""

    name: str
    usage: str
    """The usage line (plain text with ``<placeholders>``: escape before putting into mrkdwn)."""
    example: str
    summary: str
    """What it does, in a few words (``/ce help`` shows it after the example)."""
    aliases: tuple[str, ...] = ()
    read_only: bool = False
    """It only shows what is there: a replay may run again, and the request takes no lock (on SQLite, no wait
    for the database's write lock behind other members' writes)."""


COMMANDS: tuple[Command, ...] = (
    Command("log", "/ce log <hours> <title> [date:<date>] [provider:<name>] [approval:<number>] "
                   "[format:in-person|online|home-study] [#subject ...] [notes:<text>]",
            '/ce log 3h Ethics in Touch #ethics date:2026-03-14 provider:"Acme Seminars"',
            "log a course (just `/ce log` opens a form)", ("add", "new", "record")),
    Command("check", "/ce check <hours> <title> [date:<date>] [format:in-person|online|home-study] [#subject ...]",
            "/ce check 3h Ethics in Touch #ethics format:online",
            "what a course would count for, before you pay (saves nothing)", ("whatif", "what-if", "count"),
            read_only=True),
    Command("progress", "/ce progress", "/ce progress", "how far you are from each deadline",
            ("status", "me", "missing"), read_only=True),
    Command("plan", "/ce plan", "/ce plan", "the fewest hours, by kind of course, that finish everything",
            ("next", "todo"), read_only=True),
    Command("track", "/ce track <KEY> [deadline:<date>] [number:<licence no>] [birthday:<MM-DD>] [issued:<date>] "
                     "[first:yes|no] [cpr:<date>]",
            "/ce track FL deadline:2027-08-31 number:MA12345", "follow a licence or certification",
            ("follow", "add-licence")),
    Command("untrack", "/ce untrack <KEY>", "/ce untrack FL", "stop following one", ("unfollow", "stop")),
    Command("list", "/ce list [how many, 1-50] [page:N]", "/ce list 20", "your latest entries",
            ("ls", "entries", "history"), read_only=True),
    Command("edit", "/ce edit <id> <key:value ...>  (keys: hours, title, date, provider, approval, format, "
                    "subjects, notes)",
            "/ce edit 12 hours:2.5 date:3/14", "change an entry", ("change", "update")),
    Command("delete", "/ce delete <id>", "/ce delete 12", "remove an entry", ("del", "rm", "remove")),
    Command("undo", "/ce undo", "/ce undo", "reverse your last change"),
    Command("attach", "/ce attach <id>  (then share the certificate file in my DM)", "/ce attach 12",
            "attach a certificate to a course (then share the file in my DM)", ("certificate", "cert")),
    Command("requirements", "/ce requirements [KEY]", "/ce requirements FL",
            "a rule with its source (alone: every key)", ("requirement", "reqs", "req", "rules"), read_only=True),
    Command("amma", "/ce amma", "/ce amma", "your AMMA pathway checklist", ("pathway",), read_only=True),
    Command("milestone", "/ce milestone <program|mblex|experience|ce|exam> [date:<date>]",
            "/ce milestone mblex date:2024-05-01", "mark an AMMA step done", ("milestones", "step")),
    Command("remind", "/ce remind on|off|snooze [days]|days:90,30,7", "/ce remind days:90,30,7",
            "reminders on, off, snoozed, or at your own lead times", ("reminder", "reminders")),
    Command("calendar", "/ce calendar [reset]", "/ce calendar", "a private calendar feed of your deadlines"),
    Command("export", "/ce export csv|pdf [KEY]  ·  /ce export team csv", "/ce export csv",
            "your transcript as a PDF or CSV, or the audit packet (export audit KEY), in your DM"),
    Command("mydata", "/ce mydata export|delete", "/ce mydata export",
            "export or delete everything cebot keeps about you", ("my-data", "my_data", "privacy")),
    Command("team", "/ce team [page:N]", "/ce team [page:N]", "the team's progress (managers)", read_only=True),
    Command("admin", "/ce admin managers add|remove @person  ·  /ce admin summary #channel [day:mon] [time:09:00]  ·  "
                     "/ce admin summary off  ·  /ce admin target [KEY]  ·  /ce admin target remove KEY",
            "/ce admin managers add @Dana", "managers and the weekly summary (managers, Slack admins)"),
    Command("help", "/ce help [subcommand|subjects]", "/ce help log",
            "one command in detail (alone: this list; `/ce help subjects`: the subject tags)",
            ("?", "h", "-h", "--help", "commands"), read_only=True),
)
"""Every subcommand, in the order a new user needs them (``/ce help`` lists them so)."""

BY_NAME: dict[str, Command] = {c.name: c for c in COMMANDS}
USAGE_LINES: dict[str, str] = {c.name: c.usage for c in COMMANDS}
"""The usage line of every subcommand."""
EXAMPLES: dict[str, str] = {c.name: c.example for c in COMMANDS}
"""One example of every subcommand."""
SUMMARIES: dict[str, str] = {c.name: c.summary for c in COMMANDS}
"""What each subcommand does, in a few words."""
USAGE: dict[str, str] = {c.name: f"`{c.usage}`\nFor example: `{c.example}`" for c in COMMANDS}
"""Usage line plus one example for every subcommand (mrkdwn code spans; escape ``<``/``>`` before sending)."""
SUBCOMMANDS: tuple[str, ...] = tuple(BY_NAME)
ALIASES: dict[str, str] = {alias: c.name for c in COMMANDS for alias in c.aliases}
"""Alias -> subcommand name."""
assert not set(ALIASES) & set(BY_NAME), "an alias may not shadow a subcommand"
