"""Database tables (SQLModel on SQLAlchemy 2). Alembic in ``cebot/migrations/`` owns the schema.

Every row belongs to a workspace (``workspace_id``); services scope every
query by it. Hours are integer quarter hours (``hours_q``), never floats.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlmodel import Field, SQLModel

# Stable constraint names so Alembic autogenerate and both databases agree.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def _ts(**kw: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), **kw)


def _json(default: Any) -> Any:
    return Field(default_factory=default, sa_type=sa.JSON, nullable=False)


class Workspace(SQLModel, table=True):
    """A Slack workspace (team) that uses cebot."""

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, unique=True, index=True)
    name: str = Field(default="", max_length=200)
    timezone: str = Field(default="UTC", max_length=64)
    settings: dict[str, Any] = _json(dict)
    created_at: datetime = _ts()
    uninstalled_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    """When the app was uninstalled (or its bot token revoked); None while installed. The clock skips such a
    workspace, and its data is purged after the retention period (``cebot purge-uninstalled``, SECURITY.md)."""


class Member(SQLModel, table=True):
    """A person in a workspace who uses cebot."""

    __table_args__ = (sa.UniqueConstraint("workspace_id", "slack_user_id", name="uq_member_workspace_user"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    slack_user_id: str = Field(max_length=32)
    display_name: str = Field(default="", max_length=200)
    timezone: str = Field(default="UTC", max_length=64)
    role: str = Field(default="member", max_length=16)
    """``member`` or ``manager`` (Slack admins and owners are managers whatever this says)."""
    is_slack_admin: bool = Field(default=False)
    reminders_enabled: bool = Field(default=True)
    snoozed_until: date | None = Field(default=None)
    profile_refreshed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    created_at: datetime = _ts()


class Credential(SQLModel, table=True):
    """A licence or certification a member tracks against a requirement set."""

    __table_args__ = (sa.UniqueConstraint("member_id", "requirement_key", name="uq_credential_member_key"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    requirement_key: str = Field(max_length=64)
    licence_number: str | None = Field(default=None, max_length=64)
    state: str | None = Field(default=None, max_length=8)
    issue_date: date | None = None
    deadline: date | None = None
    """The current cycle's deadline as the user gave it (or as computed when they started tracking)."""
    birth_month: int | None = None
    birth_day: int | None = None
    birth_year: int | None = None
    """Only where the rule needs it (Virginia: renewal years with the parity of the birth year)."""
    first_cycle: bool = Field(default=False)
    cpr_expires_on: date | None = None
    rule_version_seen: int | None = None
    """The version of the shipped requirement set the member last saw (``None``: before rule versions, i.e. 1)."""
    created_at: datetime = _ts()


class CEEntry(SQLModel, table=True):
    """One completed course in a member's ledger."""

    __tablename__ = "ce_entry"
    __table_args__ = (
        sa.Index("ix_ce_entry_member_completed", "member_id", "completed_on"),
        sa.CheckConstraint("hours_q > 0 AND hours_q <= 160", name="hours_range"),
        sa.CheckConstraint("delivery_format IN ('in_person', 'live_online', 'home_study')", name="format"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    title: str = Field(max_length=200)
    provider: str | None = Field(default=None, max_length=200)
    approval_number: str | None = Field(default=None, max_length=64)
    completed_on: date
    hours_q: int
    """Hours in quarters (``6`` is 1.5 h)."""
    delivery_format: str = Field(default="in_person", max_length=16)
    subjects: list[str] = _json(list)
    certificate_ref: str | None = Field(default=None, max_length=64)
    certificate_url: str | None = Field(default=None, max_length=500)
    notes: str | None = Field(default=None, max_length=2000)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    deleted_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class EntryChange(SQLModel, table=True):
    """A member's change to their ledger, kept so ``/ce undo`` can reverse the last one."""

    __tablename__ = "entry_change"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    entry_id: int = Field(foreign_key="ce_entry.id")
    action: str = Field(max_length=16)
    """``logged``, ``edited`` or ``deleted``."""
    before: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    undone_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    created_at: datetime = _ts()


class Milestone(SQLModel, table=True):
    """A pathway step a member has reached (AMMA)."""

    __table_args__ = (sa.UniqueConstraint("member_id", "pathway", "step", name="uq_milestone_member_step"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    pathway: str = Field(default="AMMA", max_length=64)
    step: str = Field(max_length=64)
    completed_on: date
    notes: str | None = Field(default=None, max_length=500)
    created_at: datetime = _ts()


class WorkspaceRequirementSet(SQLModel, table=True):
    """A requirement set a clinic manager defined, with the same schema as the shipped TOML files."""

    __tablename__ = "workspace_requirement_set"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "key", name="uq_wrs_workspace_key"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    key: str = Field(max_length=64)
    definition: str
    """The set as TOML text, validated by the catalog loader before it is stored."""
    created_by: str | None = Field(default=None, max_length=32)
    updated_by: str | None = Field(default=None, max_length=32)
    """The Slack user who last saved it (``None``: nobody since ``created_by``)."""
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class ProcessedEvent(SQLModel, table=True):
    """Slack event ids already handled, so a retry (``X-Slack-Retry-Num``) never acts twice."""

    __tablename__ = "processed_event"

    event_id: str = Field(primary_key=True, max_length=64)
    team_id: str = Field(max_length=32)
    created_at: datetime = _ts()


class Delivery(SQLModel, table=True):
    """One scheduled message (a reminder or a weekly summary), claimed before it is sent and marked after.

    The unique key ``(workspace_id, recipient, kind, period)`` makes the claim the
    lock: two clocks that try to send the same message both INSERT, one wins.
    ``status`` is ``claimed`` (being sent, or waiting for a retry at
    ``next_attempt_at``), ``sent`` or ``failed`` (gave up after the last try).
    """

    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "recipient", "kind", "period", name="uq_delivery_key"),
        sa.Index("ix_delivery_status_next", "status", "next_attempt_at"),
        sa.CheckConstraint("status IN ('claimed', 'sent', 'failed')", name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    recipient: str = Field(max_length=32)
    """A Slack user id (direct message) or channel id (summary)."""
    kind: str = Field(max_length=16)
    period: str = Field(max_length=96)
    status: str = Field(default="claimed", max_length=8)
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    """When a claimed row may be claimed again: the lease end while sending, the retry time after an error."""
    claimed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    sent_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    last_error: str | None = Field(default=None, max_length=500)
    message_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime = _ts()


class PendingAttachment(SQLModel, table=True):
    """``/ce attach <id>`` waiting for the member to share the certificate file in the app's DM.

    One per member (a new ``/ce attach`` replaces it); it lapses at ``expires_at``. The file
    shared next is downloaded and stored by a ``certificate.fetch`` job and becomes that
    entry's :class:`Certificate`.
    """

    __tablename__ = "pending_attachment"
    __table_args__ = (sa.UniqueConstraint("member_id", name="uq_pending_attachment_member"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    entry_id: int = Field(foreign_key="ce_entry.id")
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    created_at: datetime = _ts()


class Job(SQLModel, table=True):
    """Slow work (an export, an upload) recorded in the request's transaction and run by a worker.

    ``status`` is ``queued`` (waiting until ``next_attempt_at``: now, or the end of a backoff after a failure),
    ``running`` (a worker holds it until ``next_attempt_at``, its lease), ``done`` or ``failed`` (gave up after
    the last attempt). ``(kind, key)`` is unique, so the same request recorded twice is one job. See
    :mod:`cebot.jobs.worker`.
    """

    __table_args__ = (
        sa.UniqueConstraint("kind", "key", name="uq_job_kind_key"),
        sa.Index("ix_job_status_next", "status", "next_attempt_at"),
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    """Who asked (and is told if the job finally fails); None for work nobody waits for."""
    kind: str = Field(max_length=32)
    key: str | None = Field(default=None, max_length=200)
    """Makes a second enqueue of the same work a no-op (e.g. ``export:<trigger_id>``); None: no de-duplication."""
    payload: dict[str, Any] = _json(dict)
    status: str = Field(default="queued", max_length=8)
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    """Queued: when it may run. Running: when the lease ends (another worker may take it over then)."""
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = _ts()
    finished_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class Certificate(SQLModel, table=True):
    """A certificate file a member shared: kept in cebot's own store (content-addressed) or, for files attached
    before cebot kept them, only as the Slack file reference.

    ``entry_id`` is None while it is only proposed (read, waiting for the member's *Save*), and set once, by a
    conditional UPDATE, when it becomes the certificate of a course (at most one per course). ``stored`` says the
    bytes are in the certificate store under ``sha256``; False for "Slack only, not stored" rows (migrated refs).
    ``reading`` keeps what was read from the file (the proposal's fields, NCBTMB's missing fields).
    ``CEEntry.certificate_ref``/``certificate_url`` stay in step with this table (written only by
    ``cebot.services.certificates``), so progress and transcripts read "has a certificate" as before.
    """

    __table_args__ = (
        sa.UniqueConstraint("member_id", "sha256", name="uq_certificate_member_sha256"),
        sa.UniqueConstraint("entry_id", name="uq_certificate_entry"),
        sa.Index("ix_certificate_sha256", "sha256"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    entry_id: int | None = Field(default=None, foreign_key="ce_entry.id")
    sha256: str | None = Field(default=None, max_length=64)
    media_type: str | None = Field(default=None, max_length=64)
    size: int | None = None
    original_name: str | None = Field(default=None, max_length=200)
    shared_by: str | None = Field(default=None, max_length=32)
    """The Slack user id who shared the file."""
    slack_file_id: str | None = Field(default=None, max_length=64)
    permalink: str | None = Field(default=None, max_length=500)
    """Convenience only: Slack may hide or delete the file; the stored bytes are what counts."""
    stored: bool = Field(default=False)
    reading: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    created_at: datetime = _ts()


# Slack's OAuth tables (bots, installations, OAuth states): slack_sdk's own definitions, built on our metadata so
# that Alembic creates and checks them with everything else (cebot/slack/installations.py uses them).
SLACK_BOTS_TABLE = SQLAlchemyInstallationStore.build_bots_table(SQLModel.metadata, "slack_bots")
SLACK_INSTALLATIONS_TABLE = SQLAlchemyInstallationStore.build_installations_table(
    SQLModel.metadata, "slack_installations"
)
SLACK_OAUTH_STATES_TABLE = SQLAlchemyOAuthStateStore.build_oauth_states_table(SQLModel.metadata, "slack_oauth_states")
