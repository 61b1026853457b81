"""Reading certificates: fields from text PDFs and photos of a generated corpus, wordings, CEUs, NCBTMB's check."""

from __future__ import annotations

import io
import json
import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image

from cebot.certificates import FIELDS, ncbtmb_missing, read_certificate
from cebot.certificates.fields import parse_date
from cebot.certificates.labels import Line, segments
from cebot.certificates.read import Reading, extract
from cebot.cli import main
from cebot.testing.certificate_corpus import Truth, make_truths, photograph, render_pdf, score

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None and not os.environ.get("CI"),
    reason="Tesseract is not installed (apt-get install tesseract-ocr; .ci/run installs it)",
)


class Corpus:
    """The generated certificates (36: 24 text PDFs, 12 photos), each made on first use and kept for the run."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.truths = make_truths()
        self._made: dict[str, bytes] = {}

    def data(self, truth: Truth) -> bytes:
        if truth.name not in self._made:
            pdf = render_pdf(truth)
            data = photograph(pdf, seed=int(truth.name[-2:])) if truth.kind == "photo" else pdf
            suffix = "jpg" if truth.kind == "photo" else "pdf"
            (self.folder / f"{truth.name}.{suffix}").write_bytes(data)  # kept beside the truth, for a look
            (self.folder / f"{truth.name}.json").write_text(json.dumps(truth.__dict__, indent=2))
            self._made[truth.name] = data
        return self._made[truth.name]

    def of_kind(self, kind: str) -> list[Truth]:
        return [t for t in self.truths if t.kind == kind]


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return Corpus(tmp_path_factory.mktemp("certificates"))


def accuracy(corpus: Corpus, truths: list[Truth]) -> tuple[float, list[str]]:
    right, wrong = 0, []
    for truth in truths:
        reading = read_certificate(corpus.data(truth))
        for name, ok in score(reading, truth).items():
            right += ok
            if not ok:
                wrong.append(f"{truth.name} ({truth.layout}) {name}: {reading.fields()[name].value!r}")
    return right / (len(truths) * len(FIELDS)), wrong


def test_corpus_has_at_least_30_certificates_in_varied_layouts(corpus: Corpus) -> None:
    """The corpus: >= 30 certificates, every layout, font, hours wording and both kinds."""
    truths = corpus.truths
    assert len(truths) >= 30
    assert {t.layout for t in truths} == {"classic", "labelled", "sentence", "letterhead", "table", "modern"}
    assert len({t.font for t in truths}) >= 4
    units = " ".join(t.hours_text for t in truths)
    for wording in ("CE hours", "CEs", "contact hours", "CEUs (1 CEU = 10 contact hours)", "0.1 CEUs"):
        assert wording in units
    assert {t.kind for t in truths} == {"pdf", "photo"}


def test_text_pdfs_fields_at_least_95_percent_right(corpus: Corpus) -> None:
    """Every text PDF of the corpus is read; >= 95% of all their fields are right."""
    rate, wrong = accuracy(corpus, corpus.of_kind("pdf"))
    assert rate >= 0.95, wrong


@needs_tesseract
def test_one_photo_is_read_by_ocr(corpus: Corpus) -> None:
    """A rotated, noisy phone photo of a labelled certificate is OCR'd and >= 80% of its fields are right."""
    truth = next(t for t in corpus.of_kind("photo") if t.layout == "labelled")
    reading = read_certificate(corpus.data(truth))
    assert reading.method == "ocr"
    fields = score(reading, truth)
    assert sum(fields.values()) / len(fields) >= 0.8, (fields, reading.text)


@needs_tesseract
def test_scanned_pdf_is_rasterized_and_ocr_read(corpus: Corpus) -> None:
    """A PDF that is only a picture of the certificate (a scan) is read by OCR."""
    truth = corpus.of_kind("pdf")[1]
    photo = Image.open(io.BytesIO(photograph(render_pdf(truth), seed=5, megapixels=2, angle=0)))
    scan = FPDF(orientation="L", unit="pt", format=(photo.height, photo.width))
    scan.add_page()
    scan.image(photo, x=0, y=0, w=photo.width, h=photo.height)
    reading = read_certificate(bytes(scan.output()))
    assert reading.method == "pdf-ocr"
    assert reading.title.value == truth.title
    assert reading.completion_date.value == date.fromisoformat(truth.completion_date)


@needs_tesseract
@pytest.mark.parametrize("turn", [90, pytest.param(180, marks=pytest.mark.slow),
                                  pytest.param(270, marks=pytest.mark.slow)])
def test_sideways_or_upside_down_photo_is_turned_upright(corpus: Corpus, turn: int) -> None:
    """A photo turned a quarter or half turn (no EXIF orientation) is detected, turned upright and read."""
    truth = next(t for t in corpus.of_kind("photo") if t.layout == "sentence")
    out = io.BytesIO()
    Image.open(io.BytesIO(corpus.data(truth))).rotate(turn, expand=True).save(out, format="JPEG")
    reading = read_certificate(out.getvalue())
    assert (reading.title.value, reading.participant.value) == (truth.title, truth.participant)


@needs_tesseract
def test_tesseract_that_times_out_reads_as_no_text(corpus: Corpus, monkeypatch: pytest.MonkeyPatch,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    """A Tesseract run past its time limit is killed and logged; the photo reads as not a certificate, no hang."""
    from cebot.certificates import ocr

    monkeypatch.setattr(ocr, "OCR_TIMEOUT", 0.01)
    reading = read_certificate(corpus.data(corpus.of_kind("photo")[0]))
    assert not reading.looks_like_certificate
    assert "Tesseract failed" in caplog.text


@pytest.mark.slow
@needs_tesseract
def test_every_photo_of_the_corpus_at_least_80_percent_right(corpus: Corpus) -> None:
    """All 12 photos (rotated 1-4 degrees, noisy, unevenly lit): >= 80% of their fields are right."""
    rate, wrong = accuracy(corpus, corpus.of_kind("photo"))
    assert rate >= 0.8, wrong


def read_lines(*texts: str) -> Reading:
    return extract([Line(t) for t in texts], media_type="application/pdf", method="pdf-text")


@pytest.mark.parametrize(("text", "hours", "unit"), [
    ("6 CE hours", 6, "CE hours"), ("CEs: 3", 3, "CEs"), ("for 1.5 contact hours", 1.5, "contact hours"),
    ("Hours: 2", 2, "hours"), ("awarded six (6) CE Hours", 6, "CE hours"), ("Total: 12 clock hours", 12,
                                                                            "clock hours"),
    ("0.6 CEUs (1 CEU = 10 contact hours)", 6, "CEUs"), ("1.2 CEUs; 0.1 CEU = 1 hour", 12, "CEUs"),
])
def test_hours_wordings(text: str, hours: float, unit: str) -> None:
    """Hours are read in each wording, and CEUs are converted with the ratio the certificate states."""
    reading = read_lines("Course Title: Ethics", text)
    assert (reading.hours.value, reading.hours_unit) == (hours, unit)


def test_ceus_without_a_ratio_are_not_converted() -> None:
    """"0.6 CEUs" alone gives no hours (cebot does not guess 1 CEU = 10 hours) and a note says why."""
    reading = read_lines("Course Title: Ethics", "Awarded 0.6 CEUs")
    assert reading.hours.value is None
    assert reading.hours_unit == "CEUs"
    assert "not converted" in reading.notes[0]


@pytest.mark.parametrize(("text", "expected"), [
    ("November 3, 2026", date(2026, 11, 3)), ("Nov. 3, 2026", date(2026, 11, 3)), ("2026-11-03", date(2026, 11, 3)),
    ("11/03/2026", date(2026, 11, 3)), ("11/3/26", date(2026, 11, 3)), ("3 November 2026", date(2026, 11, 3)),
    ("on Sept 30th, 2025", date(2025, 9, 30)), ("13/45/2026", None), ("no date here", None),
])
def test_date_styles(text: str, expected: date | None) -> None:
    """US, ISO and spelled-out dates are read; impossible ones are not."""
    assert parse_date(text) == expected


def test_fields_not_printed_are_not_found() -> None:
    """A certificate without an address, email or format reports those as not found, with confidence 0."""
    reading = read_lines("Certificate of Completion", "This certifies that", "Maria Lopez", "has completed",
                         "Ethics in Practice", "on 2026-03-02", "3 CE hours")
    assert reading.participant.value == "Maria Lopez"
    assert reading.title.value == "Ethics in Practice"
    for name in ("provider_address", "provider_email", "delivery_format", "approval_number"):
        found = reading.fields()[name]
        assert (found.found, found.value, found.confidence) == (False, None, 0.0)


def test_ncbtmb_check_lists_missing_fields_and_refuses_ceus() -> None:
    """NCBTMB's check names each required field a certificate lacks; hours as CEUs fail even when converted."""
    complete = read_lines("Participant: Maria Lopez", "Course Title: Ethics", "Date of Completion: 2026-03-02",
                          "Course type: Live webinar", "Email: ce@provider.example", "Approved Provider: Ridge CE",
                          "NCBTMB Approved Provider #451000-10", "CE Hours: 3")
    assert ncbtmb_missing(complete) == []
    ceus = read_lines("Participant: Maria Lopez", "Course Title: Ethics", "Date: 2026-03-02",
                      "0.3 CEUs (1 CEU = 10 contact hours)")
    assert ncbtmb_missing(ceus) == ["course_type", "provider_contact", "provider", "approval_number", "hours_in_ces"]


def test_a_file_that_is_not_a_certificate_says_so() -> None:
    """A PDF of something else reads no title, hours or date: looks_like_certificate is False."""
    doc = FPDF()
    doc.add_page()
    doc.set_font("helvetica", size=12)
    doc.multi_cell(0, 6, "Grocery list: apples, bread, olive oil, coffee beans, and something for dinner tonight.")
    reading = read_certificate(bytes(doc.output()))
    assert not reading.looks_like_certificate


def test_read_certificate_cli_json(corpus: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`cebot read-certificate PATH --json` prints the documented fields; a refused file exits 1 with the reason."""
    truth = corpus.of_kind("pdf")[0]
    path = tmp_path / "cert.pdf"
    path.write_bytes(corpus.data(truth))
    assert main(["read-certificate", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["fields"]) == set(FIELDS)
    assert out["fields"]["title"] == {"value": truth.title, "found": True, "confidence": 0.85,
                                      "source": truth.title}
    assert out["fields"]["completion_date"]["value"] == truth.completion_date
    assert {"media_type", "method", "seconds", "hours_unit", "ceu_ratio", "notes", "looks_like_certificate",
            "text", "ncbtmb_missing"} <= set(out)
    assert main(["read-certificate", str(path)]) == 0
    assert f"Course:      {truth.title}" in capsys.readouterr().out
    bad = tmp_path / "notes.txt"
    bad.write_text("hello")
    assert main(["read-certificate", str(bad)]) == 1
    assert "doesn't look like a certificate file" in capsys.readouterr().err


OTHER_WORDINGS = [
    (["CERTIFICATE OF ACHIEVEMENT", "Awarded to: Jane Smith, LMT", "For successful completion of",
      "Deep Tissue Techniques for the Upper Body", "Presented by Coastal Massage Academy",
      "12 Ocean Ave, Wilmington, NC 28401", "NCBTMB Approved Continuing Education Provider #451234-11",
      "This course is approved for 8 CE Hours", "Course Date: 03/15/2026   Location: Wilmington, NC",
      "Instructor: Bob Lee"],
     {"participant": "Jane Smith", "title": "Deep Tissue Techniques for the Upper Body", "hours": 8,
      "completion_date": date(2026, 3, 15), "provider": "Coastal Massage Academy", "approval_number": "451234-11",
      "provider_address": "12 Ocean Ave, Wilmington, NC 28401", "delivery_format": None}),
    (["Certificate", "Sarah Connor", "has attended the live webinar", "Clinical Aromatherapy Safety",
      "held on Saturday, January 10, 2026", "Continuing Education Credits: 3.0",
      "Sponsored by: Lavender Fields Education (NCBTMB AP #1234567)", "info@lavenderfields.example"],
     {"participant": "Sarah Connor", "title": "Clinical Aromatherapy Safety", "hours": 3,
      "completion_date": date(2026, 1, 10), "provider": "Lavender Fields Education", "approval_number": "1234567",
      "provider_email": "info@lavenderfields.example", "delivery_format": "live_online"}),
    (["ABC Massage Seminars, 400 Oak St., Austin, TX 78701", "Name of Participant: Miguel Torres",
      "Title of Course: Kinesio Taping Level II", "Date(s) of Course: 2/1/2026 - 2/2/2026",
      "Number of CE Hours: 16", "Type: Live/In-Person", "NCBTMB Approved Provider Number: 987654-00"],
     {"participant": "Miguel Torres", "title": "Kinesio Taping Level II", "hours": 16,
      "completion_date": date(2026, 2, 2), "provider": "ABC Massage Seminars", "approval_number": "987654-00",
      "provider_address": "400 Oak St., Austin, TX 78701", "delivery_format": "in_person"}),
    (["This is to certify that", "Ana Lima", "successfully completed the online course",
      "Pathology for Massage Therapists", "Completion Date: 2025-12-05", "Credit Hours: 4",
      "Provider: Massage CE Online LLC",
      "Approved by NCBTMB as a continuing education Approved Provider, #1002003"],
     {"participant": "Ana Lima", "title": "Pathology for Massage Therapists", "hours": 4,
      "completion_date": date(2025, 12, 5), "provider": "Massage CE Online LLC", "approval_number": "1002003",
      "delivery_format": None}),
    (["Certificate of Completion", "Participant: Jo Park    Date of Completion: 1/2/2026",
      "Course Title: Prenatal Massage: Safe Positioning    CE Hours: 3",
      "Approved Provider: Willow CE    NCBTMB Provider #: 123456"],
     {"participant": "Jo Park", "title": "Prenatal Massage: Safe Positioning", "hours": 3,
      "completion_date": date(2026, 1, 2), "provider": "Willow CE", "approval_number": "123456"}),
]


@pytest.mark.parametrize(("text", "expected"), [
    ("Participant: Maria Lopez   Date: 2026-03-02", ["Participant: Maria Lopez", "Date: 2026-03-02"]),
    ("Name: Ana Lima Course Title: Thai Massage NCBTMB Provider #: 123456",
     ["Name: Ana Lima", "Course Title: Thai Massage", "NCBTMB Provider #: 123456"]),
    ("Course Title: Prenatal Massage: Safe Positioning", ["Course Title: Prenatal Massage: Safe Positioning"]),
    ("Course: Sciences: An Overview", ["Course: Sciences: An Overview"]),
])
def test_two_labelled_fields_on_one_row_are_split(text: str, expected: list[str]) -> None:
    """A form's two columns on one row split at a known label only; a colon inside a title does not split it."""
    assert segments(text) == expected


@pytest.mark.parametrize(("lines", "expected"), OTHER_WORDINGS)
def test_other_wordings_outside_the_corpus(lines: list[str], expected: dict[str, object]) -> None:
    """Credentials after a name, "has attended the live webinar", "Title of Course", a date range (its last day),
    "NCBTMB AP #", a provider before its address on one line, and an instructor who is not the provider."""
    fields = read_lines(*lines).fields()
    assert {name: fields[name].value for name in expected} == expected
