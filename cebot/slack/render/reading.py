"""How a logged course was read ("Read as: 2 h · Nov 30 · in person · Laws & rules") and the question asked
when the text does not settle the delivery format ("online": live or self-paced?)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from cebot.domain.facts import LogRequest
from cebot.domain.hours import format_hours
from cebot.domain.parsing import LogReading, format_log
from cebot.domain.subjects import label
from cebot.slack import blocks as b
from cebot.slack.mrkdwn import bold, code, escape

LOG_LIVE = "ledger_log_live"
"""Button: log the course as live online (value: the canonical ``/ce log`` text with ``format:online``)."""
LOG_SELF_PACED = "ledger_log_self_paced"
"""Button: log the course as self-paced home study (value: the ``/ce log`` text with ``format:home-study``)."""
FORMAT_CANCEL = "ledger_log_format_cancel"

READ_FORMATS = {"in_person": "in person", "live_online": "live online", "home_study": "self-paced (home study)"}
SUBJECTS_SHOWN = 6
"""Subjects named on the line; more are counted (keeps the context element short)."""


def short_date(day: date, today: date) -> str:
    """``Nov 30`` this year, ``Nov 30, 2025`` otherwise."""
    return f"{day:%b} {day.day}" + ("" if day.year == today.year else f", {day.year}")


def read_as_text(*, hours_q: int, completed_on: date, delivery_format: str, subjects: Sequence[str], today: date,
                 reading: LogReading | None = None) -> str:
    """``Read as: 2 h · Nov 30 (“yesterday”) · in person · Laws & rules (from the title)`` (mrkdwn, escaped)."""
    when = short_date(completed_on, today)
    if reading is not None and reading.date_from:
        when += f" (“{escape(reading.date_from[:40])}”)"
    fmt = READ_FORMATS.get(delivery_format, delivery_format.replace("_", " "))
    if reading is not None and reading.format_from:
        fmt += f" (“{escape(reading.format_from)}”)"
    names = [escape(label(s)) for s in subjects[:SUBJECTS_SHOWN]]
    if len(subjects) > SUBJECTS_SHOWN:
        names.append(f"{len(subjects) - SUBJECTS_SHOWN} more")
    subject_text = ", ".join(names) if names else "no subject"
    if reading is not None and reading.title_subjects:
        subject_text += " (from the title)"
    return f"Read as: {format_hours(hours_q)} h · {when} · {fmt} · {subject_text}"


def format_question(request: LogRequest, *, today: date) -> dict[str, Any]:
    """Ask whether an "online" course was live or self-paced; each button logs it once, as that format."""
    title = bold(request.title)
    head = (f":question: Was {title} ({format_hours(request.hours)} h, {short_date(request.completed_on, today)}) "
            "*live online* (at a set time, with the teacher) or *self-paced* (recorded, home study)?")
    live = format_log(_with_format(request, "live_online"))
    self_paced = format_log(_with_format(request, "home_study"))
    if max(len(live), len(self_paced)) > b.BUTTON_VALUE_MAX:
        text = (head + "\nThis one is too long to hold for a button: log it again with "
                + code("format:online") + " (live) or " + code("format:home-study") + " (self-paced).")
        return b.message(head, [b.section(text)])
    blocks = [b.section(head),
              b.actions(b.button("Live online", LOG_LIVE, value=live, style="primary"),
                        b.button("Self-paced", LOG_SELF_PACED, value=self_paced),
                        b.button("Cancel", FORMAT_CANCEL, value="cancel"), block_id="ledger_log_format"),
              b.context("Boards count the two differently (some cap self-study hours), so I ask. Nothing is logged "
                        f"until you choose; next time add {code('format:online')} or {code('format:home-study')}.")]
    return b.message(head, blocks)


def already_logged_message(entry_id: int) -> dict[str, Any]:
    """A second click on a format button: the course is logged once, and this says where."""
    text = f"That course is already logged as *#{entry_id}*; nothing was added. See it with {code('/ce list')}."
    return b.message(text, [b.section(text)])


def _with_format(request: LogRequest, fmt: str) -> LogRequest:
    return replace(request, delivery_format=fmt)
