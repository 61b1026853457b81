"""Carry-over across several cycles through the progress service: the entries of every cycle it reads are loaded."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from cebot.domain.catalog import load_catalog
from cebot.domain.facts import CredentialFacts, LogRequest
from cebot.services import ledger
from cebot.services.progress import entry_floor, member_progress
from tests._services_helpers import add_credential, workspace_with

TODAY = date(2026, 12, 1)


def test_entry_floor_reaches_back_as_many_cycles_as_carry_over_reads() -> None:
    """Nevada's extra hours count for 3 years, so the floor is 3 yearly cycles before the current one."""
    facts = CredentialFacts("NV", deadline=date(2026, 12, 31))
    assert entry_floor(load_catalog().require("NV"), facts, TODAY, lookback_months=0) == date(2023, 1, 1)


def test_nevada_hours_from_two_years_ago_carry_in(session: Session) -> None:
    """30 h in 2024 and 12 h in 2025: the 18 extra hours of 2024 still count toward 2026."""
    _, (ana,) = workspace_with(session, "CO1", ["UANA"])
    add_credential(session, ana, "NV", deadline=date(2026, 12, 31))
    for hours, on in ((30, date(2024, 5, 1)), (12, date(2025, 5, 1))):
        ledger.log_entry(session=session, member=ana, request=LogRequest(hours=hours * 4, title="Course",
                                                                         completed_on=on))
    session.commit()
    (nv,) = member_progress(session=session, member=ana, today=TODAY)
    assert (nv.carried_in, nv.remaining) == (18 * 4, 0)
