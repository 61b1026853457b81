"""Certificate files: checked by content, kept in cebot's own store, and read (no Slack, no database here).

The public API (other packages import from here):

- :func:`sniff` / :class:`CertificateRejected`: is this a certificate file cebot accepts, and why not.
- :class:`CertificateStore` (:class:`FileStore`, :class:`S3Store`, :func:`store_from_url`,
  :func:`store_from_settings`): keep, fetch and delete files by sha256.
- :func:`read_certificate` -> :class:`Reading`: the fields printed on it, each with a confidence.
- :func:`ncbtmb_missing`: which of NCBTMB's required certificate fields a reading lacks.
"""

from cebot.certificates.fields import Found
from cebot.certificates.ncbtmb import NCBTMB_FIELDS, SOURCE_CHECKED, SOURCE_URL, UNCONFIRMED, ncbtmb_missing
from cebot.certificates.ocr import OcrUnavailable
from cebot.certificates.read import FIELDS, Reading, read_certificate
from cebot.certificates.sniff import MAX_BYTES, MAX_PIXELS, CertificateRejected, Sniffed, sniff
from cebot.certificates.store import (
    CertificateNotFound,
    CertificateStore,
    FileStore,
    S3Store,
    StoredFile,
    StoreError,
    store_from_settings,
    store_from_url,
)

__all__ = [
    "FIELDS",
    "MAX_BYTES",
    "MAX_PIXELS",
    "NCBTMB_FIELDS",
    "SOURCE_CHECKED",
    "SOURCE_URL",
    "UNCONFIRMED",
    "CertificateNotFound",
    "CertificateRejected",
    "CertificateStore",
    "FileStore",
    "Found",
    "OcrUnavailable",
    "Reading",
    "S3Store",
    "Sniffed",
    "StoreError",
    "StoredFile",
    "ncbtmb_missing",
    "read_certificate",
    "sniff",
    "store_from_settings",
    "store_from_url",
]
