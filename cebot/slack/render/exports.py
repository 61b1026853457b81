"""Replies for exports, certificates and ``/ce mydata``: short, escaped, each ending with the next step."""

from __future__ import annotations

from typing import Any

from cebot.domain.hours import format_hours
from cebot.domain.transcript import Transcript
from cebot.services.mydata import DeletionReport
from cebot.slack import blocks as b
from cebot.slack.mrkdwn import bold, code, escape, link

MYDATA_DELETE_ACTION = "mydata_delete_confirm"
MYDATA_CANCEL_ACTION = "mydata_delete_cancel"
CERTIFICATE_BLOCK = "certificate"
CERTIFICATE_FILETYPES = ("pdf", "png", "jpg", "jpeg", "heic", "webp")


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def entry_ref(entry_id: int, title: str) -> str:
    """``#12 *Ethics in Touch*`` (title escaped)."""
    return f"#{entry_id} {bold(title)}"


def certificate_gap_line(count: int) -> str:
    """``3 counted courses have no certificate yet: /ce attach <id> ...`` (empty when none)."""
    if count <= 0:
        return ""
    has = "has" if count == 1 else "have"
    return (f":paperclip: {_plural(count, 'counted course')} {has} no certificate yet. An audit asks for them: "
            f"{code('/ce attach <id>')}, then share the file with me here.")


def transcript_comment(transcript: Transcript, fmt: str) -> str:
    """The comment posted with the file in the member's DM."""
    what = "CE transcript" if fmt == "pdf" else "CE log (CSV)"
    lines = [f"Here is your {what}: {escape(transcript.title)}, {_plural(len(transcript.rows), 'course')}, "
             f"{format_hours(transcript.hours_logged)} h logged."]
    for t in transcript.totals:
        lines.append(f"• {bold(t.name)}: {format_hours(t.rows[0].counted)} of {format_hours(t.rows[0].required)} h "
                     f"counted ({escape(t.status_text)})")
    gap = certificate_gap_line(transcript.without_certificate)
    if gap:
        lines.append(gap)
    return "\n".join(lines)


def export_sent(fmt: str, *, courses: int, team: bool = False) -> str:
    if team:
        return (f":inbox_tray: I sent the team's progress ({_plural(courses, 'row')}) to our DM as a CSV. "
                f"Open it in any spreadsheet; see it in Slack with {code('/ce team')}.")
    kind = "PDF transcript" if fmt == "pdf" else "CSV"
    other = code("/ce export csv") if fmt == "pdf" else code("/ce export pdf")
    return (f":inbox_tray: I sent your {kind} ({_plural(courses, 'course')}) to our DM. "
            f"Need the other format? {other}.")


def upload_failed() -> str:
    return ("I made the file but Slack wouldn't take it from me, sorry. Nothing changed; try again in a minute, "
            "and if it keeps failing ask your Slack admin to check that cebot may send files.")


# -- certificates ----------------------------------------------------------------------------------


def attach_waiting(entry_id: int, title: str, minutes: int) -> str:
    """The ephemeral reply to ``/ce attach <id>``."""
    return (f":paperclip: Ready for the certificate of {entry_ref(entry_id, title)}. Open our DM "
            f"(cebot under *Apps*) and drop the PDF or photo there within {minutes} minutes; I'll keep a copy with it.")


def attach_prompt_dm(entry_id: int, title: str) -> str:
    """The DM message that asks for the file (so the conversation is at hand)."""
    return (f"Share the certificate for {entry_ref(entry_id, title)} here: drag the file in or use the "
            f"*+* button. I'll keep a copy of it with the course, for an audit.")


def attached(entry_id: int, title: str, *, replaced: bool, missing: int) -> str:
    verb = "Replaced the certificate of" if replaced else "Attached the certificate to"
    text = f":white_check_mark: {verb} {entry_ref(entry_id, title)}."
    gap = certificate_gap_line(missing)
    return text + (f"\n{gap}" if gap else f" Every counted course has its certificate. {code('/ce export pdf')} "
                   "makes an audit-ready transcript.")


def no_attach_waiting() -> str:
    return (f"Thanks! To keep a file as a course's certificate, first type {code('/ce attach <id>')} "
            f"(the number from {code('/ce list')}), then share the file here.")


def certificate_input_block() -> b.Block:
    """The logging modal's optional certificate field (a Slack ``file_input``, one file)."""
    element = {"type": "file_input", "action_id": "value", "filetypes": list(CERTIFICATE_FILETYPES), "max_files": 1}
    return b.input_block("Certificate", element, block_id=CERTIFICATE_BLOCK, optional=True,
                         hint="A PDF or photo of the certificate, for an audit. You can add it later: /ce attach <id>.")


def certificate_link(url: str | None) -> str:
    return link(url, "certificate") if url else "certificate attached"


# -- my data ---------------------------------------------------------------------------------------


def _report_lines(report: DeletionReport) -> list[str]:
    parts = [
        (report.entries, "course", "courses"),
        (report.certificates, "certificate", "certificates"),
        (report.entry_changes, "change-history record", "change-history records"),
        (report.credentials, "tracked licence or certification", "tracked licences and certifications"),
        (report.milestones, "AMMA milestone", "AMMA milestones"),
        (report.deliveries, "reminder record", "reminder records"),
        (report.pending_attachments, "waiting /ce attach", "waiting /ce attach requests"),
    ]
    return [f"• {_plural(n, one, many)}" for n, one, many in parts if n]


def mydata_confirm(report: DeletionReport, user_id: str) -> dict[str, Any]:
    """The ``/ce mydata delete`` question: what would go, and a danger button with a confirm dialog."""
    lines = _report_lines(report) or ["• your profile (name and time zone); you have nothing else saved"]
    text = (":warning: *Delete everything cebot keeps about you?* This removes, for good:\n" + "\n".join(lines)
            + "\n…and your profile (name, time zone, reminder settings). I keep no copy. Certificate files you "
            "shared stay in Slack. Want a copy first? " + code("/ce mydata export"))
    confirm = b.confirm_dialog("Delete your data?", "This can't be undone. Everything cebot keeps about you goes.",
                               confirm="Delete everything", deny="Keep it", danger=True)
    blocks = [
        b.section(text),
        b.actions(
            b.button("Delete everything", MYDATA_DELETE_ACTION, value=user_id, style="danger", confirm=confirm),
            b.button("Cancel", MYDATA_CANCEL_ACTION, value=user_id),
            block_id="mydata_delete",
        ),
    ]
    return b.message("Delete everything cebot keeps about you? Confirm with the button.", blocks)


def mydata_deleted(report: DeletionReport) -> str:
    lines = _report_lines(report)
    removed = "\n".join(lines) if lines else "• nothing but your profile"
    return (":wastebasket: Done. I removed:\n" + removed + "\n• your profile (name, time zone, reminder settings)\n"
            "I keep no copy. If you use " + code("/ce") + " again, I'll start a fresh, empty log.")


def mydata_cancelled() -> str:
    return "Nothing was deleted. Your log is as you left it: " + code("/ce progress") + "."


def mydata_export_comment(counts: dict[str, int]) -> str:
    parts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items())
    return ("Here is everything cebot keeps about you, as JSON (" + escape(parts) + "). "
            "To erase it all: " + code("/ce mydata delete") + ".")


def mydata_export_sent() -> str:
    return (":inbox_tray: I sent a copy of everything I keep about you to our DM (a JSON file). "
            "To erase it all: " + code("/ce mydata delete") + ".")
