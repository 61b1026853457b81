"""Credential services: tracking, the workspace catalog and clinic-defined requirement sets."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, func, select

from cebot.domain.parsing import TrackRequest
from cebot.models import Credential, WorkspaceRequirementSet
from cebot.services import credentials, milestones
from cebot.services.errors import Forbidden, InvalidRequest, NotFound
from tests.helpers.services_helpers import AMMA_TARGET_TOML, workspace_with

TODAY = date(2026, 3, 1)


def _count(session: Session, model: type) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


def test_track_fixed_rule_computes_the_deadline(session: Session) -> None:
    """Tracking Florida with no deadline stores the rule's next Aug 31 of an odd year."""
    _, (ana,) = workspace_with(session, "T1", ["UANA"])
    result = credentials.track(session=session, member=ana, request=TrackRequest(key="fl"), today=TODAY)
    assert (result.created, result.deadline_computed, result.ce_required, result.needs) == (True, True, True, None)
    assert (result.credential.requirement_key, result.credential.deadline, result.credential.state) == (
        "FL", date(2027, 8, 31), "FL")


def test_track_updates_instead_of_duplicating(session: Session) -> None:
    """Tracking the same key again updates the stored credential and keeps the values not given."""
    _, (ana,) = workspace_with(session, "T1", ["UANA"])
    credentials.track(session=session, member=ana, request=TrackRequest(key="NCBTMB", licence_number="123"),
                      today=TODAY)
    again = credentials.track(session=session, member=ana, request=TrackRequest(
        key="NCBTMB", deadline=date(2027, 6, 30), cpr_expires=date(2027, 1, 1)), today=TODAY)
    assert again.created is False
    assert (again.credential.licence_number, again.credential.deadline, again.credential.cpr_expires_on) == (
        "123", date(2027, 6, 30), date(2027, 1, 1))
    assert _count(session, Credential) == 1


def test_expiry_rule_without_a_deadline_says_what_to_ask(session: Session) -> None:
    """A licence-expiry rule cannot place the deadline: the result says which command to send."""
    _, (ana,) = workspace_with(session, "T1", ["UANA"])
    result = credentials.track(session=session, member=ana, request=TrackRequest(key="TX"), today=TODAY)
    assert result.credential.deadline is None
    assert result.deadline_computed is False
    assert result.needs is not None
    assert "/ce track TX deadline:" in result.needs


def test_birthday_and_birth_year_are_stored(session: Session) -> None:
    """Virginia's birthday rule uses the birthday and birth year given."""
    _, (ana,) = workspace_with(session, "T1", ["UANA"])
    result = credentials.track(session=session, member=ana, request=TrackRequest(
        key="VA", birthday=(2, 29), birth_year=1984), today=TODAY)
    cred = result.credential
    assert (cred.birth_month, cred.birth_day, cred.birth_year) == (2, 29, 1984)
    facts = credentials.credential_facts(cred, {"mblex": date(2010, 1, 1)})
    assert (facts.birth_month, facts.birth_day, facts.birth_year, facts.milestones) == (
        2, 29, 1984, {"mblex": date(2010, 1, 1)})


def test_no_ce_state_is_stored_and_says_so(session: Session) -> None:
    """A state without CE is stored, and the result says CE is not required."""
    _, (ana,) = workspace_with(session, "T1", ["UANA"])
    result = credentials.track(session=session, member=ana, request=TrackRequest(key="MN"), today=TODAY)
    assert result.ce_required is False
    assert [c.requirement_key for c in credentials.list_credentials(session=session, member=ana)] == ["MN"]


@pytest.mark.parametrize(
    ("request_", "fragment"),
    [
        (TrackRequest(key="FLA"), "Did you mean FL?"),
        (TrackRequest(key="ZZZZ"), "no requirement set called"),
        (TrackRequest(key="FL", deadline=date(1980, 1, 1)), "renewal deadline"),
        (TrackRequest(key="FL", deadline=date(2099, 1, 1)), "renewal deadline"),
        (TrackRequest(key="FL", issue_date=date(2026, 6, 1)), "issue date"),
        (TrackRequest(key="VA", birthday=(2, 30)), "birthday"),
        (TrackRequest(key="VA", birthday=(13, 1)), "birthday"),
        (TrackRequest(key="VA", birthday=(3, 1), birth_year=1800), "birth year"),
        (TrackRequest(key="FL", licence_number="9" * 65), "too long"),
    ],
)
def test_track_refuses_unknown_keys_and_impossible_values(session: Session, request_: TrackRequest,
                                                          fragment: str) -> None:
    """An unknown key (with a suggestion) or an impossible date is refused and nothing is stored."""
    _, (ana,) = workspace_with(session, "T1", ["UANA"])
    session.commit()
    with pytest.raises(InvalidRequest) as info:
        credentials.track(session=session, member=ana, request=request_, today=TODAY)
    assert fragment in info.value.message
    session.rollback()
    assert _count(session, Credential) == 0


def test_untrack_removes_only_that_credential(session: Session) -> None:
    """Untracking (any case) removes the credential; an untracked key is NotFound."""
    _, (ana,) = workspace_with(session, "T1", ["UANA"])
    credentials.track(session=session, member=ana, request=TrackRequest(key="FL"), today=TODAY)
    credentials.track(session=session, member=ana, request=TrackRequest(key="NCBTMB"), today=TODAY)
    credentials.untrack(session=session, member=ana, key="fl")
    assert [c.requirement_key for c in credentials.list_credentials(session=session, member=ana)] == ["NCBTMB"]
    with pytest.raises(NotFound) as info:
        credentials.untrack(session=session, member=ana, key="FL")
    assert "not tracking FL" in info.value.message


def test_manager_defines_a_workspace_set_that_only_that_workspace_sees(session: Session) -> None:
    """A manager's AMMA target overrides the shipped pathway in their workspace alone."""
    w1, (boss, ana) = workspace_with(session, "T1", ["UBOSS", "UANA"])
    w2, (cat,) = workspace_with(session, "T2", ["UCAT"])
    boss.is_slack_admin = True
    rs = credentials.define_workspace_set(session=session, workspace=w1, acting=boss, toml_text=AMMA_TARGET_TOML,
                                          today=TODAY)
    assert (rs.key, rs.total_hours, rs.workspace_defined, rs.checked_on) == ("AMMA", 64, True, TODAY)
    mine = credentials.resolve_catalog(session=session, workspace_id=w1.id or 0).require("AMMA")
    theirs = credentials.resolve_catalog(session=session, workspace_id=w2.id or 0).require("AMMA")
    assert (mine.total_hours, theirs.total_hours) == (64, 0)
    changed = credentials.define_workspace_set(session=session, workspace=w1, acting=boss,
                                               toml_text=AMMA_TARGET_TOML.replace("total_hours = 16",
                                                                                  "total_hours = 20"))
    assert changed.total_hours == 80
    assert _count(session, WorkspaceRequirementSet) == 1
    result = credentials.track(session=session, member=ana, request=TrackRequest(key="AMMA"), today=TODAY)
    assert result.requirement_set.total_hours == 80
    assert cat.workspace_id != ana.workspace_id


def test_plain_member_cannot_define_a_set(session: Session) -> None:
    """Only managers define requirement sets; nothing is stored otherwise."""
    w, (ana,) = workspace_with(session, "T1", ["UANA"])
    with pytest.raises(Forbidden):
        credentials.define_workspace_set(session=session, workspace=w, acting=ana, toml_text=AMMA_TARGET_TOML)
    assert _count(session, WorkspaceRequirementSet) == 0


def test_invalid_workspace_set_names_the_field(session: Session) -> None:
    """A bad definition is refused with the field that is wrong."""
    w, (boss,) = workspace_with(session, "T1", ["UBOSS"])
    boss.role = "manager"
    with pytest.raises(InvalidRequest) as info:
        credentials.define_workspace_set(session=session, workspace=w, acting=boss,
                                         toml_text=AMMA_TARGET_TOML.replace("hours = 8", "hours = -1"))
    assert "minimums[0].hours" in info.value.message
    assert _count(session, WorkspaceRequirementSet) == 0


def test_milestones_upsert_and_refuse_unknown_steps(session: Session) -> None:
    """Recording a step twice re-dates it; an unknown step or a future date is refused."""
    _, (ana,) = workspace_with(session, "T1", ["UANA"])
    milestones.record_milestone(session=session, member=ana, step="MBLEx", completed_on=date(2019, 1, 1))
    milestones.record_milestone(session=session, member=ana, step="mblex", completed_on=date(2019, 2, 1))
    milestones.record_milestone(session=session, member=ana, step="amma exam", completed_on=date(2020, 2, 1))
    assert milestones.list_milestones(session=session, member=ana) == {
        "mblex": date(2019, 2, 1), "amma_exam": date(2020, 2, 1)}
    with pytest.raises(InvalidRequest):
        milestones.record_milestone(session=session, member=ana, step="yoga", completed_on=date(2019, 1, 1))
    with pytest.raises(InvalidRequest):
        milestones.record_milestone(session=session, member=ana, step="mblex", completed_on=date(2099, 1, 1))
