"""A generated corpus of CE certificates with their ground truth, for the reader's tests and bench.

Each certificate is made from a :class:`Truth` (what is printed on it) by one of several layouts (a centred
classic, a labelled form, a sentence, a letterhead, a two-column table), in different fonts, orders and
wordings; photos are its PDF page rasterized with pypdfium2, laid on a desk, lit unevenly, rotated a few
degrees, noised and saved as JPEG. :func:`write_corpus` writes ``NAME.pdf``/``NAME.jpg`` with ``NAME.json`` (the
truth) beside it. Everything is seeded: the same call makes the same files.
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from fpdf import FPDF
from PIL import Image

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")

PARTICIPANTS = ("Maria Lopez", "Samuel Okafor", "Jennifer A. Whitfield", "Dana Kim", "Robert Oneill",
                "Priya Natarajan", "Thomas Becker", "Aisha Rahman", "Luis Hernandez", "Emily Carter",
                "Grace Nakamura", "Daniel Fischer")
TITLES = ("Myofascial Release for the Low Back", "Ethics in Massage Therapy Practice",
          "Prenatal Massage: Safe Positioning", "Prevention of Medical Errors", "Lymphatic Drainage Fundamentals",
          "Thai Massage Level 1", "Trigger Point Therapy of the Neck and Shoulder",
          "Florida Laws and Rules for Massage Therapy", "Hot Stone Massage Techniques",
          "Communication and Boundaries", "Oncology Massage: An Introduction", "Sports Massage for Runners",
          "Reflexology Basics", "Cupping Therapy Fundamentals", "Orthopedic Assessment of the Hip",
          "Human Trafficking Awareness")
PROVIDERS = (("Blue Ridge Massage Education LLC", "1200 Main Street, Asheville, NC 28801", None),
             ("Pacific Institute of Bodywork", None, "ce@pacificbodywork.example"),
             ("Gulf Coast CE Academy", "45 Bayshore Drive, Tampa, FL 33606", "office@gulfcoastce.example"),
             ("Northern Lights Massage Seminars", "9 Elm Road, Duluth, MN 55802", None),
             ("Heartwood Continuing Education", None, "hello@heartwoodce.example"),
             ("Summit Bodywork Training Center", "310 Pine Avenue, Denver, CO 80203", None),
             ("Meridian CE Online", None, "support@meridiance.example"))
DELIVERY_WORDS = {"in_person": ("Live, in person", "In-person class", "Live hands-on workshop"),
                  "live_online": ("Live webinar", "Live online", "Live virtual class"),
                  "home_study": ("Home study", "Self-paced online course", "Recorded webinar (home study)")}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


@dataclass(frozen=True)
class Truth:
    """What a generated certificate says (``None``: not printed on it)."""

    name: str
    kind: str
    """``pdf`` or ``photo``."""
    layout: str
    participant: str
    title: str
    completion_date: str
    """ISO date."""
    hours: float | None
    """In CE (contact) hours; ``None`` when printed only as CEUs without a ratio."""
    hours_text: str
    provider: str
    approval_number: str
    provider_address: str | None
    provider_email: str | None
    delivery: str | None
    font: str


def _date_text(d: date, style: int) -> str:
    month = MONTHS[d.month - 1]
    return (f"{month} {d.day}, {d.year}", d.isoformat(), f"{d.month:02d}/{d.day:02d}/{d.year}",
            f"{d.month}/{d.day}/{d.year}", f"{d.day} {month} {d.year}", f"{month[:3]}. {d.day}, {d.year}")[style % 6]


def _hours_text(hours: float, style: int) -> tuple[str, float | None]:
    h = f"{hours:g}"
    one = hours == 1
    if style == 5:  # CEUs with the ratio printed: converted
        return f"{hours / 10:g} CEUs (1 CEU = 10 contact hours)", hours
    if style == 6:  # CEUs alone: not convertible
        return f"{hours / 10:g} CEUs", None
    words = ("CE hour", "CE", "contact hour", "hour", "NCBTMB CE Hour") if one else (
        "CE hours", "CEs", "contact hours", "hours", "NCBTMB CE Hours")
    return f"{h} {words[style % 5]}", hours


def make_truths(count: int = 36, *, photos: int = 12, seed: int = 14) -> list[Truth]:
    """``count`` certificates' truths, the last ``photos`` of them to be photographed."""
    layouts = tuple(LAYOUTS)
    fonts = ("helvetica", "times", "courier", "dejavu-sans", "dejavu-serif")
    out = []
    for i in range(count):
        provider, address, email = PROVIDERS[i % len(PROVIDERS)]
        d = date(2025 + i % 2, 1 + (i * 5) % 12, 1 + (i * 7) % 28)
        hours = (1, 2, 3, 4, 6, 8, 12, 1.5, 2.5, 16)[i % 10]
        hours_text, hours_value = _hours_text(hours, (i + seed) % 7)
        fmt = (None, "in_person", "live_online", "home_study")[i % 4]
        number = (f"{451000 + i * 37}-{10 + i % 9}", f"{1000100 + i * 211}", f"NCBTMB-{2000 + i}")[i % 3]
        out.append(Truth(
            name=f"cert{i + 1:02d}", kind="photo" if i >= count - photos else "pdf", layout=layouts[i % len(layouts)],
            participant=PARTICIPANTS[(i * 5) % len(PARTICIPANTS)], title=TITLES[(i * 3) % len(TITLES)],
            completion_date=d.isoformat(), hours=hours_value, hours_text=hours_text, provider=provider,
            approval_number=number, provider_address=address, provider_email=email, delivery=fmt,
            font=fonts[(i + i // len(layouts)) % len(fonts)],
        ))
    return out


# Each layout returns (lines, shuffleable_details): a line is (text, size, style, align).
Line = tuple[str, int, str, str]


def _contact(t: Truth) -> list[str]:
    return [x for x in (t.provider_address, t.provider_email) if x]


def _delivery_word(t: Truth) -> str | None:
    return None if t.delivery is None else DELIVERY_WORDS[t.delivery][int(t.name[-1]) % 3]


def _classic(t: Truth, rng: random.Random) -> list[Line]:
    d = _date_text(date.fromisoformat(t.completion_date), int(t.name[-2:]))
    lines: list[Line] = [("Certificate of Completion", 26, "B", "C"), ("This certifies that", 13, "", "C"),
                         (t.participant, 22, "B", "C"), ("has successfully completed", 13, "", "C"),
                         (t.title, 17, "B", "C"), (f"on {d}", 13, "", "C"), (f"for {t.hours_text}", 13, "", "C")]
    if (w := _delivery_word(t)) is not None:
        lines.append((f"Course type: {w}", 12, "", "C"))
    lines += [("", 10, "", "C"), (t.provider, 13, "B", "C"), (f"NCBTMB Approved Provider #{t.approval_number}", 11,
                                                               "", "C")]
    lines += [(c, 10, "", "C") for c in _contact(t)]
    return lines


def _labelled(t: Truth, rng: random.Random) -> list[Line]:
    d = _date_text(date.fromisoformat(t.completion_date), int(t.name[-2:]) + 1)
    hours_label = {"CE hours": "CE Hours", "CEs": "CEs", "contact hours": "Contact Hours"}
    unit = t.hours_text.split(" ", 1)[1] if " " in t.hours_text else ""
    hours_line = (f"{hours_label[unit]}: {t.hours_text.split(' ')[0]}" if unit in hours_label
                  else f"Credit: {t.hours_text}")
    details = [f"Participant: {t.participant}", f"Course Title: {t.title}", f"Date of Completion: {d}", hours_line,
               f"Approved Provider: {t.provider}", f"Provider Number: {t.approval_number}"]
    if (w := _delivery_word(t)) is not None:
        details.append(f"Delivery Format: {w}")
    if t.provider_address:
        details.append(f"Provider Address: {t.provider_address}")
    if t.provider_email:
        details.append(f"Email: {t.provider_email}")
    rng.shuffle(details)
    return [("CERTIFICATE OF ATTENDANCE", 22, "B", "L"), ("", 8, "", "L")] + [(x, 12, "", "L") for x in details]


def _sentence(t: Truth, rng: random.Random) -> list[Line]:
    d = _date_text(date.fromisoformat(t.completion_date), int(t.name[-2:]) + 2)
    w = _delivery_word(t)
    kind = f"the {w.lower()} course" if w else "the course"
    lines: list[Line] = [("Continuing Education Certificate", 22, "B", "C"), ("", 8, "", "C"),
                         (f"{t.participant} has completed {kind}", 13, "", "C"), (f'"{t.title}"', 16, "B", "C"),
                         (f"on {d} and is awarded {t.hours_text}.", 13, "", "C"), ("", 8, "", "C"),
                         (f"Issued by {t.provider}", 12, "", "C"),
                         (f"NCBTMB Provider No. {t.approval_number}", 11, "", "C")]
    return lines + [(c, 10, "", "C") for c in _contact(t)]


def _letterhead(t: Truth, rng: random.Random) -> list[Line]:
    d = _date_text(date.fromisoformat(t.completion_date), int(t.name[-2:]) + 3)
    lines: list[Line] = [(t.provider, 20, "B", "L")] + [(c, 10, "", "L") for c in _contact(t)]
    lines += [("", 10, "", "L"), ("awards this certificate to", 12, "I", "L"), (t.participant, 20, "B", "L"),
              ("for completing", 12, "I", "L"), (t.title, 16, "B", "L"), ("", 6, "", "L")]
    details = [f"Completion date: {d}", f"Awarded: {t.hours_text}", f"Approval #: {t.approval_number}"]
    if (w := _delivery_word(t)) is not None:
        details.append(f"Format: {w}")
    rng.shuffle(details)
    return lines + [(x, 12, "", "L") for x in details]


def _table(t: Truth, rng: random.Random) -> list[Line]:
    """Two columns drawn as ``label<TAB>value`` rows."""
    d = _date_text(date.fromisoformat(t.completion_date), int(t.name[-2:]) + 4)
    rows = [("Name:", t.participant), ("Course:", t.title), ("Completed on:", d), ("Hours:", t.hours_text),
            ("Sponsor:", t.provider), ("NCBTMB Approval No.:", t.approval_number)]
    if (w := _delivery_word(t)) is not None:
        rows.append(("Course type:", w))
    rows += [("Contact:", c) for c in _contact(t)]
    head = rows[:2]
    rest = rows[2:]
    rng.shuffle(rest)
    return [("Certificate of Course Completion", 22, "B", "C"), ("", 8, "", "C")] + [
        (f"{k}\t{v}", 12, "", "L") for k, v in head + rest]


def _modern(t: Truth, rng: random.Random) -> list[Line]:
    """Provider and approval number on one line; "Presented to"; a bare "Date:"; hours as "CE Credit Hours"."""
    d = _date_text(date.fromisoformat(t.completion_date), int(t.name[-2:]) + 5)
    number = t.hours_text.split(" ", 1)[0]
    unit = t.hours_text.split(" ", 1)[1].lower()
    hours = f"Credits: {t.hours_text}" if unit.startswith("ceu") else f"CE Credit Hours: {number}"
    lines: list[Line] = [("CERTIFICATE OF CONTINUING EDUCATION", 20, "B", "C"), ("Presented to", 12, "I", "C"),
                         (t.participant, 24, "B", "C"), ("in recognition of completing", 12, "I", "C"),
                         (t.title, 18, "B", "C"), ("", 6, "", "C")]
    details = [f"Date: {d}", hours]
    if (w := _delivery_word(t)) is not None:
        details.append(f"Format: {w}")
    rng.shuffle(details)
    lines += [(x, 12, "", "C") for x in details]
    lines += [("", 6, "", "C"), (f"Provider: {t.provider} - NCBTMB Approved Provider {t.approval_number}", 11, "",
                                 "C")]
    return [*lines, (" | ".join(_contact(t)), 10, "", "C")]


LAYOUTS: dict[str, Callable[[Truth, random.Random], list[Line]]] = {
    "classic": _classic, "labelled": _labelled, "sentence": _sentence, "letterhead": _letterhead, "table": _table,
    "modern": _modern}


def _set_font(pdf: FPDF, font: str, style: str, size: int) -> None:
    if font.startswith("dejavu"):
        pdf.set_font(font, style.replace("I", ""), size)
    else:
        pdf.set_font(font, style, size)


def render_pdf(t: Truth) -> bytes:
    """The certificate as a one-page text PDF (US letter, landscape)."""
    pdf = FPDF(orientation="L", unit="mm", format="Letter")
    if t.font.startswith("dejavu"):
        base = "DejaVuSans" if t.font == "dejavu-sans" else "DejaVuSerif"
        pdf.add_font(t.font, "", str(DEJAVU / f"{base}.ttf"))
        pdf.add_font(t.font, "B", str(DEJAVU / f"{base}-Bold.ttf"))
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    pdf.set_draw_color(120, 90, 40)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 259.4, 195.9)
    lines = LAYOUTS[t.layout](t, random.Random(t.name))
    pdf.set_xy(25, 28)
    for text, size, style, align in lines:
        _set_font(pdf, t.font, style, size)
        height = size * 0.55
        if "\t" in text:
            label, value = text.split("\t")
            pdf.set_x(35)
            pdf.cell(70, height, label)
            _set_font(pdf, t.font, "B", size)
            pdf.cell(150, height, value, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.set_x(25)
            pdf.cell(229, height, text, align=align, new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(170, 180)
    _set_font(pdf, t.font, "", 10)
    pdf.cell(80, 6, "Signature of the Approved Provider", border="T", align="C")
    pdf.set_title(t.title)
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=UTC))  # the same truth makes the same bytes
    return bytes(pdf.output())


def photograph(pdf: bytes, *, seed: int, megapixels: float = 4.0, angle: float | None = None, keystone: float = 0.0,
               quality: int = 82) -> bytes:
    """A phone-style JPEG of the PDF's first page: on a desk, unevenly lit, rotated a few degrees, noisy.
    ``keystone``: the top edge narrower by that fraction of the width on each side (a photo taken at an angle)."""
    import numpy as np
    import pypdfium2
    from PIL import ImageFilter

    rng = random.Random(seed)
    doc = pypdfium2.PdfDocument(pdf)
    page = doc[0]
    width_pt, _ = page.get_size()
    target_w = int((megapixels * 1e6 * 4 / 3) ** 0.5)  # a 4:3 photo
    scale = target_w * 0.85 / width_pt
    sheet = page.render(scale=scale).to_pil().convert("RGB")
    doc.close()
    target_h = int(target_w * 3 / 4)
    desk = Image.new("RGB", (target_w, target_h), (95 + rng.randint(0, 40), 75 + rng.randint(0, 30), 60))
    desk.paste(sheet, ((target_w - sheet.width) // 2, (target_h - sheet.height) // 2))
    turn = angle if angle is not None else rng.choice((-1, 1)) * rng.uniform(1.0, 4.0)
    photo = desk.rotate(turn, resample=Image.Resampling.BILINEAR, fillcolor=(70, 60, 50))
    photo = photo.filter(ImageFilter.BoxBlur(1))
    arr = np.asarray(photo, dtype=np.float32)
    light = np.linspace(0.78 + rng.uniform(0, 0.1), 1.05, arr.shape[1], dtype=np.float32)[None, :, None]
    # Sensor noise: one random 509 x 509 tile repeated (a prime size, so the repeat does not line up with text).
    tile = np.random.default_rng(seed).normal(0, 9, (509, 509, 1)).astype(np.float32)
    reps = (arr.shape[0] // 509 + 1, arr.shape[1] // 509 + 1, 3)
    noise = np.tile(tile, reps)[: arr.shape[0], : arr.shape[1]]
    arr = np.clip(arr * light + noise, 0, 255).astype(np.uint8)
    image = Image.fromarray(arr)
    if keystone:
        image = _keystone(image, keystone)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def _keystone(image: Image.Image, k: float) -> Image.Image:
    import numpy as np

    w, h = image.size
    source = [(k * w, 0.0), (w - k * w, 0.0), (float(w), float(h)), (0.0, float(h))]
    target = [(0.0, 0.0), (float(w), 0.0), (float(w), float(h)), (0.0, float(h))]
    rows, values = [], []
    for (x, y), (sx, sy) in zip(target, source, strict=True):
        rows += [[x, y, 1, 0, 0, 0, -sx * x, -sx * y], [0, 0, 0, x, y, 1, -sy * x, -sy * y]]
        values += [sx, sy]
    coeffs = np.linalg.solve(np.array(rows, dtype=float), np.array(values, dtype=float))
    return image.transform((w, h), Image.Transform.PERSPECTIVE, tuple(float(c) for c in coeffs),
                           Image.Resampling.BILINEAR)


def write_corpus(folder: Path, truths: list[Truth] | None = None, *, photo_megapixels: float = 4.0) -> list[Truth]:
    """Write each certificate (``NAME.pdf`` or ``NAME.jpg``) and its truth (``NAME.json``) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    truths = make_truths() if truths is None else truths
    for i, t in enumerate(truths):
        pdf = render_pdf(t)
        if t.kind == "photo":
            (folder / f"{t.name}.jpg").write_bytes(photograph(pdf, seed=i, megapixels=photo_megapixels))
        else:
            (folder / f"{t.name}.pdf").write_bytes(pdf)
        (folder / f"{t.name}.json").write_text(json.dumps(asdict(t), indent=2) + "\n")
    return truths


def certificate_path(folder: Path, t: Truth) -> Path:
    return folder / f"{t.name}.{'pdf' if t.kind == 'pdf' else 'jpg'}"


TRUTH_OF_FIELD = {"title": "title", "hours": "hours", "completion_date": "completion_date", "provider": "provider",
                  "approval_number": "approval_number", "participant": "participant",
                  "provider_address": "provider_address", "provider_email": "provider_email",
                  "delivery_format": "delivery"}
"""Each field of a reading (``cebot.certificates.FIELDS``) and the :class:`Truth` attribute it is scored against."""


def _normal(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return round(float(value), 2)
    return " ".join(str(value).lower().split())


def score(reading: object, truth: Truth) -> dict[str, bool]:
    """Per field: did the reading get it right? (Text compared case- and space-insensitively; a field the
    certificate does not print is right when it is not found.)"""
    fields = reading.fields()  # type: ignore[attr-defined]
    return {name: _normal(fields[name].value) == _normal(getattr(truth, attr))
            for name, attr in TRUTH_OF_FIELD.items()}
