"""``/ce amma``: the AMMA medical-massage pathway checklist, the next step and CE hours toward the clinic's target."""

from __future__ import annotations

from slack_bolt import App

from cebot.domain.amma import PathwayStatus, pathway_status
from cebot.services import ledger, milestones
from cebot.services.credentials import resolve_catalog
from cebot.services.progress import member_progress
from cebot.slack import blocks as bk
from cebot.slack.context import CommandContext
from cebot.slack.listeners.commands.router import register_subcommand
from cebot.slack.render.amma import amma_blocks, amma_text

AMMA = "AMMA"
MEDICAL_MASSAGE_SUBJECTS = ("medical_massage",)
"""The subject tags counted as medical-massage CE when the clinic has no target of its own."""


def pathway_reply(ctx: CommandContext, *, lead: str | None = None) -> tuple[str, list[bk.Block]]:
    """The member's checklist as (fallback text, blocks), with ``lead`` first (used by ``/ce milestone`` too)."""
    reached = milestones.list_milestones(session=ctx.session, member=ctx.member)
    catalog = resolve_catalog(session=ctx.session, workspace_id=ctx.workspace.id or 0)
    rs = catalog.get(AMMA)
    target_defined = rs is not None and rs.tracks_hours
    progress = next((p for p in member_progress(session=ctx.session, member=ctx.member, today=ctx.today)
                     if p.key == AMMA), None)
    status: PathwayStatus = pathway_status(reached, progress if target_defined else None)
    logged = None
    if status.ce_target is None:  # no target counts them: say how many hours are logged at all
        logged = ledger.hours_by_subject(session=ctx.session, member=ctx.member, subjects=MEDICAL_MASSAGE_SUBJECTS)
    text = amma_text(status)
    return (f"{lead}\n{text}" if lead else text), amma_blocks(
        status, target_defined=target_defined, tracking=progress is not None, lead=lead, logged=logged)


def handle_amma(ctx: CommandContext) -> None:
    text, blocks = pathway_reply(ctx)
    ctx.respond(text, blocks=blocks)


def register(app: App) -> None:
    register_subcommand("amma", handle_amma)
