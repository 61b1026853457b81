"""Workspaces coming and going: uninstall, reinstall, and purging data past its retention period.

When a workspace uninstalls cebot (or revokes its bot token) :func:`mark_uninstalled`
stamps ``Workspace.uninstalled_at``; the clock then skips it and nothing of its is
deleted. A reinstall (:func:`mark_installed`) clears the stamp and everything resumes
as it was. After the retention period (``UNINSTALLED_RETENTION_DAYS``, 90 by default)
:func:`purge_uninstalled` deletes the workspace and every row that belongs to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

from cebot.models import SLACK_BOTS_TABLE, SLACK_INSTALLATIONS_TABLE, Workspace, utcnow
from cebot.services import workspaces

DEFAULT_RETENTION = timedelta(days=90)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def mark_uninstalled(*, session: Session, team_id: str, now: datetime | None = None) -> Workspace | None:
    """Stamp the workspace as uninstalled (kept if already stamped); None if it never used cebot."""
    workspace = workspaces.get_workspace(session=session, team_id=team_id)
    if workspace is None:
        return None
    if workspace.uninstalled_at is None:
        workspace.uninstalled_at = now or utcnow()
        session.add(workspace)
        session.flush()
    return workspace


def mark_installed(*, session: Session, team_id: str, name: str | None = None) -> Workspace:
    """The workspace (created on first install) with its uninstalled stamp cleared: its data and jobs come back."""
    workspace = workspaces.ensure_workspace(session=session, team_id=team_id, name=name or None)
    if workspace.uninstalled_at is not None:
        workspace.uninstalled_at = None
        session.add(workspace)
        session.flush()
    return workspace


def is_uninstalled(*, session: Session, team_id: str) -> bool:
    """Whether the workspace is stamped uninstalled (a workspace cebot never saw is not)."""
    stamp = session.exec(select(Workspace.uninstalled_at).where(Workspace.team_id == team_id)).first()
    return stamp is not None


@dataclass
class PurgeReport:
    """What :func:`purge_uninstalled` deleted (or would delete) for one workspace."""

    team_id: str
    uninstalled_at: datetime
    rows: dict[str, int] = field(default_factory=dict)
    """Rows per table."""
    released: list[str] = field(default_factory=list)
    """Stored certificate files no row holds any more: delete them from the store after commit
    (:mod:`cebot.services.purge` does)."""

    def __str__(self) -> str:
        counts = ", ".join(f"{table} {n}" for table, n in self.rows.items() if n) or "no rows"
        return f"{self.team_id} (uninstalled {self.uninstalled_at:%Y-%m-%d}): {counts}"


def _workspace_tables() -> list[Any]:
    """Every table with a ``workspace_id`` column, children before parents (safe order to delete in)."""
    return [t for t in reversed(SQLModel.metadata.sorted_tables) if "workspace_id" in t.c and t.name != "workspace"]


def _team_tables() -> list[Any]:
    """Tables keyed by the Slack team id rather than the workspace row."""
    meta = SQLModel.metadata.tables
    return [meta["processed_event"], SLACK_INSTALLATIONS_TABLE, SLACK_BOTS_TABLE]


def purge_uninstalled(
    *, session: Session, now: datetime | None = None, retention: timedelta = DEFAULT_RETENTION,
    dry_run: bool = False,
) -> list[PurgeReport]:
    """Delete every workspace uninstalled more than ``retention`` ago with all its rows (``dry_run``: only count).

    A constant number of statements per table, whatever the number of workspaces.
    """
    cutoff = _aware(now or utcnow()) - retention
    workspace_table: Any = SQLModel.metadata.tables["workspace"]
    w = workspace_table.c
    due = session.execute(
        sa.select(w.id, w.team_id, w.uninstalled_at)
        .where(w.uninstalled_at.is_not(None), w.uninstalled_at < cutoff).order_by(w.team_id)
    ).all()
    if not due:
        return []
    reports = {i: PurgeReport(team_id=t, uninstalled_at=_aware(at)) for i, t, at in due}
    teams = {r.team_id: r for r in reports.values()}
    certificate_table: Any = SQLModel.metadata.tables["certificate"]
    held = session.execute(sa.select(certificate_table.c.workspace_id, certificate_table.c.sha256)
                           .where(certificate_table.c.workspace_id.in_(list(reports)),
                                  certificate_table.c.sha256.is_not(None))).all()
    for table in _workspace_tables():
        _count_and_delete(session, table, table.c.workspace_id, reports, dry_run=dry_run)
    for table in _team_tables():
        _count_and_delete(session, table, table.c.team_id, teams, dry_run=dry_run)
    for report in reports.values():
        report.rows["workspace"] = 1
    if not dry_run:
        session.execute(workspace_table.delete().where(workspace_table.c.id.in_(list(reports))))
    session.flush()
    if not dry_run and held:
        _release_files(session, held, reports)
    return list(reports.values())


def _count_and_delete(session: Session, table: Any, column: Any, reports: Mapping[Any, PurgeReport], *,
                      dry_run: bool) -> None:
    """Count ``table``'s rows of each report's workspace (``column`` names it) into its report; then delete them."""
    keys = list(reports)
    counts = session.execute(
        sa.select(column, sa.func.count()).where(column.in_(keys)).group_by(column)
    ).all()
    for key, n in counts:
        reports[key].rows[table.name] = int(n)
    if not dry_run and counts:
        session.execute(table.delete().where(column.in_(keys)))


def _release_files(session: Session, held: Sequence[Any], reports: Mapping[int, PurgeReport]) -> None:
    """Name in each report the certificate files (``held``: workspace id, hash) no remaining row holds."""
    from cebot.services.certificates import unreferenced

    free = set(unreferenced(session=session, hashes=[h for _, h in held]))
    for workspace_id, sha256 in held:
        if sha256 in free and sha256 not in reports[workspace_id].released:
            reports[workspace_id].released.append(sha256)
