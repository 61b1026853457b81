"""Plain data passed between layers: what a request asks for, and what the ledger holds.

Services turn database rows into these before calling domain functions, so the
domain never sees SQLModel or Slack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from cebot.domain.hours import Quarters


@dataclass(frozen=True)
class LogRequest:
    """A course to log, as parsed from ``/ce log`` text or the logging modal."""

    hours: Quarters
    title: str
    completed_on: date
    provider: str | None = None
    approval_number: str | None = None
    delivery_format: str = "in_person"
    subjects: tuple[str, ...] = ()
    notes: str | None = None


@dataclass(frozen=True)
class EntryFacts:
    """A logged course as the progress engine sees it."""

    id: int
    title: str
    completed_on: date
    hours: Quarters
    delivery_format: str = "in_person"
    subjects: tuple[str, ...] = ()
    provider: str | None = None
    approval_number: str | None = None
    has_certificate: bool = False


@dataclass(frozen=True)
class CredentialFacts:
    """A tracked licence or certification as the cycle and progress maths see it."""

    requirement_key: str
    deadline: date | None = None
    """The deadline the user gave (or that was computed when tracking started)."""
    issue_date: date | None = None
    birth_month: int | None = None
    birth_day: int | None = None
    birth_year: int | None = None
    first_cycle: bool = False
    cpr_expires_on: date | None = None
    licence_number: str | None = None
    milestones: dict[str, date] = field(default_factory=dict)
    """Pathway steps reached (AMMA), step key -> date."""
    rule_version_seen: int | None = None
    """The version of the shipped rule the member last saw; ``None``: do not announce rule changes."""
