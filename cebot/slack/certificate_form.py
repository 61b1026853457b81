"""The certificate side of the logging modal: the file input becomes a ``certificate.fetch`` job for the course
just saved, and *Edit* on a proposal opens the modal prefilled with what was read, carrying the certificate id
in ``private_metadata`` so its submission saves the proposal (once) instead of logging a second course."""

from __future__ import annotations

import json
from typing import Any

from cebot.domain.facts import LogRequest
from cebot.jobs import certificate_jobs
from cebot.services import certificates
from cebot.services.progress import member_progress
from cebot.slack.context import MemberScope
from cebot.slack.render import certificates as certificate_render
from cebot.slack.render import ledger as render
from cebot.slack.render import ledger_modal
from cebot.slack.render.exports import CERTIFICATE_BLOCK

META_KEY = "certificate_id"


def with_certificate(view: dict[str, Any], certificate_id: int | None) -> dict[str, Any]:
    """``view`` (the logging modal) carrying ``certificate_id`` in its ``private_metadata``."""
    if certificate_id is None:
        return view
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        meta = {}
    meta = meta if isinstance(meta, dict) else {}
    meta[META_KEY] = certificate_id
    view["private_metadata"] = json.dumps(meta, separators=(",", ":"))
    return view


def certificate_id_of(private_metadata: str | None) -> int | None:
    try:
        value = json.loads(private_metadata or "{}").get(META_KEY)
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def edit_view(scope: MemberScope, certificate_id: int) -> dict[str, Any]:
    """The logging modal prefilled from the certificate's reading (NotFound if it is not the member's)."""
    row = certificates.get_certificate(session=scope.session, member=scope.member, certificate_id=certificate_id)
    view = ledger_modal.log_modal(today=scope.today, prefill=certificates.proposal_request(row))
    return with_certificate(view, row.id)


def save_edited(scope: MemberScope, request: LogRequest, certificate_id: int) -> dict[str, Any]:
    """Save the proposal as the member edited it; the confirmation message (or "already saved")."""
    before = member_progress(session=scope.session, member=scope.member, today=scope.today)
    saved = certificates.save_proposal(session=scope.session, member=scope.member, certificate_id=certificate_id,
                                       request=request)
    if not saved.created:
        return certificate_render.saved(saved.entry.id or 0, saved.entry.title, saved.entry.hours_q, created=False)
    after = member_progress(session=scope.session, member=scope.member, today=scope.today)
    return render.logged_message(saved.entry, after, before, today=scope.today)


def fetch_form_file(scope: MemberScope, values: dict[str, Any], entry_id: int | None) -> bool:
    """Queue the modal's certificate file for the course it saved (``entry_id``; the one just logged if None)."""
    found = certificates.form_file(values, CERTIFICATE_BLOCK)
    if found is None:
        return False
    entry_id = entry_id or certificates.latest_entry_id(session=scope.session, member=scope.member)
    if entry_id is None:
        return False
    return certificate_jobs.enqueue_fetch(session=scope.session, workspace=scope.workspace, member=scope.member,
                                          file_id=found[0], entry_id=entry_id, origin="form")
