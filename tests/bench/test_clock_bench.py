"""CI-size run of bench/clock.py: a full tick sends everything due once, a constant number of queries per batch."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.paths import PROJECT_ROOT

# A bench run end to end (seconds, two fresh processes per database): run by .ci/run with `-m slow`.
pytestmark = pytest.mark.slow

PG_URL = os.environ.get("CEBOT_TEST_DATABASE_URL", "")
BENCH = PROJECT_ROOT / "bench" / "clock.py"


@pytest.mark.skipif(not BENCH.exists(), reason="no bench/ in this install")
def test_clock_bench_small_sends_everything_due_once(tmp_path: Path) -> None:
    """--small: 338 messages due and sent in the full tick, none in the next, 3 statements per member batch."""
    cmd = [sys.executable, str(BENCH), "--small", *(["--pg-only", "--pg-url", PG_URL] if PG_URL else ["--sqlite-only"])]
    run = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    out = run.stdout
    assert ("PostgreSQL" if PG_URL else "SQLite") in out, out + run.stderr
    assert "failed" not in out, out + run.stderr
    assert "skipped" not in out, out
    full, following = (line for line in out.splitlines() if "tick, " in line)
    assert "338 due (4 summaries), 338 sent" in full
    assert "(3 in each of 1 batches)" in full
    assert "0 due (0 summaries), 0 sent" in following
    assert "4 summary chart jobs queued" in out
