"""Progress services: the right numbers per credential, scoped, in a constant number of queries."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session

from cebot.domain.facts import LogRequest
from cebot.domain.progress import Status, compute_progress
from cebot.services import credentials, ledger, milestones
from cebot.services.progress import LOOKBACK_MONTHS, entry_floor, member_progress, team_progress
from tests.helpers.services_helpers import AMMA_TARGET_TOML, QueryCounter, add_credential, seed_entries, workspace_with

TODAY = date(2026, 3, 1)
FL_DEADLINE = date(2027, 8, 31)


def _log(session: Session, member: object, hours_q: int, title: str, on: date, *subjects: str) -> None:
    ledger.log_entry(session=session, member=member,  # type: ignore[arg-type]
                     request=LogRequest(hours=hours_q, title=title, completed_on=on, subjects=subjects))


def test_member_progress_counts_inside_the_window(session: Session) -> None:
    """Florida: courses in the Sep 2025 - Aug 2027 window count; one from the months before is listed as not
    counted, and courses older than that are left out."""
    _, (ana,) = workspace_with(session, "T1", ["UANA"])
    add_credential(session, ana, "FL", deadline=FL_DEADLINE)
    _log(session, ana, 8, "Ethics", date(2025, 10, 1), "ethics")
    _log(session, ana, 16, "Old course", date(2025, 5, 1))
    _log(session, ana, 16, "Ancient course", date(2024, 8, 31))
    session.commit()
    (fl,) = member_progress(session=session, member=ana, today=TODAY)
    assert (fl.key, fl.deadline, fl.counted, fl.required) == ("FL", FL_DEADLINE, 8, 96)
    assert fl.window is not None
    assert fl.window.start == date(2025, 9, 1)
    assert [n.title for n in fl.not_counted] == ["Old course"]
    assert fl.status in (Status.ON_PACE, Status.BEHIND_PACE)


def test_progress_is_scoped_to_the_member_and_workspace(session: Session) -> None:
    """Another member's and another workspace's courses never count toward Ana's progress."""
    _, (ana, bob) = workspace_with(session, "T1", ["UANA", "UBOB"])
    _, (cat,) = workspace_with(session, "T2", ["UANA"])
    for m in (ana, bob, cat):
        add_credential(session, m, "FL", deadline=FL_DEADLINE)
    _log(session, bob, 40, "Bob's course", date(2025, 10, 1))
    _log(session, cat, 40, "Other clinic", date(2025, 10, 1))
    _log(session, ana, 4, "Ana's course", date(2025, 10, 1))
    session.commit()
    (fl,) = member_progress(session=session, member=ana, today=TODAY)
    assert fl.counted == 4
    assert fl.not_counted == ()


def test_member_progress_without_credentials_is_empty(session: Session) -> None:
    """A member who tracks nothing gets an empty list (and only one query)."""
    _, (ana,) = workspace_with(session, "T1", ["UANA"])
    session.commit()
    assert member_progress(session=session, member=ana, today=TODAY) == []


def test_no_ce_state_is_exempt(session: Session) -> None:
    """A state without CE (Minnesota) is tracked and reported as exempt."""
    _, (ana,) = workspace_with(session, "T1", ["UANA"])
    add_credential(session, ana, "MN")
    session.commit()
    (mn,) = member_progress(session=session, member=ana, today=TODAY)
    assert (mn.status, mn.required) == (Status.EXEMPT, 0)


def test_member_progress_uses_at_most_three_queries_with_5000_entries(engine: Engine, session: Session) -> None:
    """Three credentials (one a clinic-defined pathway) and 5,000 entries: at most 3 queries."""
    w, (ana,) = workspace_with(session, "T1", ["UANA"])
    boss = workspace_with(session, "T1X", ["UBOSS"])[1][0]
    boss.workspace_id = w.id or 0
    boss.is_slack_admin = True
    credentials.define_workspace_set(session=session, workspace=w, acting=boss, toml_text=AMMA_TARGET_TOML)
    add_credential(session, ana, "FL", deadline=FL_DEADLINE)
    add_credential(session, ana, "NCBTMB", deadline=date(2027, 6, 30))
    add_credential(session, ana, "AMMA")
    milestones.record_milestone(session=session, member=ana, step="mblex", completed_on=date(2019, 5, 1))
    seed_entries(session, ana, 5000, start=date(2016, 1, 1), days=3700)
    session.commit()
    counter = QueryCounter(engine)
    with counter.counting():
        progress = member_progress(session=session, member=ana, today=TODAY)
    assert counter.count <= 3, counter.statements
    assert [p.key for p in progress] == ["AMMA", "FL", "NCBTMB"]
    amma = progress[0]
    assert amma.required == 16 * 4
    fl = progress[1]
    assert fl.window is not None
    assert fl.counted_entry_ids
    assert all(n.entry_id for n in fl.not_counted)


def test_entry_floor_reaches_back_six_months_before_the_window(session: Session) -> None:
    """The progress maths sees a credential's window plus six months before it; sets without CE need none."""
    _, (ana,) = workspace_with(session, "T1", ["UANA"])
    fl = add_credential(session, ana, "FL", deadline=FL_DEADLINE)
    catalog = credentials.shipped_catalog()
    facts = credentials.credential_facts(fl)
    assert entry_floor(catalog.require("FL"), facts, TODAY) == date(2025, 3, 1)
    assert entry_floor(catalog.require("FL"), facts, TODAY, lookback_months=0) == date(2025, 9, 1)
    assert entry_floor(catalog.require("MN"), facts, TODAY) is None
    lapsed = replace(facts, deadline=date(2025, 8, 31))
    assert entry_floor(catalog.require("FL"), lapsed, TODAY) == date(2023, 3, 1)


def test_team_progress_constant_queries_and_worst_first(engine: Engine, session: Session) -> None:
    """Team progress runs at most 5 queries for 40 members and lists overdue and at-risk members first."""
    w, members = workspace_with(session, "T1", [f"U{i:03d}" for i in range(40)])
    _, (stranger,) = workspace_with(session, "T2", ["UX"])
    for i, m in enumerate(members):
        add_credential(session, m, "FL", deadline=FL_DEADLINE)
        if i % 3 == 0:  # NCBTMB deadline passed with no course in its cycle: overdue
            add_credential(session, m, "NCBTMB", deadline=date(2026, 2, 1))
            seed_entries(session, m, 20, start=date(2026, 2, 2), days=27, seed=i)
        else:
            seed_entries(session, m, 20, start=date(2025, 9, 1), days=170, seed=i)
    add_credential(session, stranger, "FL", deadline=FL_DEADLINE)
    session.commit()
    counter = QueryCounter(engine)
    with counter.counting():
        team = team_progress(session=session, workspace=w, today=TODAY)
    assert counter.count <= 5, counter.statements
    assert len(team) == 40
    assert {mp.member.slack_user_id for mp in team[:14]} == {f"U{i:03d}" for i in range(0, 40, 3)}
    assert all(any(p.status is Status.OVERDUE for p in mp.progress) for mp in team[:14])
    assert not any(p.status is Status.OVERDUE for mp in team[14:] for p in mp.progress)
    statuses = [mp.worst for mp in team]
    assert statuses == sorted(statuses)


def test_team_progress_of_empty_workspace(session: Session) -> None:
    """A workspace with nobody in it has an empty team list."""
    w, _ = workspace_with(session, "T1", [])
    assert team_progress(session=session, workspace=w, today=TODAY) == []


def test_team_progress_agrees_with_member_progress(session: Session) -> None:
    """Each member's team row has the same statuses and hours as their own view, whatever colleagues track."""
    w, members = workspace_with(session, "T1", ["UA", "UB", "UC"])
    add_credential(session, members[0], "FL", deadline=FL_DEADLINE)
    add_credential(session, members[1], "FL", deadline=date(2025, 8, 31))  # lapsed: needs the older window
    add_credential(session, members[1], "NCBTMB", deadline=date(2027, 6, 30))
    add_credential(session, members[2], "VA", birth_month=5, birth_day=17, birth_year=1985)
    for i, m in enumerate(members):
        seed_entries(session, m, 60, start=date(2022, 1, 1), days=1500, seed=i)
    session.commit()
    team = {mp.member.slack_user_id: mp.progress for mp in team_progress(session=session, workspace=w, today=TODAY)}
    full = {mp.member.slack_user_id: mp.progress
            for mp in team_progress(session=session, workspace=w, today=TODAY, lookback_months=LOOKBACK_MONTHS)}
    for m in members:
        mine = member_progress(session=session, member=m, today=TODAY)
        assert full[m.slack_user_id] == mine
        assert [(p.key, p.status, p.counted, p.remaining, p.counted_entry_ids) for p in team[m.slack_user_id]] == [
            (p.key, p.status, p.counted, p.remaining, p.counted_entry_ids) for p in mine]


def test_leaving_out_old_courses_never_changes_the_numbers(session: Session) -> None:
    """Hours, statuses and counted courses equal those from the progress maths over the whole ledger."""
    _, (ana,) = workspace_with(session, "T1", ["UA"])
    creds = [add_credential(session, ana, "FL", deadline=date(2025, 8, 31)),
             add_credential(session, ana, "NJ", deadline=date(2027, 5, 31)),
             add_credential(session, ana, "NCBTMB", deadline=date(2027, 6, 30))]
    seed_entries(session, ana, 400, start=date(2015, 1, 1), days=4000)
    session.commit()
    everything = [ledger.entry_facts(e) for e in ledger.list_entries(session=session, member=ana, limit=10_000)]
    catalog = credentials.shipped_catalog()
    expected = [compute_progress(catalog.require(c.requirement_key), credentials.credential_facts(c), everything,
                                 TODAY) for c in creds]
    got = member_progress(session=session, member=ana, today=TODAY)
    def numbers(progress: list) -> list:
        return sorted((p.key, p.status, p.counted, p.remaining, p.counted_entry_ids, p.subject_rows) for p in progress)

    assert numbers(got) == numbers(expected)
