"""Progress: what a therapist has done toward one credential, and what is still missing.

:func:`compute_progress` takes a requirement set, a tracked credential and the
member's ledger, and returns a :class:`Progress`. The full rules, with
examples, are in ``docs/progress-rules.md``; in short:

* **Window.** Only courses completed inside the current cycle window count.
  Every course counts toward every credential whose window it falls in.
  Courses from the previous cycle or after the deadline are listed as not
  counted ("outside this cycle (...)"); older ones are not listed.
* **Hours on top.** Minimums marked ``on_top`` (Michigan's implicit bias) are
  filled first, in date order, from courses tagged with their subjects; those
  hours do not count toward the total. Hours of such courses beyond what the
  on-top minimum asks for count toward the total like any other course.
* **Caps.** The hours that count toward the total are the most the caps allow
  (an exact maximum, not first-come-first-served, so logging another course
  never lowers the count). Among courses that compete for the same caps, those
  that serve a subject minimum count first, then the earlier ones (by date, then
  id). A course can be partly counted; the rest is listed as not counted with
  the cap that stopped it.
* **Minimums.** An hour counts toward the total *and* toward every subject
  minimum it is tagged for (an ethics hour is also a CE hour, as boards count
  it). The in-person minimum counts hours of in-person courses that count.
* **Remaining** is what is still to take: the larger of the hours missing from
  the total, the in-person hours missing and the sum of the missing subject
  hours (overlapping minimums such as "4 h ethics/law, of which 2 h
  boundaries" are counted once, by their largest gap), plus missing on-top hours.
* **Counted** is the headline: what counts toward the total after every constraint, so while something is
  missing ``counted + remaining within the total == required`` ("N of M" and "to go" agree); ``capped`` keeps
  what the caps alone let count. Once nothing is missing it is not capped: 30 h logged toward 24 shows 30.
* **Status.** ``exempt`` when the set asks for no CE or the first renewal is
  exempt; ``needs_info`` when the window cannot be worked out; ``complete``
  when nothing remains; ``overdue`` when the credential's own deadline has
  passed with something missing; ``due_soon`` when something is missing and the
  deadline is at most :data:`DUE_SOON_DAYS` days away; ``behind_pace`` when the
  hours done are fewer than the pace asks (see :func:`pace_expected`: nothing in
  the first half of the cycle, then a steady share up to the deadline);
  ``not_started`` when no logged course counts yet; else ``on_pace``.
* **Carry-over** (sets with ``carry_over.max_hours``): hours counted in the
  last ``carry_over.periods`` windows beyond their full requirement carry in, up to the
  maximum, toward this window's total (not toward subject minimums); see :func:`_carried_in`.
* **First renewal.** ``EXEMPT`` shows hours but requires none; ``PRORATED``
  asks ``hours_per_month`` for each whole (or, with ``count_partial_months``,
  started) month from the issue date to the deadline, the ``chart`` entry of the
  month the licence was issued, or ``fixed_hours``; at most the total. All keep
  only the minimums named in ``keep_minimums`` (``"in_person"`` keeps the
  in-person minimum), which are part of the hours asked, and the window starts
  on the issue date.
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from operator import attrgetter

from cebot.domain import cycles
from cebot.domain.cycles import CycleWindow
from cebot.domain.facts import CredentialFacts, EntryFacts
from cebot.domain.hours import Quarters, format_hours
from cebot.domain.progress_report import (
    DUE_SOON_DAYS,
    ConditionRow,
    InPersonRow,
    NotCounted,
    Progress,
    Status,
    SubjectRow,
    format_date,
    format_window,
    no_ce_note,
    progress_to_json,
)
from cebot.domain.renewal import carried_in, first_renewal_hours
from cebot.domain.requirements import FirstRenewalRule, RequirementSet
from cebot.domain.tally import between, prepared_rules, tally

__all__ = [  # the result types and their wording live in progress_report; this stays their import path
    "DUE_SOON_DAYS", "PACE_FREE_SHARE", "ConditionRow", "InPersonRow", "NotCounted", "Progress", "Status",
    "SubjectRow", "compute_progress", "format_date", "format_window", "pace_expected", "progress_to_json",
    "rule_change",
]

PACE_FREE_SHARE = 0.5
"""The share of a cycle in which the pace asks for no hours: most therapists take CE in the second half, so a
freshly tracked two-year (or longer) cycle is not behind. From there the pace asks a steady share to the deadline."""


_ORDER = attrgetter("completed_on", "id")
_DAY = attrgetter("completed_on")


# --------------------------------------------------------------------------- the engine


def rule_change(rs: RequirementSet, seen: int | None) -> str | None:
    """The sentence announcing a newer shipped rule than version ``seen``, or ``None``."""
    if seen is None or rs.workspace_defined or rs.version <= seen or not rs.change_note:
        return None
    return f"Rule update for {rs.key} (version {rs.version}): {rs.change_note}"


def compute_progress(rs: RequirementSet, facts: CredentialFacts, entries: Sequence[EntryFacts],
                     today: date) -> Progress:
    """Where ``facts`` (a credential under ``rs``) stands on ``today`` given the member's ``entries``.

    Entry ids must be unique (they are the ledger's ids). When the shipped rule is newer than the version the
    member last saw (``facts.rule_version_seen``), :attr:`Progress.rule_change` says what changed.
    """
    if not rs.tracks_hours:
        return Progress(key=rs.key, name=rs.name, status=Status.EXEMPT, window=None, deadline=None,
                        rule_change=rule_change(rs, facts.rule_version_seen),
                        days_left=None, required=0, counted=0, remaining=0,
                        notes=(no_ce_note(rs), *rs.notes), unconfirmed=rs.unconfirmed)
    ordered = sorted(entries, key=_ORDER)
    window = cycles.current_window(rs, facts, today)
    exempt_first = facts.first_cycle and rs.first_renewal.rule is FirstRenewalRule.EXEMPT
    if window is None:
        return Progress(key=rs.key, name=rs.name, rule_change=rule_change(rs, facts.rule_version_seen),
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


@functools.lru_cache(maxsize=256)
def _outside(window: CycleWindow) -> str:
    return f"outside this cycle ({format_window(window)})"


def _progress_in(rs: RequirementSet, facts: CredentialFacts, ordered: Sequence[EntryFacts],
                 window: CycleWindow, today: date) -> Progress:
    notes: list[str] = list(rs.notes)
    needs: str | None = None
    fr = rs.first_renewal
    total = rs.total_hours
    first_renewal_minimums = False
    in_person_min = rs.min_in_person_hours
    exempt = False
    if facts.first_cycle:
        cycle = window
        if facts.issue_date is not None and window.start < facts.issue_date <= window.deadline:
            window = CycleWindow(facts.issue_date, window.deadline)
        if fr.rule is FirstRenewalRule.EXEMPT:
            exempt = True
            notes.insert(0, fr.note or "Your first renewal needs no CE.")
        elif fr.rule is FirstRenewalRule.PRORATED:
            reduced, needs = first_renewal_hours(rs, facts, cycle)
            if reduced is not None:
                total = min(total, reduced)
                first_renewal_minimums = True
                if "in_person" not in fr.keep_minimums:
                    in_person_min = 0
                notes.insert(0, fr.note or f"First renewal: {format_hours(total)} h.")

    rules = prepared_rules(rs, first_renewal_minimums)
    minimums = rules.minimums
    inside = between(ordered, window.start, window.deadline)
    t = tally(rules, inside)

    carried = 0
    if rs.carry_over.max_hours and not facts.first_cycle and not exempt:
        carried, last = carried_in(rs, facts, ordered, window)
        if carried and last is not None:
            since = (f"your last cycle ({format_window(last)})" if rs.carry_over.periods == 1
                     else f"your last {rs.carry_over.periods} cycles (the latest {format_window(last)})")
            notes.append(f"Includes {format_hours(carried)} h carried over from {since}.")

    counted = t.counted + carried
    rows: list[SubjectRow] = []
    within: list[SubjectRow] = []
    on_top_required = on_top_remaining = 0
    for i, m in enumerate(minimums):
        got = t.on_top.get(m.key, 0) if m.on_top else t.by_minimum[i]
        required_m = m.hours if not exempt else 0
        row = SubjectRow(key=m.key, label=m.label, required=required_m, counted=got,
                         remaining=max(0, required_m - got), met=got >= required_m,
                         on_top=m.on_top, unconfirmed=m.unconfirmed)
        rows.append(row)
        if m.on_top:
            on_top_required += row.required
            on_top_remaining += row.remaining
        else:
            within.append(row)
    in_person: InPersonRow | None = None
    if in_person_min:
        got = t.in_person
        need_ip = 0 if exempt else in_person_min
        in_person = InPersonRow(required=need_ip, counted=got, remaining=max(0, need_ip - got))

    required = 0 if exempt else total
    if first_renewal_minimums:
        # The minimums a first renewal keeps are part of its hours (Florida), even when few months are left.
        required = max(required, _grouped_gap([replace(r, remaining=r.required) for r in within], rules.gap_roots))
    gap = max(_grouped_gap(within, rules.gap_roots), in_person.remaining if in_person else 0)
    remaining = max(required - counted, gap, 0)
    # The headline: what counts toward the total after every constraint, so "N of M" and "K to go" agree.
    # Hours that only a missing minimum could still use (home study beyond Florida's classroom part) wait.
    headline = counted if remaining == 0 else required - remaining
    capped = counted
    counted = headline
    remaining += on_top_remaining

    # Courses from the cycle before and after the deadline are listed; older ones are plainly old.
    outside = _outside(window)
    listed_from = cycles.add_months(window.start, -max(rs.cycle_months, 12))
    not_counted = [NotCounted(e.id, e.title, e.hours, outside)
                   for e in between(ordered, listed_from, window.start - timedelta(days=1))]
    partial: list[int] = []
    if t.excluded:
        excluded = t.excluded
        counted_ids: list[int] = []
        without_cert = 0
        for j, e in enumerate(inside):
            lost = excluded.get(j)
            used = e.hours if lost is None else e.hours - lost[0]
            if used:
                counted_ids.append(e.id)
                without_cert += not e.has_certificate
            if lost is not None:
                hours, reason = lost
                not_counted.append(NotCounted(e.id, e.title, hours, reason, partial=bool(used)))
                if used:
                    partial.append(e.id)
    else:
        counted_ids = [e.id for e in inside if e.hours]
        without_cert = sum(1 for e in inside if e.hours and not e.has_certificate)
    later = bisect_right(ordered, window.deadline, key=_DAY)
    if later < len(ordered):
        not_counted.extend(NotCounted(e.id, e.title, e.hours, outside) for e in ordered[later:])

    conditions = tuple(_condition_row(c.key, c.label, c.unconfirmed, facts, window) for c in rs.conditions)
    days_left = window.days_left(today)
    if exempt:
        status = Status.EXEMPT
    elif remaining == 0:
        status = Status.COMPLETE
    elif days_left < 0:
        status = Status.OVERDUE
    elif days_left <= DUE_SOON_DAYS:
        status = Status.DUE_SOON
    elif _behind_pace(remaining, required + on_top_required, window, today):
        status = Status.BEHIND_PACE
    elif not counted_ids and not carried:
        status = Status.NOT_STARTED
    else:
        status = Status.ON_PACE
    return Progress(
        key=rs.key, name=rs.name, status=status, window=window, deadline=window.deadline, days_left=days_left,
        required=required, counted=counted, remaining=remaining, subject_rows=tuple(rows), in_person=in_person,
        not_counted=tuple(not_counted), partially_counted=tuple(partial), conditions=conditions,
        unconfirmed=rs.unconfirmed, needs=needs, counted_entry_ids=tuple(counted_ids),
        entries_without_certificate=without_cert, notes=tuple(notes), carried_in=carried,
        on_top_required=0 if exempt else on_top_required, capped=capped,
        rule_change=rule_change(rs, facts.rule_version_seen),
    )


def _condition_row(key: str, label: str, unconfirmed: bool, facts: CredentialFacts,
                   window: CycleWindow) -> ConditionRow:
    met = None
    if key in ("cpr", "bls", "cpr_current") and facts.cpr_expires_on is not None:
        met = facts.cpr_expires_on >= window.deadline
    return ConditionRow(key=key, label=label, unconfirmed=unconfirmed, met=met)


def _grouped_gap(rows: Sequence[SubjectRow], roots: Sequence[int]) -> Quarters:
    """Sum of missing subject hours, counting minimums that share a subject once (by their largest gap).

    ``roots`` (:attr:`cebot.domain.tally.Rules.gap_roots`) names, for each row, the group of minimums it belongs to.
    """
    gaps: dict[int, Quarters] = {}
    for root, r in zip(roots, rows, strict=True):
        gaps[root] = max(gaps.get(root, 0), r.remaining)
    return sum(gaps.values())


def pace_expected(required: Quarters, window: CycleWindow, today: date) -> Quarters:
    """The hours a steady pace asks to be done by ``today``, in quarters (rounded down).

    None in the first :data:`PACE_FREE_SHARE` of the window; then a straight line from 0 to ``required`` at the
    deadline. A 24 h two-year cycle asks 0 h a year before the deadline and 12 h six months before it.
    """
    days = window.days
    if days <= 0 or required <= 0:
        return 0
    gone = min(max(days - window.days_left(today), 0), days)
    free = int(days * PACE_FREE_SHARE)
    if gone <= free:
        return 0
    return required * (gone - free) // (days - free)


def _behind_pace(remaining: Quarters, required: Quarters, window: CycleWindow, today: date) -> bool:
    """Fewer hours done than :func:`pace_expected` asks (done = required - remaining)."""
    return required - remaining < pace_expected(required, window, today)
