"""cebot's own copy of each certificate file, content-addressed by sha256.

Two stores behind one small protocol: :class:`FileStore`, a local folder (the default, beside the SQLite
database), and :class:`S3Store`, S3 or any S3-compatible object storage through boto3. ``CERTIFICATE_STORE``
picks one (:func:`store_from_url`). A file's name is its hash (``ab/cd/abcd...``), so storing the same file twice
keeps one copy, and :meth:`get` checks the hash of what it reads back.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from cebot.certificates.sniff import sniff

if TYPE_CHECKING:
    from cebot.core.settings import Settings

logger = logging.getLogger(__name__)

_SHA256 = re.compile(r"[0-9a-f]{64}")


class CertificateNotFound(KeyError):
    """No stored file has that hash."""


class StoreError(RuntimeError):
    """The store could not be reached, or gave back bytes that do not match their hash."""


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    """Hex digest of the content; the file's key in the store."""
    size: int
    """Bytes."""
    media_type: str
    """As sniffed from the content: ``application/pdf``, ``image/jpeg``, ``image/png``, ``image/webp`` or
    ``image/heic``."""


class CertificateStore(Protocol):
    def put(self, data: bytes) -> StoredFile:
        """Keep ``data`` (after :func:`~cebot.certificates.sniff.sniff` accepts it, else ``CertificateRejected``
        and nothing is written). Idempotent: the same bytes give the same :class:`StoredFile`."""
        ...

    def get(self, sha256: str) -> bytes:
        """The stored bytes; :class:`CertificateNotFound` if none."""
        ...

    def exists(self, sha256: str) -> bool: ...

    def delete(self, sha256: str) -> None:
        """Remove the file; nothing happens if it is not there."""
        ...


def _key(sha256: str) -> str:
    if not _SHA256.fullmatch(sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def _verified(sha256: str, data: bytes) -> bytes:
    if hashlib.sha256(data).hexdigest() != sha256:
        raise StoreError(f"stored certificate {sha256} does not match its hash")
    return data


def _accept(data: bytes) -> StoredFile:
    sniffed = sniff(data)
    return StoredFile(sha256=hashlib.sha256(data).hexdigest(), size=len(data), media_type=sniffed.media_type)


class FileStore:
    """Files under ``root/ab/cd/<sha256>``, each written to a temporary file and renamed into place, so a reader
    never sees half a file and a crash leaves at most a stray temporary file."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"FileStore({str(self.root)!r})"

    def path(self, sha256: str) -> Path:
        return self.root / _key(sha256)

    def put(self, data: bytes) -> StoredFile:
        stored = _accept(data)
        target = self.path(stored.sha256)
        if target.exists():
            return stored
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return stored

    def get(self, sha256: str) -> bytes:
        try:
            return _verified(sha256, self.path(sha256).read_bytes())
        except FileNotFoundError as exc:
            raise CertificateNotFound(sha256) from exc

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def delete(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)


class S3Store:
    """Objects ``<prefix>/ab/cd/<sha256>`` in one bucket. Credentials, region and endpoint come from boto3's usual
    sources (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_DEFAULT_REGION``, ``AWS_ENDPOINT_URL`` or
    ``AWS_ENDPOINT_URL_S3`` for another S3-compatible service); ``endpoint_url`` overrides the endpoint."""

    def __init__(self, bucket: str, prefix: str = "", *, endpoint_url: str | None = None,
                 client: Any | None = None) -> None:
        import boto3

        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = client if client is not None else boto3.client("s3", endpoint_url=endpoint_url)

    def __repr__(self) -> str:
        return f"S3Store('s3://{self.bucket}/{self.prefix}')"

    def key(self, sha256: str) -> str:
        return f"{self.prefix}/{_key(sha256)}" if self.prefix else _key(sha256)

    def put(self, data: bytes) -> StoredFile:
        stored = _accept(data)
        if not self.exists(stored.sha256):
            # One PUT is atomic in S3: the object appears whole or not at all.
            self._call("put_object", Bucket=self.bucket, Key=self.key(stored.sha256), Body=data,
                       ContentType=stored.media_type)
        return stored

    def get(self, sha256: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            response = self._call("get_object", Bucket=self.bucket, Key=self.key(sha256))
        except StoreError as exc:
            if isinstance(exc.__cause__, ClientError) and (
                    _status(exc.__cause__) == 404 or _code(exc.__cause__) in ("NoSuchKey", "404")):
                raise CertificateNotFound(sha256) from exc
            raise
        return _verified(sha256, response["Body"].read())

    def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self._call("head_object", Bucket=self.bucket, Key=self.key(sha256))
        except StoreError as exc:
            if isinstance(exc.__cause__, ClientError) and _status(exc.__cause__) == 404:
                return False
            raise
        return True

    def delete(self, sha256: str) -> None:
        self._call("delete_object", Bucket=self.bucket, Key=self.key(sha256))  # S3 deletes are idempotent

    def _call(self, method: str, **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client, method)(**kwargs)
        except (ClientError, BotoCoreError) as exc:
            raise StoreError(f"S3 {method} failed: {exc}") from exc


def _status(exc: Any) -> int | None:
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return int(status) if status is not None else None


def _code(exc: Any) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def store_from_url(url: str, *, endpoint_url: str | None = None) -> CertificateStore:
    """``file:///abs/folder`` (or ``file://relative/folder``) -> :class:`FileStore`; ``s3://bucket/prefix`` ->
    :class:`S3Store`. Anything else is a ``ValueError`` naming the accepted forms."""
    url = url.strip()
    if url.startswith("file://"):
        path = url[len("file://"):]
        if not path:
            raise ValueError("a file:// certificate store needs a folder, e.g. file:///var/lib/cebot/certificates")
        return FileStore(Path(path))
    if url.startswith("s3://"):
        bucket, _, prefix = url[len("s3://"):].partition("/")
        if not bucket:
            raise ValueError("an s3:// certificate store needs a bucket, e.g. s3://my-bucket/certificates")
        return S3Store(bucket, prefix, endpoint_url=endpoint_url)
    raise ValueError(f"a certificate store is file:///folder or s3://bucket/prefix, not {url!r}")


def store_from_settings(settings: Settings) -> CertificateStore:
    """The store ``CERTIFICATE_STORE`` names (default: a ``certificates`` folder beside the SQLite database)."""
    return store_from_url(settings.certificate_store_url())
