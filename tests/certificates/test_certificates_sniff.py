"""Certificate files are checked by content: accepted types, and each refusal's short message."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from fpdf import FPDF
from PIL import Image

from cebot.certificates import MAX_BYTES, CertificateRejected, sniff
from cebot.certificates.read import read_certificate


def pdf(text: str = "Certificate of Completion", *, user_password: str | None = None,
        owner_password: str | None = None) -> bytes:
    doc = FPDF()
    doc.add_page()
    doc.set_font("helvetica", size=14)
    doc.cell(0, 10, text)
    if owner_password is not None:
        doc.set_encryption(owner_password=owner_password, user_password=user_password)
    return bytes(doc.output())


def image(fmt: str, size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, format=fmt)
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels (its data is not even there)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(
        b"IEND", b"")


@pytest.mark.parametrize(("data", "media_type"), [
    (pdf(), "application/pdf"), (image("JPEG"), "image/jpeg"), (image("PNG"), "image/png"),
    (image("WEBP"), "image/webp"),
])
def test_accepted_types_are_named_by_content(data: bytes, media_type: str) -> None:
    """PDF, JPEG, PNG and WebP are accepted, typed by their bytes."""
    assert sniff(data).media_type == media_type


def test_heic_is_accepted_when_pillow_heif_is_installed() -> None:
    """An iPhone's HEIC photo is typed as image/heic and decodes (pillow-heif is a dev dependency)."""
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    assert sniff(image("HEIF")).media_type == "image/heic"


def test_the_name_does_not_matter_only_the_bytes() -> None:
    """A text file is refused whatever it is called; the message says what to send instead."""
    with pytest.raises(CertificateRejected) as err:
        sniff(b"Certificate of completion\nMaria Lopez\n6 CE hours\n")
    assert "doesn't look like a certificate file" in err.value.reason
    assert "PDF" in err.value.reason


@pytest.mark.parametrize("data", [image("GIF"), image("BMP"), b"PK\x03\x04" + b"\0" * 100, b"\0" * 10])
def test_unsupported_types_are_refused(data: bytes) -> None:
    """GIF, BMP, a ZIP and random bytes are not certificate files."""
    with pytest.raises(CertificateRejected, match="doesn't look like a certificate file"):
        sniff(data)


def test_empty_file_is_refused() -> None:
    """An empty download is refused, not read."""
    with pytest.raises(CertificateRejected, match="empty"):
        sniff(b"")


def test_file_over_10_mb_is_refused_before_parsing() -> None:
    """A file over 10 MB is refused with the limit in the message, whatever it contains."""
    with pytest.raises(CertificateRejected) as err:
        sniff(b"%PDF-1.7\n" + b"0" * MAX_BYTES)
    assert "10 MB" in err.value.reason


def test_password_protected_pdf_is_refused() -> None:
    """A PDF that needs a password to open is refused with a message that asks for a copy without one."""
    with pytest.raises(CertificateRejected, match="password-protected"):
        sniff(pdf(owner_password="owner", user_password="secret"))


def test_pdf_with_only_an_owner_password_is_read() -> None:
    """A PDF locked against editing only (empty user password) still opens and is read."""
    data = pdf("Course Title: Ethics in Massage", owner_password="owner", user_password="")
    assert sniff(data).media_type == "application/pdf"
    assert read_certificate(data).title.value == "Ethics in Massage"


@pytest.mark.parametrize("data", [
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nthis is not a pdf\n",
    pdf()[:300],
    b"%PDF-" + bytes(range(256)) * 4,
])
def test_corrupt_pdf_is_refused(data: bytes) -> None:
    """A damaged or truncated PDF is refused as damaged, not a crash."""
    with pytest.raises(CertificateRejected, match=r"damaged|no pages"):
        read_certificate(data)


def test_truncated_jpeg_is_refused() -> None:
    """A JPEG cut short (an interrupted download) is refused as damaged."""
    with pytest.raises(CertificateRejected, match="damaged"):
        sniff(image("JPEG", (800, 600))[:400])


def test_20000_by_20000_image_is_refused_before_decoding() -> None:
    """An image claiming 20,000 x 20,000 pixels is refused from its header, before any pixels are allocated."""
    with pytest.raises(CertificateRejected, match="too large"):
        sniff(png_claiming(20_000, 20_000))


def test_decompression_bomb_is_refused() -> None:
    """A small PNG (well under 10 MB) that would decode to 400 megapixels is refused as too large."""
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, format="PNG")
    bomb = out.getvalue()
    assert len(bomb) < MAX_BYTES
    with pytest.raises(CertificateRejected, match="too large"):
        read_certificate(bomb)


def test_twelve_megapixel_photo_is_within_the_pixel_limit() -> None:
    """A 4,000 x 3,000 phone photo is accepted."""
    assert sniff(image("JPEG", (4000, 3000))).media_type == "image/jpeg"
