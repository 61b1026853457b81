"""``/ce mydata export`` (everything about you as JSON, in your DM) and ``/ce mydata delete`` (asks first)."""

from __future__ import annotations

import json

from slack_bolt import App

from cebot.domain.parsing import parse_mydata
from cebot.services import mydata
from cebot.slack.context import CommandContext
from cebot.slack.listeners.commands.export import safe_filename, upload_to_dm
from cebot.slack.listeners.commands.router import register_subcommand
from cebot.slack.render import exports as render

COUNTED_KEYS = ("credentials", "entries", "entry_changes", "milestones", "deliveries")


def handle_mydata(ctx: CommandContext) -> None:
    request = parse_mydata(ctx.rest)
    if request.action == "delete":
        report = mydata.data_counts(session=ctx.session, member=ctx.member)
        ctx.respond(**render.mydata_confirm(report, ctx.user_id))
        return
    data = mydata.export_member_data(session=ctx.session, member=ctx.member, workspace=ctx.workspace)
    content = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True).encode("utf-8")
    counts = {k: len(data[k]) for k in COUNTED_KEYS}
    name = f"cebot-my-data-{safe_filename(ctx.member.slack_user_id)}-{ctx.today.isoformat()}.json"
    upload_to_dm(ctx.client, ctx.user_id, content=content, filename=name, title="Everything cebot keeps about you",
                 comment=render.mydata_export_comment(counts))
    ctx.respond(render.mydata_export_sent())


def register(app: App) -> None:
    register_subcommand("mydata", handle_mydata, summary="export or delete everything cebot keeps about you")
