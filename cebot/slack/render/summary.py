"""Block Kit for the weekly manager summary: totals, who needs help, upcoming deadlines, completions.

Members are named with ``<@U…>`` mentions (never ``@channel``/``@here``); every
name and label from users is escaped. Lists are kept short for a phone screen;
the rest is one ``/ce team`` away.
"""

from __future__ import annotations

from typing import Any

from cebot.domain.hours import format_hours
from cebot.domain.summary import SummaryLine, SummaryMember, WeeklySummary
from cebot.slack import blocks as b
from cebot.slack.mrkdwn import bold, code, escape, user_mention
from cebot.slack.render.reminders import fmt_date

MAX_LINES = 12
STATUS_LABEL = {"overdue": "overdue", "due_soon": "due soon", "behind_pace": "behind pace",
                "not_started": "not started", "on_pace": "on pace", "complete": "complete"}


def _on_pace(counts: dict[str, int]) -> int:
    return counts.get("on_pace", 0) + counts.get("not_started", 0)


def who(member: SummaryMember) -> str:
    """A mention for the member (escaped display name if the id is not a Slack user id)."""
    try:
        return user_mention(member.slack_user_id)
    except ValueError:
        return escape(member.display_name or member.slack_user_id)


def _missing(line: SummaryLine) -> str:
    c = line.credential
    subjects = ", ".join(f"{escape(m.label)} {format_hours(m.remaining)} h" for m in c.missing if m.remaining > 0)
    needs = f"{format_hours(c.remaining)} h to go" if c.remaining > 0 else ""
    return "; ".join(p for p in (needs, subjects) if p) or "conditions to meet"


def _when(line: SummaryLine) -> str:
    c = line.credential
    if c.days_left is None or c.deadline is None:
        return "no deadline set"
    if c.days_left < 0:
        return f"{-c.days_left} days overdue ({fmt_date(c.deadline)})"
    return f"{c.days_left} days left ({fmt_date(c.deadline)})"


def _chunks(lines: list[str], more: int) -> list[str]:
    if more > 0:
        lines = [*lines, f"…and {more} more: {code('/ce team')}, or everyone in one file: "
                         f"{code('/ce export team csv')}"]
    out: list[str] = []
    current = ""
    for line in lines:
        if current and len(current) + len(line) + 1 > 2900:
            out.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        out.append(current)
    return out


def _listing(title: str, lines: list[str], total: int) -> list[dict[str, Any]]:
    if not lines:
        return []
    texts = _chunks(lines, total - len(lines))
    return [b.section(f"{title}\n{texts[0]}"), *(b.section(t) for t in texts[1:])]


def render_summary(summary: WeeklySummary) -> dict[str, Any]:
    """``text`` + ``blocks`` for ``chat.postMessage`` to the summary channel."""
    week = f"{fmt_date(summary.week_start)} – {fmt_date(summary.week_end)}"
    c = summary.counts
    text = (f"Weekly CE summary, {week}: {c.get('overdue', 0)} overdue, {c.get('due_soon', 0)} due soon, "
            f"{c.get('behind_pace', 0)} behind pace, {_on_pace(c)} on pace or not started yet, "
            f"{c.get('complete', 0)} complete")
    blocks: list[dict[str, Any]] = [b.header("Weekly CE summary"), b.context(f"{week} · {summary.members_tracked} "
                                                                             "members tracked")]
    if summary.is_empty:
        blocks.append(b.section("Nobody is tracking a licence yet. Members start with "
                                + code("/ce track FL deadline:2027-08-31") + "."))
        return b.message("Weekly CE summary: nobody is tracking a licence yet", blocks)
    blocks.append(b.section(fields=[
        f"*Logged this week*\n{format_hours(summary.hours_this_week)} h by {summary.members_logging} "
        f"member{'s' if summary.members_logging != 1 else ''}",
        f"*Complete*\n{c.get('complete', 0)}",
        f"*On pace or not started yet*\n{_on_pace(c)}",
        f"*Behind pace*\n{c.get('behind_pace', 0)}",
        f"*Due soon*\n{c.get('due_soon', 0)}",
        f"*Overdue*\n{c.get('overdue', 0)}",
    ]))
    attention = [f"• {who(line.member)} · {bold(line.credential.name)}: "
                 f"{STATUS_LABEL.get(line.credential.status, line.credential.status)}, {_missing(line)}, "
                 f"{_when(line)}" for line in summary.needs_attention[:MAX_LINES]]
    blocks += _listing(":rotating_light: *Needs attention*", attention, len(summary.needs_attention))
    upcoming = [f"• {fmt_date(line.credential.deadline)} · {who(line.member)} · {bold(line.credential.name)} "
                f"({_missing(line)})" for line in summary.upcoming[:MAX_LINES] if line.credential.deadline]
    blocks += _listing(":calendar: *Deadlines in the next 60 days*", upcoming, len(summary.upcoming))
    done = [f"• {who(line.member)} · {bold(line.credential.name)}" for line in summary.completed[:MAX_LINES]]
    blocks += _listing(":tada: *Completed a cycle this week*", done, len(summary.completed))
    if not (attention or upcoming or done):
        blocks.append(b.section("Nobody is behind and no deadline is near. :white_check_mark:"))
    blocks.append(b.context("Details per member: " + code("/ce team") + " · change or stop this summary: "
                            + code("/ce admin summary off")))
    return b.message(text, blocks)
