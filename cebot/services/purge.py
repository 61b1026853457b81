"""Deleting what is past its retention period: uninstalled workspaces and certificates of deleted courses.

One transaction removes the rows; the stored files no row holds any more are deleted only after it commits (a
failure leaves an unreferenced object, never a row without its file). Such leftovers, from this purge or an
earlier ``/ce mydata delete``, are swept on the next run: any stored file no row holds, written over a day ago.
The clock runs :func:`purge_past_retention` with its hourly housekeeping; ``cebot purge-uninstalled`` runs it by
hand (and with ``--dry-run``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from cebot.core.db import session_scope
from cebot.core.settings import Settings
from cebot.services import certificate_retention, certificates, tenancy
from cebot.services.certificate_files import delete_stored_files, open_store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Purge:
    """What one purge deleted (or, on a dry run, would delete)."""

    days: int
    """The workspace retention period applied, in days."""
    workspaces: list[tenancy.PurgeReport]
    certificates: int
    """Certificate rows past their own retention period."""
    files: int
    """Stored files removed (0 on a dry run), leftovers included."""
    leftovers: int
    """Of those (on a dry run: would be), files an earlier deletion had left behind."""

    @property
    def deleted_anything(self) -> bool:
        return bool(self.workspaces or self.certificates or self.files or self.leftovers)


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
    store = open_store(settings)
    leftovers = _leftovers(engine, store, now=now, dry_run=dry_run)
    if leftovers and not dry_run:
        log.warning("deleting %d stored certificate file(s) no row holds, left by an earlier deletion", len(leftovers))
        files += certificate_retention.delete_files(store, leftovers)
    return Purge(days=days, workspaces=reports, certificates=expired.rows, files=files, leftovers=len(leftovers))


def _leftovers(engine: Engine, store: Any, *, now: datetime | None, dry_run: bool) -> list[str]:
    """Stored files no row holds (written over a day ago), checked again in a fresh transaction after the listing
    (which may take a while on S3), so a file shared anew meanwhile is kept."""
    from cebot.certificates import StoreError  # the certificate package (image libraries) only when purging

    try:
        with session_scope(engine) as session:
            listed = certificate_retention.unheld_files(session=session, store=store, now=now)
    except StoreError:  # the rows' purge is done; the next run sweeps what this one could not list
        log.exception("could not list the certificate store %r", store)
        return []
    if dry_run or not listed:
        return listed
    with session_scope(engine) as session:
        return certificates.unreferenced(session=session, hashes=listed)
