"""CI-size run of bench/answer_latency.py: it serves both apps with gunicorn, measures, reports and cleans up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.paths import PROJECT_ROOT

# A bench run end to end (tens of seconds): run by .ci/run with `-m slow`, not by the default test command.
pytestmark = pytest.mark.slow

PG_URL = os.environ.get("CEBOT_TEST_DATABASE_URL", "")


@pytest.mark.skipif(not (PROJECT_ROOT / "bench" / "answer_latency.py").exists(), reason="no bench/ in this install")
def test_answer_latency_bench_runs_end_to_end(tmp_path: Path) -> None:
    """A --small run exits 0, prints the table and writes both runs for both apps, every cebot answer its reply."""
    out = tmp_path / "answer.json"
    cmd = [sys.executable, str(PROJECT_ROOT / "bench" / "answer_latency.py"), "--small", "--seconds", "1",
           "--requests", "30", "--json-out", str(out)]
    if PG_URL:
        cmd += ["--database-url", PG_URL]
    run = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "every answer the reply: yes" in run.stdout

    results = json.loads(out.read_text())
    assert results["database"] == ("postgresql" if PG_URL else "sqlite")
    rows = {(r["app"], r["mode"]): r for r in results["runs"]}
    assert set(rows) == {(app, mode) for app in ("bare", "cebot") for mode in ("50/s", "saturation x16")}
    for row in rows.values():
        assert row["errors"] == 0
        assert row["ok"] == (50 if row["mode"] == "50/s" else 30)
        assert 0 < row["ms"]["p50"] <= row["ms"]["p99"] <= row["ms"]["max"]
    for mode in ("50/s", "saturation x16"):
        cebot = rows[("cebot", mode)]
        assert (cebot["sorry"], cebot["wrong_reply"]) == (0, 0)
        assert set(cebot["by_kind"]) == {"log", "progress", "list"}
