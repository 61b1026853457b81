"""``/ce mydata export`` (everything about you as JSON, in your DM) and ``/ce mydata delete`` (asks first)."""

from __future__ import annotations

from slack_bolt import App

from cebot.domain.parsing import parse_mydata
from cebot.jobs import exports as export_jobs
from cebot.services import mydata
from cebot.services.jobs import enqueue
from cebot.slack.context import CommandContext
from cebot.slack.listeners.commands.router import register_subcommand
from cebot.slack.mrkdwn import code
from cebot.slack.render import exports as render
from cebot.slack.render.jobs import on_its_way


def handle_mydata(ctx: CommandContext) -> None:
    request = parse_mydata(ctx.rest)
    if request.action == "delete":
        report = mydata.data_counts(session=ctx.session, member=ctx.member)
        ctx.respond(**render.mydata_confirm(report, ctx.user_id))
        return
    # The JSON file is built and uploaded by a job (cebot.jobs.exports); one job per command (its trigger_id).
    queued = enqueue(session=ctx.session, workspace=ctx.workspace, member=ctx.member, kind=export_jobs.MYDATA_EXPORT,
                     payload=export_jobs.mydata_job(ctx.today),
                     key=f"mydata:{ctx.trigger_id}" if ctx.trigger_id else None)
    ctx.respond(on_its_way("data export (a JSON file)", queued=queued,
                           then=f"To erase it all: {code('/ce mydata delete')}."))


def register(app: App) -> None:
    register_subcommand("mydata", handle_mydata)
