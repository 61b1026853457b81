"""How long a certificate file must be kept: each board's record-keeping rule (pure).

A board's rule says how many years a licensee must keep proof of a course. cebot keeps a stored certificate
while its course is in the ledger and, once the course is gone, until the longest retention of the boards the
member tracks has run out, counted from the end of the renewal cycle the course could count toward
(completion date + the board's cycle length + its retention years: conservative, as boards count from the
renewal, not the course). Boards whose rule no primary source settles get :data:`DEFAULT_YEARS`, shown as
unconfirmed. Sources and the date checked are in docs/certificates.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

CHECKED_ON = date(2026, 12, 1)
DEFAULT_YEARS = 6
"""For boards without a confirmed rule: longer than any confirmed one (Pennsylvania's 5 years)."""
DEFAULT_CYCLE_MONTHS = 24
UNSAVED_DAYS = 30
"""A file read but never saved as a course is kept this long, then removed (it documents nothing)."""


@dataclass(frozen=True)
class RetentionRule:
    key: str
    years: int
    confirmed: bool
    source: str = ""
    """The primary source (citation) when confirmed."""

    @property
    def text(self) -> str:
        if self.confirmed:
            return f"{self.key}: keep {self.years} years ({self.source})"
        return f"{self.key}: keep {self.years} years (unconfirmed: no board rule found; cebot's default)"


RULES: dict[str, RetentionRule] = {
    "PA": RetentionRule("PA", 5, True, "49 Pa. Code § 20.32(e): certificates of completion for at least 5 years"),
    "VA": RetentionRule("VA", 4, True, "18VAC90-50-75 C: 4 years following the renewal"),
}


def rule_for(key: str) -> RetentionRule:
    """The record-keeping rule of board ``key`` (the conservative default, unconfirmed, when unknown)."""
    key = key.strip().upper()
    return RULES.get(key) or RetentionRule(key, DEFAULT_YEARS, False)


def keep_until(completed_on: date, boards: Iterable[tuple[str, int | None]]) -> date:
    """The last day a course's certificate must be kept, for ``boards`` (key, cycle months) the member tracks.

    No board tracked: the default rule with a two-year cycle (the member may track one later).
    """
    ends = [completed_on + relativedelta(months=(months or DEFAULT_CYCLE_MONTHS), years=rule_for(key).years)
            for key, months in boards]
    return max(ends, default=completed_on + relativedelta(months=DEFAULT_CYCLE_MONTHS, years=DEFAULT_YEARS))
