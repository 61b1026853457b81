"""Retention and deletion of stored certificates: each board's rule, the daily purge, /ce mydata delete and the
uninstall purge remove the files from the store (and only files no one else holds)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from certificate_helpers import MemoryStore, certificate_bytes, use_memory_store
from exports_helpers import log, member, track
from slackharness import SlackHarness
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.domain import retention
from cebot.models import Certificate, Member
from cebot.services import certificate_retention, certificates, ledger, mydata, tenancy
from cebot.slack.render.exports import MYDATA_DELETE_ACTION


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> MemoryStore:
    return use_memory_store(monkeypatch)


def keep(session: Session, m: Member, store: MemoryStore, data: bytes, entry_id: int | None = None) -> Certificate:
    stored = store.put(data)
    row, _ = certificates.record_file(session=session, member=m, sha256=stored.sha256, media_type=stored.media_type,
                                      size=stored.size, original_name="c.pdf", shared_by=m.slack_user_id,
                                      slack_file_id=None, permalink=None, reading=None)
    if entry_id is not None:
        certificates.link(session=session, member=m, certificate=row, entry_id=entry_id)
    return row


def test_board_rules_pennsylvania_virginia_and_the_default() -> None:
    """Pennsylvania keeps 5 years and Virginia 4 (confirmed); an unknown board gets the longer default, unconfirmed."""
    assert (retention.rule_for("PA").years, retention.rule_for("PA").confirmed) == (5, True)
    assert (retention.rule_for("va").years, retention.rule_for("VA").confirmed) == (4, True)
    unknown = retention.rule_for("ZZ")
    assert (unknown.years, unknown.confirmed) == (retention.DEFAULT_YEARS, False)
    assert "unconfirmed" in unknown.text
    assert max(r.years for r in retention.RULES.values()) < retention.DEFAULT_YEARS


def test_keep_until_is_the_longest_rule_of_the_boards_tracked() -> None:
    """Completion + the board's cycle + its retention, the longest over the boards tracked."""
    done = date(2026, 1, 5)
    assert retention.keep_until(done, [("VA", 24)]) == date(2032, 1, 5)
    assert retention.keep_until(done, [("VA", 24), ("PA", 24)]) == date(2033, 1, 5)
    assert retention.keep_until(done, []) == date(2034, 1, 5)


def test_purge_keeps_live_courses_and_removes_what_is_past_retention(engine: Engine, store: MemoryStore) -> None:
    """A live course's file stays; a deleted course's file goes once retention ran out; an unsaved proposal goes
    after 30 days; the files leave the store only after the rows."""
    with Session(engine, expire_on_commit=False) as s:
        m = member(s, "U1", "Maria")
        track(s, m, "VA", date(2027, 1, 31))
        live = log(s, m, 3, "Live", date(2015, 1, 5))
        old = log(s, m, 3, "Deleted long ago", date(2015, 1, 5))
        recent = log(s, m, 3, "Deleted recently", date(2025, 1, 5))
        rows = [keep(s, m, store, certificate_bytes(t), e.id) for t, e in
                (("live", live), ("old", old), ("recent", recent))]
        proposal = keep(s, m, store, certificate_bytes("proposal"))
        proposal.created_at = datetime.now(UTC) - timedelta(days=retention.UNSAVED_DAYS + 1)
        s.add(proposal)
        for e in (old, recent):
            ledger.delete_entry(session=s, member=m, entry_id=e.id or 0)
        s.commit()
    with Session(engine, expire_on_commit=False) as s:
        report = certificate_retention.purge_expired(session=s)
        s.commit()
    assert report.rows == 2
    assert set(report.hashes) == {rows[1].sha256, proposal.sha256}
    assert len(store.objects) == 4  # nothing deleted from the store before the commit
    certificate_retention.delete_files(store, report.hashes)
    assert set(store.objects) == {rows[0].sha256, rows[2].sha256}
    with Session(engine) as s:
        left = {c.entry_id for c in s.exec(select(Certificate))}
    assert left == {live.id, recent.id}


def test_mydata_delete_removes_the_members_files_but_not_anothers(slack: SlackHarness, engine: Engine,
                                                                   store: MemoryStore) -> None:
    """/ce mydata delete removes the member's certificate rows and then their files from the store; a file
    another member also shared stays."""
    shared_bytes, own_bytes = certificate_bytes("Shared"), certificate_bytes("Own")
    with Session(engine, expire_on_commit=False) as s:
        maria, sam = member(s, "U1", "Maria"), member(s, "U2", "Sam")
        own = keep(s, maria, store, own_bytes, log(s, maria, 3, "Own", date(2026, 1, 5)).id)
        keep(s, maria, store, shared_bytes)
        both = keep(s, sam, store, shared_bytes)
        s.commit()
    slack.ask("mydata delete", user="U1")
    result = slack.action(MYDATA_DELETE_ACTION, value="U1", user="U1")
    assert "2 certificates" in slack.reply(result).text
    assert set(store.objects) == {both.sha256}
    assert own.sha256 not in store.objects
    with Session(engine) as s:
        assert [c.member_id for c in s.exec(select(Certificate))] == [sam.id]


def test_mydata_export_lists_the_certificates(engine: Engine, store: MemoryStore) -> None:
    """The member's data export includes their certificate rows (hash, type, size, name)."""
    with Session(engine, expire_on_commit=False) as s:
        m = member(s, "U1", "Maria")
        row = keep(s, m, store, certificate_bytes("x"))
        data = mydata.export_member_data(session=s, member=m)
    assert [c["sha256"] for c in data["certificates"]] == [row.sha256]


def test_uninstall_purge_removes_the_workspaces_files(engine: Engine, store: MemoryStore) -> None:
    """Purging an uninstalled workspace names its stored files to delete; another workspace's copy is kept."""
    same = certificate_bytes("Same file")
    with Session(engine, expire_on_commit=False) as s:
        gone = member(s, "U1", "Gone", team_id="TGONE")
        stays = member(s, "U2", "Stays", team_id="TSTAY")
        only = keep(s, gone, store, certificate_bytes("Only gone"), log(s, gone, 3, "G", date(2026, 1, 5)).id)
        keep(s, gone, store, same)
        keep(s, stays, store, same)
        tenancy.mark_uninstalled(session=s, team_id="TGONE", now=datetime.now(UTC) - timedelta(days=200))
        s.commit()
    with Session(engine, expire_on_commit=False) as s:
        [report] = tenancy.purge_uninstalled(session=s)
        s.commit()
    assert report.released == [only.sha256]
    assert report.rows["certificate"] == 2


def test_replacing_a_certificate_unlinks_the_old_one_until_the_purge(engine: Engine, store: MemoryStore) -> None:
    """Attaching a second file to a course replaces the first, which is kept unlinked and then purged like an
    unsaved proposal; the course keeps the new one."""
    with Session(engine, expire_on_commit=False) as s:
        m = member(s, "U1", "Maria")
        course = log(s, m, 3, "Course", date(2026, 1, 5))
        first = keep(s, m, store, certificate_bytes("first"), course.id)
        second = keep(s, m, store, certificate_bytes("second"))
        attached = certificates.link(session=s, member=m, certificate=second, entry_id=course.id or 0)
        assert attached.replaced
        s.refresh(first)
        assert first.entry_id is None
        first.created_at = datetime.now(UTC) - timedelta(days=retention.UNSAVED_DAYS + 1)
        s.add(first)
        s.commit()
    with Session(engine) as s:
        report = certificate_retention.purge_expired(session=s)
        s.commit()
    assert report.hashes == (first.sha256,)
    with Session(engine) as s:
        assert [c.entry_id for c in s.exec(select(Certificate))] == [course.id]
