"""Two complete result sets of the baseline, shared by the fault tests (signals, full disk, two
writers): runs that differ only in the seed, each written alone, so any file tells which run it
comes from. A run's files are the same on any number of workers."""

from __future__ import annotations

import functools
import hashlib
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

RUN = ["-m", "nmmsim", "run", "baseline", "--draws", "2048"]
OLD_SEED, NEW_SEED = "1", "2"
#: The interrupted runs use two workers, so that there are processes to leave behind.
WORKERS = ["--workers", "2"]
_POLL = 0.005  # seconds between looks for the staging directory


@dataclass(frozen=True)
class ResultSets:
    old_directory: Path  # the run with OLD_SEED
    old: dict[str, str]  # file name -> sha256
    new: dict[str, str]  # the run with NEW_SEED
    computing: float  # seconds from the NEW_SEED run's start until its staging directory appears
    writing: float  # seconds from then until it ends


def contents(directory: Path) -> dict[str, str]:
    """Every entry of ``directory``, hidden ones too, by name, with its sha256."""
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
            for path in directory.iterdir()}


def start_run(out: Path, seed: str, *options: str,
          environment: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """Start ``nmmsim run baseline --draws 2048 --seed SEED --out OUT`` in its own session."""
    return subprocess.Popen([sys.executable, *RUN, "--seed", seed, "--out", str(out), *options],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=environment, start_new_session=True)


def is_staging(path: Path) -> bool:
    """A run's staging directory (not the file that checks the directory is writable)."""
    try:
        return path.name.startswith(".nmmsim-") and path.is_dir()
    except OSError:  # gone meanwhile
        return False


def staging_appears(out: Path, process: subprocess.Popen[str]) -> float:
    """Wait until the run's staging directory exists in ``out`` (or the run ended); the time."""
    while process.poll() is None and not any(is_staging(path) for path in out.iterdir()):
        time.sleep(_POLL)
    return time.monotonic()


@pytest.fixture(scope="session")
def result_sets(tmp_path_factory: pytest.TempPathFactory) -> ResultSets:
    """The two sets, made once a session for every module that imports this fixture (each
    import is a fixture of its own for pytest, hence the cache)."""
    return _made(tmp_path_factory.getbasetemp())


@functools.cache
def _made(base: Path) -> ResultSets:
    old, new = base / "result_set_old", base / "result_set_new"
    old.mkdir()
    new.mkdir()
    assert start_run(old, OLD_SEED).communicate(timeout=120)[1] == ""
    begun = time.monotonic()
    process = start_run(new, NEW_SEED, *WORKERS)
    staged = staging_appears(new, process)
    assert process.communicate(timeout=120)[1] == "" and process.returncode == 0
    ended = time.monotonic()
    old_set, new_set = contents(old), contents(new)
    assert old_set.keys() == new_set.keys() and not set(old_set.values()) & set(new_set.values())
    return ResultSets(old, old_set, new_set, staged - begun, ended - staged)
