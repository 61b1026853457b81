"""The weekly summary's chart: drawn and uploaded by a durable job, after the summary text went out.

Drawing the PNG (matplotlib) takes most of a second of CPU; a hundred summaries due at once would hold the tick
for over a minute. So the clock sends the summary's text in the tick and, in the transaction that marks the
summary sent, enqueues a ``summary.chart`` job (key per delivery id: a re-marked or replayed summary makes no
second chart). The payload carries the chart's rows as planned, so the picture is the summary's, not a later
state. The worker (the clock process runs it too) draws the PNG and uploads it to the summary's channel.

A Slack error fails the attempt and the worker retries it (a permanent one fails at once); the summary itself
stays sent and is never posted again for its picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from cebot.exports.chart import ChartRow, render_team_chart
from cebot.jobs.registry import JobRun, job_handler

SUMMARY_CHART = "summary.chart"


def chart_job(*, channel: str, rows: Sequence[ChartRow], today: date) -> dict[str, Any]:
    """The payload of a ``summary.chart`` job: where the summary went and the rows to draw (JSON only)."""
    return {"channel": channel, "today": today.isoformat(),
            "rows": [[r.member, r.credential, r.counted, r.required, r.status] for r in rows]}


def chart_title(today: date) -> str:
    return f"CE progress, {today:%b} {today.day}"


def _log_only(run: JobRun, reason: str) -> None:
    """Nobody asked for the chart: a failure is logged by the worker, and nobody is DMed."""


@job_handler(SUMMARY_CHART, on_failure=_log_only)
def upload_summary_chart(run: JobRun) -> None:
    """Draw the summary's chart from its payload and upload it to the summary's channel."""
    rows = [ChartRow(str(m), str(c), int(n), int(req), str(s)) for m, c, n, req, s in run.payload["rows"]]
    today = date.fromisoformat(str(run.payload["today"]))
    png = render_team_chart(rows, title=chart_title(today))
    run.client.files_upload_v2(channel=str(run.payload["channel"]), content=png, filename="ce-progress.png",
                               title="CE progress")
