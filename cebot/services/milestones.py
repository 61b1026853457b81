"""Pathway milestones (the AMMA medical-massage steps) a member has reached."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from cebot.domain.amma import STEP_KEYS
from cebot.domain.limits import EARLIEST_DATE
from cebot.models import Member, Milestone
from cebot.services.errors import InvalidRequest
from cebot.services.ledger import _latest_allowed_date

AMMA = "AMMA"
AMMA_STEPS: tuple[str, ...] = STEP_KEYS


def record_milestone(
    *, session: Session, member: Member, step: str, completed_on: date, pathway: str = AMMA, notes: str | None = None
) -> Milestone:
    """Record (or re-date) a pathway step the member has reached."""
    step = step.strip().lower().replace("-", "_").replace(" ", "_")
    if pathway == AMMA and step not in AMMA_STEPS:
        raise InvalidRequest("I don't know that step. The AMMA steps are: " + ", ".join(AMMA_STEPS) + ".")
    if completed_on < EARLIEST_DATE or completed_on > _latest_allowed_date():
        raise InvalidRequest(f"{completed_on.isoformat()} isn't a date you could have reached it: use a past date.")
    assert member.id is not None
    milestone = session.exec(
        select(Milestone).where(
            Milestone.workspace_id == member.workspace_id,
            Milestone.member_id == member.id,
            Milestone.pathway == pathway,
            Milestone.step == step,
        )
    ).first()
    if milestone is None:
        milestone = Milestone(workspace_id=member.workspace_id, member_id=member.id, pathway=pathway, step=step,
                              completed_on=completed_on, notes=notes)
    else:
        milestone.completed_on = completed_on
        if notes is not None:
            milestone.notes = notes
    session.add(milestone)
    session.flush()
    return milestone


def list_milestones(*, session: Session, member: Member, pathway: str = AMMA) -> dict[str, date]:
    """The steps the member has reached, step -> date."""
    rows = session.exec(
        select(col(Milestone.step), col(Milestone.completed_on)).where(
            Milestone.workspace_id == member.workspace_id,
            Milestone.member_id == member.id,
            Milestone.pathway == pathway,
        ).order_by(col(Milestone.completed_on))
    )
    return {step: on for step, on in rows}
