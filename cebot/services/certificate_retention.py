"""How long stored certificate files are kept, and removing them (the rows in a transaction, the bytes after).

A certificate whose course is in the ledger is kept. One whose course was deleted is kept until the longest
record-keeping rule of the boards the member tracks has run out (:func:`cebot.domain.retention.keep_until`),
so an undo, or an audit of a cycle the course counted toward, still finds it. A proposal never saved is kept
:data:`~cebot.domain.retention.UNSAVED_DAYS` days. The clock runs :func:`purge_expired` hourly
(:mod:`cebot.services.purge`). Deleting rows returns the hashes no row holds any more; :func:`delete_files`
removes those from the store once the transaction has committed (a failed deletion leaves an unreferenced
object, never a row without its file).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from cebot.domain.retention import UNSAVED_DAYS, keep_until
from cebot.models import CEEntry, Certificate, Credential, utcnow
from cebot.services import certificates
from cebot.services.credentials import shipped_catalog

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionReport:
    rows: int
    hashes: tuple[str, ...]
    """Store objects no certificate row holds any more: delete them after commit."""


def _boards(session: Session, member_ids: Iterable[int]) -> dict[int, list[tuple[str, int | None]]]:
    """Per member: (key, cycle months) of every credential they track (one query)."""
    catalog = shipped_catalog()
    out: dict[int, list[tuple[str, int | None]]] = {}
    rows = session.exec(select(Credential.member_id, Credential.requirement_key)
                        .where(col(Credential.member_id).in_(sorted(set(member_ids)))))
    for member_id, key in rows:
        rs = catalog.get(key)
        out.setdefault(member_id, []).append((key, rs.cycle_months if rs is not None else None))
    return out


def expired(*, session: Session, now: datetime | None = None) -> list[Certificate]:
    """Certificates past their retention: unsaved proposals after :data:`UNSAVED_DAYS` days, and those of
    deleted courses after :func:`keep_until` (a constant number of queries)."""
    now = now or utcnow()
    today = now.date()
    unsaved = list(session.exec(select(Certificate).where(
        col(Certificate.entry_id).is_(None), col(Certificate.created_at) < now - timedelta(days=UNSAVED_DAYS))))
    orphaned = list(session.exec(
        select(Certificate, col(CEEntry.completed_on))
        .join(CEEntry, col(CEEntry.id) == col(Certificate.entry_id))
        .where(col(CEEntry.deleted_at).is_not(None))
    ))
    boards = _boards(session, (c.member_id for c, _ in orphaned))
    gone = [c for c, completed_on in orphaned if keep_until(completed_on, boards.get(c.member_id, [])) < today]
    return unsaved + gone


def purge_expired(*, session: Session, now: datetime | None = None, dry_run: bool = False) -> RetentionReport:
    """Delete the rows :func:`expired` finds (clearing their entries' certificate columns)."""
    rows = expired(session=session, now=now)
    if dry_run or not rows:
        return RetentionReport(rows=len(rows), hashes=())
    hashes = [r.sha256 for r in rows if r.sha256]
    for row in rows:
        if row.entry_id is not None:
            entry = session.get(CEEntry, row.entry_id)
            if entry is not None:
                entry.certificate_ref, entry.certificate_url = None, None
                session.add(entry)
        session.delete(row)
    session.flush()
    return RetentionReport(rows=len(rows), hashes=tuple(certificates.unreferenced(session=session, hashes=hashes)))


def delete_files(store: Any, hashes: Iterable[str]) -> int:
    """Remove ``hashes`` from the store (after the commit that removed their rows); how many went."""
    done = 0
    for sha256 in hashes:
        try:
            store.delete(sha256)
            done += 1
        except Exception:  # one object left behind must not stop the rest; it holds no row's data
            log.exception("could not delete certificate %s from the store", sha256)
    return done


def keep_until_for(*, session: Session, member_id: int, completed_on: date) -> date:
    """The day a course's certificate may go once the course is deleted (for docs and tests)."""
    return keep_until(completed_on, _boards(session, [member_id]).get(member_id, []))
