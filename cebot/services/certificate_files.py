"""The one place cebot's Slack flow meets the certificate package (:mod:`cebot.certificates`): open the store
the settings name, check and read a file, and download a Slack file with the bot token.

Kept small on purpose: the store, the type check and the reader live in ``cebot.certificates``; this module only
turns their results into what the services keep (``Certificate.reading``) and what the member is told.
"""

from __future__ import annotations

import logging
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30
SLACK_FILE_HOSTS = ("files.slack.com",)
GONE_STATUSES = frozenset({401, 403, 404, 410})


class Store(Protocol):
    def put(self, data: bytes) -> Any: ...
    def get(self, sha256: str) -> bytes: ...
    def delete(self, sha256: str) -> Any: ...


class Rejected(Exception):
    """The file is not kept; ``reason`` says why in plain words (ends with a full stop)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Gone(Exception):
    """Slack will not give us the file (deleted, no access): asking again will not help."""


class Transient(Exception):
    """The download failed in a way a retry may fix (network, Slack 5xx)."""


@dataclass(frozen=True)
class Intake:
    """A file that passed the checks and was read."""

    media_type: str
    reading: dict[str, Any]
    """``{"fields": {...}, "ncbtmb_missing": [...]}`` (see :func:`inspect`)."""


def open_store(settings: Any) -> Store:
    """The certificate store ``CERTIFICATE_STORE`` names (a local folder beside the database by default)."""
    from cebot.certificates import store_from_settings

    return store_from_settings(settings)


def delete_stored_files(settings: Any, hashes: Any) -> int:
    """Remove ``hashes`` from the store the settings name (after the commit that removed their rows)."""
    from cebot.services.certificate_retention import delete_files

    hashes = list(hashes)
    return delete_files(open_store(settings), hashes) if hashes else 0


def inspect(data: bytes) -> Intake:
    """Check ``data`` by content (type, size, pixels, encryption) and read the certificate's fields.

    Raises :class:`Rejected` when the file is refused or is not a certificate.
    """
    from cebot.certificates import CertificateRejected, OcrUnavailable, read_certificate

    try:
        reading = read_certificate(data)
    except CertificateRejected as exc:
        raise Rejected(_sentence(exc.reason)) from exc
    except OcrUnavailable as exc:
        log.error("a photo certificate could not be read: %s", exc)
        raise Rejected("I can't read photos on this cebot yet (its OCR engine is not installed); please share the "
                       "PDF instead.") from exc
    return reading_of(reading)


def _sentence(text: str) -> str:
    text = text.strip() or "I can't use that file."
    return text if text.endswith((".", "!", "?")) else text + "."


def reading_of(reading: Any) -> Intake:
    """A :class:`cebot.certificates.Reading` as the services keep it (plain JSON: what the proposal shows)."""
    from cebot.certificates import NCBTMB_FIELDS, ncbtmb_missing

    if not reading.looks_like_certificate:
        raise Rejected("it doesn't look like a CE certificate (I found no course title or hours with a date on "
                       "it).")
    hours = reading.hours.value
    day = reading.completion_date.value
    fields: dict[str, Any] = {
        "title": reading.title.value, "hours_q": round(hours * 4) if hours else None,
        "hours_text": f"{hours:g} {reading.hours_unit or 'hours'}" if hours else None,
        "completed_on": day.isoformat() if day else None, "provider": reading.provider.value,
        "approval_number": reading.approval_number.value, "delivery_format": reading.delivery_format.value,
        "participant": reading.participant.value,
    }
    missing = [NCBTMB_FIELDS[k] for k in ncbtmb_missing(reading)]
    return Intake(media_type=reading.media_type,
                  reading={"fields": fields, "ncbtmb_missing": missing, "method": reading.method,
                           "notes": list(reading.notes)})


def safe_name(text: str) -> str:
    """Letters, digits, dots and dashes only, for file names made of user input."""
    return re.sub(r"[^A-Za-z0-9.-]+", "-", text).strip("-")[:40] or "cebot"


def allowed_url(url: str, api_base_url: str) -> bool:
    """Only Slack's file host (or the Slack API host cebot is configured with: the fake in tests) ever gets the
    bot token: a file object could name any URL."""
    parts = urlsplit(url)
    api = urlsplit(api_base_url)
    if parts.scheme == "https" and parts.hostname in SLACK_FILE_HOSTS:
        return True
    return bool(api.netloc) and parts.scheme == api.scheme and parts.netloc == api.netloc


def download(url: str, *, token: str, api_base_url: str, limit: int = MAX_BYTES) -> bytes:
    """The file at ``url`` (``url_private_download``) with the bot token; at most ``limit`` bytes.

    Raises :class:`Rejected` (too big, a login page instead of a file), :class:`Gone` or :class:`Transient`.
    """
    if not allowed_url(url, api_base_url):
        raise Gone(f"not a Slack file URL: {urlsplit(url).netloc}")
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT) as response:  # noqa: S310 (checked above)
            ctype = str(response.headers.get("Content-Type") or "")
            data = response.read(limit + 1)
    except urllib.error.HTTPError as exc:
        if exc.code in GONE_STATUSES:
            raise Gone(f"HTTP {exc.code}") from exc
        raise Transient(f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise Transient(str(exc)) from exc
    if len(data) > limit:
        raise Rejected("it is over 10 MB.")
    if ctype.startswith("text/html"):  # Slack answers its login page when the token may not read the file
        raise Gone("Slack answered a web page, not the file")
    return data
