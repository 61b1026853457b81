"""Exact CE hours.

Hours are counted in whole quarter hours and carried as an ``int`` number of
quarters everywhere (database, domain, services), so sums are exact. Only the
edges convert: parsing user text and formatting for display.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

QUARTERS_PER_HOUR = 4

Quarters = int
"""A number of quarter hours (``4`` is one hour)."""


def quarters(hours: int | str | Decimal) -> Quarters:
    """Convert a whole or decimal number of hours to quarters; refuse what is not a quarter multiple."""
    try:
        value = Decimal(str(hours))
    except InvalidOperation as exc:
        raise ValueError(f"not a number of hours: {hours!r}") from exc
    scaled = value * QUARTERS_PER_HOUR
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{hours} h is not a whole number of quarter hours")
    return int(scaled)


def to_decimal(q: Quarters) -> Decimal:
    """The hours a number of quarters stands for, exactly."""
    return (Decimal(q) / QUARTERS_PER_HOUR).normalize() if q else Decimal(0)


def format_hours(q: Quarters) -> str:
    """Render quarters as people write hours: ``3``, ``1.5``, ``0.25``, ``12.75``."""
    text = format(to_decimal(q), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
