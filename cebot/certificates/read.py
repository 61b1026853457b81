"""Read a certificate file: its text (pypdf for a text PDF, OCR for a photo or a scanned PDF), then its fields.

:func:`read_certificate` is the one entry point; it checks the file first (:func:`~cebot.certificates.sniff.sniff`
rules, raising ``CertificateRejected``) and never writes anything.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from PIL import Image

from cebot.certificates import fields as f
from cebot.certificates.fields import Found, Line
from cebot.certificates.sniff import PDF, CertificateRejected, check_type, open_image, open_pdf

logger = logging.getLogger(__name__)

PDF_TEXT_PAGES = 2
"""A certificate's fields are on its first page or two; later pages (terms, a transcript) are not read."""
MIN_TEXT_CHARS = 40
"""A PDF page with fewer letters than this is a scan: it is rasterized and OCR'd instead."""
FIELDS = ("title", "hours", "completion_date", "provider", "approval_number", "participant", "provider_address",
          "provider_email", "delivery_format")
"""Every field :class:`Reading` has, in the order they are shown."""


@dataclass(frozen=True)
class Reading:
    """What a certificate says, as far as cebot could read it. Every field is a :class:`Found` (``.value`` is
    ``None`` when not found)."""

    media_type: str
    method: str
    """``pdf-text`` (the PDF's own text), ``ocr`` (a photo) or ``pdf-ocr`` (a scanned PDF)."""
    title: Found[str]
    hours: Found[float]
    """CE (contact) hours; CEUs are converted only with a ratio printed on the certificate."""
    hours_unit: str | None
    """As printed: ``CE hours``, ``CEs``, ``contact hours``, ``clock hours``, ``hours``, ``credits``, ``CEUs``."""
    ceu_ratio: float | None
    completion_date: Found[date]
    provider: Found[str]
    approval_number: Found[str]
    participant: Found[str]
    provider_address: Found[str]
    provider_email: Found[str]
    delivery_format: Found[str]
    """``in_person``, ``live_online`` or ``home_study`` (cebot's entry formats), only when stated."""
    text: str
    seconds: float
    notes: tuple[str, ...] = field(default=())

    def fields(self) -> dict[str, Found[Any]]:
        return {name: getattr(self, name) for name in FIELDS}

    @property
    def looks_like_certificate(self) -> bool:
        """At least a title or hours, and a date: a file without them is not taken for a certificate."""
        return (self.title.found or self.hours.found) and self.completion_date.found

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape of ``cebot read-certificate --json`` (docs/certificates.md)."""
        out: dict[str, Any] = {"media_type": self.media_type, "method": self.method,
                               "seconds": round(self.seconds, 3), "fields": {}}
        for name, found in self.fields().items():
            value = found.value.isoformat() if isinstance(found.value, date) else found.value
            out["fields"][name] = {"value": value, "found": found.found, "confidence": found.confidence,
                                   "source": found.source}
        out.update(hours_unit=self.hours_unit, ceu_ratio=self.ceu_ratio, notes=list(self.notes),
                   looks_like_certificate=self.looks_like_certificate, text=self.text)
        return out


def extract(lines: list[Line], *, media_type: str, method: str, seconds: float = 0.0) -> Reading:
    """The fields of a certificate from its lines of text."""
    lines = [Line(f.clean(line.text), line.confidence) for line in lines if f.clean(line.text)]
    labels = f.labelled(lines)
    hours = f.read_hours(lines, labels)
    notes = []
    if hours.unit == "CEUs" and hours.ceu_ratio is None:
        notes.append("Hours are printed as CEUs with no CEU-to-hours ratio on the certificate, so they were not "
                     "converted.")
    return Reading(
        media_type=media_type, method=method, title=f.read_title(lines, labels), hours=hours.hours,
        hours_unit=hours.unit, ceu_ratio=hours.ceu_ratio, completion_date=f.read_date(lines, labels),
        provider=f.read_provider(lines, labels), approval_number=f.read_approval(lines, labels),
        participant=f.read_participant(lines, labels), provider_address=f.read_address(lines, labels),
        provider_email=f.read_email(lines, labels), delivery_format=f.read_delivery(lines, labels),
        text="\n".join(line.text for line in lines), seconds=seconds, notes=tuple(notes),
    )


def read_certificate(data: bytes) -> Reading:
    """Check and read a certificate file (PDF, JPEG, PNG, WebP, HEIC with ``pillow-heif``).

    Raises ``CertificateRejected`` (a short message for the member) for a file cebot does not accept, and
    ``OcrUnavailable`` when a photo needs Tesseract and it is not installed.
    """
    started = time.perf_counter()
    media_type = check_type(data)
    if media_type == PDF:
        lines, method = _pdf_lines(data)
    else:
        from cebot.certificates.ocr import OCR_SIDE, ocr_lines

        with open_image(data, media_type, fit=OCR_SIDE) as image:
            lines, method = [Line(x.text, x.confidence) for x in ocr_lines(image)], "ocr"
    return extract(lines, media_type=media_type, method=method, seconds=time.perf_counter() - started)


def _pdf_lines(data: bytes) -> tuple[list[Line], str]:
    reader = open_pdf(data)
    texts = []
    try:
        for page in reader.pages[:PDF_TEXT_PAGES]:
            texts.append(page.extract_text() or "")
    except Exception as exc:  # pypdf raises many kinds on a damaged content stream
        logger.info("certificate PDF text could not be extracted: %s", exc)
        raise CertificateRejected("That PDF seems to be damaged: I can't read its text. Please send a photo of "
                                  "the certificate instead.") from exc
    text = "\n".join(texts)
    if sum(ch.isalpha() for ch in text) >= MIN_TEXT_CHARS:
        return [Line(x) for x in text.splitlines()], "pdf-text"
    return _scanned_pdf_lines(data), "pdf-ocr"


def _scanned_pdf_lines(data: bytes) -> list[Line]:
    """OCR of a PDF's first page that is a picture (a scan) rather than text."""
    import pypdfium2

    from cebot.certificates.ocr import OCR_SIDE, ocr_lines

    doc = pypdfium2.PdfDocument(data)
    try:
        page = doc[0]
        width, height = page.get_size()
        scale = OCR_SIDE / max(width, height, 1)
        image: Image.Image = page.render(scale=scale).to_pil()
    finally:
        doc.close()
    return [Line(x.text, x.confidence) for x in ocr_lines(image)]
