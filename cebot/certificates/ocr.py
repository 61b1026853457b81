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
OCR_TIMEOUT = 60
"""Seconds one Tesseract call may take before it is killed (a page takes 1-2 s of CPU): a job never hangs on it."""
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
    """Greyscale, at most :data:`OCR_SIDE` pixels, turned upright (EXIF orientation), straightened. ``image``
    itself is turned and shrunk in place."""
    # In place and smallest first: a 50-megapixel PNG is 150 MB decoded, and a copy of it would double that.
    ImageOps.exif_transpose(image, in_place=True)
    image.thumbnail((OCR_SIDE, OCR_SIDE))
    return straighten(image.convert("L"))


def straighten(gray: Image.Image) -> Image.Image:
    angle = skew_angle(gray)
    if abs(angle) >= 0.5:
        gray = gray.rotate(-angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255)
    return gray


PSM = "3"
"""Tesseract's automatic page segmentation; the rows are rebuilt by :func:`_rows` anyway."""
MIN_GOOD_WORDS = 5
"""Fewer real words than this (letters only, 4 or more, read with 90% confidence) and the page may be sideways
or upside down: ask Tesseract's orientation detection (about 1.6 s of CPU, more than the reading itself, so only
then) and read again turned upright. A sideways page gives many words, but almost none of them real."""


def ocr_lines(image: Image.Image) -> list[OcrLine]:
    """The text lines of a photo or scan, top to bottom, each row's words joined left to right."""
    import pytesseract

    # Tesseract's OpenMP threads slow it down on a busy or small machine (one page is too little work to share,
    # and several readers may run at once); one thread per call. The operator may still set another value.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    prepared = prepare(image)
    try:
        words = _words(prepared)
        if _real_words(words) < MIN_GOOD_WORDS or _sideways(words):
            turn = _orientation(prepared)
            if turn:
                upright = straighten(prepared.rotate(-turn, expand=True, fillcolor=255))
                turned = _words(upright)
                if not _sideways(turned) and (_sideways(words) or _real_words(turned) > _real_words(words)):
                    words = turned
    except pytesseract.TesseractNotFoundError as exc:
        raise OcrUnavailable("Tesseract is not installed: apt-get install tesseract-ocr") from exc
    except (pytesseract.TesseractError, RuntimeError):  # pytesseract raises RuntimeError on its timeout
        # An image Tesseract cannot process is read as having no text: the member is asked to type the fields.
        logger.exception("Tesseract failed on a %dx%d image", prepared.width, prepared.height)
        return []
    return _rows(words)


def _sideways(words: list[_Word]) -> bool:
    """Tesseract may read a sideways page's words, but then their boxes stand upright: taller than wide."""
    long = [w for w in words if len(w.text) >= 4]
    return bool(long) and sum(w.height > w.width for w in long) > len(long) / 2


def _real_words(words: list[_Word]) -> int:
    return sum(w.confidence >= 0.9 and len(w.text) >= 4 and w.text.isalpha() for w in words)


def _orientation(image: Image.Image) -> int:
    """Degrees clockwise the page must turn to be upright (0, 90, 180, 270), by Tesseract's OSD; 0 if unsure."""
    import pytesseract

    try:
        osd = pytesseract.image_to_osd(image, config="--psm 0", output_type=pytesseract.Output.DICT,
                                       timeout=OCR_TIMEOUT)
    except (pytesseract.TesseractError, RuntimeError) as exc:  # too little text to tell, or its timeout
        logger.info("orientation not detected: %s", exc)
        return 0
    return int(osd.get("rotate", 0)) % 360


def _words(image: Image.Image) -> list[_Word]:
    import pytesseract

    data = pytesseract.image_to_data(image, config=f"--psm {PSM}", output_type=pytesseract.Output.DICT,
                                     timeout=OCR_TIMEOUT)
    words = []
    for i, text in enumerate(data["text"]):
        text = text.strip()
        conf = float(data["conf"][i])
        if text and conf >= 0:
            words.append(_Word(text, conf / 100, data["left"][i], data["top"][i], data["width"][i],
                               data["height"][i]))
    return words


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
