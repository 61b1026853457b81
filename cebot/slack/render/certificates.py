"""Messages about certificate files: the proposal read from a file, what was saved, why a file was refused,
and the audit packet. Every user part is escaped; texts stay inside Slack's limits."""

from __future__ import annotations

from typing import Any

from cebot.domain.facts import LogRequest
from cebot.domain.hours import format_hours
from cebot.domain.progress import format_date
from cebot.domain.retention import UNSAVED_DAYS
from cebot.domain.transcript import FORMAT_LABELS
from cebot.slack import blocks as b
from cebot.slack.mrkdwn import bold, code, escape
from cebot.slack.render.exports import certificate_gap_line, entry_ref

SAVE_ACTION = "certificate_save"
EDIT_ACTION = "certificate_edit"
AUDIT_ACTION = "audit_packet"
"""The Home button per credential (its value is the credential key)."""
NOT_READ = "_not found_"


def _value(text: str | None) -> str:
    return escape(text) if text else NOT_READ


def proposal(*, certificate_id: int, name: str, request: LogRequest | None, fields: dict[str, Any],
             ncbtmb_missing: list[str], duplicate: bool = False, notes: list[str] | None = None) -> dict[str, Any]:
    """The DM proposing the course read from a certificate: fields, Save (only if complete) and Edit."""
    hours = format_hours(request.hours) + " h" if request else (fields.get("hours_text") or None)
    when = format_date(request.completed_on) if request else None
    fmt = FORMAT_LABELS.get(str(fields.get("delivery_format") or ""), None)
    rows = [
        f"*Course*\n{_value(request.title if request else fields.get('title'))}",
        f"*Hours*\n{_value(hours)}",
        f"*Completed*\n{_value(when)}",
        f"*Provider*\n{_value(fields.get('provider'))}",
        f"*Approval no.*\n{_value(fields.get('approval_number'))}",
        f"*Format*\n{_value(fmt)}",
    ]
    intro = f":page_facing_up: I read {bold(name or 'your file')} and kept a copy for your audit folder."
    if duplicate:
        intro = f":page_facing_up: You shared {bold(name or 'this file')} before; here is what I read from it."
    blocks: list[b.Block] = [b.section(intro), b.section(fields=rows)]
    if notes:  # what the reader could not settle, e.g. CEUs printed without a ratio to hours
        blocks.append(b.context(*(":information_source: " + escape(n) for n in notes[:3])))
    if ncbtmb_missing:
        blocks.append(b.context(":warning: For NCBTMB a certificate must show " + ", ".join(
            escape(m) for m in ncbtmb_missing[:8]) + ": I couldn't find that on this one. Ask the provider for a "
            "corrected certificate before you renew. (I can't check that the title and hours match NCBTMB's "
            "approval, or the signature: unconfirmed.)"))
    buttons = []
    if request is not None:
        buttons.append(b.button("Save", SAVE_ACTION, value=str(certificate_id), style="primary"))
        tail = "Press *Save* to log it exactly as read, or *Edit* to change something first. Nothing is saved yet."
    else:
        tail = "I couldn't read the title, hours and date, so press *Edit* and fill them in. Nothing is saved yet."
    tail += f" Unsaved, my copy is removed after {UNSAVED_DAYS} days."
    buttons.append(b.button("Edit", EDIT_ACTION, value=str(certificate_id)))
    blocks += [b.actions(*buttons, block_id=f"certificate-{certificate_id}"), b.context(tail)]
    title = request.title if request else (fields.get("title") or name or "your certificate")
    return b.message(f"I read {escape(title)}: save it as a course?", blocks)


def saved(entry_id: int, title: str, hours: int, *, created: bool, missing: int = 0) -> dict[str, Any]:
    """What replaces the proposal once saved (and the answer to a replayed click)."""
    if created:
        text = (f":white_check_mark: Logged {entry_ref(entry_id, title)} ({format_hours(hours)} h) with its "
                "certificate.")
    else:
        text = f":white_check_mark: Already saved as {entry_ref(entry_id, title)}; nothing more to do."
    gap = certificate_gap_line(missing)
    return b.message(text, [b.section(text + (f"\n{gap}" if gap else ""))])


def attached(entry_id: int, title: str, *, replaced: bool, missing: int) -> str:
    verb = "Replaced the certificate of" if replaced else "Kept the certificate of"
    text = f":white_check_mark: {verb} {entry_ref(entry_id, title)}: cebot stores its own copy."
    gap = certificate_gap_line(missing)
    return text + (f"\n{gap}" if gap else f" Every counted course has its certificate. {code('/ce export audit KEY')}"
                   " makes the audit packet.")


def refused(name: str, reason: str) -> str:
    """A file that is not kept (not a certificate, too big, corrupt, encrypted, unsupported)."""
    return (f":no_entry_sign: I didn't keep {bold(name or 'that file')}: {escape(reason)} "
            "Share a PDF or a photo (JPEG, PNG) of the certificate, up to 10 MB.")


def download_failed(name: str, *, gone: bool) -> str:
    if gone:
        return (f":warning: Slack wouldn't give me {bold(name or 'that file')} (it was deleted or I may not see it). "
                "Nothing was saved: share it again here.")
    return (f":warning: I couldn't download {bold(name or 'that file')} from Slack after several tries. Nothing was "
            "saved: share it again in a few minutes.")


def keep_failed(reason: str) -> str:
    """After the fetch job's last attempt (nothing was kept: its writes rolled back)."""
    return (f":warning: I couldn't keep the certificate you shared: {escape(reason)} Nothing was saved; share it "
            "again here in a few minutes.")


def already_linked(entry_id: int, title: str) -> str:
    return f"That file is already the certificate of {entry_ref(entry_id, title)}: nothing changed."


def reading_now(name: str = "") -> str:
    return f":hourglass_flowing_sand: Got {bold(name) if name else 'your file'}, reading it now…"


def audit_started(key: str) -> str:
    return (f":file_folder: Making your {escape(key)} audit packet (transcript, certificates, index). It'll arrive "
            "in our DM in a minute.")


def audit_comment(key: str, title: str, *, files: int, missing: int) -> str:
    text = (f":file_folder: Your {escape(key)} audit packet for {escape(title)}: the transcript, "
            f"{files} certificate file{'s' if files != 1 else ''} and an index.")
    if missing:
        text += (f" {missing} counted course{'s have' if missing != 1 else ' has'} no stored certificate: see "
                 f"{code('missing-certificates.pdf')}, then {code('/ce attach <id>')}.")
    return text


def audit_failed() -> str:
    return "Sorry, your audit packet could not be made. Nothing changed; try /ce export audit again in a while."
