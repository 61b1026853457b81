"""Block Kit for ``/ce check`` (what a course would do) and ``/ce plan`` (what is left to take, by kind).

Pure functions of :class:`~cebot.domain.progress.Progress` and :class:`~cebot.domain.plan.Plan`; every piece of
user or catalog text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from cebot.domain.facts import LogRequest
from cebot.domain.hours import format_hours
from cebot.domain.plan import CHECK_ENTRY_ID, Plan, PlanItem
from cebot.domain.progress import Progress, format_date, format_window
from cebot.domain.subjects import label as subject_label
from cebot.slack import blocks as b
from cebot.slack.mrkdwn import bold, code, escape
from cebot.slack.render.once import once_value
from cebot.slack.render.progress import pack_lines

LOG_IT = "check_log_it"
"""Button on a ``/ce check`` reply: log exactly that course (value: its canonical ``/ce log`` text)."""

PLAN_HOME_ITEMS = 6
"""The Home tab lists this many kinds of course; ``/ce plan`` shows them all."""

_FORMAT = {"in_person": "in person", "live_online": "online", "home_study": "home study"}
TRACK_HINT = f"You're not tracking a licence yet: {code('/ce track FL deadline:2027-08-31')} (your state's code)."


def _fmt(key: str) -> str:
    return _FORMAT.get(key, key.replace("_", " "))


def course_words(request: LogRequest) -> str:
    """``3 h *Ethics in Touch* (Ethics), online, on Dec 1, 2026`` (escaped)."""
    subjects = ", ".join(escape(subject_label(s)) for s in request.subjects)
    return (f"{format_hours(request.hours)} h {bold(request.title)}" + (f" ({subjects})" if subjects else "")
            + f", {_fmt(request.delivery_format)}, on {format_date(request.completed_on)}")


def check_line(before: Progress | None, after: Progress, on: date | None = None) -> str:
    """What the course would do for one credential: hours that count, minimums served, what is left out, to go."""
    name = bold(after.name)
    if after.required == 0 and after.remaining == 0 and (before is None or before.required == 0):
        return f"{name}: no hours needed here"
    gained = after.counted - (before.counted if before else 0)
    parts = [f"{format_hours(max(gained, 0))} h would count"]
    was_rows = {r.key: r for r in (before.subject_rows if before else ())}
    served = []
    for r in after.subject_rows:
        old = was_rows.get(r.key)
        delta = r.counted - (old.counted if old else 0)
        if delta > 0 and (old is None or not old.met):
            served.append(f"{escape(r.label)} +{format_hours(min(delta, old.remaining if old else delta))} h")
    if after.in_person and before and before.in_person and after.in_person.counted > before.in_person.counted \
            and before.in_person.remaining:
        served.append(f"in person +{format_hours(after.in_person.counted - before.in_person.counted)} h")
    if served:
        parts.append("serves " + ", ".join(served))
    line = f"{name}: " + " · ".join(parts)
    was = before.remaining if before else after.remaining
    line += f" · to go {format_hours(was)} → {format_hours(after.remaining)} h" if after.remaining or was \
        else " · complete"
    listed = False
    for nc in after.not_counted:
        if nc.entry_id == CHECK_ENTRY_ID:
            listed = True
            what = f"{format_hours(nc.hours)} h left out" if nc.partial else "would not count"
            line += f"\n      _{what}: {escape(nc.reason)}_"
    w = after.window
    if not listed and on is not None and w is not None and not w.start <= on <= w.deadline:
        line += f"\n      _would not count: outside this cycle ({format_window(w)})_"
    return line


def check_message(request: LogRequest, log_text: str, before: Sequence[Progress],
                  after: Sequence[Progress]) -> dict[str, Any]:
    """The what-if reply: each credential's line and a *Log it* button carrying ``log_text``."""
    head = f":mag: If you logged {course_words(request)}:"
    was = {p.key: p for p in before}
    lines = [check_line(was.get(p.key), p, request.completed_on) for p in after]
    blocks: list[b.Block] = [b.section(head)]
    blocks += pack_lines(lines, max_blocks=40) if lines else [b.context(TRACK_HINT)]
    value = once_value(log_text)
    if value is not None:
        blocks.append(b.actions(b.button("Log it", LOG_IT, value=value, style="primary"), block_id="check_log"))
    blocks.append(b.context(f"Nothing is saved until you press *Log it*. Read as {code(log_text)}. "
                            f"{code('/ce plan')} shows what is left to take."))
    summary = "; ".join(f"{p.name}: {format_hours(p.remaining)} h to go" for p in after)
    return b.message(f"If you logged {request.title}: {summary}" if summary else head, blocks)


def item_line(item: PlanItem) -> str:
    """``*3 h* ethics, online (FL, NCBTMB) · by Aug 31, 2027``."""
    what = escape(subject_label(item.kind.subject)) if item.kind.subject else "any subject"
    serves = ", ".join(escape(k) for k in item.serves)
    return (f"*{format_hours(item.hours)} h* {what}, {_fmt(item.kind.delivery_format)}"
            + (f" ({serves})" if serves else "") + f" · by {format_date(item.latest)}")


def left_out_line(plan: Plan) -> str | None:
    if not plan.left_out:
        return None
    return "Not in the plan: " + "; ".join(f"{escape(k)} ({escape(why)})" for k, why in plan.left_out)


def plan_blocks(plan: Plan, *, limit: int | None = None) -> list[b.Block]:
    """The plan as a few blocks (the first ``limit`` kinds when given)."""
    if not plan.items:
        text = ":tada: Nothing left to plan: every credential you track is complete or needs no hours." \
            if plan.left_out else TRACK_HINT
        out = [b.section(text)]
    else:
        items = list(plan.items)[:limit] if limit else list(plan.items)
        head = f"*Your plan: {format_hours(plan.hours)} h in all* (one course can count for several credentials)"
        out = [b.section(head), *pack_lines([item_line(i) for i in items], max_blocks=10)]
        if len(items) < len(plan.items):
            out.append(b.context(f"And {len(plan.items) - len(items)} more: {code('/ce plan')} shows all."))
    extra = left_out_line(plan)
    if extra:
        out.append(b.context(extra))
    return out


def plan_message(plan: Plan) -> dict[str, Any]:
    blocks = [*plan_blocks(plan),
              b.context(f"Exact for the rules as cebot models them. Before you pay for a course, "
                        f"{code('/ce check 3h Title #ethics format:online')} shows what it would count for.")]
    text = (f"Your plan: {format_hours(plan.hours)} h in all: " + "; ".join(
        f"{format_hours(i.hours)} h {subject_label(i.kind.subject) if i.kind.subject else 'any subject'}, "
        f"{_fmt(i.kind.delivery_format)}" for i in plan.items)) if plan.items else "Nothing left to plan."
    return b.message(b.truncate(text, 3000), blocks)
