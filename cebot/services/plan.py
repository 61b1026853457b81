"""``/ce plan`` and ``/ce check`` for one member: the engine's inputs read once, then pure domain functions."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from cebot.domain.facts import EntryFacts, LogRequest
from cebot.domain.plan import CHECK_ENTRY_ID, Plan, Target, make_plan
from cebot.domain.progress import Progress
from cebot.models import Member
from cebot.services.progress import member_ledgers, member_progress


def member_plan(*, session: Session, member: Member, today: date) -> Plan:
    """The member's plan to finish every tracked credential (at most 3 queries; nothing is saved)."""
    ledgers = member_ledgers(session=session, member=member, today=today, lookback_months=0)
    return make_plan([Target(c.requirement_set, c.facts, c.entries) for c in ledgers], today)


def check_course(*, session: Session, member: Member, request: LogRequest,
                 today: date) -> tuple[list[Progress], list[Progress]]:
    """Progress now, and as it would be with ``request`` logged: the engine on the ledger plus that course."""
    course = EntryFacts(id=CHECK_ENTRY_ID, title=request.title, completed_on=request.completed_on,
                        hours=request.hours, delivery_format=request.delivery_format, subjects=request.subjects,
                        provider=request.provider, approval_number=request.approval_number)
    before = member_progress(session=session, member=member, today=today)
    after = member_progress(session=session, member=member, today=today, extra=(course,))
    return before, after
