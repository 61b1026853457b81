"""``/ce team`` (managers): everyone's progress at a glance, overdue and at-risk people first."""

from __future__ import annotations

from slack_bolt import App

from cebot.services.progress import team_progress
from cebot.services.workspaces import is_manager, list_members, require_fresh_admin_flag
from cebot.slack.context import CommandContext
from cebot.slack.listeners.commands.router import register_subcommand
from cebot.slack.render.team import refusal_text, team_blocks, team_text


def handle_team(ctx: CommandContext) -> None:
    require_fresh_admin_flag(ctx.member, "show the team's progress")
    if not is_manager(ctx.member):
        managers = [m for m in list_members(session=ctx.session, workspace=ctx.workspace) if is_manager(m)]
        ctx.respond(refusal_text(managers))
        return
    team = team_progress(session=ctx.session, workspace=ctx.workspace, today=ctx.today)
    ctx.respond(team_text(team), blocks=team_blocks(team, today=ctx.today))


def register(app: App) -> None:
    register_subcommand("team", handle_team)
