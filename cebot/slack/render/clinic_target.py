"""The clinic-target form (``/ce admin target``) and the messages about a clinic's own requirement sets."""

from __future__ import annotations

from datetime import datetime

from cebot.domain.clinic_target import (
    CYCLE,
    DEADLINE,
    DEADLINE_CHOICES,
    FIELDS,
    HOURS,
    KEY,
    MINIMUMS,
    NAME,
    TargetForm,
)
from cebot.domain.hours import format_hours
from cebot.domain.progress import format_date
from cebot.domain.requirements import RequirementSet
from cebot.slack import blocks as b
from cebot.slack.mrkdwn import bold, code, escape, user_mention

CALLBACK = "clinic_target"
FIELD = "value"
BLOCK_IDS: dict[str, str] = {name: f"target_{name}" for name in FIELDS}
"""Form field -> the input block's id (inline errors are keyed by it)."""


def target_modal(form: TargetForm, *, editing: bool) -> b.Block:
    """The form: key, name, hours, cycle length, deadline rule and subject minimums, prefilled from ``form``."""
    blocks = [
        b.context("A target set by your clinic: members track it like any other rule, and see it as set by "
                  "the clinic. Checked like the shipped rules; nothing is saved while a field is wrong."),
        b.input_block("Key", b.plain_text_input(FIELD, initial_value=form.key or "AMMA", max_length=32,
                                                placeholder="AMMA"),
                      block_id=BLOCK_IDS[KEY], hint="What members track, e.g. /ce track AMMA. AMMA replaces the "
                                                    "medical-massage pathway's target."),
        b.input_block("Name", b.plain_text_input(FIELD, initial_value=form.name or None, max_length=120,
                                                 placeholder="AMMA medical massage (clinic target)"),
                      block_id=BLOCK_IDS[NAME], optional=True),
        b.input_block("Hours per cycle", b.plain_text_input(FIELD, initial_value=form.hours or None, max_length=12,
                                                            placeholder="16"),
                      block_id=BLOCK_IDS[HOURS], hint="In quarter hours, e.g. 16 or 12.5."),
        b.input_block("Cycle length (months)", b.plain_text_input(FIELD, initial_value=form.cycle or "12",
                                                                  max_length=4, placeholder="12"),
                      block_id=BLOCK_IDS[CYCLE]),
        b.input_block("A cycle ends", b.static_select(FIELD, [(words, value) for value, words in
                                                              DEADLINE_CHOICES.items()],
                                                      initial=form.deadline or "fixed:12"),
                      block_id=BLOCK_IDS[DEADLINE]),
        b.input_block("Subject minimums", b.plain_text_input(FIELD, initial_value=form.minimums or None,
                                                             multiline=True, max_length=600,
                                                             placeholder="medical_massage 8\nethics 2"),
                      block_id=BLOCK_IDS[MINIMUMS], optional=True,
                      hint="One a line: a subject and its hours (within the total). /ce help subjects lists them."),
    ]
    return b.modal("Clinic target", blocks, callback_id=CALLBACK, submit="Save",
                   private_metadata="edit" if editing else "")


def _who(user_id: str | None) -> str:
    if not user_id:
        return ""
    try:
        return user_mention(user_id)
    except ValueError:
        return escape(user_id)


def origin_line(set_by: str | None, set_at: datetime | None) -> str:
    """``target set by your clinic (@Dana, Dec 1, 2026)``."""
    parts = [p for p in (_who(set_by), (format_date(set_at.date()) if set_at else "")) if p]
    return "target set by your clinic" + (f" ({', '.join(parts)})" if parts else "")


def saved_message(rs: RequirementSet, *, created: bool, set_by: str, set_at: datetime) -> str:
    """The confirmation after the form is saved (sent after the commit)."""
    minimums = ", ".join(f"{escape(m.label)} {format_hours(m.hours)} h" for m in rs.minimums) or "no subject minimums"
    verb = "Saved" if created else "Updated"
    return (f":white_check_mark: {verb} {bold(rs.name)} ({code(rs.key)}): {format_hours(rs.total_hours)} h "
            f"every {rs.cycle_months} months, {minimums}. It shows as {origin_line(set_by, set_at)}. "
            f"Members follow it with {code(f'/ce track {rs.key}')}; change it with "
            f"{code(f'/ce admin target {rs.key}')}, remove it with {code(f'/ce admin target remove {rs.key}')}.")


def removed_message(key: str) -> str:
    return (f":white_check_mark: Removed your clinic's target {code(key)}. Members tracking it now see the shipped "
            f"rule of that name, if there is one. Set a new one with {code('/ce admin target')}.")
