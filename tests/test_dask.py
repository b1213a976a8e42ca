"""A cluster that fails a run, local or Dask, is one line and exit 2: a scheduler without
workers, a scheduler that dies, a worker that dies. Never a hang, a traceback or a process left."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import nmmsim
from nmmsim.engine import executor
from nmmsim.errors import NmmsimError
from tests.processes import left_running, marked_processes, new_marker


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(out: Path, *options: str, environment: dict[str, str] | None = None
         ) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "nmmsim", "run", "baseline", "--draws",
                             "3000000", "--seed", "1", "--out", str(out), *options],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=environment)


def _one_error_line(run: subprocess.Popen[str], out: Path, expected: str) -> None:
    _, error = run.communicate(timeout=120)
    assert run.returncode == 2, error
    assert error.count("\n") == 1 and error.startswith("nmmsim: error: ") and expected in error, \
        error
    assert not out.exists() or list(out.iterdir()) == []


def test_a_scheduler_without_workers_is_one_error_after_the_wait(monkeypatch):
    distributed = pytest.importorskip("dask.distributed")
    monkeypatch.setattr(executor, "WORKER_WAIT_SECONDS", 1.0)
    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster, \
            pytest.raises(NmmsimError, match=r"the Dask scheduler at \S+ has no workers "
                                             r"\(waited 1 s\); start some with `dask worker"):
        nmmsim.simulate(nmmsim.shipped_scenarios()["baseline"], draws=2048, seed=1,
                        scheduler=cluster.scheduler_address)


@pytest.fixture
def scheduler_and_worker():
    """A Dask scheduler and one worker, as separate processes: (address, scheduler, worker)."""
    pytest.importorskip("dask.distributed")
    address = f"tcp://127.0.0.1:{_free_port()}"
    scheduler = subprocess.Popen([sys.executable, "-m", "dask", "scheduler", "--host",
                                  "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                                  "--no-dashboard"], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
    worker = subprocess.Popen([sys.executable, "-m", "dask", "worker", address, "--nthreads", "1",
                               "--no-nanny", "--no-dashboard"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        yield address, scheduler, worker
    finally:
        for process in (worker, scheduler):
            process.kill()
            process.wait(timeout=30)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc (Linux)")
@pytest.mark.parametrize("killed", ["scheduler", "worker"])
def test_a_dask_scheduler_or_worker_killed_during_a_run_is_one_line(tmp_path,
                                                                    scheduler_and_worker, killed):
    address, scheduler, worker = scheduler_and_worker
    run = _run(tmp_path / "out", "--scheduler", address)
    deadline = time.monotonic() + 60
    while _cpu_seconds(worker.pid) < 1.0 and time.monotonic() < deadline:
        time.sleep(0.1)  # until the worker computes the run's chunks (3 million draws: a minute)
    (scheduler if killed == "scheduler" else worker).kill()
    _one_error_line(run, tmp_path / "out", "Dask")


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc (Linux)")
@pytest.mark.parametrize("delay", [0.0, 0.01, 2.0], ids=["at once", "after 10 ms", "mid-run"])
def test_a_local_worker_killed_is_one_line_and_nothing_is_left(tmp_path, delay):
    """A worker killed as soon as it exists, while the pool still starts the others (the pipe to
    it breaks: before, that read as a closed output and the run exited 0 with nothing written),
    10 ms later (the other worker, still starting, had SIGTERM blocked and the pool waited for it
    forever: 3 runs of 6 hung before), or two seconds into the run."""
    marker, environment = new_marker()
    run = _run(tmp_path / "out", "--workers", "2", environment=environment)
    deadline = time.monotonic() + 60
    while not (workers := _workers(run.pid, marker)) and time.monotonic() < deadline:
        pass
    assert workers, "no worker started"
    if delay:
        time.sleep(delay)
        workers = _workers(run.pid, marker)
    os.kill(workers[0], signal.SIGKILL)
    _one_error_line(run, tmp_path / "out", "worker processes died")
    assert left_running(marker, exclude=set()) == set()


def _workers(pid: int, marker: str) -> list[int]:
    """The run's workers: they fork from the fork server, a child of the run (the kernel's list
    of children where it keeps one, else the marked processes' parents)."""
    def children(parent: int) -> list[int]:
        return [int(c) for c in Path(f"/proc/{parent}/task/{parent}/children").read_text().split()]

    try:
        return [worker for child in children(pid) for worker in children(child)]
    except (OSError, ValueError):
        return _grandchildren(pid, marker)


def _cpu_seconds(pid: int) -> float:
    """CPU time process ``pid`` has used, user and system (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _grandchildren(pid: int, marker: str) -> list[int]:
    parents = {p: _parent(p) for p in marked_processes(marker)}
    return [p for p, parent in parents.items() if parents.get(parent) == pid]


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])
    except (OSError, IndexError, ValueError):
        return 0
