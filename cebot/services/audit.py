"""What the audit packet is built from: one credential's transcript for a cycle, and its certificate files.

:func:`audit_transcript` picks the cycle (current, previous, the one ending in a year, or the one around a
day) by asking the progress engine "as of" a day in it; :func:`audit_packet` reads the stored files
(``store.get``) and hands plain data to :func:`cebot.exports.audit.audit_packet`.
"""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from cebot.domain.progress import Progress
from cebot.domain.transcript import Transcript, build_transcript
from cebot.exports.audit import Packet, PacketFile
from cebot.exports.audit import audit_packet as write_packet
from cebot.models import Member
from cebot.services import certificates
from cebot.services.credentials import list_credentials
from cebot.services.errors import NotFound
from cebot.services.exports import transcript_entries
from cebot.services.progress import LOOKBACK_MONTHS, member_progress

log = logging.getLogger(__name__)

MAX_STEPS = 12
"""Cycles to step back when looking for a named one (decades of two-year cycles)."""


def _progress_of(session: Session, member: Member, key: str, as_of: date) -> Progress:
    found = [p for p in member_progress(session=session, member=member, today=as_of,
                                        lookback_months=LOOKBACK_MONTHS) if p.key == key]
    if not found:  # tracked (checked by the caller), so only an unknown requirement set ends here
        raise NotFound(f"I can't work out {key}'s cycle: check /ce progress.")
    return found[0]


def _cycle_progress(session: Session, member: Member, key: str, cycle: str, today: date) -> Progress:
    """``key``'s progress in the cycle ``cycle`` names (see :class:`cebot.domain.parsing.AuditRequest`)."""
    if re.fullmatch(r"\d{4}-\d\d-\d\d", cycle):
        return _progress_of(session, member, key, min(date.fromisoformat(cycle), today))
    progress = _progress_of(session, member, key, today)
    year = int(cycle) if cycle.isdigit() else None
    steps = 1 if cycle == "previous" else (MAX_STEPS if year is not None else 0)
    for _ in range(steps):
        window = progress.window
        if window is None:
            raise NotFound(f"{key}'s cycle isn't known yet ({progress.needs or 'see /ce progress'}), so I can't "
                           "go back a cycle.")
        if year is not None and window.deadline.year <= year:
            break
        progress = _progress_of(session, member, key, window.start - timedelta(days=1))
        if cycle == "previous":
            break
    if year is not None and (progress.window is None or progress.window.deadline.year != year):
        raise NotFound(f"No {key} cycle of yours ends in {year}. Try /ce export audit {key} previous, or a day "
                       "inside the cycle like 2025-06-30.")
    return progress


def audit_transcript(*, session: Session, member: Member, key: str, cycle: str, today: date) -> Transcript:
    """The transcript of ``key``'s cycle ``cycle`` (NotFound when not tracked or no such cycle)."""
    key = key.strip().upper()
    credentials = list_credentials(session=session, member=member)
    numbers = {c.requirement_key: c.licence_number for c in credentials}
    if key not in numbers:
        tracked = ", ".join(sorted(numbers)) or "nothing yet"
        raise NotFound(f"You're not tracking {key} (you track: {tracked}). Start with /ce track {key}.")
    progress = _cycle_progress(session, member, key, cycle, today)
    entries = transcript_entries(session=session, member=member)
    return build_transcript(member_name=member.display_name or member.slack_user_id, entries=entries,
                            progress=[progress], generated_on=today, key=key, licence_numbers=numbers)


def audit_packet(*, session: Session, member: Member, store: Any, key: str, cycle: str, today: date,
                 filename: str) -> Packet:
    """The audit ZIP for ``key``'s cycle: transcript, stored certificates (read from ``store``), index."""
    transcript = audit_transcript(session=session, member=member, key=key, cycle=cycle, today=today)
    ids = [r.entry.id for r in transcript.rows]
    rows = certificates.certificates_by_entry(session=session, member=member, entry_ids=ids)
    slack_only = {entry_id for entry_id, row in rows.items() if not (row.stored and row.sha256)}

    def load(entry_id: int) -> PacketFile | None:
        row = rows.get(entry_id)
        if row is None or not row.stored or not row.sha256:
            return None
        try:
            data = store.get(row.sha256)
        except KeyError:  # CertificateNotFound: the row says stored, the store disagrees (logged, shown as missing)
            log.error("certificate %s of entry %s is missing from the store", row.sha256, entry_id)
            slack_only.add(entry_id)
            return None
        return PacketFile(data=data, sha256=row.sha256, media_type=row.media_type or "")

    return write_packet(transcript, load, slack_only=slack_only, filename=filename)
