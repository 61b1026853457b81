"""What a file is, by its content (never its name), and whether cebot will keep and read it.

Accepted: PDF, JPEG, PNG, WebP, and HEIC/HEIF when the optional ``pillow-heif`` is installed (``pip install
'cebot[heic]'``). Refused, each with a short message for the member: over :data:`MAX_BYTES`, another type, a
password-protected or damaged PDF, an image over :data:`MAX_PIXELS` (a decompression bomb) or one that does not
decode.
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PIL import Image

if TYPE_CHECKING:
    from pypdf import PdfReader

logger = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
"""10 MB: a phone photo or a certificate PDF is well under it."""
MAX_PIXELS = 50_000_000
"""An image larger than this is refused before it is decoded (a 12-megapixel phone photo is well under; a
20,000 x 20,000 image, 400 megapixels, is not)."""
MAX_PDF_PAGES = 20
"""A certificate is a page or two; a longer PDF is refused rather than parsed."""

# Pillow's own decompression-bomb guard, set explicitly to our limit: it warns past MAX_IMAGE_PIXELS and raises
# past twice that; :func:`_open_image` turns the warning into a refusal too. Nothing else in cebot opens
# untrusted images, so the process-wide setting is ours to choose.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
HEIC = "image/heic"
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png", WEBP: "webp", HEIC: "heic"}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}

SEND_INSTEAD = "Please send the certificate as a PDF, or a JPEG or PNG photo."


class CertificateRejected(ValueError):
    """The file is not one cebot keeps or reads; ``reason`` is a short message to show the member."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Sniffed:
    media_type: str
    """``application/pdf``, ``image/jpeg``, ``image/png``, ``image/webp`` or ``image/heic``."""

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.media_type]

    @property
    def is_pdf(self) -> bool:
        return self.media_type == PDF


def media_type_of(data: bytes) -> str | None:
    """The type the first bytes announce (magic numbers), or ``None`` for any other kind of file."""
    head = data[:32]
    if b"%PDF-" in data[:1024]:  # the spec allows bytes before the header
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return HEIC
    return None


def check_type(data: bytes) -> str:
    """The media type of ``data`` after the cheap checks (empty, size, magic bytes), without parsing it."""
    if not data:
        raise CertificateRejected("That file is empty. " + SEND_INSTEAD)
    if len(data) > MAX_BYTES:
        raise CertificateRejected(f"That file is {len(data) / 1024 / 1024:.0f} MB; the limit is "
                                  f"{MAX_BYTES // 1024 // 1024} MB. A smaller photo or a PDF will do.")
    media_type = media_type_of(data)
    if media_type is None:
        raise CertificateRejected("That doesn't look like a certificate file. " + SEND_INSTEAD)
    return media_type


def sniff(data: bytes) -> Sniffed:
    """Check ``data`` is a certificate file cebot accepts (it opens as a PDF or decodes as an image within the
    limits); raise :class:`CertificateRejected` saying why not."""
    media_type = check_type(data)
    if media_type == PDF:
        open_pdf(data)
    else:
        with open_image(data, media_type):
            pass
    return Sniffed(media_type=media_type)


def open_pdf(data: bytes) -> PdfReader:
    """A pypdf reader for ``data``; refuses a password-protected, damaged or over-long PDF."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # An owner password only (printing/editing limits) still opens with an empty user password.
            try:
                opened = bool(reader.decrypt(""))
            except (PyPdfError, NotImplementedError):
                opened = False
            if not opened:
                raise CertificateRejected("That PDF is password-protected, so I can't read it. Please send a "
                                          "copy without a password, or a photo of the certificate.")
        pages = len(reader.pages)
    except CertificateRejected:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        logger.info("certificate PDF refused as damaged: %s", exc)
        raise CertificateRejected("That PDF seems to be damaged: I can't open it. " + SEND_INSTEAD) from exc
    if pages == 0:
        raise CertificateRejected("That PDF has no pages. " + SEND_INSTEAD)
    if pages > MAX_PDF_PAGES:
        raise CertificateRejected(f"That PDF has {pages} pages; a certificate has one or two. "
                                  "Please send just the certificate.")
    return reader


def _register_heif() -> bool:
    try:
        import pillow_heif  # type: ignore[import-not-found,unused-ignore]  # optional: pip install 'cebot[heic]'
    except ImportError:
        return False
    pillow_heif.register_heif_opener()
    return True


def open_image(data: bytes, media_type: str, *, fit: int | None = None) -> Image.Image:
    """The decoded image; refuses one over :data:`MAX_PIXELS` before decoding it, or one that does not decode.

    ``fit``: the caller only needs this many pixels on the longer side, so a JPEG may be decoded at 1/2, 1/4 or
    1/8 scale (libjpeg's draft mode: several times faster for a 12-megapixel photo)."""
    if media_type == HEIC and not _register_heif():
        raise CertificateRejected("I can't read HEIC photos here. On an iPhone, share it as JPEG "
                                  "(Settings > Camera > Formats > Most Compatible), or send a PDF.")
    too_big = CertificateRejected("That image is too large to read. Please send a smaller photo (under "
                                  f"{MAX_PIXELS // 1_000_000} megapixels) or a PDF.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # reads the header only
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise too_big
            if fit is not None and media_type == JPEG:
                image.draft("RGB", (fit, fit))
            image.load()
    except CertificateRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise too_big from exc
    except (OSError, ValueError, SyntaxError) as exc:  # Pillow's errors for truncated or damaged files
        logger.info("certificate image refused as damaged: %s", exc)
        raise CertificateRejected("That image seems to be damaged: I can't open it. " + SEND_INSTEAD) from exc
    return image
