"""Block Kit for reminder direct messages: short, says exactly what is missing and what to type next."""

from __future__ import annotations

from datetime import date
from typing import Any

from cebot.domain import reminders as r
from cebot.domain.hours import format_hours
from cebot.domain.reminders import CredentialSnapshot, DueReminder
from cebot.services.reminder_preferences import ReminderSettings
from cebot.slack import blocks as b
from cebot.slack.mrkdwn import bold, code, escape

LOG_HINT = "Log a course: " + code("/ce log 3h Course title #ethics") + " · see details: " + code("/ce progress")
CONTROL_HINT = ("Too many reminders? " + code("/ce remind snooze 7") + " pauses them for a week; "
                + code("/ce remind off") + " stops them.")

SNOOZE_WEEK = "reminder_snooze_week"
SNOOZE_UNTIL = "reminder_snooze_until"
SHOW_PLAN = "reminder_show_plan"
LOG_COURSE = "reminder_log_course"
ACTIONS_BLOCK = "reminder_actions"
"""The buttons' block id is ``reminder_actions:<recipient user id>``: a click by anyone else is refused (a date
picker has no value of its own to carry it)."""


def actions_block_id(recipient: str) -> str:
    return f"{ACTIONS_BLOCK}:{recipient}"


def recipient_of(block_id: str | None) -> str | None:
    """The user a reminder's buttons belong to, from their block id (None: not a reminder's block)."""
    prefix = ACTIONS_BLOCK + ":"
    return block_id[len(prefix):] if block_id and block_id.startswith(prefix) else None


def reminder_actions(recipient: str, today: date) -> dict[str, Any]:
    """*Snooze a week*, *Snooze until...* (a date picker), *Show my plan*, *Log a course*."""
    picker = b.datepicker(SNOOZE_UNTIL)
    picker["placeholder"] = {"type": "plain_text", "text": "Snooze until..."}
    return b.actions(
        b.button("Snooze a week", SNOOZE_WEEK, value="7"),
        picker,
        b.button("Show my plan", SHOW_PLAN, value="plan"),
        b.button("Log a course", LOG_COURSE, value="log", style="primary"),
        block_id=actions_block_id(recipient),
    )


def lead_days_line(settings: ReminderSettings) -> str:
    """``Lead times: 90, 30 and 7 days before a deadline (yours)``, for ``/ce remind`` and Home."""
    days = [str(d) for d in settings.lead_days]
    joined = days[0] if len(days) == 1 else ", ".join(days[:-1]) + " and " + days[-1]
    whose = "your choice" if settings.custom_lead_days else "the default"
    return (f"Lead times: {joined} days before a deadline ({whose}; change with "
            f"{code('/ce remind days:90,30,7')}).")


def fmt_date(d: date) -> str:
    return f"{d:%b} {d.day}, {d.year}"


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def missing_text(cred: CredentialSnapshot) -> str:
    """``6 h to go, including Ethics 2 h and Laws & rules 1 h`` (escaped)."""
    parts = [f"{escape(m.label)} {format_hours(m.remaining)} h" for m in cred.missing if m.remaining > 0]
    head = f"{format_hours(cred.remaining)} h to go" if cred.remaining > 0 else "hours done"
    if not parts:
        return head
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{head}, including {joined}" if cred.remaining > 0 else f"{head}; still needed: {joined}"


def render_reminder(due: DueReminder, recipient: str | None = None) -> dict[str, Any]:
    """``text`` + ``blocks`` for ``chat.postMessage`` of one due reminder; with its ``recipient`` (a user id) the
    message carries buttons that work for them alone."""
    text, body = _content(due)
    blocks = [b.section(body)]
    if recipient:
        blocks.append(reminder_actions(recipient, due.today))
    blocks += [b.context(LOG_HINT), b.context(CONTROL_HINT)]
    return b.message(text, blocks)


def _content(due: DueReminder) -> tuple[str, str]:
    cred = due.credential
    if due.kind == r.COUNTDOWN and cred is not None and cred.deadline is not None:
        when = "today" if due.days == 0 else f"in {_days(due.days)}"
        text = f"{escape(cred.name)}: deadline {when} ({fmt_date(cred.deadline)})"
        body = (f":hourglass_flowing_sand: {bold(cred.name)} is due {when}, on {fmt_date(cred.deadline)}.\n"
                f"You have {missing_text(cred)}.")
        return text, body
    if due.kind == r.OVERDUE and cred is not None and cred.deadline is not None:
        text = f"{escape(cred.name)}: the {fmt_date(cred.deadline)} deadline has passed"
        body = (f":warning: The {bold(cred.name)} deadline, {fmt_date(cred.deadline)}, passed "
                f"{_days(due.days)} ago with {missing_text(cred)}.\n"
                f"Log anything you have done, and check with your board about a late renewal. "
                f"Already renewed? Update the deadline: {code(f'/ce track {cred.key} deadline:YYYY-MM-DD')}")
        return text, body
    if due.kind == r.CPR and due.cpr_expires_on is not None:
        needed = ", ".join(bold(c.name) for c in due.related) or "your licence"
        if due.days and due.cpr_expires_on > due.today:
            text = f"Your CPR/BLS card expires in {_days(due.days)}"
            body = (f":adhesive_bandage: Your CPR/BLS card expires on {fmt_date(due.cpr_expires_on)} "
                    f"({_days(due.days)}). {needed} needs a current card: book a renewal class soon.")
        else:
            text = "Your CPR/BLS card has expired"
            body = (f":adhesive_bandage: Your CPR/BLS card expired on {fmt_date(due.cpr_expires_on)}. "
                    f"{needed} needs a current card: renew it, then update the date with "
                    f"{code('/ce track <KEY> cpr:YYYY-MM-DD')}.")
        return text, body
    if due.kind == r.NUDGE:
        lines = [f"• {bold(c.name)}: due {fmt_date(c.deadline)}, {missing_text(c)}"
                 for c in due.related if c.deadline is not None]
        text = f"It has been {due.days} days since you logged any CE"
        body = (f":wave: It has been {due.days} days since you logged any CE. Coming up within a year:\n"
                + "\n".join(lines) + "\nA seminar this month keeps the deadline relaxed.")
        return text, body
    raise ValueError(f"cannot render a {due.kind!r} reminder")


def render_team_nudge(credentials: tuple[CredentialSnapshot, ...], recipient: str, today: date) -> dict[str, Any]:
    """The one-a-week DM a manager's *Remind the people at risk* sends, with the reminder buttons."""
    lines = [f"• {bold(c.name)}: {missing_text(c)}" + (f", due {fmt_date(c.deadline)}" if c.deadline else "")
             for c in credentials[:10]]
    text = "Your clinic asked me to check in about your CE"
    body = (":wave: Your clinic manager asked me to check in: these credentials are behind.\n"
            + "\n".join(lines) + "\nA course this month gets you back on track.")
    return b.message(text, [b.section(body), reminder_actions(recipient, today), b.context(LOG_HINT)])
