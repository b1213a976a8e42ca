"""Ctrl-C or SIGTERM at any moment of a run into a directory holding earlier results leaves
either the earlier set or the new one, each whole: never a mix, no staging debris, no process.

A sweep: the signal is sent at points spread over the computation and, more densely, over the
writing of the files (timed from the moment the run's staging directory appears), as fractions
of the durations a reference run measured, so the points cover the same phases on a slow
machine. Ctrl-C goes to the run's whole process group, as a terminal sends it; SIGTERM to the
run only, as ``kill`` does.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from tests.processes import left_running, new_marker
from tests.result_sets import (  # noqa: F401 - result_sets is a fixture
    NEW_SEED,
    WORKERS,
    ResultSets,
    contents,
    result_sets,
    staging_appears,
    start_run,
)

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir() or os.name != "posix",
                                reason="signals and /proc (Linux)")


#: (signal, phase, fraction of that phase's duration): two points while computing, seven while
#: writing and moving the files in, the last just past the reference run's end.
_POINTS = [
    (signal.SIGINT, "computing", 0.5), (signal.SIGTERM, "computing", 0.8),
    (signal.SIGTERM, "writing", 0.0), (signal.SIGINT, "writing", 0.15),
    (signal.SIGTERM, "writing", 0.35), (signal.SIGINT, "writing", 0.55),
    (signal.SIGTERM, "writing", 0.75), (signal.SIGINT, "writing", 0.92),
    (signal.SIGTERM, "writing", 1.05),
]


@pytest.mark.parametrize(("signum", "phase", "fraction"), _POINTS,
                         ids=[f"{signal.Signals(s).name}-{p}-{f}" for s, p, f in _POINTS])
def test_an_interrupted_run_leaves_the_old_set_or_the_new_one_and_no_process(
        tmp_path: Path, result_sets: ResultSets, signum: int, phase: str, fraction: float  # noqa: F811
) -> None:
    out = tmp_path / "results"
    shutil.copytree(result_sets.old_directory, out)
    marker, environment = new_marker()
    begun = time.monotonic()
    process = start_run(out, NEW_SEED, *WORKERS, environment=environment)
    if phase == "computing":
        time.sleep(fraction * result_sets.computing)
    else:
        time.sleep(max(0.0, staging_appears(out, process) + fraction * result_sets.writing
                       - time.monotonic()))
    if process.poll() is None:
        if signum == signal.SIGINT:
            os.killpg(process.pid, signum)  # Ctrl-C reaches the workers too
        else:
            process.send_signal(signum)
    _, error = process.communicate(timeout=60)
    left = left_running(marker, exclude=set())
    found = contents(out)
    assert found in (result_sets.old, result_sets.new), \
        f"a mix or debris after {time.monotonic() - begun:.2f} s: {sorted(found)}\n{error}"
    if found == result_sets.old:
        assert process.returncode != 0, error
    else:  # finished, stopped after writing, or killed by the signal while Python shut down
        assert process.returncode in (0, 130, -signum), error
    if process.returncode == 130:  # the one line says which set the directory holds
        said = error.strip().splitlines()[-1]
        assert said == ("nmmsim: interrupted; no results written" if found == result_sets.old
                        else f"nmmsim: interrupted; the results were written to {out} before "
                        "the interruption took effect"), error
    assert left == set(), "processes left running"
