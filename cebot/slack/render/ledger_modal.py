"""Block Kit for the logging modal: a new course, an edit, or a course that looks already logged.

Its ids (callback, block and action ids) are constants in :mod:`cebot.slack.render.ledger`, shared with the listeners.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from cebot.domain.facts import LogRequest
from cebot.domain.hours import format_hours
from cebot.domain.progress import format_date
from cebot.domain.requirements import DELIVERY_FORMATS
from cebot.domain.subjects import SUBJECTS
from cebot.models import CEEntry
from cebot.slack import blocks as b
from cebot.slack.mrkdwn import bold
from cebot.slack.render.exports import certificate_input_block
from cebot.slack.render.ledger import (
    APPROVAL,
    DATE,
    FIELD,
    FORMAT,
    FORMAT_LABELS,
    HOURS,
    MODAL_CALLBACK,
    NOTES,
    PROVIDER,
    SUBJECTS_BLOCK,
    TITLE,
)


@dataclass(frozen=True)
class ModalMeta:
    """What the modal carries in ``private_metadata``: the entry being edited and where it was opened."""

    entry_id: int | None = None
    channel_id: str | None = None
    duplicate_ok: bool = False
    """The member was told this course looks like one already logged and chose to log it anyway."""

    def dump(self) -> str:
        data: dict[str, Any] = {k: v for k, v in (("entry_id", self.entry_id), ("channel_id", self.channel_id))
                                if v is not None}
        if self.duplicate_ok:
            data["duplicate_ok"] = True
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def load(cls, text: str | None) -> ModalMeta:
        try:
            data = json.loads(text or "{}")
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        entry_id = data.get("entry_id")
        channel = data.get("channel_id")
        return cls(entry_id=entry_id if isinstance(entry_id, int) and not isinstance(entry_id, bool) else None,
                   channel_id=channel if isinstance(channel, str) else None,
                   duplicate_ok=data.get("duplicate_ok") is True)


SUBJECT_OPTIONS: tuple[tuple[str, str], ...] = tuple((s.label, s.key) for s in SUBJECTS)[:100]


def _prefill(entry: CEEntry | None, request: LogRequest | None) -> LogRequest | None:
    if request is not None or entry is None:
        return request
    return LogRequest(hours=entry.hours_q, title=entry.title, completed_on=entry.completed_on,
                      provider=entry.provider, approval_number=entry.approval_number,
                      delivery_format=entry.delivery_format, subjects=tuple(entry.subjects or ()), notes=entry.notes)


def log_modal(*, today: date, entry: CEEntry | None = None, channel_id: str | None = None,
              prefill: LogRequest | None = None, duplicate_of: CEEntry | None = None) -> b.Block:
    """The logging modal; prefilled from ``entry`` (Edit mode, ``private_metadata`` carries its id).

    ``prefill`` fills a new entry's fields (what was submitted); with ``duplicate_of`` the form says the
    course looks logged already and its Save button logs it anyway.
    """
    p = _prefill(entry, prefill)
    blocks: list[b.Block] = []
    if duplicate_of is not None:
        blocks.append(b.section(
            f":thinking_face: You already logged {bold(duplicate_of.title)} on "
            f"{format_date(duplicate_of.completed_on)} (*#{duplicate_of.id}*, {format_hours(duplicate_of.hours_q)} h)."
            " Press *Log it anyway* to log it again, or change the title or date.", block_id="duplicate"))
    blocks += [
        b.input_block("Course title", b.plain_text_input(FIELD, initial_value=p.title if p else None,
                                                         max_length=200, placeholder="Ethics in Touch"),
                      block_id=TITLE),
        b.input_block("Hours", b.plain_text_input(FIELD, initial_value=format_hours(p.hours) if p else None,
                                                  max_length=40, placeholder="3, 1.5h, 1h30m or 90m"),
                      block_id=HOURS, hint="In quarter hours, from 0.25 to 40."),
        b.input_block("Date completed", b.datepicker(FIELD, initial_date=p.completed_on if p else today),
                      block_id=DATE),
        b.input_block("Format", b.static_select(FIELD, [(FORMAT_LABELS[k], k) for k in DELIVERY_FORMATS],
                                                initial=p.delivery_format if p else "in_person"),
                      block_id=FORMAT),
        b.input_block("Subjects", b.multi_static_select(FIELD, SUBJECT_OPTIONS, initial=p.subjects if p else (),
                                                        placeholder="Ethics, Laws & rules…"),
                      block_id=SUBJECTS_BLOCK, optional=True,
                      hint="What the course covered; boards count some subjects separately."),
        b.input_block("Provider", b.plain_text_input(FIELD, initial_value=(p.provider if p else None),
                                                     max_length=200, placeholder="Acme Seminars"),
                      block_id=PROVIDER, optional=True),
        b.input_block("Approval number", b.plain_text_input(FIELD, initial_value=(p.approval_number if p else None),
                                                            max_length=64, placeholder="451234-00"),
                      block_id=APPROVAL, optional=True, hint="The provider's or course's approval number, if any."),
        b.input_block("Notes", b.plain_text_input(FIELD, initial_value=(p.notes if p else None), multiline=True,
                                                  max_length=2000),
                      block_id=NOTES, optional=True),
        certificate_input_block(),
    ]
    title = f"Edit entry #{entry.id}" if entry else "Log a CE course"
    meta = ModalMeta(entry_id=entry.id if entry else None, channel_id=channel_id,
                     duplicate_ok=duplicate_of is not None)
    submit = "Log it anyway" if duplicate_of is not None else "Save"
    return b.modal(title, blocks, callback_id=MODAL_CALLBACK, submit=submit, private_metadata=meta.dump())
