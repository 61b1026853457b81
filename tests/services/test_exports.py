"""/ce export end to end: transcripts as PDF and CSV in the member's DM, and the managers' team CSV."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cebot.core.settings import Settings
from cebot.exports.csv_export import TEAM_COLUMNS, TRANSCRIPT_COLUMNS, read_csv, transcript_rows
from cebot.models import Job, Member
from cebot.services.exports import member_transcript
from cebot.slack.context import member_today
from tests.helpers.exports_helpers import make_manager, pdf_text, run_jobs, seed_maria, seed_sam, wait_upload
from tests.helpers.slackharness import SlackHarness


def _transcript(engine: Engine, user_id: str, key: str | None = None):  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        m = s.exec(select(Member).where(Member.slack_user_id == user_id)).one()
        return member_transcript(session=s, member=m, today=member_today(m), key=key)


def test_pdf_export_goes_to_the_dm_and_lists_every_course_and_the_totals(slack: SlackHarness, engine: Engine,
                                                                       slack_settings: Settings) -> None:
    """/ce export pdf answers "on its way"; its job uploads (v2 sequence) a PDF to the member's DM with every course,
    totals and licence numbers."""
    seed_maria(engine)
    reply = slack.ask("export pdf", user="U1")
    assert "Your PDF is on its way" in reply.text
    assert run_jobs(engine, slack_settings) == 1
    upload = wait_upload(slack.fake)
    assert "5 courses" in slack.fake.last("files.completeUploadExternal")["initial_comment"]
    assert upload.filename.endswith(".pdf")
    assert upload.data.startswith(b"%PDF")
    assert slack.fake.last("conversations.open")["users"] == "U1"
    complete = slack.fake.last("files.completeUploadExternal")
    assert complete["channel_id"] == slack.fake.last("conversations.open").answer["channel"]["id"]
    text = pdf_text(upload.data)
    flat = " ".join(text.split())
    for title in ("Ethics in Touch", "Self-care for Therapists", "Preventing Medical Errors", "Old Course",
                  '=HYPERLINK("x") <!channel> & Co'):
        assert title in flat, title
    assert "Maria Lopez" in flat
    assert "FL MA12345" in flat
    assert "NCBTMB BC998877" in flat
    assert "All CE hours" in flat
    assert "Florida" in flat
    assert "NCBTMB Board Certification" in flat
    assert "Ünïcode Académie" in flat
    assert "<!channel>" not in complete.get("initial_comment", "")


def test_pdf_for_one_credential_covers_its_cycle_with_reasons_and_ncbtmb_flags(
        slack: SlackHarness, engine: Engine, slack_settings: Settings) -> None:
    """/ce export pdf NCBTMB: this cycle's courses only, why self-care partly counts, missing approval flagged."""
    seed_maria(engine)
    slack.ask("export pdf NCBTMB", user="U1")
    run_jobs(engine, slack_settings)
    flat = " ".join(pdf_text(wait_upload(slack.fake).data).split())
    assert "Old Course" not in flat
    assert "over the 4 h self-care cap" in flat
    assert "missing" in flat
    assert "no certificate attached" in flat
    assert "24 h" in flat


def test_csv_round_trips_exactly(slack: SlackHarness, engine: Engine, slack_settings: Settings) -> None:
    """/ce export csv FL: the csv module reads back exactly the transcript's rows, formulas neutralised."""
    seed_maria(engine)
    reply = slack.ask("export csv FL", user="U1")
    assert "CSV" in reply.text
    run_jobs(engine, slack_settings)
    upload = wait_upload(slack.fake)
    rows = read_csv(upload.data)
    expected = transcript_rows(_transcript(engine, "U1", "FL"))
    assert rows == expected
    assert list(rows[0]) == list(TRANSCRIPT_COLUMNS)
    titles = [r["title"] for r in rows]
    assert "Old Course" not in titles
    assert len(rows) == 4
    assert "'=HYPERLINK(\"x\") <!channel> & Co" in titles
    assert {r["counted"] for r in rows} >= {"counted"}


def test_transcript_counts_courses_without_certificate(engine: Engine) -> None:
    """The transcript says how many counted courses lack a certificate (all of Maria's counted ones here)."""
    seed_maria(engine)
    t = _transcript(engine, "U1", "FL")
    assert t.without_certificate == 4
    assert t.totals[0].without_certificate == 4


def test_non_manager_cannot_export_the_team(slack: SlackHarness, engine: Engine) -> None:
    """/ce export team csv from a member is refused politely and uploads nothing."""
    seed_maria(engine)
    seed_sam(engine)
    reply = slack.ask("export team csv", user="U2")
    assert "Only a clinic manager" in reply.text
    with Session(engine) as s:
        assert s.exec(select(Job)).all() == []


def test_manager_exports_the_team_csv(slack: SlackHarness, engine: Engine, slack_settings: Settings) -> None:
    """A manager gets one CSV row per member and tracked credential, in their own DM."""
    seed_maria(engine)
    seed_sam(engine)
    make_manager(engine, "U2")
    reply = slack.ask("export team csv", user="U2")
    assert "team CSV is on its way" in reply.text
    run_jobs(engine, slack_settings)
    upload = wait_upload(slack.fake)
    assert "3 rows" in slack.fake.last("files.completeUploadExternal")["initial_comment"]
    opened = slack.fake.last("conversations.open")
    assert opened["users"] == "U2"
    assert slack.fake.last("files.completeUploadExternal")["channel_id"] == opened.answer["channel"]["id"]
    rows = read_csv(upload.data)
    assert list(rows[0]) == list(TEAM_COLUMNS)
    assert sorted((r["member"], r["credential"]) for r in rows) == [
        ("Maria Lopez", "FL"), ("Maria Lopez", "NCBTMB"), ("Sam Lee", "FL")]
    fl = next(r for r in rows if r["member"] == "Sam Lee")
    assert fl["licence_number"] == "MA555"
    assert fl["required_hours"] == "24"
    assert fl["counted_hours"] == "2"


def test_slack_admin_is_a_manager_for_the_team_export(slack: SlackHarness, engine: Engine,
                                                      slack_settings: Settings) -> None:
    """A Slack admin (users.info is_admin) may export the team."""
    seed_maria(engine)
    reply = slack.ask("export team", user="UADMIN")
    assert "team CSV" in reply.text
    run_jobs(engine, slack_settings)
    assert wait_upload(slack.fake).filename.startswith("cebot-team-")


def test_export_of_an_untracked_key_says_what_is_tracked(slack: SlackHarness, engine: Engine) -> None:
    """/ce export pdf TX when not tracking TX names what is tracked and sends nothing."""
    seed_maria(engine)
    reply = slack.ask("export pdf TX", user="U1")
    assert "not tracking TX" in reply.text
    assert "FL, NCBTMB" in reply.text
    with Session(engine) as s:
        assert s.exec(select(Job)).all() == []


def test_bad_export_format_shows_usage(slack: SlackHarness) -> None:
    """/ce export docx answers with the right form."""
    reply = slack.ask("export docx", user="U1")
    assert "csv or pdf" in reply.text
    assert "/ce export" in reply.text


def test_upload_refused_by_slack_is_a_friendly_error(slack: SlackHarness, engine: Engine,
                                                     slack_settings: Settings) -> None:
    """When Slack refuses the upload for good, the member is told in a DM, with what to do."""
    seed_maria(engine)
    slack.fake.fail_next("files.getUploadURLExternal", status=200, error="missing_scope")
    slack.ask("export csv", user="U1")
    run_jobs(engine, slack_settings)
    dm = slack.fake.last("chat.postMessage")
    assert dm["channel"] == "D1"  # the DM conversations.open gave
    assert "could not be made and sent" in dm["text"]
    assert "/ce export csv" in dm["text"]
    assert slack.fake.uploads == []


def test_member_with_nothing_gets_an_empty_transcript(slack: SlackHarness, engine: Engine,
                                                     slack_settings: Settings) -> None:
    """A new member's PDF says nothing is tracked and how to start, and still opens."""
    slack.ask("export pdf", user="U2")
    run_jobs(engine, slack_settings)
    assert "0 courses" in slack.fake.last("files.completeUploadExternal")["initial_comment"]
    flat = " ".join(pdf_text(wait_upload(slack.fake).data).split())
    assert "/ce track" in flat
