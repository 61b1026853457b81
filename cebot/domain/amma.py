"""The AMMA (American Medical Massage Association) certification pathway.

Massage schools describe five steps to AMMA medical-massage certification. The
pathway is tracked as milestones (step key -> the date it was reached) plus the
medical-massage CE hours a therapist logs toward a target their clinic sets.
AMMA does not publish a CE requirement or renewal rule (see
``/work/shared/research/ce-requirements.md``), so the target is always shown as
set by the clinic, with :data:`TARGET_NOTE`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from cebot.domain.hours import Quarters
from cebot.domain.progress import Progress, Status


@dataclass(frozen=True)
class PathwayStep:
    key: str
    label: str
    explanation: str


STEPS: tuple[PathwayStep, ...] = (
    PathwayStep("accredited_program", "Accredited massage program",
                "Graduate from an accredited massage therapy program."),
    PathwayStep("mblex", "MBLEx",
                "Pass the MBLEx licensing exam (FSMTB, 100 questions, 2 hours)."),
    PathwayStep("experience", "Experience",
                "Gain hands-on experience treating clients."),
    PathwayStep("continuing_education", "Continuing education",
                "Take CE seminars in the conditions you treat (medical massage)."),
    PathwayStep("amma_exam", "AMMA exam",
                "Pass the AMMA certification exam."),
)
STEP_KEYS: tuple[str, ...] = tuple(s.key for s in STEPS)

TARGET_NOTE = "AMMA does not publish a CE requirement; target set by your clinic."
"""Shown with the CE hours until a rule with a source exists."""


@dataclass(frozen=True)
class StepStatus:
    """One pathway step. ``done_on`` is the recorded milestone date (None when done by logged hours alone)."""

    key: str
    label: str
    explanation: str
    done: bool
    done_on: date | None = None


@dataclass(frozen=True)
class PathwayStatus:
    """Where a therapist is on the AMMA pathway."""

    steps: tuple[StepStatus, ...]
    next_step: StepStatus | None
    ce_counted: Quarters
    """Medical-massage CE hours counted in the clinic's current target window."""
    ce_target: Quarters | None
    """The clinic's target, or None when the clinic has not set one."""
    ce_remaining: Quarters | None
    note: str = TARGET_NOTE

    @property
    def done_count(self) -> int:
        return sum(s.done for s in self.steps)

    @property
    def complete(self) -> bool:
        return all(s.done for s in self.steps)


def pathway_status(milestones: Mapping[str, date], progress: Progress | None) -> PathwayStatus:
    """The five steps with what is done, the next step, and CE hours toward the clinic's target.

    ``milestones`` maps step keys to the date each was reached (unknown keys are
    ignored). ``progress`` is the progress on the clinic's medical-massage target
    set, if the clinic defined one: its counted hours are shown, and reaching the
    target marks the continuing-education step done even without a milestone.
    """
    target_met = progress is not None and progress.status is Status.COMPLETE and progress.required > 0
    steps = []
    for s in STEPS:
        done_on = milestones.get(s.key)
        done = done_on is not None or (s.key == "continuing_education" and target_met)
        steps.append(StepStatus(s.key, s.label, s.explanation, done, done_on))
    next_step = next((s for s in steps if not s.done), None)
    has_target = progress is not None and progress.required > 0
    return PathwayStatus(
        steps=tuple(steps),
        next_step=next_step,
        ce_counted=progress.counted if progress is not None else 0,
        ce_target=progress.required if has_target and progress is not None else None,
        ce_remaining=progress.remaining if has_target and progress is not None else None,
    )
