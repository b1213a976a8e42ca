"""Two runs into one output directory: each writes its files apart and moves them in under the
directory's lock, so the directory always holds one run's complete set, and a run that finds
the lock taken waits for it (nmmsim.atomic.staged_directory)."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

import pytest

from tests.result_sets import (  # noqa: F401 - result_sets is a fixture
    NEW_SEED,
    OLD_SEED,
    ResultSets,
    contents,
    result_sets,
    start_run,
)

pytestmark = pytest.mark.skipif(not Path("/proc/locks").is_file(), reason="Linux /proc/locks")


def test_two_concurrent_runs_both_succeed_and_leave_one_complete_set(
        tmp_path: Path, result_sets: ResultSets) -> None:  # noqa: F811
    runs = [start_run(tmp_path, seed) for seed in (OLD_SEED, NEW_SEED)]
    for run in runs:
        _, error = run.communicate(timeout=120)
        assert run.returncode == 0 and error == "", error
    assert contents(tmp_path) in (result_sets.old, result_sets.new)


def _waiting_for_a_lock(pid: int) -> bool:
    """Whether process ``pid`` waits for a file lock (a ``->`` line of ``/proc/locks``)."""
    return any(line.split()[1] == "->" and line.split()[5] == str(pid)
               for line in Path("/proc/locks").read_text().splitlines())


def test_a_run_waits_while_another_holds_the_directory_then_moves_its_set_in(
        tmp_path: Path, result_sets: ResultSets) -> None:  # noqa: F811
    out = tmp_path / "results"
    out.mkdir()
    holder = os.open(out, os.O_RDONLY)
    fcntl.flock(holder, fcntl.LOCK_EX)  # as a run moving its files in does
    try:
        run = start_run(out, NEW_SEED)
        deadline = time.monotonic() + 120
        while not _waiting_for_a_lock(run.pid) and run.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _waiting_for_a_lock(run.pid), "the run did not wait for the lock"
        assert [p for p in out.iterdir() if not p.name.startswith(".")] == []
    finally:
        os.close(holder)  # releases the lock
    _, error = run.communicate(timeout=60)
    assert run.returncode == 0, error
    assert contents(out) == result_sets.new
