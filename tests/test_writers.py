"""Two runs into one output directory: each writes its files apart and moves them in under the
directory's lock, so the directory always holds one run's complete set, and a run that finds
the lock taken waits for it (nmmsim.atomic.staged_directory)."""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/locks").is_file(), reason="Linux /proc/locks")

_RUN = ["-m", "nmmsim", "run", "baseline", "--draws", "2048", "--seed"]


def _contents(directory: Path) -> dict[str, str]:
    """Every entry of ``directory``, hidden ones too, with its sha256."""
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
            for path in directory.iterdir()}


def _start(seed: str, out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, *_RUN, seed, "--out", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def complete_sets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """The files of the runs with seeds 1 and 2, each written alone."""
    directories = {seed: tmp_path_factory.mktemp(f"seed{seed}") for seed in ("1", "2")}
    runs = {seed: _start(seed, out) for seed, out in directories.items()}
    for run in runs.values():
        assert run.communicate(timeout=120)[1] == "" and run.returncode == 0
    return {seed: _contents(out) for seed, out in directories.items()}


def test_two_concurrent_runs_both_succeed_and_leave_one_complete_set(tmp_path, complete_sets):
    runs = [_start(seed, tmp_path) for seed in ("1", "2")]
    for run in runs:
        _, error = run.communicate(timeout=120)
        assert run.returncode == 0 and error == "", error
    assert _contents(tmp_path) in complete_sets.values()


def _waiting_for_a_lock(pid: int) -> bool:
    """Whether process ``pid`` waits for a file lock (a ``->`` line of ``/proc/locks``)."""
    return any(line.split()[1] == "->" and line.split()[5] == str(pid)
               for line in Path("/proc/locks").read_text().splitlines())


def test_a_run_waits_while_another_holds_the_directory_then_moves_its_set_in(
        tmp_path, complete_sets):
    out = tmp_path / "results"
    out.mkdir()
    holder = os.open(out, os.O_RDONLY)
    fcntl.flock(holder, fcntl.LOCK_EX)  # as a run moving its files in does
    try:
        run = _start("2", out)
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
    assert _contents(out) == complete_sets["2"]
