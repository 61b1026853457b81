"""A member's CE transcript (pure): every course, whether and why it counted, and totals against the requirement.

:func:`build_transcript` takes the member's courses (:class:`TranscriptEntry`) and
the :class:`~cebot.domain.progress.Progress` of each credential they track, and
returns a :class:`Transcript` that the PDF and CSV writers lay out. With a
credential key it covers that credential's current cycle (the courses completed
inside its window); without one it covers every course, with a verdict per
tracked credential.

Audit flags: a course that counts toward something but has no certificate
attached is flagged, and for NCBTMB (whose certificates must show the approved
provider's name and number and the course type) a missing provider or approval
number is flagged too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from cebot.domain.cycles import CycleWindow
from cebot.domain.hours import Quarters
from cebot.domain.progress import Progress, Status, format_date, format_window
from cebot.domain.subjects import label as subject_label

COUNTED = "counted"
PARTLY = "partly counted"
NOT_COUNTED = "not counted"

FORMAT_LABELS = {"in_person": "In person", "live_online": "Live online", "home_study": "Home study"}

NCBTMB_KEYS = frozenset({"NCBTMB"})
"""Credentials whose certificates must show the approved provider (name and number) and the course type."""

FLAG_NO_CERTIFICATE = "no certificate"
FLAG_NO_APPROVAL = "no provider approval number (NCBTMB)"
FLAG_NO_PROVIDER = "no provider name (NCBTMB)"

STATUS_TEXT = {
    Status.COMPLETE: "complete", Status.NOT_STARTED: "not started", Status.ON_PACE: "on pace",
    Status.BEHIND_PACE: "behind pace", Status.DUE_SOON: "due soon",
    Status.OVERDUE: "overdue", Status.EXEMPT: "exempt", Status.NEEDS_INFO: "needs information",
}


@dataclass(frozen=True)
class TranscriptEntry:
    """One logged course with everything an auditor asks about."""

    id: int
    title: str
    completed_on: date
    hours: Quarters
    delivery_format: str = "in_person"
    subjects: tuple[str, ...] = ()
    provider: str | None = None
    approval_number: str | None = None
    certificate_ref: str | None = None
    certificate_url: str | None = None
    notes: str | None = None

    @property
    def has_certificate(self) -> bool:
        return bool(self.certificate_ref or self.certificate_url)

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS.get(self.delivery_format, self.delivery_format)

    @property
    def subject_labels(self) -> tuple[str, ...]:
        return tuple(subject_label(s) for s in self.subjects)


@dataclass(frozen=True)
class Verdict:
    """How one course fares toward one credential."""

    key: str
    status: str
    """:data:`COUNTED`, :data:`PARTLY` or :data:`NOT_COUNTED`."""
    counted: Quarters
    reason: str = ""
    """Why (some of) it does not count; empty when it all counts."""

    @property
    def text(self) -> str:
        """``counted``, ``partly counted: over the 4 h self-care cap`` ..."""
        return f"{self.status}: {self.reason}" if self.reason else self.status


@dataclass(frozen=True)
class TranscriptRow:
    entry: TranscriptEntry
    verdicts: tuple[Verdict, ...]
    flags: tuple[str, ...] = ()

    @property
    def counted(self) -> Quarters:
        """Hours counted toward the transcript's credential (the most toward any one, for an all-courses one)."""
        return max((v.counted for v in self.verdicts), default=0)

    @property
    def counts(self) -> bool:
        return any(v.counted for v in self.verdicts)

    def verdict_text(self, single: bool) -> str:
        """One credential: its verdict. Several: ``FL: counted; NCBTMB: not counted: ...``."""
        if not self.verdicts:
            return "not counted: no licence or certification tracked"
        if single:
            return self.verdicts[0].text
        return "; ".join(f"{v.key}: {v.text}" for v in self.verdicts)


@dataclass(frozen=True)
class TotalRow:
    """Hours required, counted and still missing, for the whole requirement or one subject."""

    label: str
    required: Quarters
    counted: Quarters
    remaining: Quarters

    @property
    def met(self) -> bool:
        return self.remaining == 0


@dataclass(frozen=True)
class CredentialTotals:
    key: str
    name: str
    status: Status
    window: CycleWindow | None
    licence_number: str | None
    rows: tuple[TotalRow, ...]
    """The total first, then each subject minimum, then the in-person minimum."""
    without_certificate: int
    """Counted courses with no certificate attached."""
    notes: tuple[str, ...] = ()

    @property
    def status_text(self) -> str:
        return STATUS_TEXT.get(self.status, str(self.status))

    @property
    def window_text(self) -> str:
        return format_window(self.window) if self.window else "cycle not known yet"


@dataclass(frozen=True)
class Transcript:
    member_name: str
    generated_on: date
    key: str | None
    """The credential this transcript is for; None for every course."""
    title: str
    rows: tuple[TranscriptRow, ...]
    totals: tuple[CredentialTotals, ...]

    @property
    def single(self) -> bool:
        return self.key is not None

    @property
    def hours_logged(self) -> Quarters:
        return sum(r.entry.hours for r in self.rows)

    @property
    def without_certificate(self) -> int:
        """Courses here that count toward something and have no certificate attached."""
        return sum(1 for r in self.rows if FLAG_NO_CERTIFICATE in r.flags)

    @property
    def flagged(self) -> int:
        return sum(1 for r in self.rows if r.flags)

    @property
    def licence_numbers(self) -> str:
        return ", ".join(f"{t.key} {t.licence_number}" for t in self.totals if t.licence_number)


def verdict(progress: Progress, entry: TranscriptEntry) -> Verdict:
    """Whether and why ``entry`` counts toward ``progress``'s credential."""
    excluded = next((n for n in progress.not_counted if n.entry_id == entry.id), None)
    if entry.id in progress.counted_entry_ids:
        if excluded is not None:
            return Verdict(progress.key, PARTLY, max(entry.hours - excluded.hours, 0), excluded.reason)
        return Verdict(progress.key, COUNTED, entry.hours)
    if excluded is not None:
        return Verdict(progress.key, NOT_COUNTED, 0, excluded.reason)
    window = progress.window
    if window is None:
        if progress.status is Status.EXEMPT:
            return Verdict(progress.key, NOT_COUNTED, 0, "no CE hours required")
        return Verdict(progress.key, NOT_COUNTED, 0, "cycle not known yet" + (f" ({progress.needs})"
                                                                              if progress.needs else ""))
    if not window.start <= entry.completed_on <= window.deadline:
        return Verdict(progress.key, NOT_COUNTED, 0, f"outside this cycle ({format_window(window)})")
    return Verdict(progress.key, NOT_COUNTED, 0, "not needed for this requirement")


def audit_flags(entry: TranscriptEntry, verdicts: Sequence[Verdict]) -> tuple[str, ...]:
    """What an auditor would miss: a certificate for a course that counts; NCBTMB's provider fields."""
    counting = [v for v in verdicts if v.counted]
    if not counting:
        return ()
    flags = []
    if not entry.has_certificate:
        flags.append(FLAG_NO_CERTIFICATE)
    if any(v.key in NCBTMB_KEYS for v in counting):
        if not (entry.approval_number or "").strip():
            flags.append(FLAG_NO_APPROVAL)
        if not (entry.provider or "").strip():
            flags.append(FLAG_NO_PROVIDER)
    return tuple(flags)


def credential_totals(progress: Progress, licence_number: str | None = None) -> CredentialTotals:
    rows = [TotalRow("All CE hours", progress.required, progress.counted,
                     max(progress.required - progress.counted, 0))]
    rows += [TotalRow(r.label + (" (on top of the total)" if r.on_top else ""), r.required, r.counted, r.remaining)
             for r in progress.subject_rows]
    if progress.in_person is not None:
        ip = progress.in_person
        rows.append(TotalRow("In person", ip.required, ip.counted, ip.remaining))
    notes = list(progress.notes)
    if progress.needs:
        notes.insert(0, progress.needs)
    return CredentialTotals(key=progress.key, name=progress.name, status=progress.status, window=progress.window,
                            licence_number=licence_number, rows=tuple(rows),
                            without_certificate=progress.entries_without_certificate, notes=tuple(notes))


def build_transcript(
    *,
    member_name: str,
    entries: Sequence[TranscriptEntry],
    progress: Sequence[Progress],
    generated_on: date,
    key: str | None = None,
    licence_numbers: dict[str, str | None] | None = None,
) -> Transcript:
    """The transcript of ``key``'s current cycle (courses inside its window), or of every course when None.

    ``progress`` is the member's progress per tracked credential; with ``key`` it must include that one.
    """
    numbers = licence_numbers or {}
    ordered = sorted(entries, key=lambda e: (e.completed_on, e.id))
    if key is not None:
        chosen = [p for p in progress if p.key == key]
        if not chosen:
            raise ValueError(f"no progress for {key}")
        p = chosen[0]
        if p.window is not None:
            ordered = [e for e in ordered if p.window.start <= e.completed_on <= p.window.deadline]
        scoped: Sequence[Progress] = chosen
        window = f", {format_window(p.window)}" if p.window else ""
        title = f"{p.name}{window}"
    else:
        scoped = progress
        title = "All courses"
    rows = []
    for e in ordered:
        verdicts = tuple(verdict(p, e) for p in scoped)
        rows.append(TranscriptRow(entry=e, verdicts=verdicts, flags=audit_flags(e, verdicts)))
    totals = tuple(credential_totals(p, numbers.get(p.key)) for p in scoped)
    return Transcript(member_name=member_name, generated_on=generated_on, key=key, title=title, rows=tuple(rows),
                      totals=totals)


__all__ = [
    "COUNTED", "NOT_COUNTED", "PARTLY", "CredentialTotals", "TotalRow", "Transcript", "TranscriptEntry",
    "TranscriptRow", "Verdict", "audit_flags", "build_transcript", "credential_totals", "format_date", "verdict",
]
