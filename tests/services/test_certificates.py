"""Certificates: /ce attach <id>, NCBTMB's transcript flags and the logging form's file input."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.domain.progress import Progress, Status
from cebot.domain.transcript import (
    FLAG_NO_APPROVAL,
    FLAG_NO_CERTIFICATE,
    FLAG_NO_PROVIDER,
    TranscriptEntry,
    build_transcript,
)
from cebot.models import CEEntry, Member, utcnow
from cebot.services import certificates
from cebot.slack.render import ledger as ledger_render
from cebot.slack.render.exports import CERTIFICATE_BLOCK
from tests.helpers.exports_helpers import TODAY, seed_maria, seed_sam
from tests.helpers.slackharness import SlackHarness, date_value, multi_select_value, select_value, text_value


def test_attach_to_someone_elses_entry_is_not_found(slack: SlackHarness, engine: Engine) -> None:
    """/ce attach with Sam's entry id answers like a missing entry; nothing waits."""
    seed_maria(engine)
    seed_sam(engine)
    with Session(engine) as s:
        sams = s.exec(select(CEEntry).where(CEEntry.title == "Sam's Ethics")).one()
    reply = slack.ask(f"attach {sams.id}", user="U1")
    assert "couldn't find entry" in reply.text


def test_attach_usage_on_bad_input(slack: SlackHarness) -> None:
    """/ce attach with no number shows the usage."""
    reply = slack.ask("attach", user="U1")
    assert "/ce attach" in reply.text


def test_attach_prompt_escapes_the_title(slack: SlackHarness, engine: Engine) -> None:
    """A title like <!channel> is escaped in the attach reply and the DM prompt."""
    ids = seed_maria(engine)
    reply = slack.ask(f"attach {ids['injection']}", user="U1")
    assert "<!channel>" not in reply.text
    assert "&lt;!channel&gt;" in reply.text
    assert "<!channel>" not in slack.fake.wait_for("chat.postMessage").text


def test_pending_attach_lapses(engine: Engine) -> None:
    """A /ce attach older than the window attaches nothing."""
    ids = seed_maria(engine)
    with Session(engine) as s:
        m = s.exec(select(Member).where(Member.slack_user_id == "U1")).one()
        then = utcnow() - certificates.ATTACH_WINDOW - timedelta(minutes=1)
        certificates.request_attach(session=s, member=m, entry_id=ids["ethics"], now=then)
        assert certificates.take_pending_attach(session=s, member=m) is None
        assert certificates.pending_entry(session=s, member=m) is None


def _progress(key: str, counted: tuple[int, ...]) -> Progress:
    return Progress(key=key, name=key, status=Status.ON_PACE, window=None, deadline=None, days_left=None,
                    required=96, counted=8, remaining=88, counted_entry_ids=counted)


def test_ncbtmb_flags_missing_provider_fields_and_certificates() -> None:
    """For NCBTMB a counted course without approval number or provider is flagged; uncounted ones are not."""
    entries = [
        TranscriptEntry(id=1, title="A", completed_on=TODAY, hours=4, provider=None, approval_number=None),
        TranscriptEntry(id=2, title="B", completed_on=TODAY, hours=4, provider="P", approval_number="1",
                        certificate_ref="F1"),
        TranscriptEntry(id=3, title="C", completed_on=TODAY, hours=4),
    ]
    t = build_transcript(member_name="M", entries=entries, progress=[_progress("NCBTMB", (1, 2))],
                         generated_on=TODAY, key="NCBTMB")
    flags = {r.entry.id: r.flags for r in t.rows}
    assert flags[1] == (FLAG_NO_CERTIFICATE, FLAG_NO_APPROVAL, FLAG_NO_PROVIDER)
    assert flags[2] == ()
    assert flags[3] == ()
    assert t.without_certificate == 1


def test_state_licence_flags_only_the_certificate() -> None:
    """For a state licence only the missing certificate is flagged, not NCBTMB's provider fields."""
    entries = [TranscriptEntry(id=1, title="A", completed_on=TODAY, hours=4)]
    t = build_transcript(member_name="M", entries=entries, progress=[_progress("FL", (1,))], generated_on=TODAY)
    assert t.rows[0].flags == (FLAG_NO_CERTIFICATE,)
    assert t.rows[0].verdict_text(single=False) == "FL: counted"


def _modal_values(title: str, file_id: str | None) -> dict[str, dict[str, dict[str, object]]]:
    files = [{"id": file_id, "name": "cert.pdf", "permalink": f"https://x.slack.com/files/U1/{file_id}/cert.pdf"}] \
        if file_id else []
    return {
        ledger_render.TITLE: {"value": text_value(title)},
        ledger_render.HOURS: {"value": text_value("3")},
        ledger_render.DATE: {"value": date_value(date(2026, 1, 5))},
        ledger_render.FORMAT: {"value": select_value("in_person")},
        ledger_render.SUBJECTS_BLOCK: {"value": multi_select_value(["ethics"])},
        ledger_render.PROVIDER: {"value": text_value(None)},
        ledger_render.APPROVAL: {"value": text_value(None)},
        ledger_render.NOTES: {"value": text_value(None)},
        CERTIFICATE_BLOCK: {"value": {"type": "file_input", "files": files}},
    }


def test_logging_modal_has_an_optional_certificate_file_input(slack: SlackHarness) -> None:
    """/ce log with no text opens the modal with an optional one-file certificate input."""
    assert slack.command("/ce", "log", user="U1").status == 200
    view = slack.fake.wait_for("views.open")["view"]
    block = next(b for b in view["blocks"] if b.get("block_id") == CERTIFICATE_BLOCK)
    assert block["optional"] is True
    assert block["element"]["type"] == "file_input"
    assert block["element"]["max_files"] == 1


def test_logging_modal_without_a_file_leaves_no_certificate(slack: SlackHarness, engine: Engine) -> None:
    """The certificate is optional: without a file the course is logged with none."""
    slack.view_submission(ledger_render.MODAL_CALLBACK, _modal_values("Ethics no cert", None), user="U1")
    slack.fake.wait_for("chat.postMessage")
    with Session(engine) as s:
        e = s.exec(select(CEEntry).where(CEEntry.title == "Ethics no cert")).one()
    assert e.certificate_ref is None
