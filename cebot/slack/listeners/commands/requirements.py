"""``/ce requirements [KEY]``: every key you can track, or one rule with its sources and unconfirmed parts."""

from __future__ import annotations

from slack_bolt import App

from cebot.domain.parsing import parse_requirements
from cebot.services.credentials import resolve_catalog, workspace_set_origins
from cebot.slack.context import CommandContext
from cebot.slack.listeners.commands.router import register_subcommand
from cebot.slack.listeners.commands.track import unknown_key_reply
from cebot.slack.render.clinic_target import origin_line
from cebot.slack.render.requirements import catalog_blocks, catalog_text, requirement_blocks, requirement_text


def handle_requirements(ctx: CommandContext) -> None:
    key = parse_requirements(ctx.rest)
    catalog = resolve_catalog(session=ctx.session, workspace_id=ctx.workspace.id or 0)
    if key is None:
        ctx.respond(catalog_text(catalog), blocks=catalog_blocks(catalog))
        return
    rs = catalog.get(key)
    if rs is None:
        ctx.respond(unknown_key_reply(catalog, key, "requirements"))
        return
    origin = None
    if rs.workspace_defined:
        set_by = workspace_set_origins(session=ctx.session, workspace_id=ctx.workspace.id or 0).get(rs.key)
        origin = origin_line(set_by.set_by, set_by.set_at) if set_by else None
    ctx.respond(requirement_text(rs), blocks=requirement_blocks(rs, origin=origin))


def register(app: App) -> None:
    register_subcommand("requirements", handle_requirements)
