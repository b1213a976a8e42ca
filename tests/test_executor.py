"""The local process pool: bounded submission, refused sizes, and no process left behind."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import nmmsim
from nmmsim.engine.executor import split_tasks
from nmmsim.errors import NmmsimError
from tests.processes import left_running, marked_processes, new_marker


def test_tasks_are_cut_lazily_for_any_number_of_draws():
    tasks = split_tasks(10**12, 2048, 2)
    first, second = itertools.islice(tasks, 2)
    assert first == (0, 16 * 2048) and second == (16 * 2048, 16 * 2048)


def test_tasks_cover_the_draws_exactly():
    tasks = list(split_tasks(100_001, 2048, 2))
    assert tasks[0][0] == 0 and sum(n for _, n in tasks) == 100_001
    assert all(a + n == b for (a, n), (b, _) in itertools.pairwise(tasks))


@pytest.mark.parametrize(("options", "message"), [
    ({"draws": 10**10 + 1}, r"must be a whole number in \[1, 1e\+10\]"),
    ({"draws": 2**30 + 1, "sampler": "sobol"}, r"at most 2\^30"),
])
def test_run_sizes_beyond_the_limits_are_refused_at_the_start(options, message):
    with pytest.raises(NmmsimError, match=message):
        nmmsim.simulate(nmmsim.shipped_scenarios()["baseline"], seed=1, **options)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc (Linux)")
@pytest.mark.parametrize(("how", "reaped"), [(signal.SIGKILL, True), (signal.SIGTERM, True),
                                             (signal.SIGKILL, False)])
def test_no_worker_outlives_a_killed_run(tmp_path, how, reaped):
    """Also when the killed run is a zombie its parent has not reaped yet."""
    marker, environment = new_marker()
    process = subprocess.Popen(
        [sys.executable, "-m", "nmmsim", "run", str(nmmsim.shipped_scenarios()["baseline"]),
         "--draws", "50000000", "--workers", "2", "--seed", "1", "--out", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
    deadline = time.monotonic() + 60
    while len(marked_processes(marker)) < 4 and time.monotonic() < deadline:
        time.sleep(0.2)  # the run, the resource tracker, the fork server, two workers
    assert len(marked_processes(marker)) >= 4, "the workers did not start"
    process.send_signal(how)
    if reaped:
        status = process.wait(timeout=60)
        if how == signal.SIGTERM:  # handled as Ctrl-C: cancelled, nothing written, status 130
            assert status == 130
            assert list(tmp_path.iterdir()) == []
    left = left_running(marker, exclude={process.pid})
    process.wait(timeout=60)
    assert left == set()


def test_more_workers_than_cores_are_capped_with_a_warning(baseline_path):
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert cores is not None
    with pytest.warns(UserWarning, match=rf"workers = {cores + 1} capped at the {cores} cores"):
        capped = nmmsim.simulate(baseline_path, draws=2048, seed=1, workers=cores + 1)
    alone = nmmsim.simulate(baseline_path, draws=2048, seed=1)
    assert (capped.attained == alone.attained).all()
