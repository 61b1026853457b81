"""``cebot progress``: the machine-readable JSON view and the text table, run in-process."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from cebot.cli import main
from cebot.core.settings import load_settings
from cebot.domain.facts import LogRequest
from cebot.services import ledger
from cebot.services.bootstrap import prepare_database
from tests.helpers.services_helpers import add_credential, workspace_with


@pytest.fixture
def seeded(engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Ana in T1 tracks Florida and Minnesota and logged two courses; DATABASE_URL points at the test db."""
    with Session(engine) as s:
        _, (ana,) = workspace_with(s, "T1", ["UANA"])
        add_credential(s, ana, "FL", deadline=date(2027, 8, 31))
        add_credential(s, ana, "MN")
        ledger.log_entry(session=s, member=ana, request=LogRequest(
            hours=8, title="Ethics <b>", completed_on=date(2025, 10, 1), subjects=("ethics",)))
        ledger.log_entry(session=s, member=ana, request=LogRequest(
            hours=4, title="Old course", completed_on=date(2025, 5, 1)))
        s.commit()
    monkeypatch.setenv("DATABASE_URL", database_url)
    return database_url


def test_json_output_has_the_documented_fields(seeded: str, capsys: pytest.CaptureFixture[str]) -> None:
    """--json prints team, user, as_of and one object per credential with the stable field names."""
    assert main(["progress", "--team", "T1", "--user", "UANA", "--json", "--on", "2026-03-01"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["team"], doc["user"], doc["as_of"]) == ("T1", "UANA", "2026-03-01")
    fl, mn = doc["credentials"]
    assert fl["key"] == "FL"
    assert fl["window"] == {"start": "2025-09-01", "deadline": "2027-08-31"}
    assert (fl["deadline"], fl["days_left"], fl["required"], fl["counted"], fl["remaining"]) == (
        "2027-08-31", 548, 24.0, 2.0, 22.0)
    assert fl["status"] == "on_pace"
    ethics = next(r for r in fl["subjects"] if r["key"] == "ethics")
    assert (ethics["counted"], ethics["required"], ethics["met"]) == (2.0, 2.0, True)
    assert fl["not_counted"] == [{"entry_id": 2, "title": "Old course", "hours": 1.0,
                                  "reason": fl["not_counted"][0]["reason"], "partial": False}]
    assert "outside" in fl["not_counted"][0]["reason"]
    assert (mn["key"], mn["status"], mn["required"]) == ("MN", "exempt", 0.0)


def test_text_output_is_a_short_table(seeded: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Without --json the command prints one row per credential."""
    assert main(["progress", "--team", "T1", "--user", "UANA", "--on", "2026-03-01"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Progress for UANA in T1 as of 2026-03-01"
    assert lines[1].split() == ["KEY", "STATUS", "COUNTED", "REQUIRED", "REMAINING", "DEADLINE", "DAYS"]
    assert lines[2].split()[0] == "FL"
    assert lines[2].split()[2:] == ["2", "24", "22", "2027-08-31", "548"]
    assert lines[3].split()[:2] == ["MN", "exempt"]


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--team", "TNOPE", "--user", "UANA"], "No workspace with team id TNOPE"),
        (["--team", "T1", "--user", "UNOPE"], "No member UNOPE in workspace T1"),
        (["--team", "T1", "--user", "UANA", "--on", "2026-02-30"], "--on must be a date"),
    ],
)
def test_unknown_team_user_or_date_exits_1(seeded: str, capsys: pytest.CaptureFixture[str], argv: list[str],
                                           fragment: str) -> None:
    """An unknown team or user, or an impossible --on date, exits 1 with a clear message on stderr only."""
    assert main(["progress", *argv, "--json"]) == 1
    out = capsys.readouterr()
    assert out.out == ""
    assert fragment in out.err


def test_fresh_sqlite_database_is_created_on_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """With a SQLite file that does not exist yet, the command migrates it and reports the unknown team."""
    url = f"sqlite:///{tmp_path / 'new' / 'cebot.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["progress", "--team", "T1", "--user", "U1"]) == 1
    assert "No workspace" in capsys.readouterr().err
    engine = prepare_database(load_settings(database_url=url))
    with engine.connect() as conn:
        assert "ce_entry" in conn.dialect.get_table_names(conn)
    engine.dispose()
