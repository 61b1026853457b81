"""Counting one window's courses against a requirement set's caps and minimums (the heart of the engine).

:func:`prepared_rules` works out, once per set, what each kind of course (delivery format and subject tags)
matches; :func:`tally` then counts a window's courses: on-top minimums first, then the exact maximum the caps
allow together (so logging another course never lowers the count), courses that serve a subject minimum
before the others. :mod:`cebot.domain.progress` turns the tally into what the member sees.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from operator import attrgetter

from cebot.domain.facts import EntryFacts
from cebot.domain.hours import Quarters, format_hours
from cebot.domain.requirements import Cap, RequirementSet, SubjectMinimum

__all__ = ["Rules", "Tally", "between", "prepared_rules", "tally"]

_DAY = attrgetter("completed_on")


def between(ordered: Sequence[EntryFacts], start: date, end: date) -> Sequence[EntryFacts]:
    """The entries of date-ordered ``ordered`` completed from ``start`` to ``end`` (both included)."""
    lo = bisect_left(ordered, start, key=_DAY)
    hi = bisect_right(ordered, end, key=_DAY)
    return ordered[lo:hi]



def _matches_minimum(m: SubjectMinimum, fmt: str, subjects: tuple[str, ...]) -> bool:
    return (not m.formats or fmt in m.formats) and any(s in subjects for s in m.subjects)


def _matches_cap(c: Cap, fmt: str, subjects: tuple[str, ...]) -> bool:
    return (not c.formats or fmt in c.formats) and (not c.subjects or any(s in subjects for s in c.subjects))


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
    return m.model_copy(update={"hours": m.hours * cycle_months // 12})


@functools.lru_cache(maxsize=1024)
def _best_multi(sigs: tuple[tuple[tuple[int, ...], Quarters], ...],
                residual: tuple[Quarters, ...]) -> tuple[Quarters, ...]:
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

    return best(0, residual)[1]


def _gap_roots(mins: Sequence[SubjectMinimum]) -> tuple[int, ...]:
    """For each minimum, the first of the minimums it shares subjects with, directly or through others."""
    parent = list(range(len(mins)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(len(mins)):
        for j in range(i):
            if set(mins[i].subjects) & set(mins[j].subjects):
                parent[root(i)] = root(j)
    return tuple(root(i) for i in range(len(mins)))


@dataclass(frozen=True, slots=True, eq=False)
class _Kind:
    """What every course of one kind (delivery format and subject tags) matches under one :class:`Rules`.

    One object per kind and rules (see :meth:`Rules.kind`), so it is compared and hashed by identity.
    """

    minimums: tuple[int, ...]
    """Indices of the minimums it counts toward (on top or within the total)."""
    within: tuple[int, ...]
    """The same, only the minimums within the total."""
    caps: tuple[int, ...]
    """Indices of the caps it falls under: its signature."""
    zero_reason: str | None
    """Why it never counts, when one of its caps allows 0 hours."""
    in_person: bool


class Rules:
    """A requirement set's minimums and caps prepared for counting, shared by every credential under the set.

    Caps and minimums depend only on a course's kind (format and subjects), so matching is worked out once per
    kind and remembered in :attr:`kinds`; the cap maximisation then works on a few signatures, not on courses.
    """

    __slots__ = ("cap_hours", "caps", "gap_roots", "kinds", "minimums", "on_top", "reasons", "rs", "within")

    def __init__(self, rs: RequirementSet, minimums: tuple[SubjectMinimum, ...]) -> None:
        self.rs = rs  # keeps id(rs) (the cache key) from being reused while this entry lives
        self.minimums = minimums
        # A cap tied to a minimum (Florida's non-classroom hours beside the 12 classroom hours) goes with it.
        kept = {m.key for m in minimums}
        self.caps = tuple(c for c in rs.caps if not c.applies_with or c.applies_with in kept)
        self.cap_hours = tuple(c.hours for c in self.caps)
        self.reasons = tuple(_cap_reason(rs, c) for c in self.caps)
        self.on_top = tuple(i for i, m in enumerate(minimums) if m.on_top)
        self.within = frozenset(i for i, m in enumerate(minimums) if not m.on_top)
        self.gap_roots = _gap_roots([m for m in minimums if not m.on_top])
        self.kinds: dict[tuple[str, tuple[str, ...]], _Kind] = {}

    def kind(self, fmt: str, subjects: tuple[str, ...]) -> _Kind:
        """Work out (and remember) what courses of this format and these subjects match."""
        mins = tuple(i for i, m in enumerate(self.minimums) if _matches_minimum(m, fmt, subjects))
        caps = tuple(i for i, c in enumerate(self.caps) if _matches_cap(c, fmt, subjects))
        zero = next((i for i in caps if self.cap_hours[i] == 0), None)
        found = _Kind(minimums=mins, within=tuple(i for i in mins if i in self.within), caps=caps,
                      zero_reason=None if zero is None else self.reasons[zero], in_person=fmt == "in_person")
        if len(self.kinds) >= _KINDS_MAX:
            self.kinds.clear()
        self.kinds[(fmt, subjects)] = found
        return found


_KINDS_MAX = 4096
_RULES_MAX = 256
_RULES: dict[tuple[int, bool], Rules] = {}


def prepared_rules(rs: RequirementSet, first_renewal_minimums: bool) -> Rules:
    """The prepared rules of ``rs`` (only the minimums its first renewal keeps, when asked), memoised.

    Requirement sets are frozen, so what is derived from one never changes; the cache holds the set itself,
    so its id cannot name another set while the entry lives.
    """
    key = (id(rs), first_renewal_minimums)
    found = _RULES.get(key)
    if found is None or found.rs is not rs:
        minimums = tuple(_scaled(m, rs.cycle_months) for m in rs.minimums)
        if first_renewal_minimums:
            minimums = tuple(m for m in minimums if m.key in rs.first_renewal.keep_minimums)
        if len(_RULES) >= _RULES_MAX:
            _RULES.clear()
        found = _RULES[key] = Rules(rs, minimums)
    return found


class Tally:
    """The result of counting one window's courses.

    Every hour of a course counts toward an on-top minimum, counts toward the total, or is in
    :attr:`excluded`; so the hours of a course that count are its hours less the excluded ones.
    """

    __slots__ = ("by_minimum", "counted", "excluded", "in_person", "on_top")

    def __init__(self, n_minimums: int) -> None:
        self.counted: Quarters = 0
        """Hours counted toward the total."""
        self.excluded: dict[int, tuple[Quarters, str]] = {}
        """Courses (by position in the window's entries) with hours that do not count: the hours and why."""
        self.on_top: dict[str, Quarters] = {}
        self.by_minimum: list[Quarters] = [0] * n_minimums
        """Hours counted toward the total from entries matching each minimum (same order as the minimums)."""
        self.in_person: Quarters = 0


def tally(rules: Rules, entries: Sequence[EntryFacts]) -> Tally:
    """Count ``entries`` (already inside the window, sorted by date then id) against the set's caps.

    On-top minimums first take, in date order, what they need from the courses tagged for them. The rest is
    grouped by cap signature; each signature's allowance is the exact maximum the caps permit (single-cap
    signatures first, then an exact search over the signatures under several caps). Within a signature that
    its allowance cannot cover, courses serving a subject minimum go first, then by date and id.

    Caps and minimums depend only on a course's kind (format and subjects), so courses are grouped by kind
    in one pass and everything else is worked out per kind; only the courses of a signature that its
    allowance cannot cover are walked one by one.
    """
    t = Tally(len(rules.minimums))
    kinds = _by_kind(rules, entries)
    avail = [e.hours for e in entries]  # hours of each course not yet taken by an on-top minimum
    if rules.on_top:
        _take_on_top(rules, kinds, avail, t)
    groups = _by_signature(kinds, avail, t.excluded)
    allowed, used = _allowances(rules.cap_hours, groups)
    for sig, group in groups.items():
        if allowed[sig] >= group.hours:
            _count_all(group, t)
        else:
            tight = next((c for c in sig if used[c] >= rules.cap_hours[c]), None)
            reason = rules.reasons[tight] if tight is not None else "over a cap"
            _count_up_to(allowed[sig], group, avail, reason, t)
    return t


_Members = tuple[_Kind, list[int]]
"""A kind and the positions of the window's courses of that kind."""


@dataclass(slots=True)
class _Group:
    """The courses under one cap signature that can still count: (kind, positions, their hours) and the sum."""

    kinds: list[tuple[_Kind, list[int], Quarters]]
    hours: Quarters


def _by_kind(rules: Rules, entries: Sequence[EntryFacts]) -> list[_Members]:
    """The courses' positions grouped by kind, each kind matched once (and remembered in ``rules``)."""
    by_key: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    for j, e in enumerate(entries):
        key = (e.delivery_format, e.subjects)
        members = by_key.get(key)
        if members is None:
            by_key[key] = [j]
        else:
            members.append(j)
    known = rules.kinds
    return [(known.get(key) or rules.kind(*key), members) for key, members in by_key.items()]


def _take_on_top(rules: Rules, kinds: list[_Members], avail: list[Quarters], t: Tally) -> None:
    """Each on-top minimum takes from ``avail``, in date order, what it needs from the courses tagged for it."""
    kind_of = {j: kind for kind, members in kinds for j in members}
    for i in rules.on_top:
        need = rules.minimums[i].hours
        got = 0
        for j in range(len(avail)):
            if need == 0:
                break
            a = avail[j]
            if a and i in kind_of[j].minimums:
                take = min(need, a)
                avail[j] = a - take
                need -= take
                got += take
        t.on_top[rules.minimums[i].key] = got


def _by_signature(kinds: list[_Members], avail: list[Quarters],
                  excluded: dict[int, tuple[Quarters, str]]) -> dict[tuple[int, ...], _Group]:
    """The kinds with hours left grouped by cap signature; courses under a 0 h cap go to ``excluded``."""
    groups: dict[tuple[int, ...], _Group] = {}
    hours_of = avail.__getitem__
    for kind, members in kinds:
        hours = sum(map(hours_of, members))
        if kind.zero_reason is not None:
            for j in members:
                if avail[j]:
                    excluded[j] = (avail[j], kind.zero_reason)
            continue
        if not hours:
            continue
        group = groups.get(kind.caps)
        if group is None:
            groups[kind.caps] = _Group([(kind, members, hours)], hours)
        else:
            group.kinds.append((kind, members, hours))
            group.hours += hours
    return groups


def _allowances(cap_hours: tuple[Quarters, ...],
                groups: dict[tuple[int, ...], _Group]) -> tuple[dict[tuple[int, ...], Quarters], list[Quarters]]:
    """The hours each signature may count (the exact maximum the caps allow together), and each cap's use."""
    allowed: dict[tuple[int, ...], Quarters] = {}
    used = [0] * len(cap_hours)
    for sig, group in groups.items():
        if len(sig) == 0:
            allowed[sig] = group.hours
        elif len(sig) == 1:
            allowed[sig] = min(group.hours, cap_hours[sig[0]])
            used[sig[0]] += allowed[sig]
    multi = sorted(sig for sig in groups if len(sig) > 1)
    if multi:
        residual = tuple(h - u for h, u in zip(cap_hours, used, strict=True))
        spec = tuple((sig, groups[sig].hours) for sig in multi)
        for sig, y in zip(multi, _best_multi(spec, residual), strict=True):
            allowed[sig] = y
            for c in sig:
                used[c] += y
    return allowed, used


def _count_all(group: _Group, t: Tally) -> None:
    """Every hour of the group counts."""
    for kind, _, hours in group.kinds:
        t.counted += hours
        for i in kind.within:
            t.by_minimum[i] += hours
        if kind.in_person:
            t.in_person += hours


def _count_up_to(budget: Quarters, group: _Group, avail: list[Quarters], reason: str, t: Tally) -> None:
    """Count ``budget`` hours of the group, course by course; what is left over is excluded for ``reason``."""
    # Courses that serve a subject minimum go first, then by date and id (the order of ``entries``).
    order = sorted((j, kind) for kind, members, _ in group.kinds if kind.within for j in members)
    order += sorted((j, kind) for kind, members, _ in group.kinds if not kind.within for j in members)
    by_minimum = t.by_minimum
    counted = in_person = 0
    for j, kind in order:
        a = avail[j]
        take = min(budget, a)
        budget -= take
        if take:
            counted += take
            for i in kind.within:
                by_minimum[i] += take
            if kind.in_person:
                in_person += take
        if take < a:
            t.excluded[j] = (a - take, reason)
    t.counted += counted
    t.in_person += in_person
