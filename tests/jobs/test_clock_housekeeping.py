"""The clock's hourly housekeeping: old event ids and finished jobs, and what is past its retention period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.certificates import store_from_settings
from cebot.core.settings import Settings
from cebot.jobs.clock import _job, housekeeping
from cebot.models import ProcessedEvent, Workspace, utcnow
from tests.helpers.certificate_helpers import uninstalled_with_a_file
from tests.helpers.jobs_helpers import add_jobs, jobs

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


class _Recorder:
    """A sender that records what it was asked to send (nothing is due in an empty database)."""

    def __init__(self) -> None:
        self.sent: list[object] = []

    def send(self, *args: object, **kwargs: object) -> None:
        self.sent.append((args, kwargs))


def _add_events(engine: Engine, now: datetime) -> None:
    with Session(engine) as session:
        session.add(ProcessedEvent(event_id="Ev-old", team_id="T1", created_at=now - timedelta(days=2)))
        session.add(ProcessedEvent(event_id="Ev-new", team_id="T1", created_at=now - timedelta(hours=1)))
        session.commit()


def _event_ids(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(ProcessedEvent.event_id)).all())


def test_housekeeping_forgets_only_old_event_ids(engine: Engine, settings: Settings) -> None:
    """Event ids older than a day are removed; recent ones stay to stop Slack's retries."""
    _add_events(engine, NOW)
    assert housekeeping(engine, settings, now=NOW) == 1
    assert _event_ids(engine) == ["Ev-new"]


def test_clock_job_runs_housekeeping_with_its_tick(engine: Engine, settings: Settings) -> None:
    """The scheduled clock job also prunes old event ids (at most once an hour)."""
    _add_events(engine, utcnow())
    run = _job(engine, _Recorder(), settings)
    run()
    assert _event_ids(engine) == ["Ev-new"]


def test_housekeeping_also_forgets_jobs_finished_a_month_ago(engine: Engine, settings: Settings) -> None:
    """Hourly housekeeping deletes done and failed jobs finished over 30 days ago, and leaves the others."""
    add_jobs(engine, "export.transcript", [{"n": 0}, {"n": 1}])
    with Session(engine) as session:
        old, recent = jobs(engine)
        old.status, old.finished_at = "done", NOW - timedelta(days=31)
        recent.status, recent.finished_at = "failed", NOW - timedelta(days=2)
        session.add_all([old, recent])
        session.commit()
    assert housekeeping(engine, settings, now=NOW) == 1
    assert [j.payload for j in jobs(engine)] == [{"n": 1}]


def test_housekeeping_purges_what_is_past_retention(engine: Engine, settings: Settings, tmp_path: Path) -> None:
    """A workspace uninstalled 91 days ago goes, with its stored file; one uninstalled 89 days ago stays, with its."""
    settings = settings.model_copy(update={"certificate_store": f"file://{tmp_path / 'store'}"})
    store = store_from_settings(settings)
    files = {team: uninstalled_with_a_file(engine, settings, team, NOW - timedelta(days=days))
             for team, days in (("TOLD", 91), ("TRECENT", 89))}
    assert housekeeping(engine, settings, now=NOW) > 0
    with Session(engine) as s:
        assert [w.team_id for w in s.exec(select(Workspace))] == ["TRECENT"]
    assert not store.exists(files["TOLD"])
    assert store.exists(files["TRECENT"])
    assert housekeeping(engine, settings, now=NOW) == 0
