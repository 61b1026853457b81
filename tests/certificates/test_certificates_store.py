"""The certificate store: a local folder and S3 (moto's server mode on loopback), content-addressed by sha256."""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from cebot.certificates import (
    CertificateNotFound,
    CertificateRejected,
    CertificateStore,
    FileStore,
    S3Store,
    StoreError,
    store_from_settings,
    store_from_url,
)
from cebot.core.settings import SettingsError, load_settings
from tests.helpers.certificate_helpers import certificate_pdf


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A real S3 API (moto's server mode) on 127.0.0.1 for this module."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_env(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """boto3's usual variables pointing at the loopback S3, with a fresh bucket; returns the bucket name."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    bucket = f"certs-{hashlib.sha256(s3_endpoint.encode() + str(id(monkeypatch)).encode()).hexdigest()[:10]}"
    boto3.client("s3").create_bucket(Bucket=bucket)
    return bucket


@pytest.fixture(params=["file", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> CertificateStore:
    if request.param == "file":
        return store_from_url(f"file://{tmp_path / 'certificates'}")
    bucket = request.getfixturevalue("s3_env")
    return store_from_url(f"s3://{bucket}/cebot/certificates")


def test_put_get_exists_delete_round_trip(store: CertificateStore) -> None:
    """A stored certificate comes back byte for byte under its sha256, and is gone after delete."""
    data = certificate_pdf()
    stored = store.put(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert (stored.size, stored.media_type) == (len(data), "application/pdf")
    assert store.exists(stored.sha256)
    assert store.get(stored.sha256) == data
    store.delete(stored.sha256)
    assert not store.exists(stored.sha256)
    with pytest.raises(CertificateNotFound):
        store.get(stored.sha256)
    store.delete(stored.sha256)  # deleting what is not there is not an error


def test_same_bytes_twice_keep_one_copy(store: CertificateStore) -> None:
    """Storing the same file twice gives the same record (content addressing), and different files differ."""
    first, again = store.put(certificate_pdf()), store.put(certificate_pdf())
    other = store.put(certificate_pdf("Thai Massage Level 1"))
    assert first == again
    assert other.sha256 != first.sha256


def test_rejected_file_is_not_stored(store: CertificateStore, tmp_path: Path) -> None:
    """A file the sniffer refuses raises CertificateRejected and leaves nothing in the store."""
    data = b"not a certificate"
    with pytest.raises(CertificateRejected):
        store.put(data)
    assert not store.exists(hashlib.sha256(data).hexdigest())


def test_file_store_paths_are_content_addressed_and_writes_leave_no_temp_files(tmp_path: Path) -> None:
    """Files land at ab/cd/<sha256> under the folder, with no temporary file left beside them."""
    store = FileStore(tmp_path)
    stored = store.put(certificate_pdf())
    path = tmp_path / stored.sha256[:2] / stored.sha256[2:4] / stored.sha256
    assert path.read_bytes() == certificate_pdf()
    assert [p.name for p in path.parent.iterdir()] == [stored.sha256]


def test_file_store_detects_a_changed_file(tmp_path: Path) -> None:
    """A stored file altered on disk is reported (StoreError), never returned as the certificate."""
    store = FileStore(tmp_path)
    stored = store.put(certificate_pdf())
    store.path(stored.sha256).write_bytes(b"%PDF-tampered")
    with pytest.raises(StoreError, match="does not match"):
        store.get(stored.sha256)


def test_keys_must_be_sha256_digests(tmp_path: Path) -> None:
    """A key that is not a hex sha256 (e.g. a path) is refused, so nothing outside the folder is touched."""
    with pytest.raises(ValueError, match="sha256"):
        FileStore(tmp_path).get("../../etc/passwd")


def test_s3_keys_carry_the_prefix(s3_env: str) -> None:
    """In S3 the object is <prefix>/ab/cd/<sha256> with the sniffed content type."""
    store = store_from_url(f"s3://{s3_env}/clinic/certs/")
    assert isinstance(store, S3Store)
    stored = store.put(certificate_pdf())
    head = boto3.client("s3").head_object(Bucket=s3_env, Key=f"clinic/certs/{stored.sha256[:2]}/"
                                                            f"{stored.sha256[2:4]}/{stored.sha256}")
    assert head["ContentType"] == "application/pdf"


def test_s3_unreachable_is_a_store_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """An S3 endpoint that does not answer raises StoreError (the caller's job is retried), not a raw boto error."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    from botocore.config import Config

    client = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{free_port()}",
                          config=Config(retries={"max_attempts": 1}, connect_timeout=1))
    with pytest.raises(StoreError):
        S3Store("bucket", client=client).put(certificate_pdf())


def test_certificate_store_defaults_to_a_folder_beside_the_sqlite_database(tmp_path: Path) -> None:
    """Unset, CERTIFICATE_STORE is file://<the SQLite database's folder>/certificates."""
    settings = load_settings(database_url=f"sqlite:///{tmp_path}/cebot.sqlite3", certificate_store="")
    assert settings.certificate_store_url() == f"file://{tmp_path.resolve()}/certificates"
    store = store_from_settings(settings)
    assert isinstance(store, FileStore)
    assert store.root == tmp_path.resolve() / "certificates"


def test_certificate_store_names_the_variable_when_wrong() -> None:
    """An unknown scheme is a SettingsError naming CERTIFICATE_STORE and the accepted forms."""
    settings = load_settings(certificate_store="ftp://files.example/certs")
    with pytest.raises(SettingsError) as err:
        settings.certificate_store_url()
    assert "CERTIFICATE_STORE" in str(err.value)
    assert "s3://bucket/prefix" in str(err.value)
    with pytest.raises(SettingsError, match="CERTIFICATE_STORE"):
        load_settings(certificate_store="s3://").certificate_store_url()


def test_store_from_url_accepts_file_and_s3(tmp_path: Path, s3_env: str) -> None:
    """file:///folder is a FileStore there; s3://bucket/prefix is an S3Store on that bucket and prefix."""
    file_store = store_from_url(f"file://{tmp_path}")
    assert isinstance(file_store, FileStore)
    assert file_store.root == tmp_path
    s3 = store_from_url(f"s3://{s3_env}/a/b")
    assert isinstance(s3, S3Store)
    assert (s3.bucket, s3.prefix) == (s3_env, "a/b")
    with pytest.raises(ValueError, match="file:///folder or s3://bucket/prefix"):
        store_from_url("https://example.com/x")
