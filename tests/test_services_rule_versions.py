"""Rule versions: a member tracking a shipped set that changed is told once what changed, then not again."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from cebot.domain.catalog import load_catalog
from cebot.domain.parsing import TrackRequest
from cebot.domain.progress import rule_change
from cebot.services import credentials
from cebot.services.progress import member_progress
from cebot.slack.render.home import credential_block
from cebot.slack.render.progress import progress_blocks
from tests._services_helpers import add_credential, workspace_with

TODAY = date(2026, 12, 1)


def test_a_credential_from_before_rule_versions_hears_of_the_change(session: Session) -> None:
    """A Florida credential stored before versions (NULL: version 1) gets the change note in progress and Home."""
    _, (ana,) = workspace_with(session, "RV1", ["UANA"])
    add_credential(session, ana, "FL", deadline=date(2027, 8, 31))
    session.commit()
    (fl,) = member_progress(session=session, member=ana, today=TODAY)
    fl_set = load_catalog().require("FL")
    assert fl.rule_change == f"Rule update for FL (version {fl_set.version}): {fl_set.change_note}"
    assert "non-classroom" in str(progress_blocks([fl], today=TODAY))
    assert ":mega:" in str(credential_block(fl))


def test_the_progress_reply_acknowledges_the_change_once(session: Session) -> None:
    """After the member has been told (the progress reply acknowledges it), the note is gone for good."""
    _, (ana,) = workspace_with(session, "RV2", ["UANA"])
    add_credential(session, ana, "FL", deadline=date(2027, 8, 31))
    add_credential(session, ana, "NY", deadline=date(2027, 6, 30))  # unchanged: version 1, nothing to say
    session.commit()
    progress = member_progress(session=session, member=ana, today=TODAY)
    assert [p.key for p in progress if p.rule_change] == ["FL"]
    assert credentials.acknowledge_rule_changes(session=session, member=ana, progress=progress) == 1
    session.commit()
    assert all(p.rule_change is None for p in member_progress(session=session, member=ana, today=TODAY))
    assert credentials.acknowledge_rule_changes(session=session, member=ana, progress=progress) == 1  # idempotent


def test_a_newly_tracked_rule_is_not_news(session: Session) -> None:
    """Tracking a set today stores its current version: no change note for rules the member never saw before."""
    _, (ana,) = workspace_with(session, "RV3", ["UANA"])
    credentials.track(session=session, member=ana, request=TrackRequest(key="MA", deadline=date(2027, 5, 31)),
                      today=TODAY)
    session.commit()
    (ma,) = member_progress(session=session, member=ana, today=TODAY)
    assert ma.rule_change is None


def test_workspace_sets_and_unknown_versions_announce_nothing() -> None:
    """A clinic's own set, or facts without a seen version (CLI, tests), never announce a shipped rule change."""
    fl = load_catalog().require("FL")
    assert rule_change(fl, None) is None
    assert rule_change(fl, fl.version) is None
    assert rule_change(fl.model_copy(update={"workspace_defined": True}), 1) is None
    assert rule_change(fl, 1) is not None
