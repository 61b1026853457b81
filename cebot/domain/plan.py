"""A plan to finish: the fewest course hours that complete every tracked credential before its deadline.

:func:`make_plan` works on what the progress engine works on (requirement sets, credential facts, the ledger)
and judges every candidate plan with the engine itself (:func:`cebot.domain.progress.compute_progress`), so it
never second-guesses a rule: a plan is "complete" exactly when the engine says each credential is complete
with the planned courses logged today.

Candidate courses are *kinds*: a delivery format (online or in person) and at most one subject, the subjects
being those the tracked sets' minimums name. The search:

1. **Greedy.** Add hours of the kind that takes the most hours off the credentials' "to go" together (a shared
   subject such as ethics serves several credentials at once), in steps of the smallest gap left.
2. **Trim.** Each kind's hours are cut to the least that still completes everything (binary search; the engine is
   monotone: logging more never lowers a count).
3. **Tidy.** Hours are moved from a subject to "any subject" and from in person to online wherever every
   credential stays complete, so the plan asks for no more than it must.

``tests/domain/test_plan.py`` compares the total with an exhaustive search on small cases.

Speed: courses of one kind inside a window count the same whatever their dates (caps and minimums look at
kinds only), so for a set without carry-over the ledger is cut to its window and merged into one entry per
kind before the search (:func:`_condensed`); the tests check that this changes no count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from cebot.domain import cycles
from cebot.domain.facts import CredentialFacts, EntryFacts
from cebot.domain.hours import Quarters
from cebot.domain.progress import Progress, Status, compute_progress
from cebot.domain.requirements import RequirementSet
from cebot.domain.tally import prepared_rules

FORMATS = ("live_online", "in_person")
"""Formats a plan may ask for, the one preferred first (online courses are easier to find and fit)."""

CHECK_ENTRY_ID = 0
"""The id ``/ce check`` gives the course it asks about (ledger ids start at 1)."""

MAX_STEPS = 200
"""The greedy phase stops after this many steps (a guard: real plans take a handful)."""


@dataclass(frozen=True)
class Target:
    """One tracked credential and the member's ledger as the engine sees it (entries oldest first)."""

    requirement_set: RequirementSet
    facts: CredentialFacts
    entries: Sequence[EntryFacts]


@dataclass(frozen=True)
class CourseKind:
    delivery_format: str
    subject: str | None = None


def _kind_order(item: tuple[CourseKind, Quarters]) -> tuple[str, str]:
    return item[0].delivery_format, item[0].subject or ""


@dataclass(frozen=True)
class PlanItem:
    kind: CourseKind
    hours: Quarters
    serves: tuple[str, ...]
    """Keys of the credentials that need these hours."""
    latest: date
    """The latest useful completion date: the earliest deadline among those credentials."""


@dataclass(frozen=True)
class Plan:
    items: tuple[PlanItem, ...]
    left_out: tuple[tuple[str, str], ...] = ()
    """Credentials the plan does not cover, with why (complete, exempt, overdue, missing dates...)."""

    @property
    def hours(self) -> Quarters:
        return sum(i.hours for i in self.items)


class _Problem:
    """The targets to complete, the candidate kinds, and the engine as judge."""

    def __init__(self, targets: Sequence[Target], today: date) -> None:
        self.today = today
        self.targets = [_condensed(t, today) for t in targets]
        subjects: list[str] = []
        for t in self.targets:
            for m in t.requirement_set.minimums:
                if m.subjects and m.subjects[0] not in subjects:
                    subjects.append(m.subjects[0])
        self.kinds = [CourseKind(f, s) for s in (None, *subjects) for f in FORMATS]
        self.evaluations = 0
        self._memo: dict[tuple[int, frozenset[tuple[object, Quarters]]], Quarters] = {}
        self._signatures = [{k: _signature(t.requirement_set, k) for k in self.kinds} for t in self.targets]

    def entries(self, plan: dict[CourseKind, Quarters]) -> list[EntryFacts]:
        return [EntryFacts(id=-1 - i, title="Planned course", completed_on=self.today, hours=q,
                           delivery_format=k.delivery_format, subjects=(k.subject,) if k.subject else ())
                for i, (k, q) in enumerate(sorted(plan.items(), key=_kind_order)) if q > 0]

    def remaining_of(self, i: int, plan: dict[CourseKind, Quarters]) -> Quarters:
        """Target ``i``'s hours to go with ``plan`` logged today (remembered: the search asks again)."""
        sums: dict[object, Quarters] = {}
        for k, q in plan.items():
            if q > 0:
                sig = self._signatures[i][k]
                sums[sig] = sums.get(sig, 0) + q
        key = (i, frozenset(sums.items()))
        found = self._memo.get(key)
        if found is None:
            t = self.targets[i]
            self.evaluations += 1
            found = compute_progress(t.requirement_set, t.facts, [*t.entries, *self.entries(plan)],
                                     self.today).remaining
            self._memo[key] = found
        return found

    def remaining(self, plan: dict[CourseKind, Quarters],
                  skip: tuple[Quarters, ...] = ()) -> tuple[Quarters, ...]:
        """Each target's hours to go with ``plan`` logged today; targets already at 0 in ``skip`` stay at 0
        (more courses never undo a complete credential)."""
        return tuple(0 if skip and not skip[i] else self.remaining_of(i, plan) for i in range(len(self.targets)))

    def signature(self, i: int, k: CourseKind) -> object:
        return self._signatures[i][k]

    def done(self, plan: dict[CourseKind, Quarters]) -> bool:
        return all(self.remaining_of(i, plan) == 0 for i in range(len(self.targets)))


def _signature(rs: RequirementSet, k: CourseKind) -> object:
    """What the engine's counting sees of a course of kind ``k`` under ``rs`` (the minimums and caps it matches,
    with and without first-renewal minimums): kinds with the same signature count alike, so the search
    remembers one answer for both."""
    subjects = (k.subject,) if k.subject else ()
    out = []
    for first in (False, True):
        found = prepared_rules(rs, first).kind(k.delivery_format, subjects)
        out.append((found.minimums, found.caps, found.in_person))
    return tuple(out)


def _condensed(t: Target, today: date) -> Target:
    """``t`` with its window's courses merged into one entry per kind, when that cannot change a count."""
    rs = t.requirement_set
    if rs.carry_over.max_hours:
        return t
    window = cycles.current_window(rs, t.facts, today)
    if window is None:
        return t
    sums: dict[tuple[str, tuple[str, ...]], Quarters] = {}
    for e in t.entries:
        if window.start <= e.completed_on <= window.deadline:
            key = (e.delivery_format, tuple(sorted(e.subjects)))
            sums[key] = sums.get(key, 0) + e.hours
    merged = [EntryFacts(id=i + 1, title="Logged courses", completed_on=window.start, hours=q,
                         delivery_format=fmt, subjects=subjects, has_certificate=True)
              for i, ((fmt, subjects), q) in enumerate(sorted(sums.items()))]
    return Target(rs, t.facts, merged)


def _why_left_out(p: Progress) -> str | None:
    if p.status is Status.COMPLETE:
        return "complete"
    if p.status is Status.EXEMPT:
        return "no CE needed"
    if p.status is Status.NEEDS_INFO:
        return p.needs or "needs a deadline"
    if p.status is Status.OVERDUE:
        return "its deadline has passed"
    return None


def _greedy(problem: _Problem) -> dict[CourseKind, Quarters] | None:
    plan: dict[CourseKind, Quarters] = {}
    rem = problem.remaining(plan)
    for _ in range(MAX_STEPS):
        if not any(rem):
            return plan
        step = min(r for r in rem if r > 0)
        best: tuple[int, CourseKind] | None = None
        seen: set[tuple[object, ...]] = set()
        for k in problem.kinds:
            alike = tuple(problem.signature(i, k) for i, r in enumerate(rem) if r)
            if alike in seen:  # counts exactly like a kind already tried (and preferred) for every open target
                continue
            seen.add(alike)
            trial = {**plan, k: plan.get(k, 0) + step}
            gain = sum(rem) - sum(problem.remaining(trial, skip=rem))
            if gain > 0 and (best is None or gain > best[0]):
                best = (gain, k)
        if best is None:
            return None
        plan[best[1]] = plan.get(best[1], 0) + step
        rem = problem.remaining(plan, skip=rem)
    return None


def _least(lo: int, hi: int, ok: object) -> int:
    """The least ``n`` in ``lo..hi`` with ``ok(n)`` (``ok(hi)`` holds, and ``ok`` is monotone)."""
    assert callable(ok)
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid + 1
    return hi


def _trim(problem: _Problem, plan: dict[CourseKind, Quarters]) -> None:
    for k in sorted(plan, key=lambda k: (k.subject is None, k.delivery_format != "in_person")):
        plan[k] = _least(0, plan[k], lambda n, k=k: problem.done({**plan, k: n}))


def _move(problem: _Problem, plan: dict[CourseKind, Quarters], src: CourseKind, dst: CourseKind) -> None:
    """Move as many hours of ``src`` to ``dst`` as keep every credential complete."""
    have = plan.get(src, 0)
    if not have or src == dst:
        return

    def ok(left: int) -> bool:
        return problem.done({**plan, src: left, dst: plan.get(dst, 0) + have - left})

    left = _least(0, have, ok)
    plan[dst] = plan.get(dst, 0) + have - left
    plan[src] = left


def _tidy(problem: _Problem, plan: dict[CourseKind, Quarters]) -> None:
    for k in list(plan):
        if k.subject is not None:
            _move(problem, plan, k, CourseKind(k.delivery_format, None))
    for k in list(plan):
        if k.delivery_format == "in_person":
            _move(problem, plan, k, CourseKind(FORMATS[0], k.subject))


def make_plan(targets: Sequence[Target], today: date) -> Plan:
    """The fewest hours of courses, by kind, that complete every credential in ``targets`` (taken ``today``)."""
    left_out: list[tuple[str, str]] = []
    open_targets: list[Target] = []
    for t in targets:
        p = compute_progress(t.requirement_set, t.facts, t.entries, today)
        why = _why_left_out(p)
        if why is None:
            open_targets.append(t)
        else:
            left_out.append((t.requirement_set.key, why))
    if not open_targets:
        return Plan((), tuple(left_out))
    problem = _Problem(open_targets, today)
    plan = _greedy(problem)
    if plan is None:
        left_out.extend((t.requirement_set.key, "courses alone cannot finish it") for t in open_targets)
        return Plan((), tuple(left_out))
    _trim(problem, plan)
    _tidy(problem, plan)
    return Plan(_items(problem, plan), tuple(left_out))


def _items(problem: _Problem, plan: dict[CourseKind, Quarters]) -> tuple[PlanItem, ...]:
    """The plan's kinds, each with the credentials that would fall short without it and its latest date."""
    items = []
    for k, q in plan.items():
        if not q:
            continue
        without = problem.remaining({**plan, k: 0})
        served = [t for t, r in zip(problem.targets, without, strict=True) if r > 0]
        deadlines = [d for t in served if (d := _deadline(t, problem.today)) is not None]
        items.append(PlanItem(kind=k, hours=q, serves=tuple(t.requirement_set.key for t in served),
                              latest=min(deadlines, default=problem.today)))
    items.sort(key=lambda i: (i.latest, i.kind.subject is None, -i.hours, _kind_order((i.kind, 0))))
    return tuple(items)


def _deadline(t: Target, today: date) -> date | None:
    window = cycles.current_window(t.requirement_set, t.facts, today)
    return None if window is None else window.deadline


def plan_is_complete(targets: Sequence[Target], plan: Plan, today: date) -> bool:
    """Whether logging ``plan`` today completes every target (the engine's word, on the full ledger)."""
    planned = _Problem([], today).entries({i.kind: i.hours for i in plan.items})
    return all(compute_progress(t.requirement_set, t.facts, [*t.entries, *planned], today).remaining == 0
               for t in targets)
