"""What :func:`cebot.domain.progress.compute_progress` returns: where one credential stands, and how it reads.

:class:`Progress` with its rows (subject minimums, in-person hours, courses not counted, conditions) and its
:class:`Status`; how dates and the "no CE" notes read; and the stable JSON form (``docs/progress-json.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from cebot.domain.cycles import CycleWindow
from cebot.domain.hours import Quarters, to_decimal
from cebot.domain.requirements import Applicability, RequirementSet, SetKind

DUE_SOON_DAYS = 90
"""With this many days or fewer left, anything still missing makes the status ``due_soon``."""


class Status(StrEnum):
    COMPLETE = "complete"
    NOT_STARTED = "not_started"
    """Nothing counts yet, and the pace does not ask for hours yet."""
    ON_PACE = "on_pace"
    BEHIND_PACE = "behind_pace"
    DUE_SOON = "due_soon"
    """Something is missing and the deadline is at most :data:`DUE_SOON_DAYS` days away."""
    OVERDUE = "overdue"
    EXEMPT = "exempt"
    NEEDS_INFO = "needs_info"
    """The window cannot be worked out yet; :attr:`Progress.needs` says what to tell us."""


@dataclass(frozen=True)
class SubjectRow:
    """One subject minimum: hours required, counted toward it and still missing."""

    key: str
    label: str
    required: Quarters
    counted: Quarters
    remaining: Quarters
    met: bool
    on_top: bool = False
    unconfirmed: bool = False


@dataclass(frozen=True)
class InPersonRow:
    required: Quarters
    counted: Quarters
    remaining: Quarters

    @property
    def met(self) -> bool:
        return self.remaining == 0


@dataclass(frozen=True)
class NotCounted:
    """Hours of a logged course that do not count here, and why. ``partial`` when the rest of it counts."""

    entry_id: int
    title: str
    hours: Quarters
    reason: str
    partial: bool = False


@dataclass(frozen=True)
class ConditionRow:
    """A requirement that is not hours. ``met`` is known only for CPR when the card's expiry is recorded."""

    key: str
    label: str
    unconfirmed: bool = False
    met: bool | None = None


@dataclass(frozen=True)
class Progress:
    """Where one credential stands on ``today``. Hours are quarters."""

    key: str
    name: str
    status: Status
    window: CycleWindow | None
    deadline: date | None
    days_left: int | None
    required: Quarters
    """Hours toward the total (after first-renewal proration); on-top hours are in ``subject_rows``."""
    counted: Quarters
    """Hours counting toward the total after every constraint (caps, subject and in-person minimums, including
    ``carried_in``): ``required - counted`` is what is still to take toward it. May exceed ``required`` once
    nothing is missing."""
    remaining: Quarters
    """Hours still to take, including subject, in-person and on-top gaps."""
    subject_rows: tuple[SubjectRow, ...] = ()
    in_person: InPersonRow | None = None
    not_counted: tuple[NotCounted, ...] = ()
    partially_counted: tuple[int, ...] = ()
    conditions: tuple[ConditionRow, ...] = ()
    unconfirmed: tuple[str, ...] = ()
    needs: str | None = None
    counted_entry_ids: tuple[int, ...] = ()
    entries_without_certificate: int = 0
    notes: tuple[str, ...] = ()
    carried_in: Quarters = 0
    on_top_required: Quarters = 0
    rule_change: str | None = None
    """What changed in the shipped rule since the version the member last saw, once, in a sentence."""
    capped: Quarters = 0
    """Hours the caps let count toward the total (with ``carried_in``), before minimums are taken into account:
    ``counted`` is less while a minimum is missing (its hours must come from courses of that subject)."""

    @property
    def complete(self) -> bool:
        return self.status is Status.COMPLETE


# --------------------------------------------------------------------------- wording

_STATE_NAMES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "the District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia",
    "WI": "Wisconsin", "WY": "Wyoming",
}


def format_date(d: date) -> str:
    """``Mar 1, 2023``: how dates read in reasons and notes."""
    return f"{d:%b} {d.day}, {d.year}"


def format_window(w: CycleWindow) -> str:
    return f"{format_date(w.start)} – {format_date(w.deadline)}"


def no_ce_note(rs: RequirementSet) -> str:
    """The note of a set that asks for no CE hours, naming the state when it is one."""
    place = _STATE_NAMES.get((rs.state or "").upper(), rs.name)
    if rs.applicability is Applicability.NO_CE:
        return f"{place} does not require CE to renew a massage licence."
    if rs.applicability is Applicability.NO_LICENCE:
        return f"{place} does not license massage therapists, so there is no CE to track."
    if rs.applicability is Applicability.VOLUNTARY:
        return f"{place}: certification is voluntary, and no CE is needed to renew it."
    if rs.applicability is Applicability.CONFLICTING:
        return f"Sources disagree on whether {place} requires CE; please check with the board."
    if rs.kind is SetKind.PATHWAY:
        return f"{rs.name}: no CE hours are published; your clinic can set a target."
    return f"{rs.name} does not ask for CE hours."


# --------------------------------------------------------------------------- JSON


def _h(q: Quarters | None) -> float | None:
    """Quarter hours as a JSON number (exact: quarters are exact in binary floating point)."""
    return None if q is None else float(to_decimal(q))


def progress_to_json(p: Progress) -> dict[str, Any]:
    """The stable JSON form of a :class:`Progress` (field names documented in docs/progress-rules.md)."""
    return {
        "key": p.key,
        "name": p.name,
        "status": p.status.value,
        "window": None if p.window is None else {"start": p.window.start.isoformat(),
                                                 "deadline": p.window.deadline.isoformat()},
        "deadline": None if p.deadline is None else p.deadline.isoformat(),
        "days_left": p.days_left,
        "required": _h(p.required),
        "counted": _h(p.counted),
        "remaining": _h(p.remaining),
        "carried_in": _h(p.carried_in),
        "capped": _h(p.capped),
        "subjects": [
            {"key": r.key, "label": r.label, "required": _h(r.required), "counted": _h(r.counted),
             "remaining": _h(r.remaining), "met": r.met, "on_top": r.on_top, "unconfirmed": r.unconfirmed}
            for r in p.subject_rows
        ],
        "in_person": None if p.in_person is None else {
            "required": _h(p.in_person.required), "counted": _h(p.in_person.counted),
            "remaining": _h(p.in_person.remaining), "met": p.in_person.met},
        "not_counted": [
            {"entry_id": n.entry_id, "title": n.title, "hours": _h(n.hours), "reason": n.reason,
             "partial": n.partial}
            for n in p.not_counted
        ],
        "conditions": [{"key": c.key, "label": c.label, "unconfirmed": c.unconfirmed, "met": c.met}
                       for c in p.conditions],
        "unconfirmed": list(p.unconfirmed),
        "needs": p.needs,
        "notes": list(p.notes),
        "counted_entry_ids": list(p.counted_entry_ids),
        "entries_without_certificate": p.entries_without_certificate,
        "rule_change": p.rule_change,
    }
