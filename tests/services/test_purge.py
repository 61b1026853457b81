"""Purging what is past its retention period: rows in one transaction, then the stored files nothing holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.certificates import store_from_settings
from cebot.core.settings import Settings
from cebot.models import Certificate, Workspace
from cebot.services.purge import purge_past_retention
from tests.helpers.certificate_helpers import uninstalled_with_a_file

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


def _uninstalled_with_a_file(engine: Engine, settings: Settings, team: str, days_ago: int) -> str:
    return uninstalled_with_a_file(engine, settings, team, NOW - timedelta(days=days_ago))


def test_dry_run_counts_and_deletes_nothing(engine: Engine, settings: Settings, tmp_path: Path) -> None:
    """A dry run names the workspace it would delete and keeps every row and file."""
    settings = settings.model_copy(update={"certificate_store": f"file://{tmp_path}"})
    sha = _uninstalled_with_a_file(engine, settings, "TOLD", 120)
    done = purge_past_retention(engine=engine, settings=settings, now=NOW, dry_run=True)
    assert [r.team_id for r in done.workspaces] == ["TOLD"]
    assert (done.days, done.files) == (90, 0)
    with Session(engine) as s:
        assert len(s.exec(select(Workspace)).all()) == 1
        assert len(s.exec(select(Certificate)).all()) == 1
    assert store_from_settings(settings).exists(sha)


def test_days_override_the_setting_and_files_go_after_the_rows(engine: Engine, settings: Settings,
                                                                tmp_path: Path) -> None:
    """``days`` replaces UNINSTALLED_RETENTION_DAYS; what goes takes its stored file with it, what stays keeps it."""
    settings = settings.model_copy(update={"certificate_store": f"file://{tmp_path}"})
    old = _uninstalled_with_a_file(engine, settings, "TOLD", 40)
    recent = _uninstalled_with_a_file(engine, settings, "TRECENT", 20)
    nothing = purge_past_retention(engine=engine, settings=settings, now=NOW)
    assert (nothing.workspaces, nothing.certificates, nothing.files) == ([], 0, 0)
    done = purge_past_retention(engine=engine, settings=settings, now=NOW, days=30)
    assert ([r.team_id for r in done.workspaces], done.files) == (["TOLD"], 1)
    store = store_from_settings(settings)
    assert (store.exists(old), store.exists(recent)) == (False, True)
    with Session(engine) as s:
        assert [w.team_id for w in s.exec(select(Workspace))] == ["TRECENT"]
