"""bench/certificates.py runs end to end at CI size and meets its targets."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.paths import PROJECT_ROOT

BENCH = PROJECT_ROOT / "bench" / "certificates.py"
pytestmark = [
    pytest.mark.slow,  # tens of seconds: OCR of three photos
    pytest.mark.skipif(not BENCH.exists(), reason="no bench/ in this install"),
    pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is not installed"),
]


def test_certificates_bench_small_run_meets_targets(tmp_path: Path) -> None:
    """A --small run exits 0 (every target met), prints the table and writes per-field accuracy."""
    out = tmp_path / "certs.json"
    run = subprocess.run([sys.executable, str(BENCH), "--small", "--json-out", str(out)], cwd=tmp_path,
                         capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "12 MP photo" in run.stdout
    results = json.loads(out.read_text())
    assert results["pdf"]["files"] == 6
    assert results["photo"]["files"] == 2
    assert all(results["checks"].values())
    assert set(results["per_field"]["pdf"]) >= {"title", "hours", "completion_date"}
