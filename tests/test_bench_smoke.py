"""CI-size run of bench/ack_latency.py: it serves both apps with gunicorn, measures, reports and cleans up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cebot.db import PROJECT_ROOT

# A bench run end to end (tens of seconds): run by .ci/run with `-m slow`, not by the default test command.
pytestmark = pytest.mark.slow

PG_URL = os.environ.get("CEBOT_TEST_DATABASE_URL", "")


@pytest.mark.skipif(not (PROJECT_ROOT / "bench" / "ack_latency.py").exists(), reason="no bench/ in this install")
def test_ack_latency_bench_runs_end_to_end(tmp_path: Path) -> None:
    """A --small run exits 0, prints the table and writes p50/p99 acks for both apps and cebot's end-to-end times."""
    out = tmp_path / "ack.json"
    cmd = [sys.executable, str(PROJECT_ROOT / "bench" / "ack_latency.py"), "--small", "--requests", "32",
           "--time-limit", "240", "--json-out", str(out)]
    if PG_URL:
        cmd += ["--database-url", PG_URL]
    run = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "cebot p99 / bare p99" in run.stdout

    results = json.loads(out.read_text())
    assert results["database"] == ("postgresql" if PG_URL else "sqlite")
    rows = {(p["app"], p["scenario"]): p for p in results["phases"]}
    assert set(rows) == {(app, cmd) for app in ("bare", "cebot") for cmd in ("log", "progress")}
    for (app, _), row in rows.items():
        assert row["ok"] == 32
        assert row["errors"] == 0
        assert 0 < row["ack_ms"]["p50"] <= row["ack_ms"]["p99"]
        if app == "cebot":
            assert row["replies_missing"] == 0
            assert row["replies_failed"] == 0
            assert 0 < row["e2e_ms"]["p50"] <= row["e2e_ms"]["p99"]
    assert "Logged" in rows[("cebot", "log")]["sample_reply"]
    assert "Florida" in rows[("cebot", "progress")]["sample_reply"]
    assert set(results["verdict"]) == {"log", "progress"}
