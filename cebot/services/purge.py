"""Deleting what is past its retention period: uninstalled workspaces and certificates of deleted courses.

One transaction removes the rows; the stored files no row holds any more are deleted only after it commits (a
failure leaves an unreferenced object, never a row without its file). The clock runs :func:`purge_past_retention`
with its hourly housekeeping; ``cebot purge-uninstalled`` runs it by hand (and with ``--dry-run``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from cebot.core.db import session_scope
from cebot.core.settings import Settings
from cebot.services import certificate_retention, tenancy
from cebot.services.certificate_files import delete_stored_files


@dataclass(frozen=True)
class Purge:
    """What one purge deleted (or, on a dry run, would delete)."""

    days: int
    """The workspace retention period applied, in days."""
    workspaces: list[tenancy.PurgeReport]
    certificates: int
    """Certificate rows past their own retention period."""
    files: int
    """Stored files removed (0 on a dry run)."""


def purge_past_retention(*, engine: Engine, settings: Settings, days: int | None = None,
                         now: datetime | None = None, dry_run: bool = False) -> Purge:
    """Delete workspaces uninstalled over ``days`` (default ``UNINSTALLED_RETENTION_DAYS``) ago and certificates
    past their retention, then the stored files nothing holds any more."""
    days = settings.uninstalled_retention_days if days is None else days
    with session_scope(engine) as session:
        reports = tenancy.purge_uninstalled(session=session, retention=timedelta(days=days), now=now,
                                            dry_run=dry_run)
        expired = certificate_retention.purge_expired(session=session, now=now, dry_run=dry_run)
    released = [h for r in reports for h in r.released] + list(expired.hashes)
    files = 0 if dry_run else delete_stored_files(settings, released)
    return Purge(days=days, workspaces=reports, certificates=expired.rows, files=files)
