"""The one canonical subject vocabulary, with aliases for parsing user text.

Requirement files, entries and commands all speak in these keys. Users may
type an alias ("law", "laws & rules", "#jurisprudence"); :func:`canonical`
turns it into the key, and :func:`suggest` finds the closest key for a typo.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Subject:
    """A CE subject boards name in their rules."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()


SUBJECTS: tuple[Subject, ...] = (
    Subject("ethics", "Ethics", ("professional ethics", "ethic")),
    Subject("laws_rules", "Laws & rules", ("law", "laws", "laws & rules", "laws and rules", "rules",
                                            "jurisprudence", "state law", "regulations")),
    Subject("medical_errors", "Prevention of medical errors", ("medical error", "med errors", "errors")),
    Subject("human_trafficking", "Human trafficking", ("trafficking", "human trafficking awareness")),
    Subject("hands_on", "Hands-on technique", ("hands on", "hands-on", "technique", "techniques",
                                                "massage technique", "modalities")),
    Subject("cpr", "CPR / first aid / BLS", ("first aid", "bls", "aed", "cpr/aed", "first aid cpr",
                                             "emergency", "cpr first aid")),
    Subject("self_care", "Self-care", ("self care", "selfcare", "wellness")),
    Subject("boundaries", "Roles & boundaries", ("roles and boundaries", "roles & boundaries", "boundary")),
    Subject("communication", "Communication", ("communications",)),
    Subject("domestic_violence", "Domestic violence & sexual assault awareness",
            ("domestic violence", "sexual assault", "dv")),
    Subject("sexual_harassment", "Sexual harassment prevention", ("harassment", "sexual harassment")),
    Subject("child_abuse", "Child abuse recognition & reporting", ("child abuse", "mandated reporter",
                                                                   "act 31")),
    Subject("communicable_disease", "Communicable disease (incl. HIV/AIDS)", ("hiv", "hiv/aids", "aids",
                                                                              "infection control",
                                                                              "communicable disease")),
    Subject("cultural_competency", "Diversity & cultural competency", ("diversity", "cultural competence",
                                                                       "cultural competency")),
    Subject("implicit_bias", "Implicit bias", ("bias", "implicit bias training")),
    Subject("health_equity", "Health equity", ("equity",)),
    Subject("pain_management", "Pain & symptom management", ("pain", "pain management",
                                                              "symptom management")),
    Subject("substance_abuse", "Substance abuse", ("substance use", "addiction")),
    Subject("business", "Business & practice management", ("management", "practice management",
                                                             "marketing")),
    Subject("anatomy", "Anatomy, physiology & kinesiology", ("a&p", "physiology", "kinesiology",
                                                              "anatomy and physiology")),
    Subject("pathology", "Pathology & contraindications", ("contraindications", "pathologies")),
    Subject("assessment", "Client assessment & treatment planning", ("treatment planning",
                                                                      "orthopedic assessment")),
    Subject("medical_massage", "Medical massage", ("medical", "clinical massage", "orthopedic massage",
                                                   "conditions")),
    Subject("research", "Research literacy", ("evidence", "research literacy")),
    Subject("massage_related", "Massage-related (general)", ("massage", "general", "massage related")),
)

SUBJECT_KEYS: frozenset[str] = frozenset(s.key for s in SUBJECTS)
_BY_KEY = {s.key: s for s in SUBJECTS}


def _norm(text: str) -> str:
    text = text.strip().lower().lstrip("#")
    text = text.replace("_", " ").replace("-", " ")
    return re.sub(r"\s+", " ", text)


_ALIASES: dict[str, str] = {}
for _s in SUBJECTS:
    for _name in (_s.key, _s.label, *_s.aliases):
        _ALIASES.setdefault(_norm(_name), _s.key)
        _ALIASES.setdefault(_norm(_name).replace(" ", ""), _s.key)


def canonical(text: str) -> str | None:
    """The canonical key for a subject name or alias, or ``None`` if it is unknown."""
    n = _norm(text)
    return _ALIASES.get(n) or _ALIASES.get(n.replace(" ", ""))


def suggest(text: str) -> str | None:
    """The closest known subject key to an unknown name, for a "did you mean" hint."""
    match = difflib.get_close_matches(_norm(text), list(_ALIASES), n=1, cutoff=0.6)
    return _ALIASES[match[0]] if match else None


def label(key: str) -> str:
    """The human label of a canonical subject key (the key itself if unknown)."""
    subject = _BY_KEY.get(key)
    return subject.label if subject else key
