"""The AMMA pathway: five steps, the next step, and CE hours toward the clinic's target."""

from __future__ import annotations

from datetime import date

from cebot.domain.amma import STEP_KEYS, STEPS, TARGET_NOTE, pathway_status
from cebot.domain.facts import CredentialFacts, EntryFacts
from cebot.domain.progress import compute_progress
from cebot.domain.requirements import (
    Applicability,
    DeadlineKind,
    DeadlineRule,
    RequirementSet,
    SetKind,
    Source,
    SubjectMinimum,
)


def clinic_target(hours: int) -> RequirementSet:
    """A workspace-defined AMMA target: medical-massage hours per year, on Dec 31."""
    return RequirementSet(key="AMMA", name="AMMA (clinic target)", kind=SetKind.WORKSPACE,
                          applicability=Applicability.CE_REQUIRED, total_hours=hours * 4, cycle_months=12,
                          deadline=DeadlineRule(kind=DeadlineKind.FIXED, month=12, day=31),
                          sources=(Source(title="Clinic policy"),), checked_on=date(2025, 1, 1),
                          minimums=(SubjectMinimum(key="medical_massage", label="Medical massage",
                                                   subjects=("medical_massage",), hours=hours * 4),),
                          workspace_defined=True)


def test_steps_in_order_with_explanations() -> None:
    """The five steps come in pathway order, each with a one-line explanation."""
    assert STEP_KEYS == ("accredited_program", "mblex", "experience", "continuing_education", "amma_exam")
    assert "FSMTB, 100 questions, 2 hours" in STEPS[1].explanation
    assert all(s.label and s.explanation for s in STEPS)


def test_nothing_done_next_is_program() -> None:
    """With no milestones the next step is the accredited program and the note is shown."""
    status = pathway_status({}, None)
    assert status.next_step is not None
    assert status.next_step.key == "accredited_program"
    assert status.done_count == 0
    assert status.ce_target is None
    assert status.note == TARGET_NOTE == "AMMA does not publish a CE requirement; target set by your clinic."


def test_milestones_mark_steps_done_with_dates() -> None:
    """Recorded milestones are done with their dates; the next step is the first not done."""
    status = pathway_status({"accredited_program": date(2021, 5, 1), "mblex": date(2021, 8, 2),
                             "unknown": date(2022, 1, 1)}, None)
    assert [s.done_on for s in status.steps[:2]] == [date(2021, 5, 1), date(2021, 8, 2)]
    assert status.next_step is not None
    assert status.next_step.key == "experience"
    assert not status.complete


def test_ce_hours_toward_clinic_target() -> None:
    """Medical-massage hours count toward the clinic's target; meeting it completes the CE step."""
    rs = clinic_target(12)
    entries = [EntryFacts(1, "Sciatica seminar", date(2025, 3, 1), 32, subjects=("medical_massage",))]
    p = compute_progress(rs, CredentialFacts("AMMA"), entries, date(2025, 4, 1))
    status = pathway_status({}, p)
    assert (status.ce_counted, status.ce_target, status.ce_remaining) == (32, 48, 16)
    assert not status.steps[3].done
    entries.append(EntryFacts(2, "Frozen shoulder", date(2025, 3, 8), 16, subjects=("medical_massage",)))
    done = pathway_status({}, compute_progress(rs, CredentialFacts("AMMA"), entries, date(2025, 4, 1)))
    assert done.steps[3].done
    assert done.steps[3].done_on is None
    assert done.note == TARGET_NOTE


def test_all_steps_done() -> None:
    """Every milestone recorded completes the pathway with no next step."""
    status = pathway_status(dict.fromkeys(STEP_KEYS, date(2024, 1, 1)), None)
    assert status.complete
    assert status.next_step is None


def test_shipped_amma_set_has_no_target() -> None:
    """The shipped AMMA set has no hour target, so the pathway shows no target."""
    from cebot.domain.catalog import load_catalog

    rs = load_catalog().require("AMMA")
    p = compute_progress(rs, CredentialFacts("AMMA"), [], date(2025, 1, 1))
    status = pathway_status({}, p)
    assert status.ce_target is None
    assert status.note == TARGET_NOTE
