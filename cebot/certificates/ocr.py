"""Text from a photo or scan: straighten it, then Tesseract (Debian's ``tesseract-ocr``) through pytesseract.

Why Tesseract and not RapidOCR: measured on the generated photos (bench/certificates.py), Tesseract 5.3 read
the English certificates more accurately and, on one core, about four times faster at the same size; RapidOCR's
bundled PP-OCRv4 model drops the spaces between English words ("8February2026") and brings onnxruntime and
OpenCV (~100 MB). Tesseract is an operating-system package: ``apt-get install tesseract-ocr`` (.ci/run does).
"""

from __future__ import annotations

import itertools
import logging
import os
from dataclasses import dataclass

from PIL import Image, ImageFilter, ImageOps

logger = logging.getLogger(__name__)

OCR_SIDE = 1600
"""The longer side, in pixels, a photo is scaled to before OCR: a letter page's text is then ~20 px high, which
Tesseract reads well; more pixels cost time without reading more (bench/certificates.py)."""
MAX_SKEW = 6.0
"""Degrees either way the page may be turned in the photo; :func:`skew_angle` searches this range."""


class OcrUnavailable(RuntimeError):
    """Tesseract is not installed (``apt-get install tesseract-ocr``)."""


@dataclass(frozen=True)
class OcrLine:
    text: str
    confidence: float
    """Tesseract's mean word confidence, 0..1."""


def skew_angle(gray: Image.Image) -> float:
    """The angle (degrees, counter-clockwise) the text lines are turned by, from the dark pixels' row profile.

    Text lines are the rows where dark pixels pile up; sheared at the right angle, the row histogram is the
    most peaked (largest variance). Searching by shearing the dark pixels' coordinates is cheap (no rotation).
    """
    import numpy as np

    small = gray.copy()
    small.thumbnail((800, 800))
    # Ink: pixels much darker than their neighbourhood's brightest (a dark desk around the page is not ink).
    arr = np.asarray(small, dtype=np.int16)
    local_max = np.asarray(small.filter(ImageFilter.MaxFilter(7)), dtype=np.int16)
    ys, xs = np.nonzero(local_max - arr > 60)
    if len(xs) < 200:
        return 0.0
    stride = max(1, len(xs) // 30_000)  # enough ink pixels to see the lines; fewer is faster
    ys, xs = ys[::stride].astype(np.float64), xs[::stride].astype(np.float64)

    def peakedness(angle: float) -> float:
        rows = ys + xs * np.tan(np.radians(angle))
        return float(np.var(np.bincount((rows - rows.min()).astype(np.int64))))

    coarse = max((step / 2 for step in range(int(-MAX_SKEW * 2), int(MAX_SKEW * 2) + 1)), key=peakedness)
    return max((coarse + step / 10 for step in range(-5, 6)), key=peakedness)


def prepare(image: Image.Image) -> Image.Image:
    """Greyscale, at most :data:`OCR_SIDE` pixels, straightened."""
    image = ImageOps.exif_transpose(image) or image
    gray = image.convert("L")
    gray.thumbnail((OCR_SIDE, OCR_SIDE))
    angle = skew_angle(gray)
    if abs(angle) >= 0.5:
        gray = gray.rotate(-angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255)
    return gray


PSM = "3"


def ocr_lines(image: Image.Image) -> list[OcrLine]:
    """The text lines of a photo or scan, top to bottom, each row's words joined left to right."""
    import pytesseract

    prepared = prepare(image)
    # Tesseract's OpenMP threads slow it down on a busy or small machine (one page is too little work to share);
    # one thread per call is its documented advice for throughput. The operator may still set another value.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        data = pytesseract.image_to_data(prepared, config=f"--psm {PSM}", output_type=pytesseract.Output.DICT)
    except pytesseract.TesseractNotFoundError as exc:
        raise OcrUnavailable("Tesseract is not installed: apt-get install tesseract-ocr") from exc
    words = []
    for i, text in enumerate(data["text"]):
        text = text.strip()
        conf = float(data["conf"][i])
        if text and conf >= 0:
            words.append(_Word(text, conf / 100, data["left"][i], data["top"][i], data["width"][i],
                               data["height"][i]))
    return _rows(words)


@dataclass(frozen=True)
class _Word:
    text: str
    confidence: float
    left: int
    top: int
    width: int
    height: int

    @property
    def middle(self) -> float:
        return self.top + self.height / 2


def _rows(words: list[_Word]) -> list[OcrLine]:
    """Group words into rows by their vertical middle (the page is straight now), so a two-column form's label
    and value, which Tesseract may put in different blocks, come back as one line."""
    rows: list[list[_Word]] = []
    for word in sorted(words, key=lambda w: w.middle):
        if rows:
            row = rows[-1]
            height = sorted(w.height for w in row)[len(row) // 2]
            middle = sum(w.middle for w in row) / len(row)
            if abs(word.middle - middle) < max(4.0, 0.45 * height):
                row.append(word)
                continue
        rows.append([word])
    out = []
    for row in rows:
        row.sort(key=lambda w: w.left)
        text = row[0].text
        for before, word in itertools.pairwise(row):
            gap = word.left - (before.left + before.width)
            text += ("" if gap < 0.12 * min(before.height, word.height) else " ") + word.text
        out.append(OcrLine(text=text, confidence=sum(w.confidence for w in row) / len(row)))
    return out
