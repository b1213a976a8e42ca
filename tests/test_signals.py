"""Ctrl-C or SIGTERM at any moment of a run into a directory holding earlier results leaves
either the earlier set or the new one, each whole: never a mix, no staging debris, no process.

A sweep: the signal is sent at points spread over the computation and, more densely, over the
writing of the files (timed from the moment the run's staging directory appears), as fractions
of the durations a reference run measured, so the points cover the same phases on a slow
machine. Ctrl-C goes to the run's whole process group, as a terminal sends it; SIGTERM to the
run only, as ``kill`` does.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.processes import left_running, new_marker

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir() or os.name != "posix",
                                reason="signals and /proc (Linux)")

_RUN = ["-m", "nmmsim", "run", "baseline", "--draws", "2048", "--workers", "2"]
_OLD_SEED, _NEW_SEED = "1", "2"
_POLL = 0.005  # seconds between looks for the staging directory


@dataclass(frozen=True)
class Reference:
    old_directory: Path
    old: dict[str, str]  # file name -> sha256, the earlier run's set
    new: dict[str, str]  # the interrupted run's set had it finished
    computing: float  # seconds from the start until the staging directory appears
    writing: float  # seconds from then until the run ends


def _contents(directory: Path) -> dict[str, str]:
    """Every entry of ``directory``, hidden ones too, by name, with its sha256."""
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
            for path in directory.iterdir()}


def _start(out: Path, seed: str, environment: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, *_RUN, "--seed", seed, "--out", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=environment, start_new_session=True)


def _staging_appears(out: Path, process: subprocess.Popen[str]) -> float:
    """Wait until the run's staging directory exists (or the run ended); return the time."""
    while process.poll() is None and not any(p.name.startswith(".nmmsim-") for p in
                                             out.iterdir()):
        time.sleep(_POLL)
    return time.monotonic()


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    old = tmp_path_factory.mktemp("old")
    assert _start(old, _OLD_SEED).communicate(timeout=120)[1] == ""
    new = tmp_path_factory.mktemp("new")
    start = time.monotonic()
    process = _start(new, _NEW_SEED)
    staged = _staging_appears(new, process)
    assert process.communicate(timeout=120)[1] == "" and process.returncode == 0
    ended = time.monotonic()
    old_set, new_set = _contents(old), _contents(new)
    assert old_set.keys() == new_set.keys() and not set(old_set.values()) & set(new_set.values())
    return Reference(old, old_set, new_set, staged - start, ended - staged)


#: (signal, phase, fraction of that phase's duration): two points while computing, nine while
#: writing and moving the files in, the last just past the reference run's end.
_POINTS = [
    (signal.SIGINT, "computing", 0.5), (signal.SIGTERM, "computing", 0.8),
    (signal.SIGTERM, "writing", 0.0), (signal.SIGINT, "writing", 0.1),
    (signal.SIGTERM, "writing", 0.25), (signal.SIGINT, "writing", 0.4),
    (signal.SIGTERM, "writing", 0.55), (signal.SIGINT, "writing", 0.7),
    (signal.SIGTERM, "writing", 0.85), (signal.SIGINT, "writing", 0.95),
    (signal.SIGTERM, "writing", 1.05),
]


@pytest.mark.parametrize(("signum", "phase", "fraction"), _POINTS,
                         ids=[f"{signal.Signals(s).name}-{p}-{f}" for s, p, f in _POINTS])
def test_an_interrupted_run_leaves_the_old_set_or_the_new_one_and_no_process(
        tmp_path: Path, reference: Reference, signum: int, phase: str, fraction: float) -> None:
    out = tmp_path / "results"
    shutil.copytree(reference.old_directory, out)
    marker, environment = new_marker()
    start = time.monotonic()
    process = _start(out, _NEW_SEED, environment)
    if phase == "computing":
        time.sleep(fraction * reference.computing)
    else:
        time.sleep(max(0.0, _staging_appears(out, process) + fraction * reference.writing
                       - time.monotonic()))
    if process.poll() is None:
        if signum == signal.SIGINT:
            os.killpg(process.pid, signum)  # Ctrl-C reaches the workers too
        else:
            process.send_signal(signum)
    _, error = process.communicate(timeout=60)
    left = left_running(marker, exclude=set())
    found = _contents(out)
    assert found in (reference.old, reference.new), \
        f"a mix or debris after {time.monotonic() - start:.2f} s: {sorted(found)}\n{error}"
    if found == reference.old:
        assert process.returncode != 0, error
    else:  # finished, stopped after writing, or killed by the signal while Python shut down
        assert process.returncode in (0, 130, -signum), error
    if process.returncode == 130:  # the one line says which set the directory holds
        said = error.strip().splitlines()[-1]
        assert said == ("nmmsim: interrupted; no results written" if found == reference.old
                        else f"nmmsim: interrupted; the results were written to {out} before "
                        "the interruption took effect"), error
    assert left == set(), "processes left running"
