"""``cebot shell``'s ``:share PATH`` (a local file shared in cebot's DM), and migration 0011 keeping old
certificate links readable as "Slack only, not stored"."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.core.db import downgrade, upgrade
from cebot.models import CEEntry, Certificate
from cebot.shell import console as shell
from tests.helpers.certificate_helpers import certificate_bytes, use_memory_store


def run_shell(database_url: str, text: str) -> str:
    namespace = argparse.Namespace(user="UMARIA", team="TSHELL", name="Maria", admin=False, tz="America/New_York",
                                   database_url=database_url)
    out = io.StringIO()
    assert shell.run(namespace, stdin=io.StringIO(text), out=out) == 0
    return out.getvalue()


def test_share_then_save_in_the_shell(database_url: str, engine: Engine, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """``:share PATH`` shares the file in cebot's DM: the proposal shows with Save, and ``:click Save`` logs it."""
    store = use_memory_store(monkeypatch)
    path = tmp_path / "certificate.pdf"
    path.write_bytes(certificate_bytes("Shell Course", "2", "2026-01-05"))
    output = run_shell(database_url, f":share {path}\n:click Save\n:share {tmp_path / 'missing.pdf'}\n")
    shared = output.split(f"cebot> :share {path}", 1)[1].split("cebot> :click Save", 1)[0]
    assert "Shell Course" in shared
    assert "[Save] [Edit]" in shared
    assert "Logged #" in output.split("cebot> :click Save", 1)[1]
    assert "There's no file at" in output
    with Session(engine) as s:
        [entry] = s.exec(select(CEEntry)).all()
        [row] = s.exec(select(Certificate)).all()
    assert entry.title == "Shell Course"
    assert row.entry_id == entry.id
    assert list(store.objects) == [row.sha256]


def test_old_certificate_links_become_slack_only_rows(database_url: str, engine: Engine) -> None:
    """An entry's certificate_ref/url from before 0011 is migrated to a certificate row marked not stored."""
    downgrade(database_url, "0007")
    engine.dispose()
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO workspace (id, team_id, name, timezone, settings, created_at) "
                             "VALUES (1, 'T1', '', 'UTC', '{}', CURRENT_TIMESTAMP)"))
        conn.execute(sa.text("INSERT INTO member (id, workspace_id, slack_user_id, display_name, timezone, role, "
                             "is_slack_admin, reminders_enabled, reminder_plan_version, created_at) VALUES "
                             "(1, 1, 'U1', 'M', 'UTC', 'member', false, true, 0, CURRENT_TIMESTAMP)"))
        for i, ref in ((1, "F0OLD"), (2, None)):
            conn.execute(sa.text(
                "INSERT INTO ce_entry (id, workspace_id, member_id, title, completed_on, hours_q, delivery_format, "
                "subjects, certificate_ref, certificate_url, created_at, updated_at) VALUES (:i, 1, 1, :title, "
                "'2026-01-05', 4, 'in_person', '[]', :ref, NULL, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                {"i": i, "title": f"C{i}", "ref": ref})
    upgrade(database_url)
    engine.dispose()
    with Session(engine) as s:
        [row] = s.exec(select(Certificate)).all()
    assert (row.entry_id, row.slack_file_id, row.stored, row.sha256) == (1, "F0OLD", False, None)
