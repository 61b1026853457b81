"""``/ce check`` agrees with logging the course and reading progress (then undoing it); the member's plan."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from cebot.domain.facts import LogRequest
from cebot.domain.plan import Target, plan_is_complete
from cebot.domain.progress import Progress
from cebot.services import ledger
from cebot.services.plan import check_course, member_plan
from cebot.services.progress import member_ledgers, member_progress
from tests.helpers.services_helpers import add_credential, workspace_with

TODAY = date(2026, 12, 1)
_teams = itertools.count(1)

courses = st.builds(
    LogRequest,
    hours=st.integers(1, 40),
    title=st.sampled_from(["Ethics", "Cupping", "Laws", "Bias"]),
    completed_on=st.integers(-900, 0).map(lambda d: TODAY + timedelta(days=d)),
    delivery_format=st.sampled_from(["in_person", "live_online", "home_study"]),
    subjects=st.lists(st.sampled_from(["ethics", "laws_rules", "medical_errors", "implicit_bias", "hands_on",
                                       "pain_management"]), max_size=2, unique=True).map(tuple),
)


def _view(progress: list[Progress]) -> list[tuple[object, ...]]:
    """What a member reads in ``/ce progress``, without the ids of the courses (the what-if has none)."""
    return [(p.key, p.status, p.counted, p.remaining, p.capped,
             tuple((r.key, r.counted, r.remaining) for r in p.subject_rows),
             None if p.in_person is None else p.in_person.counted,
             sorted((n.hours, n.reason) for n in p.not_counted)) for p in progress]


def _member(session: Session) -> object:
    _, (member,) = workspace_with(session, f"TP{next(_teams)}", ["U1"])
    add_credential(session, member, "FL", deadline=date(2027, 8, 31))
    add_credential(session, member, "NCBTMB", deadline=date(2027, 12, 31))
    add_credential(session, member, "MI", deadline=date(2027, 6, 30))
    return member


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ledger_courses=st.lists(courses, max_size=8), course=courses)
def test_check_agrees_with_logging_then_undo(session: Session, ledger_courses: list[LogRequest],
                                             course: LogRequest) -> None:
    """For random ledgers and courses, the what-if equals progress after logging; undo brings back "before"."""
    member = _member(session)
    for c in ledger_courses:
        ledger.log_entry(session=session, member=member, request=c)  # type: ignore[arg-type]
    session.flush()
    before, after = check_course(session=session, member=member, request=course, today=TODAY)  # type: ignore[arg-type]
    assert _view(before) == _view(member_progress(session=session, member=member, today=TODAY))  # type: ignore[arg-type]
    entry = ledger.log_entry(session=session, member=member, request=course)  # type: ignore[arg-type]
    session.flush()
    assert _view(after) == _view(member_progress(session=session, member=member, today=TODAY))  # type: ignore[arg-type]
    ledger.undo_last(session=session, member=member, entry_id=entry.id, action=ledger.LOGGED)  # type: ignore[arg-type]
    session.flush()
    assert _view(before) == _view(member_progress(session=session, member=member, today=TODAY))  # type: ignore[arg-type]
    session.rollback()


def test_member_plan_once_logged_completes_everything(session: Session) -> None:
    """The plan, logged as planned, completes FL, NCBTMB and MI (on the full ledger, by the engine)."""
    member = _member(session)
    ledger.log_entry(session=session, member=member,  # type: ignore[arg-type]
                     request=LogRequest(hours=16, title="Ethics", completed_on=date(2026, 3, 1), subjects=("ethics",)))
    session.commit()
    plan = member_plan(session=session, member=member, today=TODAY)  # type: ignore[arg-type]
    assert plan.items
    targets = [Target(c.requirement_set, c.facts, c.entries)
               for c in member_ledgers(session=session, member=member, today=TODAY)]  # type: ignore[arg-type]
    assert plan_is_complete(targets, plan, TODAY)
    for item in plan.items:
        planned = LogRequest(hours=item.hours, title="Planned", completed_on=TODAY,
                             delivery_format=item.kind.delivery_format,
                             subjects=(item.kind.subject,) if item.kind.subject else ())
        ledger.log_entry(session=session, member=member, request=planned)  # type: ignore[arg-type]
    session.flush()
    progress = member_progress(session=session, member=member, today=TODAY)  # type: ignore[arg-type]
    assert [p.remaining for p in progress] == [0, 0, 0]
