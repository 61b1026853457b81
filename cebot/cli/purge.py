"""``cebot purge-uninstalled [--dry-run] [--days N]``: delete what is past its retention period, now.

The clock does this every hour (:mod:`cebot.services.purge`): workspaces uninstalled longer ago than
``UNINSTALLED_RETENTION_DAYS`` (90 by default), certificates past their retention period
(:mod:`cebot.services.certificate_retention`) and the stored files no row holds any more. Run it by hand to
purge at once, with another ``--days``, or with ``--dry-run`` to see what would go (nothing is deleted).
"""

from __future__ import annotations

import argparse
import sys

from cebot.core.settings import load_settings
from cebot.services.bootstrap import prepare_database
from cebot.services.purge import purge_past_retention


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    if args.days is not None and args.days < 0:
        sys.stderr.write("--days must be 0 or more\n")
        return 2
    engine = prepare_database(settings)
    done = purge_past_retention(engine=engine, settings=settings, days=args.days, dry_run=args.dry_run)
    verb = "Would delete" if args.dry_run else "Deleted"
    out = sys.stdout
    out.write(f"{verb} {done.certificates} certificate(s) past their retention period; {done.files} stored file(s) "
              "removed.\n")
    if not done.workspaces:
        out.write(f"No workspace was uninstalled more than {done.days} days ago; nothing to delete.\n")
        return 0
    out.write(f"{verb} {len(done.workspaces)} workspace(s) uninstalled more than {done.days} days ago:\n")
    for report in done.workspaces:
        out.write(f"- {report}\n")
    if args.dry_run:
        out.write("Dry run: nothing was deleted. Run without --dry-run to delete.\n")
    return 0
