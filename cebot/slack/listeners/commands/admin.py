"""``/ce admin``: ``managers add|remove @person``, ``managers [list]``, and the weekly summary.

Workspace admins and owners (as ``users.info`` reports them) are always
managers; only managers may add or remove one. The ``summary`` actions are
served by :func:`cebot.slack.listeners.commands.admin_summary.handle_admin_summary`;
this module registers the one ``admin`` subcommand (it is registered before
``admin_summary``, whose fallback then stands aside).
"""

from __future__ import annotations

from slack_bolt import App

from cebot.domain.parsing import AdminRequest, parse_admin
from cebot.models import Member
from cebot.services import workspaces
from cebot.slack.context import CommandContext, ensure_registered
from cebot.slack.listeners.commands.admin_summary import handle_admin_summary
from cebot.slack.listeners.commands.admin_target import handle_target, is_target
from cebot.slack.listeners.commands.router import register_subcommand
from cebot.slack.mrkdwn import code
from cebot.slack.render.team import managers_text, who


def _target(ctx: CommandContext, user_id: str) -> Member:
    """The member for ``user_id``, registered if new, with a fresh Slack profile (so admins are known)."""
    if user_id == ctx.member.slack_user_id:
        return ctx.member
    _, member = ensure_registered(ctx.session, ctx.client, ctx.team_id, user_id)
    return member


def _add(ctx: CommandContext, request: AdminRequest) -> None:
    workspaces.require_manager(ctx.member, "add a manager")
    lines = []
    for user_id in request.user_ids:
        target = _target(ctx, user_id)
        if workspaces.is_manager(target):
            why = "a Slack admin or owner, so always" if target.is_slack_admin else "already"
            lines.append(f"{who(target)} is {why} a manager.")
            continue
        workspaces.set_manager(session=ctx.session, workspace=ctx.workspace, acting=ctx.member,
                               target_user_id=user_id, on=True)
        lines.append(f":white_check_mark: {who(target)} is now a manager: they can use {code('/ce team')} and "
                     f"{code('/ce admin')}.")
    lines.append(f"See every manager with {code('/ce admin managers')}.")
    ctx.respond("\n".join(lines))


def _remove(ctx: CommandContext, request: AdminRequest) -> None:
    workspaces.require_manager(ctx.member, "remove a manager")
    lines = []
    for user_id in request.user_ids:
        target = _target(ctx, user_id)
        had_role = target.role == workspaces.MANAGER
        if had_role:
            workspaces.set_manager(session=ctx.session, workspace=ctx.workspace, acting=ctx.member,
                                   target_user_id=user_id, on=False)
        if target.is_slack_admin:
            lines.append(f"{who(target)} is a Slack workspace admin or owner, so they stay a manager: I can't take "
                         "that away (only a change of their role in Slack can).")
        elif had_role:
            lines.append(f":white_check_mark: {who(target)} is no longer a manager.")
        else:
            lines.append(f"{who(target)} wasn't a manager, so nothing changed.")
    lines.append(f"See every manager with {code('/ce admin managers')}.")
    ctx.respond("\n".join(lines))


def _list(ctx: CommandContext) -> None:
    members = workspaces.list_members(session=ctx.session, workspace=ctx.workspace)
    ctx.respond(managers_text([m for m in members if workspaces.is_manager(m)]))


def handle_admin(ctx: CommandContext) -> None:
    if is_target(ctx.rest):
        handle_target(ctx)
        return
    request = parse_admin(ctx.rest)
    if request.action == "managers_add":
        _add(ctx, request)
    elif request.action == "managers_remove":
        _remove(ctx, request)
    elif request.action == "managers_list":
        _list(ctx)
    else:
        handle_admin_summary(ctx, request)


def register(app: App) -> None:
    register_subcommand("admin", handle_admin)
