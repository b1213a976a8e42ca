"""The benchmarks in ``benchmarks/`` still run (with the smallest sizes) and print their tables.

They reach into the engine's internals to time its stages, so a refactor could break them
silently; timings themselves are never asserted.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.mark.parametrize(("script", "arguments", "expected"), [
    ("bench_stages.py", ["--chunk-size", "1024", "--repeats", "1"], "chunk (run_draws)"),
    ("bench_step.py", [], "16,384"),
    ("bench_calibrate.py", ["--repeat", "1"], "residual evaluations"),
    ("bench_montecarlo.py", ["--draws", "2048", "--workers", "1", "--repeats", "2"],
     "draws/s range"),
    ("bench_memory.py", ["--end-year", "2026"], "peak MiB"),
    ("bench_sbc.py", ["--replications", "2", "--particles", "64", "--draws", "15", "--bins", "2"],
     "pooled p-value"),
])
def test_benchmark_runs_and_prints_its_table(script, arguments, expected):
    run = subprocess.run([sys.executable, str(BENCHMARKS / script), *arguments],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    assert expected in run.stdout
