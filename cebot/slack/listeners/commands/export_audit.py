"""``/ce export audit KEY [cycle]``: the audit packet (a ZIP: transcript, certificate files, index, what is
missing) for one credential's current or named cycle, built by a ``certificate.audit`` job and sent to the DM.

Reached from ``/ce export`` (``audit`` is its first word). The key is checked here, so a typo gets its answer
at once; the cycle is checked by the job (it needs the progress engine), whose failure DM says what to try.
"""

from __future__ import annotations

from cebot.domain.parsing import parse_audit
from cebot.jobs import certificate_jobs
from cebot.services.credentials import list_credentials
from cebot.services.errors import NotFound
from cebot.slack.context import CommandContext
from cebot.slack.render import certificates as render


def handle_export_audit(ctx: CommandContext, rest: str) -> None:
    request = parse_audit(rest)
    tracked = sorted(c.requirement_key for c in list_credentials(session=ctx.session, member=ctx.member))
    if request.key not in tracked:
        raise NotFound(f"You're not tracking {request.key} (you track: {', '.join(tracked) or 'nothing yet'}). "
                       f"Start with /ce track {request.key}.")
    request_id = str(ctx.trigger_id or ctx.body.get("response_url") or "")
    certificate_jobs.enqueue_audit(session=ctx.session, workspace=ctx.workspace, member=ctx.member,
                                   key=request.key, cycle=request.cycle, request_id=request_id)
    ctx.respond(render.audit_started(request.key))
