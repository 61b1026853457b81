"""Block Kit for the App Home tab and its "Track a licence" modal: pure functions of plain data.

:func:`home_view` shows a greeting, each tracked credential (bar, hours counted of
required, what is missing by subject, deadline and days left, status), the five
latest courses and the buttons; :func:`welcome_view` is what a first-time visitor
sees instead. Every piece of user or catalog text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from cebot.domain.hours import format_hours
from cebot.domain.plan import Plan
from cebot.domain.progress import Progress, format_date
from cebot.domain.subjects import label as subject_label
from cebot.slack import blocks as bk
from cebot.slack.mrkdwn import bold, code, escape
from cebot.slack.render import plan as plan_render
from cebot.slack.render import progress as progress_render
from cebot.slack.render.certificates import AUDIT_ACTION

LOG_ACTION = "home_log_ce"
TRACK_ACTION = "home_track"
REQUIREMENTS_ACTION = "home_requirements"
TRACK_CALLBACK = "home_track_modal"

TRACK_KEY_BLOCK = "track_key"
TRACK_DEADLINE_BLOCK = "track_deadline"
TRACK_NUMBER_BLOCK = "track_number"
KEY_ACTION = "key"
DEADLINE_ACTION = "deadline"
NUMBER_ACTION = "number"

RECENT_COUNT = 5
MAX_CREDENTIALS_SHOWN = 20
"""Each credential takes two blocks; this keeps the tab well under Slack's 100."""

EXAMPLE_TRACK = "/ce track FL deadline:2027-08-31"
EXAMPLE_LOG = "/ce log 3h Ethics in Touch #ethics"
EXAMPLE_PROGRESS = "/ce progress"

@dataclass(frozen=True)
class RecentEntry:
    """One course as the Home tab lists it."""

    id: int
    title: str
    completed_on: date
    hours: int
    """Quarter-hours."""
    subjects: tuple[str, ...] = ()


# -- pieces --------------------------------------------------------------------------------------


def credential_block(p: Progress) -> bk.Block:
    """One credential in one section, worded as ``/ce progress`` words it: name, bar and hours, status and
    deadline with days left, what is missing by subject, and what to tell cebot when it lacks a date."""
    lines = [progress_render.title_line(p), progress_render.bar_line(p), progress_render.deadline_line(p)]
    lines += [line for line in (progress_render.missing_line(p), progress_render.conditions_line(p)) if line]
    lines += [f":mega: {escape(p.rule_change)}"] if p.rule_change else []
    if p.needs:
        lines.append(":point_right: " + progress_render.with_commands(p.needs))
    return bk.section("\n".join(lines), accessory=bk.button("Audit packet", AUDIT_ACTION, value=p.key))


def entry_line(entry: RecentEntry) -> str:
    """``Mar 3, 2026 · *Ethics in Touch* · 3 h (Ethics) · #12``."""
    subjects = ", ".join(escape(subject_label(s)) for s in entry.subjects)
    hours = f"{format_hours(entry.hours)} h" + (f" ({subjects})" if subjects else "")
    return f"{format_date(entry.completed_on)} · {bold(entry.title)} · {hours} · #{entry.id}"


def home_buttons() -> bk.Block:
    return bk.actions(
        bk.button("Log CE", LOG_ACTION, style="primary", value="log"),
        bk.button("Track a licence", TRACK_ACTION, value="track"),
        bk.button("See requirements", REQUIREMENTS_ACTION, value="requirements"),
        block_id="home_buttons",
    )


# -- views ---------------------------------------------------------------------------------------


def greeting(name: str) -> str:
    name = (name or "").strip()
    return f"Hi {name}!" if name else "Hi there!"


def welcome_view(name: str) -> dict[str, Any]:
    """The Home tab of someone with no credentials and no courses yet: how to start, in three steps."""
    return bk.home([
        bk.header(f"Welcome to cebot, {name.strip()}" if name.strip() else "Welcome to cebot"),
        bk.section("I keep your continuing-education (CE) log and show how far you are from renewing your "
                   "licence and certifications. Three steps to start:"),
        bk.section(f"*1.* Track your licence: {code(EXAMPLE_TRACK)}\n"
                   f"*2.* Log a course after you take it: {code(EXAMPLE_LOG)}\n"
                   f"*3.* See what's left before your deadline: {code(EXAMPLE_PROGRESS)}"),
        home_buttons(),
        bk.context(f"Type {code('/ce help')} in any channel for everything I can do."),
    ])


def home_view(
    *, name: str, progress: Sequence[Progress], recent: Sequence[RecentEntry], today: date, more_entries: bool = False,
    plan: Plan | None = None,
) -> dict[str, Any]:
    """The Home tab: greeting, progress per credential, the plan to finish, recent courses, buttons (welcome when
    both progress and courses are empty)."""
    if not progress and not recent:
        return welcome_view(name)
    blocks: list[bk.Block] = [
        bk.header(greeting(name)),
        bk.context(f"Your CE progress on {format_date(today)}."),
        home_buttons(),
        bk.divider(),
    ]
    if progress:
        shown = list(progress)[:MAX_CREDENTIALS_SHOWN]
        for p in shown:
            blocks.append(credential_block(p))
        if len(progress) > len(shown):
            blocks.append(bk.context(f"And {len(progress) - len(shown)} more: {code('/ce progress')} shows all."))
    else:
        blocks.append(bk.section("You're not tracking a licence or certification yet, so I can't show how far you "
                                 f"are. Press *Track a licence* or type {code(EXAMPLE_TRACK)}."))
    if plan is not None and plan.items:
        blocks.append(bk.divider())
        blocks += plan_render.plan_blocks(plan, limit=plan_render.PLAN_HOME_ITEMS)
    blocks.append(bk.divider())
    blocks.append(bk.section("*Recent courses*"))
    if recent:
        blocks.append(bk.section("\n".join(entry_line(e) for e in list(recent)[:RECENT_COUNT])))
        more = f"{code('/ce list')} shows more. " if more_entries else ""
        blocks.append(bk.context(f"{more}Change one with {code('/ce edit <id> hours:2')}, "
                                 f"remove it with {code('/ce delete <id>')}."))
    else:
        blocks.append(bk.section(f"No courses logged yet. Press *Log CE*, or type {code(EXAMPLE_LOG)}."))
    return bk.home(blocks)


# -- the "Track a licence" modal -----------------------------------------------------------------


def track_modal(keys: Sequence[tuple[str, str]], *, today: date) -> dict[str, Any]:
    """A small form: which licence or certification (``(key, name)`` pairs), deadline, licence number."""
    options = [(f"{key} – {name}" if name and name != key else key, key) for key, name in keys]
    return bk.modal(
        "Track a licence",
        [
            bk.input_block("Licence or certification", bk.static_select(KEY_ACTION, options, placeholder="Choose one"),
                           block_id=TRACK_KEY_BLOCK, hint="State licences by state code, or NCBTMB, AMTA, AMMA."),
            bk.input_block("Renewal deadline", bk.datepicker(DEADLINE_ACTION), block_id=TRACK_DEADLINE_BLOCK,
                           optional=True, hint="Leave empty and I'll work it out when the rule allows."),
            bk.input_block("Licence number", bk.plain_text_input(NUMBER_ACTION, max_length=64),
                           block_id=TRACK_NUMBER_BLOCK, optional=True),
            bk.context(f"Today is {format_date(today)}. Birthday-based renewals: use "
                       f"{code('/ce track <KEY> birthday:MM-DD')}."),
        ],
        callback_id=TRACK_CALLBACK,
        submit="Track",
    )


def requirements_modal(keys: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Every requirement key with its name, and how to see one rule in full."""
    lines = [f"{code(key)} {escape(name)}" for key, name in keys]
    chunks: list[bk.Block] = []
    for start in range(0, len(lines), 25):
        chunks.append(bk.section("\n".join(lines[start:start + 25])))
    return bk.modal(
        "Requirements",
        [
            bk.section(f"Type {code('/ce requirements FL')} (any key below) to see a rule with its source and the "
                       f"date it was checked; {code('/ce track FL')} follows it."),
            *chunks[:90],
        ],
        callback_id="home_requirements_modal",
        submit=None,
        close="Close",
    )
