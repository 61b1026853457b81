"""``/ce amma`` and ``/ce milestone``: the AMMA pathway checklist, the next step and CE hours toward the target."""

from __future__ import annotations

from cebot.domain.amma import TARGET_NOTE, PathwayStatus
from cebot.domain.hours import Quarters, format_hours
from cebot.domain.parsing import MILESTONE_STEPS
from cebot.domain.progress import format_date
from cebot.slack import blocks as bk
from cebot.slack.mrkdwn import code, escape

STEP_WORDS: dict[str, str] = {
    "accredited_program": "program",
    "mblex": "mblex",
    "experience": "experience",
    "continuing_education": "ce",
    "amma_exam": "exam",
}
"""The shortest word ``/ce milestone`` accepts for each step."""


def milestone_command(step: str) -> str:
    return f"/ce milestone {STEP_WORDS.get(step, step)} date:YYYY-MM-DD"


def checklist_lines(status: PathwayStatus) -> list[str]:
    """``✅ 1. MBLEx — done May 1, 2024`` / ``⬜ 3. Experience — Gain hands-on experience treating clients.``"""
    lines = []
    for n, s in enumerate(status.steps, start=1):
        if s.done:
            when = f"done {format_date(s.done_on)}" if s.done_on else "done (your clinic's CE target is met)"
            lines.append(f"✅ {n}. *{escape(s.label)}* — {when}")
        else:
            lines.append(f"⬜ {n}. *{escape(s.label)}* — {escape(s.explanation)}")
    return lines


def _logged(quarters: Quarters | None) -> str:
    """``You've logged 6 h of medical-massage CE. `` (empty when unknown)."""
    if quarters is None:
        return ""
    if not quarters:
        return "No medical-massage CE logged yet. "
    return f"You've logged {format_hours(quarters)} h of medical-massage CE. "


def ce_line(status: PathwayStatus, *, target_defined: bool, tracking: bool, logged: Quarters | None = None) -> str:
    """Medical-massage CE hours toward the clinic's target, or how to get one; ``logged``: all the member's
    hours tagged medical massage, shown when no target counts them."""
    if status.ce_target is not None:
        left = status.ce_remaining or 0
        bar = bk.progress_bar(status.ce_counted, status.ce_target)
        rest = f"{format_hours(left)} h to go" if left else "target met"
        return (f"*Medical-massage CE:* {bar} {format_hours(status.ce_counted)} of "
                f"{format_hours(status.ce_target)} h toward your clinic's target · {rest}")
    done = _logged(logged)
    if target_defined and not tracking:
        return (f"*Medical-massage CE:* {done}Your clinic has set a target. Follow it with "
                f"{code('/ce track AMMA deadline:YYYY-MM-DD')} to see your hours toward it here.")
    if target_defined:
        return f"*Medical-massage CE:* {done}Tell me your target date to count hours toward it: " + code(
            "/ce track AMMA deadline:YYYY-MM-DD")
    return (f"*Medical-massage CE:* {done}Your clinic hasn't set an hour target yet: a manager can set one with "
            f"{code('/ce admin target AMMA')}. Tag those courses {code('#medical_massage')} so they count once it "
            "does.")


def amma_blocks(status: PathwayStatus, *, target_defined: bool, tracking: bool,
                lead: str | None = None, logged: Quarters | None = None) -> list[bk.Block]:
    """The checklist with dates, the next step, CE hours and the AMMA note. ``lead`` (mrkdwn) goes first;
    ``logged`` (medical-massage hours logged) is shown when no clinic target counts them."""
    blocks: list[bk.Block] = []
    if lead:
        blocks.append(bk.section(lead))
    blocks.append(bk.header(f"AMMA pathway: {status.done_count} of {len(status.steps)} steps"))
    blocks.append(bk.section("\n".join(checklist_lines(status))))
    if status.next_step is not None:
        nxt = status.next_step
        blocks.append(bk.section(f"*Next:* {escape(nxt.label)}. {escape(nxt.explanation)} When it's done: "
                                 f"{code(milestone_command(nxt.key))}"))
    else:
        blocks.append(bk.section(":tada: Every step is done. Congratulations!"))
    blocks.append(bk.section(ce_line(status, target_defined=target_defined, tracking=tracking, logged=logged)))
    blocks.append(bk.context(f"⚠️ {escape(TARGET_NOTE)} · Steps: "
                             + ", ".join(STEP_WORDS[s] for s in MILESTONE_STEPS)))
    return blocks


def amma_text(status: PathwayStatus) -> str:
    text = f"AMMA pathway: {status.done_count} of {len(status.steps)} steps done."
    if status.next_step is not None:
        text += f" Next: {escape(status.next_step.label)}."
    return text
