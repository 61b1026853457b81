"""First renewals and carry-over: how many hours a new licensee owes, and what earlier cycles carry in.

Used by :mod:`cebot.domain.progress`; the rules are described in ``docs/progress-rules.md`` (sections 4 and 5).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from cebot.domain import cycles
from cebot.domain.cycles import CycleWindow
from cebot.domain.facts import CredentialFacts, EntryFacts
from cebot.domain.hours import Quarters
from cebot.domain.requirements import RequirementSet
from cebot.domain.tally import between, prepared_rules, tally

__all__ = ["carried_in", "first_renewal_hours", "whole_months"]


def whole_months(start: date, end: date) -> int:
    return max(0, cycles.months_between(start, end))


def _months_licensed(issued: date, deadline: date, partial: bool) -> int:
    """Months from ``issued`` to ``deadline``: whole months, or counting a started month too when ``partial``.

    Florida asks one hour "for each month or partial month licensed": issued Mar 15, 2024 with an Aug 31,
    2025 deadline is 18 months (March 2024 counts), where whole months are 17.
    """
    whole = whole_months(issued, deadline)
    if partial and cycles.add_months(issued, whole) <= deadline:
        return whole + 1
    return whole


def _ask_issue_date(rs: RequirementSet, why: str) -> str:
    return f"Tell me when your licence was issued {why}: {cycles.TRACK_COMMAND.format(key=rs.key)} issued:YYYY-MM-DD"


def first_renewal_hours(rs: RequirementSet, facts: CredentialFacts,
                         cycle: CycleWindow) -> tuple[Quarters | None, str | None]:
    """The hours a prorated first renewal asks (``None``: the full total) and what to ask the user, if anything.

    ``cycle`` is the full cycle window the licence was issued in (before it is cut to the issue date).
    """
    fr = rs.first_renewal
    issued = facts.issue_date
    if fr.hours_per_month:
        if issued is None:
            return None, _ask_issue_date(rs, "so I can prorate your first renewal")
        return fr.hours_per_month * _months_licensed(issued, cycle.deadline, fr.count_partial_months), None
    if issued is None:
        return None, _ask_issue_date(rs, "to see your first-renewal hours")
    if fr.chart:
        # Tennessee's chart: the hours for a licence issued in each month of the cycle.
        if not cycle.contains(issued):
            return None, None
        return fr.chart[min(whole_months(cycle.start, issued), len(fr.chart) - 1)], None
    if fr.fixed_hours is not None and 2 * whole_months(issued, cycle.deadline) < rs.cycle_months:
        # A fixed first-renewal target (New Jersey: 10 h) applies to a licence issued in the second half of
        # the cycle; issued earlier, the full requirement applies.
        return fr.fixed_hours, None
    return None, None


def carried_in(rs: RequirementSet, facts: CredentialFacts, ordered: Sequence[EntryFacts],
                window: CycleWindow) -> tuple[Quarters, CycleWindow | None]:
    """Hours carried into ``window`` from up to ``carry_over.periods`` earlier cycles, and the latest of them.

    Walks the earlier cycles oldest first: each cycle's hours over its total are banked for the next
    ``periods`` cycles, and a cycle short of its total draws on the oldest banked hours first. What is still
    banked and not expired when ``window`` starts carries in, at most ``max_hours``. Hours carried into a
    cycle count toward its total only (not toward subject minimums).
    """
    periods = rs.carry_over.periods
    earlier: list[CycleWindow] = []
    w = window
    for _ in range(periods):
        prev = cycles.window_for_deadline(rs, facts, w.start - timedelta(days=1))
        if prev is None:
            break
        earlier.append(prev)
        w = prev
    earlier.reverse()
    rules = prepared_rules(rs, False)
    bank: list[list[int]] = []  # [hours, index of the cycle that earned them]
    for index, cycle in enumerate(earlier):
        own = tally(rules, between(ordered, cycle.start, cycle.deadline)).counted
        bank = [b for b in bank if b[1] + periods >= index and b[0]]
        short = max(0, rs.total_hours - own)
        for b in bank:
            used = min(b[0], short)
            b[0] -= used
            short -= used
        bank.append([max(0, own - rs.total_hours), index])
    usable = sum(h for h, earned in bank if earned + periods >= len(earlier))
    return min(rs.carry_over.max_hours, usable), (earlier[-1] if earlier else None)
