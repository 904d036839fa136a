"""Keep the benchmarks runnable: each script runs end to end at a tiny size (its own asserts included)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@pytest.mark.slow
@pytest.mark.parametrize(
    "arguments",
    [
        ["locate_batch.py", "--grids", "500", "--points", "20000", "--loop-points", "500"],
        ["partition.py", "--grids", "300", "--naive-grids", "100"],
        ["api_locate.py", "--requests", "30"],
        ["registry_import.py", "--rows", "2000"],
        ["person_search.py", "--persons", "5000", "--queries", "20"],
        ["case_deadlines.py", "--cases", "5000"],
        ["case_map.py", "--cases", "3000", "--requests", "3"],
        ["case_intake.py", "--cases", "60"],
        ["open311_requests.py", "--cases", "3000", "--requests", "20"],
        ["portal_load.py", "--seconds", "2", "--clients", "2", "--workers", "1"],
        ["photo_pixels.py", "--side", "3000"],
        ["app_shell_offline.py", "--loads", "2"],
        ["track_ingest.py", "--fixes", "1000", "--clients", "2", "--raw", "200"],
        ["patrol_metrics.py", "--workers", "20", "--hours", "1"],
        ["due_visits.py", "--persons", "5000", "--in-groups", "500"],
        ["visit_agenda.py", "--persons", "5000", "--in-groups", "500", "--agendas", "20"],
        ["warning_backtest.py", "--grids", "20", "--reports-per-day", "20", "--days", "7", "--spikes", "8"],
        ["stats_facts.py", "--cases", "600", "--days", "45", "--streets", "2", "--grids", "2", "--runs", "2"],
        ["stats_intake.py", "--cases", "10", "--rounds", "2"],
    ],
)
def test_benchmark_runs(arguments):
    # Each benchmark builds its own throw-away SQLite database, whatever database the suite itself runs on.
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, *arguments], cwd=HERE, capture_output=True, text=True, timeout=300, env=env
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "ratio" in result.stdout
