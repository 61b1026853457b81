"""Frozen copy of cebot/domain/progress.py as of commit 5ccbd1d: the reference for tests/test_progress_reference.py.

Do not edit: the differential tests check that the optimised engine gives exactly what this gave.
"""


from __future__ import annotations

import functools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum
from operator import attrgetter
from typing import Any

from dateutil.relativedelta import relativedelta

from cebot.domain.facts import CredentialFacts, EntryFacts
from cebot.domain.hours import Quarters, format_hours, to_decimal
from cebot.domain.requirements import (
    Applicability,
    Cap,
    FirstRenewalRule,
    RequirementSet,
    SetKind,
    SubjectMinimum,
)
from tests.reference import cycles
from tests.reference.cycles import CycleWindow

AT_RISK_DAYS = 90
"""With this many days or fewer left, anything still missing makes the status ``at_risk``."""
PACE_MARGIN = 0.25
"""How far (as a share of the requirement) progress may fall behind a steady pace before ``at_risk``."""


class Status(StrEnum):
    COMPLETE = "complete"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
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
    """Hours counting toward the total (including ``carried_in``); may exceed ``required``."""
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

    @property
    def complete(self) -> bool:
        return self.status is Status.COMPLETE


# --------------------------------------------------------------------------- helpers

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


def _no_ce_note(rs: RequirementSet) -> str:
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


def _matches_minimum(m: SubjectMinimum, e: EntryFacts) -> bool:
    return (not m.formats or e.delivery_format in m.formats) and any(s in e.subjects for s in m.subjects)


def _matches_cap(c: Cap, e: EntryFacts) -> bool:
    return (not c.formats or e.delivery_format in c.formats) and (
        not c.subjects or any(s in e.subjects for s in c.subjects))


_ORDER = attrgetter("completed_on", "id")
_DAY = attrgetter("completed_on")


def _between(ordered: Sequence[EntryFacts], start: date, end: date) -> Sequence[EntryFacts]:
    """The entries of date-ordered ``ordered`` completed from ``start`` to ``end`` (both included)."""
    lo = bisect_left(ordered, start, key=_DAY)
    hi = bisect_right(ordered, end, key=_DAY)
    return ordered[lo:hi]


def _short_label(label: str, *, lower: bool) -> str:
    """A cap label fit for a sentence: no trailing "(...)", and lower-case unless it starts with an acronym."""
    text = re.sub(r"\s*\([^)]*\)\s*$", "", label).strip() or label
    if lower and not text[:2].isupper():
        text = text[:1].lower() + text[1:]
    return text


def _cap_reason(rs: RequirementSet, c: Cap) -> str:
    text = (f"{_short_label(c.label, lower=False)} does not count for {rs.key}" if c.hours == 0
            else f"over the {format_hours(c.hours)} h {_short_label(c.label, lower=True)} cap")
    return text + (" (rule unconfirmed)" if c.unconfirmed else "")


def _scaled(m: SubjectMinimum, cycle_months: int) -> SubjectMinimum:
    if not m.per_cycle_year:
        return m
    return replace(m, hours=m.hours * cycle_months // 12)


def _best_multi(sigs: tuple[tuple[tuple[int, ...], Quarters], ...], residual: tuple[Quarters, ...]) -> list[Quarters]:
    """Exact maximum of sum(y) with y[i] <= H[i] and, per cap, the y of signatures using it <= residual."""

    @functools.cache
    def best(i: int, res: tuple[Quarters, ...]) -> tuple[Quarters, tuple[Quarters, ...]]:
        if i == len(sigs):
            return 0, ()
        caps, hours = sigs[i]
        hi = min(hours, *(res[c] for c in caps))
        if i == len(sigs) - 1:
            return hi, (hi,)
        upper_rest = sum(h for _, h in sigs[i + 1:])
        found: tuple[Quarters, tuple[Quarters, ...]] = (-1, ())
        for y in range(hi, -1, -1):
            if y + upper_rest <= found[0]:
                break
            nxt = tuple(r - y if c in caps else r for c, r in enumerate(res))
            value, rest = best(i + 1, nxt)
            if y + value > found[0]:
                found = (y + value, (y, *rest))
        return found

    return list(best(0, residual)[1])


@dataclass
class _Tally:
    """The result of counting one window."""

    total: dict[int, Quarters] = field(default_factory=dict)
    on_top: dict[str, Quarters] = field(default_factory=dict)
    on_top_by_entry: dict[int, Quarters] = field(default_factory=dict)
    excluded: dict[int, tuple[Quarters, str]] = field(default_factory=dict)
    by_minimum: list[Quarters] = field(default_factory=list)
    """Hours counted toward the total from entries matching each minimum (same order as the minimums)."""
    in_person: Quarters = 0

    @property
    def counted(self) -> Quarters:
        return sum(self.total.values())


class _Matcher:
    """Which minimums and caps an entry matches, worked out once per (format, subjects) combination."""

    def __init__(self, minimums: Sequence[SubjectMinimum], caps: Sequence[Cap]) -> None:
        self.minimums = minimums
        self.caps = caps
        self._memo: dict[tuple[str, tuple[str, ...]], tuple[tuple[int, ...], tuple[int, ...]]] = {}

    def __call__(self, e: EntryFacts) -> tuple[tuple[int, ...], tuple[int, ...]]:
        key = (e.delivery_format, e.subjects)
        found = self._memo.get(key)
        if found is None:
            found = (tuple(i for i, m in enumerate(self.minimums) if _matches_minimum(m, e)),
                     tuple(i for i, c in enumerate(self.caps) if _matches_cap(c, e)))
            self._memo[key] = found
        return found


def _tally(rs: RequirementSet, entries: Sequence[EntryFacts], minimums: Sequence[SubjectMinimum]) -> _Tally:
    """Count ``entries`` (already inside the window, sorted by date then id) against the set's caps."""
    t = _Tally(by_minimum=[0] * len(minimums))
    caps = rs.caps
    reasons = [_cap_reason(rs, c) for c in caps]
    match = _Matcher(minimums, caps)
    avail = {e.id: e.hours for e in entries}
    for i, m in enumerate(minimums):
        if not m.on_top:
            continue
        need = m.hours
        got = 0
        for e in entries:
            if need == 0:
                break
            if avail[e.id] and i in match(e)[0]:
                take = min(need, avail[e.id])
                avail[e.id] -= take
                need -= take
                got += take
                t.on_top_by_entry[e.id] = t.on_top_by_entry.get(e.id, 0) + take
        t.on_top[m.key] = got

    within = frozenset(i for i, m in enumerate(minimums) if not m.on_top)
    groups: dict[tuple[int, ...], list[EntryFacts]] = {}
    for e in entries:
        if not avail[e.id]:
            continue
        matched = match(e)[1]
        zero = next((i for i in matched if caps[i].hours == 0), None)
        if zero is not None:
            t.excluded[e.id] = (avail[e.id], reasons[zero])
            continue
        groups.setdefault(matched, []).append(e)

    allowed: dict[tuple[int, ...], Quarters] = {}
    used = [0] * len(caps)
    for sig, members in groups.items():
        hours = sum(avail[e.id] for e in members)
        if len(sig) == 0:
            allowed[sig] = hours
        elif len(sig) == 1:
            allowed[sig] = min(hours, caps[sig[0]].hours)
            used[sig[0]] += allowed[sig]
    multi = sorted(sig for sig in groups if len(sig) > 1)
    if multi:
        residual = tuple(c.hours - u for c, u in zip(caps, used, strict=True))
        spec = tuple((sig, sum(avail[e.id] for e in groups[sig])) for sig in multi)
        for sig, y in zip(multi, _best_multi(spec, residual), strict=True):
            allowed[sig] = y
            for c in sig:
                used[c] += y

    for sig, members in groups.items():
        budget = allowed[sig]
        if budget < sum(avail[e.id] for e in members):
            # Courses that serve a subject minimum go first, then by date and id (members are in that order).
            members = sorted(members, key=lambda e: within.isdisjoint(match(e)[0]))
        tight = next((c for c in sig if used[c] >= caps[c].hours), None)
        for e in members:
            take = min(budget, avail[e.id])
            budget -= take
            if take:
                t.total[e.id] = take
                for i in match(e)[0]:
                    if i in within:
                        t.by_minimum[i] += take
                if e.delivery_format == "in_person":
                    t.in_person += take
            if take < avail[e.id]:
                reason = reasons[tight] if tight is not None else "over a cap"
                t.excluded[e.id] = (avail[e.id] - take, reason)
    return t


def _whole_months(start: date, end: date) -> int:
    delta = relativedelta(end, start)
    return max(0, delta.years * 12 + delta.months)


# --------------------------------------------------------------------------- the engine


def compute_progress(rs: RequirementSet, facts: CredentialFacts, entries: Sequence[EntryFacts],
                     today: date) -> Progress:
    """Where ``facts`` (a credential under ``rs``) stands on ``today`` given the member's ``entries``."""
    if not rs.tracks_hours:
        return Progress(key=rs.key, name=rs.name, status=Status.EXEMPT, window=None, deadline=None,
                        days_left=None, required=0, counted=0, remaining=0,
                        notes=(_no_ce_note(rs), *rs.notes), unconfirmed=rs.unconfirmed)
    ordered = sorted(entries, key=_ORDER)
    window = cycles.current_window(rs, facts, today)
    exempt_first = facts.first_cycle and rs.first_renewal.rule is FirstRenewalRule.EXEMPT
    if window is None:
        return Progress(key=rs.key, name=rs.name,
                        status=Status.EXEMPT if exempt_first else Status.NEEDS_INFO,
                        window=None, deadline=None, days_left=None,
                        required=0 if exempt_first else rs.total_hours, counted=0,
                        remaining=0 if exempt_first else rs.total_hours,
                        needs=cycles.needs(rs, facts), unconfirmed=rs.unconfirmed,
                        notes=((rs.first_renewal.note or "Your first renewal needs no CE."),) if exempt_first
                        else rs.notes)
    if facts.deadline is not None and facts.deadline < today:
        lapsed = cycles.window_for_deadline(rs, facts, facts.deadline)
        if lapsed is not None:
            past = _progress_in(rs, facts, ordered, lapsed, today)
            if past.status is not Status.COMPLETE:
                return replace(past, status=Status.OVERDUE)
            rolled = _progress_in(rs, replace(facts, first_cycle=False), ordered, window, today)
            note = (f"Your {format_date(facts.deadline)} deadline has passed with its hours complete, so this "
                    f"shows the next cycle. Once you have renewed, update it: "
                    f"{cycles.TRACK_COMMAND.format(key=rs.key)} deadline:{window.deadline.isoformat()}")
            return replace(rolled, notes=(*rolled.notes, note))
    return _progress_in(rs, facts, ordered, window, today)


def _progress_in(rs: RequirementSet, facts: CredentialFacts, ordered: Sequence[EntryFacts],
                 window: CycleWindow, today: date) -> Progress:
    notes: list[str] = list(rs.notes)
    needs: str | None = None
    fr = rs.first_renewal
    total = rs.total_hours
    minimums = [_scaled(m, rs.cycle_months) for m in rs.minimums]
    in_person_min = rs.min_in_person_hours
    exempt = False
    if facts.first_cycle:
        if facts.issue_date is not None and window.start < facts.issue_date <= window.deadline:
            window = CycleWindow(facts.issue_date, window.deadline)
        if fr.rule is FirstRenewalRule.EXEMPT:
            exempt = True
            notes.insert(0, fr.note or "Your first renewal needs no CE.")
        elif fr.rule is FirstRenewalRule.PRORATED or fr.fixed_hours is not None:
            reduced: Quarters | None = None
            if fr.rule is FirstRenewalRule.PRORATED and fr.hours_per_month:
                if facts.issue_date is None:
                    needs = (f"Tell me when your licence was issued so I can prorate your first renewal: "
                             f"{cycles.TRACK_COMMAND.format(key=rs.key)} issued:YYYY-MM-DD")
                else:
                    reduced = fr.hours_per_month * _whole_months(facts.issue_date, window.deadline)
            if reduced is None and fr.fixed_hours is not None:
                # A fixed first-renewal target (New Jersey: 10 h) applies to a licence issued in the second
                # half of the cycle; issued earlier, the full requirement applies.
                if facts.issue_date is None:
                    needs = needs or (f"Tell me when your licence was issued to see your first-renewal hours: "
                                      f"{cycles.TRACK_COMMAND.format(key=rs.key)} issued:YYYY-MM-DD")
                elif 2 * _whole_months(facts.issue_date, window.deadline) < rs.cycle_months:
                    reduced = fr.fixed_hours
            if reduced is not None:
                total = min(total, reduced)
                minimums = [m for m in minimums if m.key in fr.keep_minimums]
                if "in_person" not in fr.keep_minimums:
                    in_person_min = 0
                notes.insert(0, fr.note or f"First renewal: {format_hours(total)} h.")

    inside = _between(ordered, window.start, window.deadline)
    t = _tally(rs, inside, minimums)

    carried = 0
    if rs.carry_over.max_hours and not facts.first_cycle and not exempt:
        prev = cycles.window_for_deadline(rs, facts, window.start - timedelta(days=1))
        if prev is not None:
            prev_min = [_scaled(m, rs.cycle_months) for m in rs.minimums]
            prev_t = _tally(rs, _between(ordered, prev.start, prev.deadline), prev_min)
            carried = min(rs.carry_over.max_hours, max(0, prev_t.counted - rs.total_hours))
            if carried:
                notes.append(f"Includes {format_hours(carried)} h carried over from your last cycle "
                             f"({format_window(prev)}).")

    counted = t.counted + carried
    rows: list[SubjectRow] = []
    for i, m in enumerate(minimums):
        got = t.on_top.get(m.key, 0) if m.on_top else t.by_minimum[i]
        required_m = m.hours if not exempt else 0
        rows.append(SubjectRow(key=m.key, label=m.label, required=required_m, counted=got,
                               remaining=max(0, required_m - got), met=got >= required_m,
                               on_top=m.on_top, unconfirmed=m.unconfirmed))
    in_person: InPersonRow | None = None
    if in_person_min:
        got = t.in_person
        need_ip = 0 if exempt else in_person_min
        in_person = InPersonRow(required=need_ip, counted=got, remaining=max(0, need_ip - got))

    required = 0 if exempt else total
    within = [r for r, m in zip(rows, minimums, strict=True) if not m.on_top]
    within_mins = [m for m in minimums if not m.on_top]
    remaining = max(required - counted, _grouped_gap(within, within_mins),
                    in_person.remaining if in_person else 0, 0)
    on_top_required = sum(r.required for r in rows if r.on_top)
    remaining += sum(r.remaining for r in rows if r.on_top)

    not_counted: list[NotCounted] = []
    partial: list[int] = []
    outside = f"outside this cycle ({format_window(window)})"
    counted_ids: list[int] = []
    without_cert = 0
    # Courses from the cycle before and after the deadline are listed; older ones are plainly old.
    listed_from = window.start - relativedelta(months=max(rs.cycle_months, 12))
    for e in _between(ordered, listed_from, window.start - timedelta(days=1)):
        not_counted.append(NotCounted(e.id, e.title, e.hours, outside))
    for e in inside:
        used = t.total.get(e.id, 0) + t.on_top_by_entry.get(e.id, 0)
        if used:
            counted_ids.append(e.id)
            without_cert += not e.has_certificate
        if e.id in t.excluded:
            hours, reason = t.excluded[e.id]
            not_counted.append(NotCounted(e.id, e.title, hours, reason, partial=bool(used)))
            if used:
                partial.append(e.id)
    for e in ordered[bisect_right(ordered, window.deadline, key=_DAY):]:
        not_counted.append(NotCounted(e.id, e.title, e.hours, outside))

    conditions = tuple(_condition_row(c.key, c.label, c.unconfirmed, facts, window) for c in rs.conditions)
    days_left = window.days_left(today)
    if exempt:
        status = Status.EXEMPT
    elif remaining == 0:
        status = Status.COMPLETE
    elif days_left < 0:
        status = Status.OVERDUE
    elif _at_risk(remaining, required + on_top_required, window, today):
        status = Status.AT_RISK
    else:
        status = Status.ON_TRACK
    return Progress(
        key=rs.key, name=rs.name, status=status, window=window, deadline=window.deadline, days_left=days_left,
        required=required, counted=counted, remaining=remaining, subject_rows=tuple(rows), in_person=in_person,
        not_counted=tuple(not_counted), partially_counted=tuple(partial), conditions=conditions,
        unconfirmed=rs.unconfirmed, needs=needs, counted_entry_ids=tuple(counted_ids),
        entries_without_certificate=without_cert, notes=tuple(notes), carried_in=carried,
        on_top_required=0 if exempt else on_top_required,
    )


def _condition_row(key: str, label: str, unconfirmed: bool, facts: CredentialFacts,
                   window: CycleWindow) -> ConditionRow:
    met = None
    if key in ("cpr", "bls", "cpr_current") and facts.cpr_expires_on is not None:
        met = facts.cpr_expires_on >= window.deadline
    return ConditionRow(key=key, label=label, unconfirmed=unconfirmed, met=met)


def _grouped_gap(rows: Sequence[SubjectRow], mins: Sequence[SubjectMinimum]) -> Quarters:
    """Sum of missing subject hours, counting minimums that share a subject once (by their largest gap)."""
    parent = list(range(len(mins)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(len(mins)):
        for j in range(i):
            if set(mins[i].subjects) & set(mins[j].subjects):
                parent[root(i)] = root(j)
    gaps: dict[int, Quarters] = {}
    for i, r in enumerate(rows):
        gaps[root(i)] = max(gaps.get(root(i), 0), r.remaining)
    return sum(gaps.values())


def _at_risk(remaining: Quarters, required: Quarters, window: CycleWindow, today: date) -> bool:
    """Behind a steady pace by more than PACE_MARGIN of the requirement, or close to the deadline."""
    days_left = window.days_left(today)
    if days_left <= AT_RISK_DAYS:
        return True
    if required <= 0:
        return False
    left = min(days_left, window.days)
    # remaining / required > left / window.days + 1/4, in integers
    return 4 * remaining * window.days > (4 * left + window.days) * required


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
    }
