"""CI-size run of bench/scale.py: it seeds, builds every large payload, checks it against Slack's limits."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers.paths import PROJECT_ROOT

pytestmark = pytest.mark.slow  # a bench run end to end: run by .ci/run with `-m slow`

BENCH = PROJECT_ROOT / "bench" / "scale.py"


@pytest.mark.skipif(not BENCH.exists(), reason="no bench/ in this install")
def test_scale_bench_reports_the_largest_message_and_view() -> None:
    """``--small`` on SQLite exits 0, every payload is accepted, and the largest message and view are named."""
    done = subprocess.run([sys.executable, str(BENCH), "--small", "--database-url", "sqlite"], capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "largest message: /ce list 50" in done.stdout
    assert "largest view:" in done.stdout
    assert "REFUSED" not in done.stdout
