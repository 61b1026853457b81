"""The team chart: a PNG with one bar per member and credential, coloured by status, drawn headless."""

from __future__ import annotations

import io
from datetime import date

import time_machine
from PIL import Image
from sqlalchemy.engine import Engine

from cebot.core.settings import Settings
from cebot.exports.chart import STATUS_COLOURS, ChartRow, ordered, render_team_chart
from cebot.jobs.clock import tick
from cebot.jobs.worker import run_due_jobs
from cebot.shell.fake_slack import FakeSlack
from tests.helpers.clock_helpers import deliveries, seed_member, seed_workspace, sender_for, utc


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def colours(png: bytes) -> set[tuple[int, int, int]]:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return {(c[0], c[1], c[2]) for _, c in image.getcolors(maxcolors=1 << 20) or [] if isinstance(c, tuple)}


def test_chart_is_a_png_with_the_status_colours_present() -> None:
    """An overdue and a complete member give a PNG with red and green bars, and no orange (nobody at risk)."""
    png = render_team_chart([ChartRow("Sam", "FL", 8, 96, "overdue"), ChartRow("Dana", "NY", 144, 144, "complete")])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    found = colours(png)
    assert _rgb(STATUS_COLOURS["overdue"]) in found
    assert _rgb(STATUS_COLOURS["complete"]) in found
    assert _rgb(STATUS_COLOURS["due_soon"]) not in found


def test_chart_grows_with_the_team() -> None:
    """More rows make a taller picture; the width stays the same."""
    small = Image.open(io.BytesIO(render_team_chart([ChartRow("A", "FL", 4, 96, "on_pace")])))
    big = Image.open(io.BytesIO(render_team_chart([ChartRow(f"M{i}", "FL", 4 * i, 96, "on_pace")
                                                   for i in range(12)])))
    assert big.size[0] == small.size[0]
    assert big.size[1] > small.size[1]


def test_empty_team_still_renders() -> None:
    """With nobody tracking, the chart is a small PNG saying so."""
    assert render_team_chart([]).startswith(b"\x89PNG")


def test_order_puts_who_needs_help_first() -> None:
    """Overdue, then at risk, then on track by share done, then complete."""
    rows = [ChartRow("C", "FL", 96, 96, "complete"), ChartRow("B", "FL", 80, 96, "on_pace"),
            ChartRow("A", "FL", 10, 96, "on_pace"), ChartRow("Z", "FL", 0, 96, "overdue"),
            ChartRow("Y", "FL", 50, 96, "due_soon")]
    assert [r.member for r in ordered(rows)] == ["Z", "Y", "A", "B", "C"]


def test_share_is_clamped_and_unknown_cycles_show_empty() -> None:
    """Over-achievers show a full bar; a credential waiting for information shows none."""
    assert ChartRow("A", "FL", 200, 96, "complete").share == 1.0
    assert ChartRow("A", "AMMA", 0, 0, "needs_info").share == 0.0
    assert ChartRow("A", "CA", 0, 0, "exempt").share == 1.0


def test_very_big_team_is_capped() -> None:
    """Past 40 rows the chart stops growing (the rest is one /ce team away)."""
    capped = Image.open(io.BytesIO(render_team_chart([ChartRow(f"M{i}", "FL", 0, 96, "overdue")
                                                      for i in range(60)])))
    forty = Image.open(io.BytesIO(render_team_chart([ChartRow(f"M{i}", "FL", 0, 96, "overdue")
                                                     for i in range(40)])))
    assert capped.size[1] - forty.size[1] < 60


def test_weekly_summary_uploads_the_chart_to_its_channel(engine: Engine, settings: Settings,
                                                         fake_slack: FakeSlack) -> None:
    """The clock posts the summary; its chart job then uploads the team chart (v2 sequence) to the same channel,
    once, however often the clock ticks and the worker runs."""
    ws = seed_workspace(engine, summary={"channel": "C0SUMMARY", "day": "mon", "time": "09:00"})
    seed_member(engine, ws, "U1", deadline=date(2027, 8, 31), entries=[(date(2026, 1, 5), 24, ["ethics"])])
    seed_member(engine, ws, "U2", deadline=date(2026, 4, 30))
    sender = sender_for(settings, fake_slack.url)
    slack_settings = settings.model_copy(update={"slack_api_url": fake_slack.url})
    with time_machine.travel(utc(2026, 3, 9, 13, 5), tick=False):
        tick(engine, sender)
        assert fake_slack.uploads == []  # the tick sends the text; the picture is the job's
        tick(engine, sender)
        assert run_due_jobs(engine=engine, settings=slack_settings) == 1
        assert run_due_jobs(engine=engine, settings=slack_settings) == 0
    [summary] = [c for c in fake_slack.calls("chat.postMessage") if c["channel"] == "C0SUMMARY"]
    assert not any(isinstance(v, bytes) for v in summary.args.values())
    assert fake_slack.last("files.completeUploadExternal")["channel_id"] == "C0SUMMARY"
    assert len(fake_slack.uploads) == 1
    png = fake_slack.uploads[0].data
    assert png.startswith(b"\x89PNG")
    found = colours(png)
    assert _rgb(STATUS_COLOURS["due_soon"]) in found or _rgb(STATUS_COLOURS["overdue"]) in found


def test_chart_upload_failure_keeps_the_summary_sent(engine: Engine, settings: Settings,
                                                     fake_slack: FakeSlack) -> None:
    """If Slack refuses the chart, the summary message still counts as sent and is not posted again."""
    ws = seed_workspace(engine, summary={"channel": "C0SUMMARY", "day": "mon", "time": "09:00"})
    seed_member(engine, ws, "U1", deadline=date(2027, 8, 31))
    fake_slack.fail_next("files.getUploadURLExternal", status=200, error="not_in_channel")
    sender = sender_for(settings, fake_slack.url)
    slack_settings = settings.model_copy(update={"slack_api_url": fake_slack.url})
    with time_machine.travel(utc(2026, 3, 9, 13, 5), tick=False):
        tick(engine, sender)
        run_due_jobs(engine=engine, settings=slack_settings)
        tick(engine, sender)
        run_due_jobs(engine=engine, settings=slack_settings)
    assert fake_slack.uploads == []
    assert len([c for c in fake_slack.calls("chat.postMessage") if c["channel"] == "C0SUMMARY"]) == 1
    assert [d.status for d in deliveries(engine) if d.kind == "summary"] == ["sent"]
