"""``cebot purge-uninstalled [--dry-run]``: delete workspaces uninstalled longer ago than the retention period.

The retention period is ``UNINSTALLED_RETENTION_DAYS`` (90 by default); run this daily (a cron job or a
scheduler add-on). ``--dry-run`` prints what would go and deletes nothing. It also removes certificates past
their retention period (:mod:`cebot.services.certificate_retention`) and stored files no row holds any more.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta

from cebot.db import session_scope
from cebot.services import certificate_retention, tenancy
from cebot.services.bootstrap import prepare_database
from cebot.services.certificate_files import delete_stored_files
from cebot.settings import load_settings


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    days = args.days if args.days is not None else settings.uninstalled_retention_days
    if days < 0:
        sys.stderr.write("--days must be 0 or more\n")
        return 2
    engine = prepare_database(settings)
    with session_scope(engine) as session:
        reports = tenancy.purge_uninstalled(session=session, retention=timedelta(days=days), dry_run=args.dry_run)
        expired = certificate_retention.purge_expired(session=session, dry_run=args.dry_run)
    # The rows are gone (committed): now the stored files nothing holds any more.
    files = delete_stored_files(settings, [h for r in reports for h in r.released] + list(expired.hashes))
    verb = "Would delete" if args.dry_run else "Deleted"
    out = sys.stdout
    out.write(f"{verb} {expired.rows} certificate(s) past their retention period; {files} stored file(s) "
              "removed.\n")
    if not reports:
        out.write(f"No workspace was uninstalled more than {days} days ago; nothing to delete.\n")
        return 0
    out.write(f"{verb} {len(reports)} workspace(s) uninstalled more than {days} days ago:\n")
    for report in reports:
        out.write(f"- {report}\n")
    if args.dry_run:
        out.write("Dry run: nothing was deleted. Run without --dry-run to delete.\n")
    return 0
