"""``/ce progress`` and ``/ce track`` replies: each tracked credential with a bar, what's missing and the deadline.

Pure functions from :class:`~cebot.domain.progress.Progress` (and the track
service's result) to Block Kit. Every piece of text that may come from a user or
a clinic-defined requirement set (titles, set names, labels, notes, licence
numbers) is escaped. Messages stay within Slack's 50-block limit: with many
credentials each one becomes a compact line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date

from cebot.domain.hours import Quarters, format_hours
from cebot.domain.progress import Progress, Status, format_date, format_window
from cebot.slack import blocks as bk
from cebot.slack.mrkdwn import code, escape
from cebot.slack.render.credential_line import credential_line

MAX_BLOCKS = bk.MAX_BLOCKS_MESSAGE
DETAIL_BLOCKS_PER_CREDENTIAL = 5
"""At most this many blocks for one credential in the detailed view (a divider included)."""
NOT_COUNTED_SHOWN = 3
NOTES_SHOWN = 2
SECTION_BUDGET = 2900
"""Characters packed into one section before starting the next (Slack's limit is 3000)."""

STATUS_BADGES: dict[Status, tuple[str, str]] = {
    Status.COMPLETE: (":white_check_mark:", "Complete"),
    Status.NOT_STARTED: (":white_circle:", "Not started"),
    Status.ON_PACE: (":large_green_circle:", "On pace"),
    Status.BEHIND_PACE: (":large_yellow_circle:", "Behind pace"),
    Status.DUE_SOON: (":large_orange_circle:", "Due soon"),
    Status.OVERDUE: (":red_circle:", "Overdue"),
    Status.EXEMPT: (":white_circle:", "No CE needed"),
    Status.NEEDS_INFO: (":grey_question:", "Needs your dates"),
}

LOG_HINT = "/ce log 3h Ethics in Touch #ethics"
START_HINT = "/ce track FL deadline:2027-08-31"

_COMMAND = re.compile(r"/ce [a-z]+(?: [A-Za-z0-9_.-]+)?(?: [a-z_]+:[A-Za-z0-9_.:/-]+)*")


def badge(status: Status) -> str:
    """``:red_circle: Overdue``: the status as an emoji and words."""
    emoji, words = STATUS_BADGES[status]
    return f"{emoji} {words}"


def hours(q: Quarters) -> str:
    """``2.5 h``."""
    return f"{format_hours(q)} h"


def days_phrase(days_left: int) -> str:
    """``279 days left``, ``due today``, ``1 day left``, ``12 days ago``."""
    if days_left == 0:
        return "due today"
    if days_left < 0:
        n = -days_left
        return f"{n} day{'s' if n != 1 else ''} ago"
    return f"{days_left} day{'s' if days_left != 1 else ''} left"


def with_commands(text: str) -> str:
    """``text`` escaped, with every ``/ce ...`` command in it shown as code (the service's sentences)."""
    return _COMMAND.sub(lambda m: f"`{m.group(0)}`", escape(text))


# -- pieces of one credential --------------------------------------------------------------------


def title_line(p: Progress) -> str:
    return f"*{escape(p.name).replace('*', '∗')}* ({escape(p.key)})"


def bar_line(p: Progress) -> str:
    """``▰▰▰▱▱▱▱▱▱▱ 10 of 24 h · 14 h to go``."""
    if p.status is Status.EXEMPT and p.required == 0:
        return f"{bk.progress_bar(1, 1)} no CE hours needed" + (
            f" · {hours(p.counted)} logged" if p.counted else "")
    total = p.required + p.on_top_required
    counted = min(p.counted, p.required) + sum(min(r.counted, r.required) for r in p.subject_rows if r.on_top)
    text = f"{bk.progress_bar(counted, total)} {format_hours(p.counted)} of {hours(p.required)}"
    if p.on_top_required:
        text += f" + {hours(p.on_top_required)} on top"
    text += f" · {hours(p.remaining)} to go" if p.remaining else " · nothing to go"
    return text


def deadline_line(p: Progress) -> str:
    """``:large_green_circle: On pace · deadline Aug 31, 2027 (279 days left)``."""
    parts = [badge(p.status)]
    if p.deadline is not None and p.days_left is not None:
        parts.append(f"deadline {format_date(p.deadline)} ({days_phrase(p.days_left)})")
    return " · ".join(parts)


def missing_line(p: Progress) -> str | None:
    """``Still missing: Ethics 2 h · In person 4 h · Implicit bias (on top) 1 h``, or None."""
    items = [f"{escape(r.label)}{' (on top)' if r.on_top else ''} {hours(r.remaining)}"
             + (" ⚠️" if r.unconfirmed else "")
             for r in p.subject_rows if r.remaining]
    if p.in_person is not None and p.in_person.remaining:
        items.append(f"in person {hours(p.in_person.remaining)}")
    return ("Still missing: " + " · ".join(items)) if items else None


def conditions_line(p: Progress) -> str | None:
    if not p.conditions:
        return None
    items = []
    for c in p.conditions:
        mark = "✅" if c.met else ("❌" if c.met is False else "☐")
        items.append(f"{mark} {escape(c.label)}" + (" ⚠️ unconfirmed" if c.unconfirmed else ""))
    return "Also needed: " + " · ".join(items)


def not_counted_line(p: Progress, limit: int = NOT_COUNTED_SHOWN) -> str | None:
    """Courses that don't count here and why (the first few), or None."""
    if not p.not_counted:
        return None
    items = [f"#{n.entry_id} {escape(bk.truncate(n.title, 40))} ({hours(n.hours)}"
             f"{', partly' if n.partial else ''}): {escape(n.reason)}" for n in p.not_counted[:limit]]
    more = len(p.not_counted) - limit
    if more > 0:
        items.append(f"and {more} more")
    return "Not counted: " + "; ".join(items)


def certificates_line(p: Progress) -> str | None:
    n = p.entries_without_certificate
    if not n:
        return None
    return f":page_facing_up: {n} counted course{'s have' if n != 1 else ' has'} no certificate on file."


def unconfirmed_line(p: Progress) -> str | None:
    if not p.unconfirmed:
        return None
    return "⚠️ Unconfirmed: " + " · ".join(escape(u) for u in p.unconfirmed)


def notes_line(p: Progress, limit: int = NOTES_SHOWN) -> str | None:
    notes = [escape(n) for n in p.notes[:limit]]
    return " · ".join(notes) if notes else None


def credential_blocks(p: Progress) -> list[bk.Block]:
    """The detailed view of one credential: at most :data:`DETAIL_BLOCKS_PER_CREDENTIAL` blocks."""
    main = [title_line(p), bar_line(p), deadline_line(p)]
    main += [f":mega: {escape(p.rule_change)}"] if p.rule_change else []
    if p.needs:
        main.append(":point_right: " + with_commands(p.needs))
    out = [bk.section("\n".join(main))]
    detail = [line for line in (missing_line(p), conditions_line(p)) if line]
    if detail:
        out.append(bk.section("\n".join(detail)))
    small = [line for line in (not_counted_line(p), certificates_line(p)) if line]
    if small:
        out.append(bk.context(*small))
    extra = [line for line in (unconfirmed_line(p), notes_line(p)) if line]
    if extra:
        out.append(bk.context(*extra))
    return out


def compact_line(p: Progress) -> str:
    """One line per credential for long lists: status, name, hours and deadline."""
    return f"{STATUS_BADGES[p.status][0]} {credential_line(p)} ({escape(p.key)})"


# -- whole replies --------------------------------------------------------------------------------


def pack_lines(lines: Iterable[str], *, budget: int = SECTION_BUDGET, max_blocks: int) -> list[bk.Block]:
    """Sections holding ``lines`` (each section at most ``budget`` characters), at most ``max_blocks`` of them;
    lines that do not fit are summed up as "and N more" in the last block."""
    lines = list(lines)
    chunks: list[list[str]] = [[]]
    size = 0
    for line in lines:
        line = bk.truncate(line, budget)
        if chunks[-1] and size + len(line) + 1 > budget:
            chunks.append([])
            size = 0
        chunks[-1].append(line)
        size += len(line) + 1
    chunks = [c for c in chunks if c]
    if len(chunks) <= max_blocks:
        return [bk.section("\n".join(c)) for c in chunks]
    kept = chunks[: max(max_blocks - 1, 0)]
    shown = sum(len(c) for c in kept)
    return [*(bk.section("\n".join(c)) for c in kept), bk.context(f"…and {len(lines) - shown} more.")]


def no_credentials_blocks() -> list[bk.Block]:
    return [
        bk.section("You're not tracking any licence or certification yet, so there's no progress to show."),
        bk.section(f"Start with your state licence: {code(START_HINT)} (your state's code and your renewal "
                   f"deadline). {code('/ce requirements')} lists every key you can track."),
    ]


def progress_text(progress: Sequence[Progress]) -> str:
    """The notification fallback: one line per credential."""
    if not progress:
        return "You're not tracking anything yet: start with " + code(START_HINT) + "."
    return "\n".join(credential_line(p) for p in progress)


def progress_blocks(progress: Sequence[Progress], *, today: date | None = None) -> list[bk.Block]:
    """``/ce progress``: every tracked credential, detailed when they fit in one message, else compact."""
    if not progress:
        return no_credentials_blocks()
    head = [bk.header("Your CE progress")]
    own = next((p for p in progress if p.status is not Status.EXEMPT), progress[0]).key
    foot = bk.context(f"Log a course: {code(LOG_HINT)} · your rule and its source: {code(f'/ce requirements {own}')}"
                      + (f" · as of {format_date(today)}" if today else ""))
    room = MAX_BLOCKS - len(head) - 1
    if len(progress) * DETAIL_BLOCKS_PER_CREDENTIAL <= room:
        body: list[bk.Block] = []
        for i, p in enumerate(progress):
            if i:
                body.append(bk.divider())
            body.extend(credential_blocks(p))
    else:
        body = pack_lines((compact_line(p) for p in progress), max_blocks=room - 1)
        body.append(bk.context("Many credentials: each shows on one line. Untrack the ones you no longer need "
                               f"with {code('/ce untrack KEY')}."))
    return [*head, *body, foot]


def track_reply(
    *,
    progress: Progress | None,
    name: str,
    key: str,
    created: bool,
    deadline_computed: bool,
    licence_number: str | None,
    needs: str | None,
    tracks_hours: bool,
    unconfirmed: Sequence[str] = (),
    no_ce_note: str | None = None,
    pathway: bool = False,
) -> tuple[str, list[bk.Block]]:
    """The reply to ``/ce track``: what is tracked, its cycle and progress, and what to do next."""
    title = f"*{escape(name).replace('*', '∗')}* ({escape(key)})"
    number = f" · licence no. {code(licence_number)}" if licence_number else ""
    if not tracks_hours:
        note = (no_ce_note or f"{name} does not ask for CE hours.").rstrip(". ")
        return _no_hours_reply(f"{title}{number}", key, note, pathway=pathway, unconfirmed=unconfirmed)
    verb = "Now tracking" if created else "Updated"
    lines = [f":white_check_mark: {verb} {title}{number}."]
    if progress is not None and progress.window is not None and progress.deadline is not None:
        how = " (worked out from the rule; tell me if yours differs)" if deadline_computed else ""
        lines.append(f"Cycle: {format_window(progress.window)} · deadline {format_date(progress.deadline)}{how}")
    if progress is not None and progress.status is not Status.NEEDS_INFO:
        lines.append(credential_line(progress))
        lines.append(deadline_line(progress))
    blocks = [bk.section("\n".join(lines))]
    if progress is not None:
        detail = [line for line in (missing_line(progress), conditions_line(progress)) if line]
        if detail:
            blocks.append(bk.section("\n".join(detail)))
    todo = needs or (progress.needs if progress is not None else None)
    blocks.append(bk.section(_next_step(todo, progress)))
    if unconfirmed:
        blocks.append(bk.context("⚠️ Unconfirmed: " + " · ".join(escape(u) for u in unconfirmed)))
    fallback = lines[0]
    if progress is not None and progress.status is not Status.NEEDS_INFO:
        fallback += "\n" + credential_line(progress)
    elif todo:
        fallback += "\n" + with_commands(todo)
    return fallback, blocks


def _no_hours_reply(what: str, key: str, note: str, *, pathway: bool,
                    unconfirmed: Sequence[str]) -> tuple[str, list[bk.Block]]:
    """The ``/ce track`` reply for a set that asks for no CE hours: a pathway to follow, or nothing to track."""
    if pathway:
        text = f":white_check_mark: Now following {what}: {escape(note)}."
        lines = [text, f"Your pathway checklist and next step: {code('/ce amma')}."]
    else:
        text = f":white_circle: {escape(note)} — nothing to track there."
        lines = [text, f"I've noted {what} in your list anyway; {code('/ce untrack ' + key)} removes it."]
    if unconfirmed:
        lines.append("⚠️ Unconfirmed: " + " · ".join(escape(u) for u in unconfirmed))
    return text, [bk.section("\n".join(lines)), bk.context(f"See your other credentials with {code('/ce progress')}.")]


def _next_step(todo: str | None, progress: Progress | None) -> str:
    """What to do after tracking: give what is missing, nothing (complete), or log courses."""
    if todo:
        return ":point_right: " + with_commands(todo)
    if progress is not None and progress.status is Status.COMPLETE:
        return f"Nothing left for this cycle. See everything with {code('/ce progress')}."
    return f"Next: log each course with {code(LOG_HINT)}; see where you stand with {code('/ce progress')}."
