"""Block Kit for the CE ledger: what was logged, edited, deleted or undone, and the entry list
(the logging modal: :mod:`cebot.slack.render.ledger_modal`).

Pure functions from ledger rows and :class:`~cebot.domain.progress.Progress` to message payloads
(``text`` + ``blocks`` for ``respond``/``chat.postMessage``) and views. Every piece of user text is
escaped; action ids and the modal's block ids are constants here so listeners and tests share them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from cebot.domain.hours import format_hours
from cebot.domain.parsing import LogReading
from cebot.domain.progress import Progress, format_date
from cebot.domain.requirements import DELIVERY_FORMATS
from cebot.domain.subjects import label
from cebot.models import CEEntry
from cebot.slack import blocks as b
from cebot.slack.mrkdwn import bold, code, escape
from cebot.slack.render.credential_line import credential_line
from cebot.slack.render.once import once_value
from cebot.slack.render.reading import read_as_text

# -- action ids ----------------------------------------------------------------------------------

UNDO = "ledger_undo"
"""Button: undo one change (value ``<action>:<entry id>``, e.g. ``logged:12``)."""
LOG_ANYWAY = "ledger_log_anyway"
"""Button: log a likely duplicate after all (value: the canonical ``/ce log`` text)."""
LOG_CANCEL = "ledger_log_cancel"
EDIT_OPEN = "ledger_edit_open"
"""Button: open the logging modal prefilled with entry ``value``."""
LOG_OPEN = "ledger_log_open"
"""Button: open the empty logging modal (App Home and replies may use it)."""
DELETE_CONFIRM = "ledger_delete"
"""Button with a confirm dialog: delete entry ``value``."""
DELETE_CANCEL = "ledger_delete_cancel"
ENTRY_MENU = "ledger_entry_menu"
"""Overflow menu of an entry in ``/ce list``: option values ``edit:<id>`` / ``delete:<id>``."""

LIST_PAGE = "ledger_list_page"
"""Buttons *Newer* / *Older* under a page of ``/ce list``: value ``<entries a page>:<page>``."""

MODAL_CALLBACK = "ledger_log_modal"
"""``callback_id`` of the logging modal (log and edit)."""

# -- the modal's block ids (each input's action id is ``value``) -----------------------------------

TITLE, HOURS, DATE, FORMAT, SUBJECTS_BLOCK, PROVIDER, APPROVAL, NOTES = (
    "title", "hours", "date", "format", "subjects", "provider", "approval", "notes")
FIELD = "value"
"""The action id of every input in the modal."""

FORMAT_LABELS: dict[str, str] = {"in_person": "In person", "live_online": "Live online",
                                 "home_study": "Home study (recorded, self-paced)"}
_FORMAT_WORDS = {"in_person": "in person", "live_online": "live online", "home_study": "home study"}
assert set(FORMAT_LABELS) == set(DELIVERY_FORMATS)

LIST_INTERACTIVE_MAX = 20
"""``/ce list`` shows an Edit/Delete menu per entry up to this many; longer lists are plain lines."""

TRACK_HINT = f"You're not tracking a licence yet: {code('/ce track FL deadline:2027-08-31')} (your state's code) " \
             "shows how your courses count."
LOG_HINT = code("/ce log 3h Ethics in Touch #ethics")
CONFIRM_TITLE_CHARS = 150
"""Characters (escaped) of a course title in a confirm dialog, whose whole text Slack caps at 300."""


# -- small pieces --------------------------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def subjects_text(subjects: Sequence[str]) -> str:
    """``Ethics, Laws & rules`` (escaped), or empty."""
    return ", ".join(escape(label(s)) for s in subjects)


def format_word(key: str) -> str:
    return _FORMAT_WORDS.get(key, key.replace("_", " "))


def entry_summary(entry: CEEntry) -> str:
    """``3 h *Ethics in Touch* (Ethics)``: hours, title and subjects, escaped."""
    subjects = subjects_text(entry.subjects or ())
    return f"{format_hours(entry.hours_q)} h {bold(entry.title)}" + (f" ({subjects})" if subjects else "")


def entry_line(entry: CEEntry) -> str:
    """One entry for lists: ``*#12* · Mar 14, 2026 · 3 h · *Ethics in Touch* · Ethics · in person · certificate: no``.
    """
    parts = [f"*#{entry.id}*", format_date(entry.completed_on), f"{format_hours(entry.hours_q)} h", bold(entry.title)]
    subjects = subjects_text(entry.subjects or ())
    if subjects:
        parts.append(subjects)
    parts.append(format_word(entry.delivery_format))
    parts.append("certificate: " + ("yes" if entry.certificate_ref or entry.certificate_url else "no"))
    return " · ".join(parts)


def entry_details(entry: CEEntry) -> str:
    """:func:`entry_line` plus provider, approval number and notes on a second line when there are any."""
    extra = []
    if entry.provider:
        extra.append(f"provider: {escape(entry.provider)}")
    if entry.approval_number:
        extra.append(f"approval: {escape(entry.approval_number)}")
    if entry.notes:
        extra.append(f"notes: {escape(b.truncate(entry.notes, 300))}")
    return entry_line(entry) + ("\n" + " · ".join(extra) if extra else "")


def _delta(q: int) -> str:
    return f"+{format_hours(q)} h" if q > 0 else f"−{format_hours(-q)} h"


def progress_lines(after: Sequence[Progress], before: Sequence[Progress] = (),
                   entry_id: int | None = None) -> list[str]:
    """How each tracked credential stands now, with how far it moved (``(+3 h)``) since ``before``.

    With ``entry_id``, a course that does not count (or only partly) toward a credential says why.
    """
    was = {p.key: p for p in before}
    lines = []
    for p in after:
        line = credential_line(p)
        old = was.get(p.key)
        if old is not None and old.counted != p.counted:
            line += f" ({_delta(p.counted - old.counted)})"
        if entry_id is not None:
            for nc in p.not_counted:
                if nc.entry_id == entry_id:
                    what = f"{format_hours(nc.hours)} h of it don't count here" if nc.partial \
                        else "this course doesn't count here"
                    line += f"\n      _{what}: {escape(nc.reason)}_"
        lines.append(line)
    return lines


def _progress_block(after: Sequence[Progress], before: Sequence[Progress] = (),
                    entry_id: int | None = None) -> list[b.Block]:
    lines = progress_lines(after, before, entry_id)
    if not lines:
        return [b.context(TRACK_HINT)]
    return [b.section("\n".join(lines))]


def undo_button(action: str, entry_id: int | None) -> b.Block:
    return b.button("Undo", UNDO, value=f"{action}:{entry_id}")


def edit_button(entry_id: int | None, text: str = "Edit") -> b.Block:
    return b.button(text, EDIT_OPEN, value=str(entry_id))


# -- replies -------------------------------------------------------------------------------------


def logged_message(entry: CEEntry, after: Sequence[Progress], before: Sequence[Progress] = (), *,
                   today: date | None = None, reading: LogReading | None = None) -> dict[str, Any]:
    """``Logged 3 h *Ethics in Touch* (Ethics).`` with how it was read, each credential's line, an Undo and an
    Edit button (the one-click fix: the form, prefilled)."""
    when = "" if today is not None and entry.completed_on == today else f" on {format_date(entry.completed_on)}"
    head = f":white_check_mark: Logged {entry_summary(entry)}{when} as *#{entry.id}*."
    read_as = read_as_text(hours_q=entry.hours_q, completed_on=entry.completed_on,
                           delivery_format=entry.delivery_format, subjects=tuple(entry.subjects or ()),
                           today=today or entry.completed_on, reading=reading)
    hints = [":bulb: " + escape(h) for h in (reading.hints if reading is not None else ())]
    blocks = [b.section(head), b.context(read_as + " · Not right? *Edit* fixes it.", *hints),
              *_progress_block(after, before, entry.id),
              b.actions(undo_button("logged", entry.id), edit_button(entry.id),
                        block_id=f"ledger_logged_{entry.id}"),
              b.context(f"Next: {code('/ce progress')} for the details, {code('/ce list')} for your log.")]
    return b.message(head + (" " + "; ".join(progress_lines(after, before)) if after else ""), blocks)


def duplicate_message(existing: CEEntry, log_text: str) -> dict[str, Any]:
    """A likely duplicate: ask before saving; ``log_text`` (canonical ``/ce log`` text) rides on the button."""
    head = (f":thinking_face: You already logged {bold(existing.title)} on {format_date(existing.completed_on)} "
            f"(*#{existing.id}*, {format_hours(existing.hours_q)} h). Log it again?")
    value = encode_log_value(log_text)
    if value is None:
        body = head + "\nThis one is too long to hold for confirmation: shorten its notes and log it again."
        return b.message(head, [b.section(body)])
    blocks = [b.section(head),
              b.actions(b.button("Log it anyway", LOG_ANYWAY, value=value, style="primary"),
                        b.button("Cancel", LOG_CANCEL, value=str(existing.id)), block_id="ledger_duplicate"),
              b.context(f"Nothing is saved until you choose. See the first one with {code('/ce list')}.")]
    return b.message(head, blocks)


def encode_log_value(log_text: str) -> str | None:
    """``log_text`` as a button value that logs once (:mod:`.once`), or None when it cannot fit."""
    return once_value(log_text)


def cancelled_message(existing_id: str | None = None) -> dict[str, Any]:
    text = "OK, nothing logged."
    if existing_id and existing_id.isdigit():
        text += f" Your earlier entry *#{existing_id}* is unchanged."
    return b.message(text, [b.section(text), b.context(f"Log another course: {LOG_HINT}")])


def edited_message(entry: CEEntry, changed: Sequence[str], after: Sequence[Progress],
                   before: Sequence[Progress] = ()) -> dict[str, Any]:
    """``Updated #12 (hours, date)`` with the entry as it is now, how progress moved, Undo and Edit."""
    what = f" ({', '.join(changed)})" if changed else ""
    head = f":pencil2: Updated *#{entry.id}*{what}."
    blocks = [b.section(f"{head}\n{entry_details(entry)}"), *_progress_block(after, before, entry.id),
              b.actions(undo_button("edited", entry.id), edit_button(entry.id, "Edit again"),
                        block_id=f"ledger_edited_{entry.id}")]
    return b.message(f"{head} {entry_line(entry)}", blocks)


def unchanged_message(entry: CEEntry) -> dict[str, Any]:
    text = f"Nothing changed in *#{entry.id}*."
    return b.message(text, [b.section(f"{text}\n{entry_line(entry)}")])


def delete_prompt(entry: CEEntry) -> dict[str, Any]:
    """The confirm step of ``/ce delete``: the entry, a Delete button with a confirm dialog, and Keep it."""
    head = f"Delete this entry?\n{entry_line(entry)}"
    dialog = b.confirm_dialog("Delete this entry?",
                              f"{format_hours(entry.hours_q)} h {bold(entry.title, CONFIRM_TITLE_CHARS)} on "
                              f"{format_date(entry.completed_on)} will be removed from your log. "
                              "You can undo it right after.",
                              confirm="Delete", deny="Keep it", danger=True)
    blocks = [b.section(head),
              b.actions(b.button("Delete", DELETE_CONFIRM, value=str(entry.id), style="danger", confirm=dialog),
                        b.button("Keep it", DELETE_CANCEL, value=str(entry.id)), block_id="ledger_delete")]
    return b.message(f"Delete #{entry.id} {escape(entry.title)}?", blocks)


def kept_message(entry_id: str) -> dict[str, Any]:
    text = f"OK, *#{escape(entry_id)}* stays in your log." if entry_id.isdigit() else "OK, nothing deleted."
    return b.message(text, [b.section(text)])


def deleted_message(entry: CEEntry, after: Sequence[Progress], before: Sequence[Progress] = ()) -> dict[str, Any]:
    """``Deleted #12 3 h *Ethics*`` with progress and an Undo button."""
    head = f":wastebasket: Deleted *#{entry.id}* {entry_summary(entry)} from {format_date(entry.completed_on)}."
    blocks = [b.section(head), *_progress_block(after, before),
              b.actions(undo_button("deleted", entry.id), block_id=f"ledger_deleted_{entry.id}"),
              b.context("Deleted by mistake? Press Undo, or type " + code("/ce undo") + ".")]
    return b.message(head + " Undo?", blocks)


_UNDONE = {
    "logged": "removed {summary} from {day} (*#{id}*) that you had just logged",
    "deleted": "{summary} from {day} (*#{id}*) is back in your log",
    "edited": "*#{id}* is back as it was before your edit",
}


def undone_message(action: str, entry: CEEntry, after: Sequence[Progress],
                   before: Sequence[Progress] = ()) -> dict[str, Any]:
    """What ``undo`` reversed, the entry (unless it was removed) and how progress moved."""
    what = _UNDONE.get(action, "reversed your last change to *#{id}*").format(
        summary=entry_summary(entry), day=format_date(entry.completed_on), id=entry.id)
    head = f":leftwards_arrow_with_hook: Undone: {what}."
    body = head if action != "edited" else f"{head}\n{entry_line(entry)}"
    blocks = [b.section(body), *_progress_block(after, before),
              b.context(f"{code('/ce undo')} again reverses the change before that. "
                        f"{code('/ce list')} shows your log.")]
    return b.message(head, blocks)


def _list_command(size: int, page: int) -> str:
    from cebot.domain.parsing import LIST_DEFAULT

    return code(f"/ce list {'' if size == LIST_DEFAULT else f'{size} '}page:{page}")


def list_pages(total: int, size: int) -> int:
    return max((total + size - 1) // max(size, 1), 1)


def _list_nav(total: int, shown: int, *, page: int, size: int) -> str:
    """``Older: /ce list page:3 · newer: /ce list page:1 · page 2 of 50`` (empty for a one-page log)."""
    pages = list_pages(total, size)
    if pages <= 1:
        return ""
    parts = []
    if (page - 1) * size + shown < total:
        parts.append(f"Older: {_list_command(size, page + 1)}")
    if page > 1:
        parts.append(f"newer: {_list_command(size, min(page - 1, pages))}")
    parts.append(f"page {page} of {pages}")
    text = " · ".join(parts)
    return text[0].upper() + text[1:]


def list_message(entries: Sequence[CEEntry], total: int, *, page: int = 1, size: int | None = None) -> dict[str, Any]:
    """Page ``page`` of the log (``size`` entries a page, newest first), each entry with an Edit/Delete menu
    when the page is short; *Newer*/*Older* buttons and the context line (``/ce list page:N``) page on."""
    size = size or max(len(entries), 1)
    if not entries and total:
        pages = list_pages(total, size)
        text = (f"Your log has {_plural(total, 'entry') if total == 1 else f'{total} entries'}, so there is no "
                f"page {page}. The oldest are on {_list_command(size, pages)}.")
        return b.message(text, [b.section(text)])
    if not entries:
        text = "Your CE log is empty."
        return b.message(text, [
            b.section(f"{text} Log your first course: {LOG_HINT}\nOr type {code('/ce log')} alone for a form."),
            b.actions(b.button("Log a course", LOG_OPEN, style="primary"), block_id="ledger_empty")])
    shown = len(entries)
    hours = sum(e.hours_q for e in entries)
    first = (page - 1) * size + 1
    if page > 1:
        head = (f"Entries {first}–{first + shown - 1} of {total} in your log (newest first), "
                f"{format_hours(hours)} h:")
    elif total > shown:
        head = (f"Your {_plural(shown, 'latest entry') if shown == 1 else f'{shown} latest entries'} "
                f"({format_hours(hours)} h) of {total} in your log:")
    else:
        head = (f"Your CE log: {_plural(total, 'entry') if total == 1 else f'{total} entries'}, "
                f"{format_hours(hours)} h:")
    blocks: list[b.Block] = [b.section(head)]
    if shown <= LIST_INTERACTIVE_MAX:
        for e in entries:
            menu = {"type": "overflow", "action_id": ENTRY_MENU,
                    "options": [b.option("Edit", f"edit:{e.id}"), b.option("Delete", f"delete:{e.id}")]}
            blocks.append(b.section(entry_line(e), accessory=menu, block_id=f"ledger_entry_{e.id}"))
    else:
        chunk: list[str] = []
        for e in entries:
            line = entry_line(e)
            if sum(len(x) + 1 for x in chunk) + len(line) > b.SECTION_TEXT_MAX - 10:
                blocks.append(b.section("\n".join(chunk)))
                chunk = []
            chunk.append(line)
        if chunk:
            blocks.append(b.section("\n".join(chunk)))
    nav = _list_nav(total, shown, page=page, size=size)
    buttons = []
    if page > 1:
        buttons.append(b.button("← Newer", LIST_PAGE, value=f"{size}:{page - 1}"))
    if (page - 1) * size + shown < total:
        buttons.append(b.button("Older →", LIST_PAGE, value=f"{size}:{page + 1}"))
    if buttons:
        blocks.append(b.actions(*buttons, block_id=f"ledger_list_pages_{page}"))
    n = entries[0].id
    blocks.append(b.context(f"{nav + '. ' if nav else ''}Change one: {code(f'/ce edit {n} hours:2')} · remove one: "
                            f"{code(f'/ce delete {n}')} · {code('/ce undo')} reverses your last change."))
    return b.message(head, blocks)


def error_message(text: str) -> dict[str, Any]:
    """A short refusal (``text`` is mrkdwn, escaped already)."""
    return b.message(text, [b.section(text)])
