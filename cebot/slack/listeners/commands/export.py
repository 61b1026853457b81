"""``/ce export csv|pdf [KEY]`` (a member's transcript) and ``/ce export team csv`` (managers), sent to the DM.

The request checks what it can at once (the format, a tracked key, the manager role), records an export job in
its transaction and answers that the file is on its way; the worker builds and uploads it
(:mod:`cebot.jobs.exports`). The job's key is the command's ``trigger_id``, so a replay or double send of the
same command makes one file.
"""

from __future__ import annotations

from slack_bolt import App

from cebot.domain.parsing import parse_export
from cebot.jobs import exports as export_jobs
from cebot.services import exports
from cebot.services.jobs import enqueue
from cebot.services.workspaces import require_manager
from cebot.slack.context import CommandContext
from cebot.slack.listeners.commands.export_audit import handle_export_audit
from cebot.slack.listeners.commands.router import register_subcommand
from cebot.slack.mrkdwn import code
from cebot.slack.render.jobs import on_its_way


def handle_export(ctx: CommandContext) -> None:
    first, _, rest = ctx.rest.partition(" ")
    if first.lower() == "audit":
        handle_export_audit(ctx, rest)
        return
    request = parse_export(ctx.rest)
    key = f"export:{ctx.trigger_id}" if ctx.trigger_id else None
    if request.scope == "team":
        require_manager(ctx.member, "export the team's progress")
        queued = enqueue(session=ctx.session, workspace=ctx.workspace, member=ctx.member,
                         kind=export_jobs.EXPORT_TEAM, payload=export_jobs.team_job(ctx.today), key=key)
        ctx.respond(on_its_way("team CSV", queued=queued, then=f"See it in Slack with {code('/ce team')}."))
        return
    exports.require_tracked(session=ctx.session, member=ctx.member, key=request.key)
    queued = enqueue(session=ctx.session, workspace=ctx.workspace, member=ctx.member,
                     kind=export_jobs.EXPORT_TRANSCRIPT, key=key,
                     payload=export_jobs.transcript_job(request.fmt, request.key, ctx.today))
    other = code("/ce export csv") if request.fmt == "pdf" else code("/ce export pdf")
    ctx.respond(on_its_way(request.fmt.upper(), queued=queued, then=f"Need the other format? {other}."))


def register(app: App) -> None:
    register_subcommand("export", handle_export)
