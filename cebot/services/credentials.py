"""Tracked credentials (licences and certifications) and the workspace's requirement catalog."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, col, select

from cebot.domain.catalog import Catalog, CatalogError, dump_requirement_set, load_catalog, parse_requirement_set
from cebot.domain.cycles import current_window
from cebot.domain.cycles import needs as what_is_needed
from cebot.domain.facts import CredentialFacts
from cebot.domain.parsing import TrackRequest
from cebot.domain.progress import Progress
from cebot.domain.requirements import DeadlineKind, RequirementSet
from cebot.models import Credential, Member, Workspace, WorkspaceRequirementSet, utcnow
from cebot.services.errors import InvalidRequest, NotFound
from cebot.services.workspaces import require_manager

EARLIEST = date(1950, 1, 1)
LATEST_DEADLINE_YEARS = 12
WORKSPACE_SOURCE = "your clinic's requirement set"


# ---------------------------------------------------------------- catalog


def shipped_catalog() -> Catalog:
    """The catalog shipped in the package (``load_catalog`` reads it once per process)."""
    return load_catalog()


@functools.lru_cache(maxsize=512)
def _parse_workspace_set(text: str) -> RequirementSet:
    return parse_requirement_set(text, source_name=WORKSPACE_SOURCE, workspace_defined=True)


def catalog_with_definitions(definitions: Iterable[str]) -> Catalog:
    """The shipped catalog with these workspace-defined TOML sets on top (parsed once per distinct text)."""
    sets = [_parse_workspace_set(text) for text in dict.fromkeys(definitions)]
    base = shipped_catalog()
    return base.with_overrides(sets) if sets else base


def resolve_catalog(*, session: Session, workspace_id: int) -> Catalog:
    """The catalog this workspace sees: shipped sets plus its own (one query)."""
    rows = session.exec(
        select(WorkspaceRequirementSet.definition)
        .where(WorkspaceRequirementSet.workspace_id == workspace_id)
        .order_by(col(WorkspaceRequirementSet.key))
    )
    return catalog_with_definitions(rows)


def define_workspace_set(
    *, session: Session, workspace: Workspace, acting: Member, toml_text: str, today: date | None = None
) -> RequirementSet:
    """Add or replace a clinic-defined requirement set (managers only), validated like the shipped files."""
    require_manager(acting, "define a requirement set")
    try:
        rs = parse_requirement_set(toml_text, source_name=WORKSPACE_SOURCE, workspace_defined=True,
                                   checked_on_default=today or _today())
    except CatalogError as exc:
        raise InvalidRequest(f"That requirement set isn't valid: {exc} Fix that line and send it again.") from exc
    # Stored as the canonical dump, which parses back to the same set (checked_on filled in).
    definition = dump_requirement_set(rs)
    assert workspace.id is not None
    row = session.exec(
        select(WorkspaceRequirementSet).where(
            WorkspaceRequirementSet.workspace_id == workspace.id, WorkspaceRequirementSet.key == rs.key
        )
    ).first()
    if row is None:
        row = WorkspaceRequirementSet(workspace_id=workspace.id, key=rs.key, definition=definition,
                                      created_by=acting.slack_user_id, updated_by=acting.slack_user_id)
    else:
        row.definition = definition
        row.updated_by = acting.slack_user_id
        row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return rs


@dataclass(frozen=True)
class SetOrigin:
    """Who last set a clinic's own requirement set, and when (UTC)."""

    key: str
    set_by: str | None
    set_at: datetime


def workspace_set_origins(*, session: Session, workspace_id: int) -> dict[str, SetOrigin]:
    """Who set each of the workspace's own requirement sets and when, by key (one query)."""
    rows = session.exec(
        select(WorkspaceRequirementSet).where(WorkspaceRequirementSet.workspace_id == workspace_id))
    return {r.key: SetOrigin(r.key, r.updated_by or r.created_by, r.updated_at) for r in rows}


def workspace_set(*, session: Session, workspace_id: int, key: str) -> RequirementSet | None:
    """The workspace's own set ``key`` (not a shipped one), or ``None``."""
    row = session.exec(select(WorkspaceRequirementSet.definition).where(
        WorkspaceRequirementSet.workspace_id == workspace_id, WorkspaceRequirementSet.key == key)).first()
    return None if row is None else _parse_workspace_set(row)


def remove_workspace_set(*, session: Session, workspace: Workspace, acting: Member, key: str) -> None:
    """Delete a clinic-defined requirement set (managers only)."""
    require_manager(acting, "remove a requirement set")
    row = session.exec(
        select(WorkspaceRequirementSet).where(
            WorkspaceRequirementSet.workspace_id == workspace.id, WorkspaceRequirementSet.key == key
        )
    ).first()
    if row is None:
        raise NotFound(f"Your clinic has no requirement set called {key}.")
    session.delete(row)
    session.flush()


# ---------------------------------------------------------------- credentials


@dataclass(frozen=True)
class TrackResult:
    """What ``track`` did, with what a reply needs to say about it."""

    credential: Credential
    requirement_set: RequirementSet
    created: bool
    deadline_computed: bool
    """True when cebot worked out the deadline from the rule (none was given)."""
    needs: str | None = None
    """What the user still has to tell cebot before the window can be worked out (a sentence with the command)."""

    @property
    def ce_required(self) -> bool:
        """False for states with no CE or no licensing: tell the user plainly nothing is needed."""
        return self.requirement_set.tracks_hours



def _today() -> date:
    return datetime.now(UTC).date()


def _check_date(value: date | None, what: str, *, earliest: date, latest: date) -> date | None:
    if value is None:
        return None
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidRequest(f"Give the {what} like 2027-08-31.")
    if value < earliest or value > latest:
        raise InvalidRequest(f"{value.isoformat()} can't be your {what}: use a date between "
                             f"{earliest.isoformat()} and {latest.isoformat()}.")
    return value


def _check_birthday(month: int | None, day: int | None) -> None:
    if month is None and day is None:
        return
    try:
        date(2000, int(month or 0), int(day or 0))  # 2000 is a leap year: Feb 29 is a real birthday
    except ValueError as exc:
        raise InvalidRequest("That birthday isn't a real date: give it like birthday:3/14.") from exc


def credential_facts(credential: Credential, milestones: Mapping[str, date] | None = None) -> CredentialFacts:
    """The plain facts the cycle and progress maths need about a credential."""
    return CredentialFacts(
        requirement_key=credential.requirement_key,
        deadline=credential.deadline,
        issue_date=credential.issue_date,
        birth_month=credential.birth_month,
        birth_day=credential.birth_day,
        birth_year=credential.birth_year,
        first_cycle=credential.first_cycle,
        cpr_expires_on=credential.cpr_expires_on,
        licence_number=credential.licence_number,
        milestones=dict(milestones or {}),
        rule_version_seen=credential.rule_version_seen or 1,
    )


def get_credential(*, session: Session, member: Member, key: str) -> Credential | None:
    """The member's credential for a requirement-set key, or None."""
    return session.exec(
        select(Credential).where(
            Credential.workspace_id == member.workspace_id,
            Credential.member_id == member.id,
            Credential.requirement_key == key,
        )
    ).first()


def track(*, session: Session, member: Member, request: TrackRequest, today: date | None = None) -> TrackResult:
    """Start tracking a licence or certification, or update what cebot knows about it.

    Values left None in ``request`` keep what is stored. If no
    deadline is given and the rule can place it, the computed deadline is stored.
    """
    today = today or _today()
    catalog = resolve_catalog(session=session, workspace_id=member.workspace_id)
    try:
        rs = catalog.require((request.key or "").strip())
    except CatalogError as exc:
        raise InvalidRequest(str(exc)) from exc
    _check_track_request(request, today)
    credential = get_credential(session=session, member=member, key=rs.key)
    created = credential is None
    if credential is None:
        assert member.id is not None
        # A rule first tracked now is news to no one: only later versions are announced.
        credential = Credential(workspace_id=member.workspace_id, member_id=member.id, requirement_key=rs.key,
                                rule_version_seen=rs.version)
    credential.state = rs.state
    _store_facts(credential, request)
    computed = _place_deadline(credential, rs, request, today)
    session.add(credential)
    session.flush()
    return TrackResult(credential=credential, requirement_set=rs, created=created, deadline_computed=computed,
                       needs=what_is_needed(rs, credential_facts(credential)))


def _check_track_request(request: TrackRequest, today: date) -> None:
    """Refuse dates, a birthday, a birth year or a licence number no one could have, saying what would do."""
    _check_date(request.deadline, "renewal deadline", earliest=date(1990, 1, 1),
                latest=today.replace(year=today.year + LATEST_DEADLINE_YEARS, day=min(today.day, 28)))
    _check_date(request.issue_date, "licence issue date", earliest=EARLIEST, latest=today + timedelta(days=1))
    _check_date(request.cpr_expires, "CPR card expiry", earliest=date(1990, 1, 1),
                latest=today.replace(year=today.year + 10, day=min(today.day, 28)))
    month, day = request.birthday if request.birthday is not None else (None, None)
    _check_birthday(month, day)
    year = request.birth_year
    if year is not None and not (1900 <= year <= today.year):
        raise InvalidRequest("That birth year isn't possible: give your birthday like birthday:3/14/1985.")
    if request.licence_number is not None and len(str(request.licence_number)) > 64:
        raise InvalidRequest("That licence number is too long: keep it to 64 characters.")


def _store_facts(credential: Credential, request: TrackRequest) -> None:
    """Store what the request gives (the deadline aside); what it leaves None stays as it was."""
    if request.licence_number is not None:
        credential.licence_number = str(request.licence_number).strip() or None
    if request.issue_date is not None:
        credential.issue_date = request.issue_date
    if request.cpr_expires is not None:
        credential.cpr_expires_on = request.cpr_expires
    if request.birthday is not None:
        credential.birth_month, credential.birth_day = request.birthday
    if request.birth_year is not None:
        credential.birth_year = request.birth_year
    if request.first_cycle is not None:
        credential.first_cycle = request.first_cycle


def _place_deadline(credential: Credential, rs: RequirementSet, request: TrackRequest, today: date) -> bool:
    """Store the given deadline, or the one the rule places; True when it was computed."""
    if request.deadline is not None:
        credential.deadline = request.deadline
        return False
    if rs.deadline.kind is DeadlineKind.NONE:
        return False
    # Place the deadline by the rule when none is stored, or afresh when new personal facts arrive. A stored
    # deadline is otherwise left alone: rolling a passed one forward would hide that it is overdue.
    new_facts = request.birthday is not None or request.birth_year is not None or request.issue_date is not None
    if credential.deadline is not None and not new_facts:
        return False
    window = current_window(rs, replace(credential_facts(credential), deadline=None), today)
    if window is None:
        return False
    credential.deadline = window.deadline
    return True


def untrack(*, session: Session, member: Member, key: str) -> Credential:
    """Stop tracking a credential; its courses stay in the log."""
    credential = get_credential(session=session, member=member, key=key.strip().upper())
    if credential is None:
        raise NotFound(f"You're not tracking {key}. `/ce progress` shows what you track.")
    session.delete(credential)
    session.flush()
    return credential


def list_credentials(*, session: Session, member: Member) -> list[Credential]:
    """Everything the member tracks, by requirement-set key."""
    return list(
        session.exec(
            select(Credential)
            .where(Credential.workspace_id == member.workspace_id, Credential.member_id == member.id)
            .order_by(col(Credential.requirement_key))
        )
    )


def acknowledge_rule_changes(*, session: Session, member: Member, progress: Iterable[Progress]) -> int:
    """Record that the member has been told of each rule change in ``progress`` (in the caller's transaction).

    Their next progress reply and Home then stop announcing it. Returns how many credentials were updated.
    """
    catalog = load_catalog()
    changed = {p.key: rs.version for p in progress if p.rule_change and (rs := catalog.get(p.key)) is not None}
    if not changed:
        return 0
    rows = session.exec(select(Credential).where(
        Credential.workspace_id == member.workspace_id, Credential.member_id == member.id,
        col(Credential.requirement_key).in_(sorted(changed)))).all()
    for credential in rows:
        credential.rule_version_seen = changed[credential.requirement_key]
        session.add(credential)
    return len(rows)
