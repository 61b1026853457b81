"""Ledger services: log, edit, delete, undo and list, scoped to the member and workspace."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from cebot.core.db import session_scope
from cebot.domain.facts import LogRequest
from cebot.models import CEEntry, EntryChange, Member, Workspace
from cebot.services import ledger
from cebot.services.errors import InvalidRequest, NotFound, NothingToUndo
from cebot.services.workspaces import ensure_member, ensure_workspace
from tests.helpers.services_helpers import QueryCounter

DAY = date(2025, 3, 14)


def _people(session: Session) -> tuple[Member, Member, Member]:
    """Alice and Bob in one workspace, Carol in another."""
    w1 = ensure_workspace(session=session, team_id="T1", name="Clinic one")
    w2 = ensure_workspace(session=session, team_id="T2", name="Clinic two")
    alice = ensure_member(session=session, workspace=w1, slack_user_id="UA", display_name="Alice")
    bob = ensure_member(session=session, workspace=w1, slack_user_id="UB", display_name="Bob")
    carol = ensure_member(session=session, workspace=w2, slack_user_id="UC", display_name="Carol")
    session.commit()
    return alice, bob, carol


def _req(title: str = "Ethics for LMTs", hours: int = 12, on: date = DAY, **kw: object) -> LogRequest:
    return LogRequest(hours=hours, title=title, completed_on=on, **kw)  # type: ignore[arg-type]


def _counts(session: Session) -> tuple[int, int]:
    entries = session.exec(select(func.count()).select_from(CEEntry)).one()
    changes = session.exec(select(func.count()).select_from(EntryChange)).one()
    return int(entries), int(changes)


def test_log_entry_stores_every_field(session: Session) -> None:
    """A logged course keeps hours in quarters, canonical subjects and the optional fields."""
    alice, _, _ = _people(session)
    entry = ledger.log_entry(session=session, member=alice, request=_req(
        subjects=("law", "ethics"), provider=" ABMP ", approval_number="451-1", delivery_format="live_online",
        notes="great"))
    session.commit()
    got = ledger.get_entry(session=session, member=alice, entry_id=entry.id or 0)
    assert (got.hours_q, got.subjects, got.provider, got.delivery_format) == (12, ["laws_rules", "ethics"], "ABMP",
                                                                               "live_online")
    facts = ledger.entry_facts(got)
    assert facts.hours == 12
    assert facts.subjects == ("laws_rules", "ethics")
    assert facts.has_certificate is False


@pytest.mark.parametrize(
    ("request_kw", "fragment"),
    [
        ({"hours": 0}, "0.25 to 40"),
        ({"hours": -4}, "0.25 to 40"),
        ({"hours": 161}, "0.25 to 40"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "200"),
        ({"on": date(1989, 12, 31)}, "1990"),
        ({"on": date.today() + timedelta(days=5)}, "future"),
        ({"delivery_format": "carrier_pigeon"}, "in-person"),
        ({"subjects": ("ethicz",)}, "Did you mean #ethics"),
    ],
)
def test_log_entry_refuses_impossible_values(session: Session, request_kw: dict, fragment: str) -> None:
    """Impossible hours, dates, titles, formats or subjects get a clear message and nothing is written."""
    alice, _, _ = _people(session)
    with pytest.raises(InvalidRequest) as info:
        ledger.log_entry(session=session, member=alice, request=_req(**request_kw))
    assert fragment in info.value.message
    session.rollback()
    assert _counts(session) == (0, 0)


def test_find_duplicate_ignores_case_and_deleted(session: Session) -> None:
    """The same title on the same date is a duplicate whatever its case, unless it was deleted."""
    alice, bob, _ = _people(session)
    entry = ledger.log_entry(session=session, member=alice, request=_req("Ethics for LMTs"))
    assert ledger.find_duplicate(session=session, member=alice, title="ETHICS for lmts ", completed_on=DAY) == entry
    assert ledger.find_duplicate(session=session, member=alice, title="Ethics for LMTs",
                                 completed_on=DAY + timedelta(days=1)) is None
    assert ledger.find_duplicate(session=session, member=bob, title="Ethics for LMTs", completed_on=DAY) is None
    ledger.delete_entry(session=session, member=alice, entry_id=entry.id or 0)
    assert ledger.find_duplicate(session=session, member=alice, title="Ethics for LMTs", completed_on=DAY) is None


def test_edit_entry_changes_only_the_given_fields(session: Session) -> None:
    """An edit maps parse_edit keys to columns and leaves the rest alone."""
    alice, _, _ = _people(session)
    entry = ledger.log_entry(session=session, member=alice, request=_req(provider="ABMP"))
    edited = ledger.edit_entry(session=session, member=alice, entry_id=entry.id or 0, changes={
        "hours": 8, "date": DAY - timedelta(days=3), "subjects": ("#self care",), "format": "home_study",
        "approval": "A-1"})
    assert (edited.hours_q, edited.completed_on, edited.subjects, edited.delivery_format, edited.approval_number,
            edited.provider, edited.title) == (8, DAY - timedelta(days=3), ["self_care"], "home_study", "A-1",
                                               "ABMP", "Ethics for LMTs")


@pytest.mark.parametrize("owner", ["bob", "carol"])
def test_edit_or_delete_of_someone_elses_entry_is_not_found(engine: Engine, owner: str) -> None:
    """Alice cannot edit, delete or see Bob's entry nor another workspace's: the same NotFound, nothing written."""
    with session_scope(engine) as s:
        alice, bob, carol = _people(s)
        other = ledger.log_entry(session=s, member=bob if owner == "bob" else carol, request=_req("Bob's course"))
        other_id = other.id or 0
        alice_id = alice.id
    before = None
    with session_scope(engine) as s:
        before = _counts(s)
    calls: dict[str, Callable[[Session, Member, int], object]] = {
        "edit": lambda s, m, i: ledger.edit_entry(session=s, member=m, entry_id=i, changes={"hours": 4}),
        "delete": lambda s, m, i: ledger.delete_entry(session=s, member=m, entry_id=i),
        "get": lambda s, m, i: ledger.get_entry(session=s, member=m, entry_id=i),
    }
    for call in calls.values():
        with pytest.raises(NotFound) as info:
            _as(engine, alice_id, functools.partial(_on_entry, call, other_id))
        assert info.value.message == (f"I couldn't find entry #{other_id} in your log. "
                                      "Try /ce list to see your entries.")
    with session_scope(engine) as s:
        assert _counts(s) == before
        row = s.get(CEEntry, other_id)
        assert row is not None
        assert (row.hours_q, row.deleted_at) == (12, None)
    missing = other_id + 1000
    with pytest.raises(NotFound) as info2:
        _as(engine, alice_id, lambda s, m: calls["edit"](s, m, missing))
    assert info2.value.message == f"I couldn't find entry #{missing} in your log. Try /ce list to see your entries."


def _on_entry(call: Callable[[Session, Member, int], object], entry_id: int, s: Session, m: Member) -> object:
    return call(s, m, entry_id)


def _as(engine: Engine, member_id: int | None, call: Callable[[Session, Member], object]) -> object:
    """Run ``call`` for the member in its own transaction, as one Slack request would."""
    with session_scope(engine) as s:
        member = s.get(Member, member_id)
        assert member is not None
        return call(s, member)


def test_edit_refuses_bad_changes(session: Session) -> None:
    """An empty change, an unknown field or an impossible value is refused and the entry is unchanged."""
    alice, _, _ = _people(session)
    entry = ledger.log_entry(session=session, member=alice, request=_req())
    session.commit()
    for changes in ({}, {"colour": "red"}, {"hours": 0}, {"date": date(1900, 1, 1)}, {"hours": 8, "title": ""}):
        with pytest.raises(InvalidRequest):
            ledger.edit_entry(session=session, member=alice, entry_id=entry.id or 0, changes=changes)
        session.rollback()
    got = ledger.get_entry(session=session, member=alice, entry_id=entry.id or 0)
    assert (got.hours_q, got.title) == (12, "Ethics for LMTs")
    assert _counts(session) == (1, 1)


def test_delete_hides_the_entry_and_undo_brings_it_back(session: Session) -> None:
    """A delete is soft: the entry leaves the list, and undo restores it."""
    alice, _, _ = _people(session)
    entry = ledger.log_entry(session=session, member=alice, request=_req())
    ledger.delete_entry(session=session, member=alice, entry_id=entry.id or 0)
    assert ledger.list_entries(session=session, member=alice) == []
    with pytest.raises(NotFound):
        ledger.delete_entry(session=session, member=alice, entry_id=entry.id or 0)
    result = ledger.undo_last(session=session, member=alice)
    assert result.action == "deleted"
    assert [e.id for e in ledger.list_entries(session=session, member=alice)] == [entry.id]


def test_undo_reverses_each_action_in_turn(session: Session) -> None:
    """Undo walks back: the edit is reverted, then the log removed, then there is nothing to undo."""
    alice, bob, _ = _people(session)
    entry = ledger.log_entry(session=session, member=alice, request=_req(subjects=("ethics",)))
    ledger.log_entry(session=session, member=bob, request=_req("Bob's"))
    ledger.edit_entry(session=session, member=alice, entry_id=entry.id or 0,
                      changes={"hours": 4, "title": "Renamed", "subjects": (), "date": DAY - timedelta(days=1)})
    session.commit()

    first = ledger.undo_last(session=session, member=alice)
    assert first.action == "edited"
    assert (first.entry.hours_q, first.entry.title, first.entry.subjects, first.entry.completed_on) == (
        12, "Ethics for LMTs", ["ethics"], DAY)
    second = ledger.undo_last(session=session, member=alice)
    assert second.action == "logged"
    assert second.entry.deleted_at is not None
    assert ledger.list_entries(session=session, member=alice) == []
    with pytest.raises(NothingToUndo) as info:
        ledger.undo_last(session=session, member=alice)
    assert "nothing to undo" in info.value.message
    assert len(ledger.list_entries(session=session, member=bob)) == 1


def test_list_entries_newest_first_with_limit(session: Session) -> None:
    """The list shows the most recent completion dates first, at most ``limit`` of them."""
    alice, _, _ = _people(session)
    for i in range(12):
        ledger.log_entry(session=session, member=alice, request=_req(f"Course {i}", on=DAY - timedelta(days=i)))
    listed = ledger.list_entries(session=session, member=alice)
    assert [e.title for e in listed] == [f"Course {i}" for i in range(10)]
    assert len(ledger.list_entries(session=session, member=alice, limit=3)) == 3
    assert ledger.count_entries(session=session, member=alice) == 12


def test_services_flush_but_never_commit(engine: Engine) -> None:
    """A failure later in the same transaction rolls back a logged entry too: nothing is half-saved."""
    with session_scope(engine) as s:
        alice_id = _people(s)[0].id

    def log_then_fail(s: Session, m: Member) -> None:
        ledger.log_entry(session=s, member=m, request=_req())
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        _as(engine, alice_id, log_then_fail)
    with session_scope(engine) as s:
        assert _counts(s) == (0, 0)
        assert s.exec(select(func.count()).select_from(Workspace)).one() == 2


def test_undo_button_only_reverses_the_change_it_was_shown_for(session: Session) -> None:
    """An Undo button for an older change (or one already undone) changes nothing and says why."""
    alice, _, _ = _people(session)
    first = ledger.log_entry(session=session, member=alice, request=_req("First"))
    second = ledger.log_entry(session=session, member=alice, request=_req("Second"))
    with pytest.raises(NothingToUndo) as info:
        ledger.undo_last(session=session, member=alice, entry_id=first.id, action="logged")
    assert "isn't your latest one" in info.value.message
    with pytest.raises(NothingToUndo):
        ledger.undo_last(session=session, member=alice, entry_id=second.id, action="edited")
    assert len(ledger.list_entries(session=session, member=alice)) == 2
    result = ledger.undo_last(session=session, member=alice, entry_id=second.id, action="logged")
    assert (result.action, result.entry.id) == ("logged", second.id)
    with pytest.raises(NothingToUndo):
        ledger.undo_last(session=session, member=alice, entry_id=second.id, action="logged")


def test_hours_by_subject_sums_live_tagged_courses_of_the_member_in_one_query(session: Session, engine: Engine) -> None:
    """Hours tagged with any of the subjects, live, the member's own, from ``since`` on: one query, in quarters."""
    alice, bob, carol = _people(session)
    for member, title, hours, on, subjects in (
        (alice, "Medical massage 1", 12, DAY, ("medical_massage",)),
        (alice, "Ortho and ethics", 6, DAY - timedelta(days=400), ("ethics", "medical_massage")),
        (alice, "Ethics only", 8, DAY, ("ethics",)),
        (alice, "Pathology", 3, DAY, ("pathology",)),
        (bob, "Bob's medical massage", 40, DAY, ("medical_massage",)),
        (carol, "Carol's medical massage", 40, DAY, ("medical_massage",)),
    ):
        ledger.log_entry(session=session, member=member, request=_req(title, hours, on, subjects=subjects))
    gone = ledger.log_entry(session=session, member=alice, request=_req("Deleted", 20, DAY,
                                                                        subjects=("medical_massage",)))
    ledger.delete_entry(session=session, member=alice, entry_id=gone.id or 0)
    session.commit()
    counter = QueryCounter(engine)
    with counter.counting():
        assert ledger.hours_by_subject(session=session, member=alice, subjects=["medical_massage"]) == 18
    assert counter.count == 1
    assert ledger.hours_by_subject(session=session, member=alice, subjects=("medical_massage",),
                                   since=DAY - timedelta(days=30)) == 12
    assert ledger.hours_by_subject(session=session, member=alice, subjects={"medical_massage", "pathology"}) == 21
    assert ledger.hours_by_subject(session=session, member=alice, subjects=("medical_massage", "ethics")) == 26
    assert ledger.hours_by_subject(session=session, member=alice, subjects=("cpr",)) == 0
    assert ledger.hours_by_subject(session=session, member=alice, subjects=()) == 0
    with pytest.raises(ValueError, match="canonical"):
        ledger.hours_by_subject(session=session, member=alice, subjects=("medical massage",))
