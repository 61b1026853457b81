"""Transcripts and the team's progress as CSV (UTF-8 with a byte-order mark, so spreadsheets read accents).

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, tab or carriage return) get a leading apostrophe, the usual guard against
CSV formula injection; the rest is written as is, so ``csv`` reads back exactly
:func:`transcript_rows` / :func:`team_rows`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from cebot.domain.hours import Quarters, format_hours
from cebot.domain.transcript import Transcript

ENCODING = "utf-8-sig"

TRANSCRIPT_COLUMNS = (
    "entry_id", "date", "title", "provider", "approval_number", "format", "subjects", "hours",
    "counted_hours", "counted", "certificate", "flags", "notes",
)

TEAM_COLUMNS = (
    "member", "slack_user_id", "credential", "credential_name", "licence_number", "status", "deadline",
    "days_left", "required_hours", "counted_hours", "remaining_hours", "missing", "courses_without_certificate",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """``value`` as text, with a leading apostrophe when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def transcript_rows(transcript: Transcript) -> list[dict[str, str]]:
    """One dict per course, keyed by :data:`TRANSCRIPT_COLUMNS`."""
    out = []
    for row in transcript.rows:
        e = row.entry
        out.append({
            "entry_id": str(e.id),
            "date": e.completed_on.isoformat(),
            "title": safe_cell(e.title),
            "provider": safe_cell(e.provider),
            "approval_number": safe_cell(e.approval_number),
            "format": e.format_label,
            "subjects": "; ".join(e.subject_labels),
            "hours": format_hours(e.hours),
            "counted_hours": format_hours(row.counted),
            "counted": safe_cell(row.verdict_text(transcript.single)),
            "certificate": safe_cell(e.certificate_url or e.certificate_ref),
            "flags": "; ".join(row.flags),
            "notes": safe_cell(e.notes),
        })
    return out


def _write(columns: Sequence[str], rows: Iterable[dict[str, str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode(ENCODING)


def transcript_csv(transcript: Transcript) -> bytes:
    """The transcript's courses as CSV bytes (header row, then one row per course)."""
    return _write(TRANSCRIPT_COLUMNS, transcript_rows(transcript))


@dataclass(frozen=True)
class TeamRow:
    """One member and one tracked credential, for the manager's team export."""

    member: str
    slack_user_id: str
    credential: str
    credential_name: str
    licence_number: str | None
    status: str
    deadline: date | None
    days_left: int | None
    required: Quarters
    counted: Quarters
    remaining: Quarters
    missing: str
    without_certificate: int


def team_rows(rows: Iterable[TeamRow]) -> list[dict[str, str]]:
    """One dict per member and credential, keyed by :data:`TEAM_COLUMNS`."""
    return [{
        "member": safe_cell(r.member),
        "slack_user_id": r.slack_user_id,
        "credential": r.credential,
        "credential_name": safe_cell(r.credential_name),
        "licence_number": safe_cell(r.licence_number),
        "status": r.status,
        "deadline": r.deadline.isoformat() if r.deadline else "",
        "days_left": "" if r.days_left is None else str(r.days_left),
        "required_hours": format_hours(r.required),
        "counted_hours": format_hours(r.counted),
        "remaining_hours": format_hours(r.remaining),
        "missing": safe_cell(r.missing),
        "courses_without_certificate": str(r.without_certificate),
    } for r in rows]


def team_csv(rows: Iterable[TeamRow]) -> bytes:
    return _write(TEAM_COLUMNS, team_rows(rows))


def read_csv(data: bytes) -> list[dict[str, str]]:
    """Rows of a CSV written here, read back with the ``csv`` module."""
    return list(csv.DictReader(io.StringIO(data.decode(ENCODING), newline="")))
