"""One credential's progress as one short mrkdwn line, shared by every reply that shows how progress moved.

``*Florida massage therapist licence*: 18 of 24 h, 6 to go by Aug 31, 2027 (279 days)``. User-controlled
text (a workspace set's name, the titles inside ``needs``) is escaped.
"""

from __future__ import annotations

import re

from cebot.domain.hours import format_hours
from cebot.domain.progress import Progress, Status, format_date
from cebot.slack.mrkdwn import bold, code, escape

_COMMAND = re.compile(r"/ce [^()]*?(?=\)|$|\s+or\s)")


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _with_commands(text: str) -> str:
    """``text`` escaped, with each ``/ce ...`` command in it shown as code."""
    out: list[str] = []
    pos = 0
    for m in _COMMAND.finditer(text):
        out.append(escape(text[pos:m.start()]))
        out.append(code(m.group(0).strip()))
        pos = m.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def hours_of(p: Progress) -> str:
    """``18 of 24 h`` (or ``18 h`` when nothing is required)."""
    if p.required:
        return f"{format_hours(p.counted)} of {format_hours(p.required)} h"
    return f"{format_hours(p.counted)} h"


def credential_line(progress: Progress) -> str:
    """One line for ``progress``: name in bold, hours, what is left, the deadline and days left, or the status."""
    p = progress
    name = bold(p.name)
    if p.status is Status.EXEMPT:
        why = p.notes[0] if p.notes else "no CE needed this cycle"
        return f"{name}: exempt: {escape(why)}"
    if p.status is Status.NEEDS_INFO:
        what = p.needs or f"Tell me your next renewal deadline: /ce track {p.key} deadline:YYYY-MM-DD"
        return f"{name}: needs your deadline. {_with_commands(what)}"
    if p.status is Status.COMPLETE:
        by = f" for {format_date(p.deadline)}" if p.deadline else ""
        return f"{name}: {hours_of(p)}, complete{by} ✅"
    head = f"{name}: {hours_of(p)}, {format_hours(p.remaining)} to go"
    if p.deadline is None or p.days_left is None:
        return head
    if p.status is Status.OVERDUE or p.days_left < 0:
        return f"{head}: overdue since {format_date(p.deadline)} ({_days(-p.days_left)} ago) :warning:"
    when = "today" if p.days_left == 0 else _days(p.days_left)
    flag = " :warning:" if p.status in (Status.DUE_SOON, Status.BEHIND_PACE) else ""
    return f"{head} by {format_date(p.deadline)} ({when}){flag}"
