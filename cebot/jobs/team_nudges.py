"""The ``team_nudge`` job: one DM to each member at risk, at most once per ISO week per person.

Each DM is claimed in the delivery table first (``kind=team_nudge``, ``period=<week>``), so a retried job, a
second worker or a second request in the same week never sends it twice; a send that fails is marked for a
retry and the job raises :class:`~cebot.jobs.registry.RetryLater`, and the retry sends only what is still open.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlmodel import col

from cebot.jobs import delivery
from cebot.jobs.registry import JobRun, RetryLater, job_handler
from cebot.models import Delivery
from cebot.services.scheduled import OPEN_STATES, Planned, delivery_state
from cebot.services.team_nudges import TEAM_NUDGE, nudge_targets
from cebot.slack.dm import post_dm
from cebot.slack.render.reminders import render_team_nudge

logger = logging.getLogger(__name__)


@job_handler(TEAM_NUDGE)
def send_team_nudges(run: JobRun) -> None:
    week = str(run.payload["week"])
    today = date.fromisoformat(str(run.payload["today"]))
    workspace = run.workspace
    assert workspace.id is not None
    now = datetime.now(UTC)
    targets = {t.slack_user_id: t for t in nudge_targets(session=run.session, workspace=workspace, today=today)}
    states = {to: delivery_state(status, nxt, now) for to, status, nxt in run.session.execute(
        sa.select(col(Delivery.recipient), col(Delivery.status), col(Delivery.next_attempt_at)).where(
            col(Delivery.workspace_id) == workspace.id, col(Delivery.kind) == TEAM_NUDGE,
            col(Delivery.period) == week))}
    planned = [Planned(workspace.id, workspace.team_id, uid, TEAM_NUDGE, week, "a manager asked", None,
                       states.get(uid, "new"))
               for uid in sorted(targets) if states.get(uid, "new") in OPEN_STATES]
    run.session.commit()  # release the read before the claims write (SQLite allows one writer)
    failed = 0
    for claim in delivery.claim(run.engine, planned, now):
        uid = claim.planned.recipient
        try:
            message = render_team_nudge(targets[uid].credentials, uid, today)
            response = post_dm(run.client, uid, team_id=workspace.team_id, unfurl_links=False, **message)
        except Exception as exc:
            failed += 1
            delivery.mark_failed(run.engine, claim, datetime.now(UTC), str(exc))
            continue
        delivery.mark_sent(run.engine, claim, datetime.now(UTC), response.get("ts"))
    if failed:
        raise RetryLater(f"{failed} nudge(s) could not be sent yet")
