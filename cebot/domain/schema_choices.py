"""The enumerated choices of the catalog schema: each :class:`~enum.StrEnum` and its field type.

Used by the models in :mod:`cebot.domain.requirements` (which re-exports them); ``choice`` names every value
when a file gives another.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from cebot.domain.schema_fields import choice


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


class FirstRenewalRule(StrEnum):
    NONE = "none"
    EXEMPT = "exempt"
    PRORATED = "prorated"


Kind = Annotated[SetKind, choice(SetKind)]
ApplicabilityField = Annotated[Applicability, choice(Applicability)]
DeadlineKindField = Annotated[DeadlineKind, choice(DeadlineKind)]
Parity = Annotated[YearParity, choice(YearParity)]
Anchor = Annotated[BirthdayAnchor, choice(BirthdayAnchor)]
FirstRenewalRuleField = Annotated[FirstRenewalRule, choice(FirstRenewalRule)]
