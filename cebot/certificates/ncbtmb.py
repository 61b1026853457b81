"""NCBTMB's certificate check: which fields NCBTMB requires on a certificate of completion a reading lacks.

Source: NCBTMB, "What information do my certificates need to display?",
https://www.ncbtmb.org/faq/what-information-do-my-certificates-need-to-display/ (checked 2026-12-01). It lists:
the participant's name; the course title exactly as in NCBTMB's directory; the completion date; the course type
(live, home study or webinar; a recorded webinar is home study); the provider's address or email address; the
NCBTMB Approved Provider number; the CE hours the course is approved for, "listed as CEs, not CEUs"; the Approved
Provider's name as on its account; and the Approved Provider's signature.

What this check cannot settle, shown to members as unconfirmed: whether the title and hours are exactly the
ones NCBTMB approved (that needs NCBTMB's directory), and the signature (a picture, not text).
"""

from __future__ import annotations

from cebot.certificates.read import Reading

SOURCE_URL = "https://www.ncbtmb.org/faq/what-information-do-my-certificates-need-to-display/"
SOURCE_CHECKED = "2026-12-01"

NCBTMB_FIELDS: dict[str, str] = {
    "participant": "participant's name",
    "title": "course title",
    "completion_date": "completion date",
    "course_type": "course type (live, webinar or home study)",
    "provider_contact": "provider's address or email",
    "provider": "approved provider's name",
    "approval_number": "NCBTMB approved provider number",
    "hours_in_ces": "CE hours (as CEs, not CEUs)",
}
"""Each key :func:`ncbtmb_missing` can return, with a short label for members."""

UNCONFIRMED = ("The course title and hours must match NCBTMB's approval exactly, and the certificate must be "
               "signed by the approved provider; cebot cannot check those.")


def ncbtmb_missing(reading: Reading) -> list[str]:
    """The keys of :data:`NCBTMB_FIELDS` that ``reading`` did not find, in NCBTMB's order (empty: all there)."""
    present = {
        "participant": reading.participant.found,
        "title": reading.title.found,
        "completion_date": reading.completion_date.found,
        "course_type": reading.delivery_format.found,
        "provider_contact": reading.provider_address.found or reading.provider_email.found,
        "provider": reading.provider.found,
        "approval_number": reading.approval_number.found,
        # NCBTMB: hours "must be listed as CEs, not CEUs" - a CEU figure fails even when a ratio converts it.
        "hours_in_ces": reading.hours.found and reading.hours_unit != "CEUs",
    }
    return [key for key in NCBTMB_FIELDS if not present[key]]
