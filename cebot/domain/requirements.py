"""The shape of a requirement set: what a board asks for, as plain frozen data.

A :class:`RequirementSet` is loaded from a TOML file in ``cebot/catalog/data``
(see :mod:`cebot.domain.catalog`) or from a workspace-defined set with the same
schema. Hours are :data:`~cebot.domain.hours.Quarters`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from cebot.domain.hours import Quarters

DELIVERY_FORMATS: tuple[str, ...] = ("in_person", "live_online", "home_study")
"""How a course was delivered. A recorded webinar is ``home_study`` (NCBTMB)."""


class SetKind(StrEnum):
    """What a requirement set governs."""

    STATE_LICENCE = "state_licence"
    CERTIFICATION = "certification"
    MEMBERSHIP = "membership"
    PATHWAY = "pathway"
    WORKSPACE = "workspace"


class Applicability(StrEnum):
    """Whether CE applies at all: sets for states without CE or licensure say so plainly."""

    CE_REQUIRED = "ce_required"
    NO_CE = "no_ce"
    NO_LICENCE = "no_licence"
    VOLUNTARY = "voluntary"
    CONFLICTING = "conflicting"


class DeadlineKind(StrEnum):
    """How the deadline that closes a cycle is found."""

    FIXED = "fixed"
    """A calendar date, e.g. Aug 31 of odd years."""
    BIRTHDAY = "birthday"
    """The licensee's birthday, or the end/start of the birth month."""
    EXPIRY = "expiry"
    """The expiry date printed on the licence; the user tells us the date."""
    NONE = "none"
    """No deadline (no CE, or a pathway without a cycle)."""


class YearParity(StrEnum):
    ANY = "any"
    ODD = "odd"
    EVEN = "even"
    BIRTH_YEAR = "birth_year"
    """Same parity as the birth year (Virginia): needs the birth year, else the user's deadline."""


class BirthdayAnchor(StrEnum):
    BIRTHDAY = "birthday"
    MONTH_END = "month_end"
    MONTH_START = "month_start"


@dataclass(frozen=True)
class DeadlineRule:
    """When a cycle ends. ``day=None`` with a ``FIXED`` rule means the last day of ``month``."""

    kind: DeadlineKind
    month: int | None = None
    day: int | None = None
    parity: YearParity = YearParity.ANY
    anchor: BirthdayAnchor = BirthdayAnchor.BIRTHDAY


@dataclass(frozen=True)
class SubjectMinimum:
    """At least ``hours`` from entries tagged with any of ``subjects``.

    ``formats`` (if not empty) limits which deliveries count toward it, e.g.
    hands-on hours that must be in person. ``on_top`` minimums are required in
    addition to the total (Michigan's implicit bias), not within it.
    ``per_cycle_year`` scales the minimum by the cycle length in years.
    """

    key: str
    label: str
    subjects: tuple[str, ...]
    hours: Quarters
    formats: tuple[str, ...] = ()
    on_top: bool = False
    per_cycle_year: bool = False
    unconfirmed: bool = False


@dataclass(frozen=True)
class Cap:
    """At most ``hours`` count from entries matching ``subjects`` or ``formats``.

    An entry matches when it has any of ``subjects`` (if given) and its format
    is one of ``formats`` (if given). ``hours=0`` means such hours never count.
    """

    key: str
    label: str
    hours: Quarters
    subjects: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    unconfirmed: bool = False


class FirstRenewalRule(StrEnum):
    NONE = "none"
    EXEMPT = "exempt"
    PRORATED = "prorated"


@dataclass(frozen=True)
class FirstRenewal:
    """What a licensee's first renewal asks for.

    ``PRORATED``: ``hours_per_month`` for each whole month licensed, at most the
    set's total, and the named ``keep_minimums`` still apply (Florida).
    ``REDUCED``-style rules (New Jersey's 10 h) use ``fixed_hours``.
    """

    rule: FirstRenewalRule = FirstRenewalRule.NONE
    hours_per_month: Quarters = 0
    fixed_hours: Quarters | None = None
    keep_minimums: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class CarryOver:
    """Hours over the total that move to the next cycle (0 means none)."""

    max_hours: Quarters = 0
    note: str = ""


@dataclass(frozen=True)
class Condition:
    """A requirement that is not hours, e.g. a current CPR card."""

    key: str
    label: str
    unconfirmed: bool = False


@dataclass(frozen=True)
class Source:
    title: str
    url: str = ""


@dataclass(frozen=True)
class RequirementSet:
    """Everything a board asks for in one renewal cycle."""

    key: str
    name: str
    kind: SetKind
    applicability: Applicability
    total_hours: Quarters
    cycle_months: int
    deadline: DeadlineRule
    sources: tuple[Source, ...]
    checked_on: date
    minimums: tuple[SubjectMinimum, ...] = ()
    caps: tuple[Cap, ...] = ()
    min_in_person_hours: Quarters = 0
    first_renewal: FirstRenewal = field(default_factory=FirstRenewal)
    carry_over: CarryOver = field(default_factory=CarryOver)
    conditions: tuple[Condition, ...] = ()
    unconfirmed: tuple[str, ...] = ()
    """Human sentences naming the parts of this rule no source confirms."""
    notes: tuple[str, ...] = ()
    state: str | None = None
    workspace_defined: bool = False

    @property
    def tracks_hours(self) -> bool:
        """Whether this set asks for CE hours at all."""
        return self.applicability is Applicability.CE_REQUIRED and self.total_hours > 0
