"""/ce mydata: a member's own data as JSON in their DM, or all of it erased after a confirm step."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from cebot.core.settings import Settings
from cebot.models import CEEntry, Credential, Delivery, EntryChange, Member, Milestone, PendingAttachment
from cebot.services import certificates, ledger, milestones
from cebot.slack.render.exports import MYDATA_CANCEL_ACTION, MYDATA_DELETE_ACTION
from tests.helpers.exports_helpers import run_jobs, seed_maria, seed_sam, wait_upload
from tests.helpers.slackharness import SlackHarness

TABLES: tuple[type[SQLModel], ...] = (CEEntry, EntryChange, Credential, Milestone, PendingAttachment, Delivery,
                                      Member)


def seed_everything(engine: Engine) -> None:
    """Maria and Sam each with courses, a deleted course, a milestone, a pending attach and a reminder."""
    ids = seed_maria(engine)
    seed_sam(engine)
    with Session(engine, expire_on_commit=False) as s:
        for user_id in ("U1", "U2"):
            m = s.exec(select(Member).where(Member.slack_user_id == user_id)).one()
            milestones.record_milestone(session=s, member=m, step="mblex", completed_on=date(2024, 5, 1))
            latest = ledger.list_entries(session=s, member=m, limit=1)[0]
            certificates.request_attach(session=s, member=m, entry_id=latest.id or 0)
            s.add(Delivery(workspace_id=m.workspace_id, recipient=user_id, kind="reminder", period="2026-03",
                           status="sent"))
        maria = s.exec(select(Member).where(Member.slack_user_id == "U1")).one()
        ledger.delete_entry(session=s, member=maria, entry_id=ids["old"])
        row, _ = certificates.record_file(session=s, member=maria, sha256="ab" * 32, media_type="application/pdf",
                                          size=10, original_name="c.pdf", shared_by="U1", slack_file_id="F1",
                                          permalink="https://x.slack.com/files/F1", reading=None)
        certificates.link(session=s, member=maria, certificate=row, entry_id=ids["ethics"])
        s.commit()


def snapshot(engine: Engine, user_id: str) -> dict[str, list[dict[str, Any]]]:
    """Every row belonging to ``user_id`` (by member id, or recipient for deliveries)."""
    with Session(engine) as s:
        m = s.exec(select(Member).where(Member.slack_user_id == user_id)).first()
        out: dict[str, list[dict[str, Any]]] = {}
        for table in TABLES:
            rows = s.exec(select(table)).all()
            mine = [r.model_dump() for r in rows
                    if (table is Delivery and getattr(r, "recipient", None) == user_id)
                    or (table is Member and getattr(r, "slack_user_id", None) == user_id)
                    or (m is not None and getattr(r, "member_id", None) == m.id)]
            out[table.__name__] = mine
        return out


def test_mydata_export_sends_everything_about_the_member_as_json(slack: SlackHarness, engine: Engine,
                                                                slack_settings: Settings) -> None:
    """/ce mydata export DMs a JSON file with U1's profile, courses (deleted too), changes, credentials and more."""
    seed_everything(engine)
    reply = slack.ask("mydata export", user="U1")
    assert "JSON" in reply.text
    assert "on its way" in reply.text
    run_jobs(engine, slack_settings)
    upload = wait_upload(slack.fake)
    assert upload.filename.endswith(".json")
    assert slack.fake.last("files.completeUploadExternal")["channel_id"] == \
        slack.fake.last("conversations.open").answer["channel"]["id"]
    data = json.loads(upload.data)
    assert data["member"]["slack_user_id"] == "U1"
    titles = {e["title"] for e in data["entries"]}
    assert "Ethics in Touch" in titles
    assert "Old Course" in titles
    assert "Sam's Ethics" not in titles
    assert [c["requirement_key"] for c in data["credentials"]] == ["FL", "NCBTMB"]
    assert len(data["entry_changes"]) == 6
    assert [m["step"] for m in data["milestones"]] == ["mblex"]
    assert len(data["pending_attachments"]) == 1
    assert [d["recipient"] for d in data["deliveries"]] == ["U1"]
    old = next(e for e in data["entries"] if e["title"] == "Old Course")
    assert old["deleted_at"] is not None
    assert old["hours"] == 4


def test_mydata_delete_asks_first_and_changes_nothing(slack: SlackHarness, engine: Engine) -> None:
    """/ce mydata delete shows what would go, with a danger button behind a confirm dialog; nothing is removed."""
    seed_everything(engine)
    before = snapshot(engine, "U1")
    reply = slack.ask("mydata delete", user="U1")
    assert "5 courses" in reply.text
    assert "2 tracked licences and certifications" in reply.text
    button = next(el for blk in reply.blocks if blk["type"] == "actions" for el in blk["elements"]
                  if el["action_id"] == MYDATA_DELETE_ACTION)
    assert button["style"] == "danger"
    assert "confirm" in button
    assert snapshot(engine, "U1") == before


def test_mydata_delete_confirmed_removes_everything_of_the_member_only(slack: SlackHarness, engine: Engine) -> None:
    """Confirming removes every row of U1 (courses, changes, credentials, milestones...); U2 keeps all."""
    seed_everything(engine)
    sams = snapshot(engine, "U2")
    assert all(sams[t.__name__] for t in TABLES)
    slack.ask("mydata delete", user="U1")
    result = slack.action(MYDATA_DELETE_ACTION, value="U1", user="U1")
    assert result.status == 200
    reply = slack.reply(result)
    assert "I removed" in reply.text
    assert "5 courses" in reply.text
    assert "1 certificate" in reply.text
    assert "6 change-history records" in reply.text
    assert "1 AMMA milestone" in reply.text
    assert "1 reminder record" in reply.text
    assert reply.payload.get("replace_original") is True
    assert all(rows == [] for rows in snapshot(engine, "U1").values())
    assert snapshot(engine, "U2") == sams


def test_someone_elses_delete_button_is_refused(slack: SlackHarness, engine: Engine) -> None:
    """A click by U2 on a button made for U1 deletes nothing."""
    seed_everything(engine)
    before = {u: snapshot(engine, u) for u in ("U1", "U2")}
    result = slack.action(MYDATA_DELETE_ACTION, value="U1", user="U2")
    assert "someone else's" in slack.reply(result).text
    assert {u: snapshot(engine, u) for u in ("U1", "U2")} == before


def test_cancel_keeps_everything(slack: SlackHarness, engine: Engine) -> None:
    """Cancel answers that nothing was deleted, and nothing was."""
    seed_everything(engine)
    before = snapshot(engine, "U1")
    result = slack.action(MYDATA_CANCEL_ACTION, value="U1", user="U1")
    assert "Nothing was deleted" in slack.reply(result).text
    assert snapshot(engine, "U1") == before


def test_after_delete_the_member_starts_fresh(slack: SlackHarness, engine: Engine, slack_settings: Settings) -> None:
    """After deleting, /ce mydata export has an empty log for the re-registered member."""
    seed_everything(engine)
    slack.reply(slack.action(MYDATA_DELETE_ACTION, value="U1", user="U1"))
    slack.ask("mydata export", user="U1")
    run_jobs(engine, slack_settings)
    data = json.loads(wait_upload(slack.fake).data)
    assert data["entries"] == []
    assert data["credentials"] == []
