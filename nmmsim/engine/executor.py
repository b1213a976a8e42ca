"""Where chunks run: in this process, in a local process pool, or on a Dask cluster.

The draws are cut into tasks of whole chunks; every backend runs the same task function
(`nmmsim.engine.chunks.run_draws`) and the summaries are merged as tasks finish. Summaries hold
integer counts, so the merge order does not matter and every backend gives the same result.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import math
import multiprocessing
import os
import signal
import threading
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from nmmsim._processes import process_alive, signals_held
from nmmsim.engine.chunks import ChunkSummary, RunSpec, run_draws
from nmmsim.errors import NmmsimError

__all__ = ["Progress", "execute", "split_tasks"]

#: Called with (draws done, draws in all) as tasks finish.
Progress = Callable[[int, int], None]

_TASKS_PER_WORKER = 4  # enough tasks to balance the load and show progress
_MAX_TASK_CHUNKS = 16  # and a cap: tasks of under a second, so progress moves and Ctrl-C is quick
_IN_FLIGHT_PER_WORKER = 2  # tasks submitted ahead: enough to keep workers busy, memory bounded
_WATCH_SECONDS = 0.5  # how often a worker checks that the process that started the run is alive
_MIN_DASK_IN_FLIGHT = 16
#: How long a run waits for a first Dask worker (an adaptive cluster starts them on demand).
WORKER_WAIT_SECONDS = 30.0


def split_tasks(draws: int, chunk_size: int, workers: int) -> Iterator[tuple[int, int]]:
    """Cut ``draws`` into ``(first_draw, n_draws)`` tasks of whole chunks, lazily (a run of many
    draws never holds the list of its tasks)."""
    chunks = math.ceil(draws / chunk_size)
    per_task = max(1, min(_MAX_TASK_CHUNKS, math.ceil(chunks / (workers * _TASKS_PER_WORKER))))
    step = per_task * chunk_size
    return ((first, min(step, draws - first)) for first in range(0, draws, step))


def execute(
    spec: RunSpec,
    draws: int,
    *,
    chunk_size: int,
    workers: int = 1,
    scheduler: Any = None,
    progress: Progress | None = None,
) -> ChunkSummary:
    """Run ``draws`` draws of ``spec`` and return their merged summary.

    ``scheduler`` is a ``dask.distributed.Client`` or a scheduler address; otherwise ``workers``
    local processes (1: this process; at most the cores available, with a warning). Ctrl-C
    cancels the outstanding tasks, waits for the running ones and re-raises.

    Raises
    ------
    NmmsimError
        One line, if a local worker process dies, or the Dask cluster has no worker within
        `WORKER_WAIT_SECONDS`, loses its scheduler or drops the run's tasks.
    """
    if scheduler is not None:
        client, opened = _client(scheduler)
        with _client_logs_quiet() if opened else contextlib.nullcontext():
            try:
                _wait_for_workers(client)
                threads = max(1, int(sum(client.nthreads().values())))
                tasks = split_tasks(draws, chunk_size, max(workers, threads))
                return _on_dask(spec, tasks, chunk_size, client, draws, progress,
                                max(workers, threads))
            finally:
                if opened:
                    client.close()
    workers = _within_cores(workers)
    tasks = split_tasks(draws, chunk_size, workers)
    if workers == 1:
        summary = ChunkSummary.empty(spec)
        for first, n in tasks:
            summary.merge(run_draws(spec, first, n, chunk_size))
            if progress is not None:
                progress(summary.draws, draws)
        return summary
    with _worker_death_as_error(workers):
        return _on_processes(spec, tasks, chunk_size, workers, draws, progress)


# --- local processes ---------------------------------------------------------------------------


def _within_cores(workers: int) -> int:
    """``workers``, or the number of cores this process may run on if that is smaller (with a
    warning): more processes than cores only share them, each with its own memory."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if cores is None or workers <= cores:
        return workers
    warnings.warn(f"workers = {workers} capped at the {cores} cores available (more processes "
                  "would share them, each with its own memory)", UserWarning, stacklevel=6)
    return cores


_WORKER_SPEC: RunSpec | None = None


def _start_worker(spec: RunSpec, run_pid: int) -> None:
    global _WORKER_SPEC
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if hasattr(signal, "pthread_sigmask"):  # blocked while the worker started; SIGTERM ends it
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    _WORKER_SPEC = spec
    # Workers fork from a server process, not from the run's process: if that process is killed
    # (SIGKILL leaves it no time to stop them), a watchdog ends the worker. Linux only (/proc):
    # elsewhere workers stop at their next task, when the pool's queue is gone.
    if Path(f"/proc/{run_pid}/stat").exists():
        threading.Thread(target=_watch, args=(run_pid,), daemon=True,
                         name="nmmsim-watchdog").start()


def _watch(run_pid: int) -> None:
    while process_alive(run_pid):
        threading.Event().wait(_WATCH_SECONDS)
    os._exit(1)


def _worker_task(first: int, n: int, chunk_size: int) -> ChunkSummary:
    assert _WORKER_SPEC is not None, "worker started without its run spec"
    return run_draws(_WORKER_SPEC, first, n, chunk_size)


def _context() -> multiprocessing.context.BaseContext:
    # forkserver: workers fork from a clean server that has imported nmmsim once (fast, and safe
    # in a process with threads); spawn where there is no fork (Windows)
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["nmmsim.engine.chunks"])
        return context
    return multiprocessing.get_context("spawn")


def _on_processes(spec: RunSpec, tasks: Iterator[tuple[int, int]], chunk_size: int, workers: int,
                  draws: int, progress: Progress | None) -> ChunkSummary:
    summary = ChunkSummary.empty(spec)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context(),
                               initializer=_start_worker, initargs=(spec, os.getpid()))
    pending: set[Future[ChunkSummary]] = set()
    in_flight = _IN_FLIGHT_PER_WORKER * workers
    try:
        # a bounded window of submitted tasks: memory stays flat, and Ctrl-C has at most this
        # many tasks to cancel and one running task per worker to wait for. The first submissions
        # start the fork server and the workers: not interrupted half-way, and born with Ctrl-C
        # and SIGTERM blocked (caught while they start, they would print tracebacks)
        with signals_held():
            pending = _submit(pool, itertools.islice(tasks, in_flight), chunk_size)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                summary.merge(future.result())
            pending |= _submit(pool, itertools.islice(tasks, len(done)), chunk_size)
            if progress is not None:
                progress(summary.draws, draws)
    except BaseException as exc:
        if isinstance(exc, BrokenProcessPool):
            # a worker died: the pool stops the others with SIGTERM and waits for them, but one
            # still starting has SIGTERM blocked (see above) and would be waited for forever.
            # They have nothing left to finish, and no results will be written: kill them
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.kill()
        # wait for the running tasks (one each, under a second or two): a worker still starting
        # would otherwise find the pool's queues gone and print a traceback, and none outlives
        # the run
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()
    return summary


def _submit(pool: ProcessPoolExecutor, tasks: Iterator[tuple[int, int]], chunk_size: int
            ) -> set[Future[ChunkSummary]]:
    """Submit ``tasks``. Submitting may start a worker (the pool starts them on demand); one that
    dies while it starts breaks the pipe to it: that is a dead worker too (`BrokenProcessPool`),
    not the closed output that a `BrokenPipeError` otherwise means to the command line."""
    try:
        return {pool.submit(_worker_task, first, n, chunk_size) for first, n in tasks}
    except (EOFError, OSError) as exc:
        raise BrokenProcessPool(f"a worker process died while it started ({exc!r})") from exc


@contextlib.contextmanager
def _worker_death_as_error(workers: int) -> Iterator[None]:
    """A worker process that dies (killed, out of memory) ends the run with one line."""
    try:
        yield
    except BrokenProcessPool:
        raise NmmsimError(f"one of the {workers} worker processes died (killed, or out of "
                          "memory?); no results written") from None


# --- Dask ----------------------------------------------------------------------------------------


def _client(scheduler: Any) -> tuple[Any, bool]:
    """A ``dask.distributed.Client`` for ``scheduler`` and whether we opened it (and must close)."""
    try:
        from dask.distributed import Client
    except ImportError as exc:
        raise NmmsimError("running on Dask needs the optional extra: pip install "
                          "'nmmsim[distributed]'") from exc
    if isinstance(scheduler, Client):
        return scheduler, False
    try:
        return Client(scheduler, timeout="10s"), True  # type: ignore[no-untyped-call]
    except OSError as exc:
        raise NmmsimError(f"cannot reach the Dask scheduler at {scheduler!r} ({exc})") from exc


@contextlib.contextmanager
def _client_logs_quiet() -> Iterator[None]:
    """While a client we opened runs: the scheduler's loss is reported as one error, so the
    client's log of its reconnection attempts (tracebacks) is left out."""
    logger = logging.getLogger("distributed.client")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _wait_for_workers(client: Any) -> None:
    """Wait until the cluster has a worker: one line, not a hang, if none comes."""
    try:
        client.wait_for_workers(1, timeout=WORKER_WAIT_SECONDS)
    except TimeoutError:
        address = client.scheduler.address
        raise NmmsimError(f"the Dask scheduler at {address} has no workers (waited "
                          f"{WORKER_WAIT_SECONDS:.0f} s); start some with `dask worker "
                          f"{address}`") from None


def _on_dask(spec: RunSpec, tasks: Iterator[tuple[int, int]], chunk_size: int, client: Any,
             draws: int, progress: Progress | None, threads: int) -> ChunkSummary:
    from dask.distributed import as_completed

    summary = ChunkSummary.empty(spec)
    live: set[Any] = set()
    try:
        shared = client.scatter(spec, broadcast=True)

        def submit(batch: int) -> list[Any]:
            futures = [client.submit(run_draws, shared, first, n, chunk_size, pure=False)
                       for first, n in itertools.islice(tasks, batch)]
            live.update(futures)
            return futures

        # at least a few tasks ahead: an adaptive cluster may have no worker yet
        window = as_completed(  # type: ignore[no-untyped-call]
            submit(max(_IN_FLIGHT_PER_WORKER * threads, _MIN_DASK_IN_FLIGHT)))
        for future in window:
            summary.merge(future.result())
            live.discard(future)
            for added in submit(1):
                window.add(added)  # type: ignore[no-untyped-call]
            if progress is not None:
                progress(summary.draws, draws)
    except BaseException as exc:
        failure = _cluster_failure(client, exc)
        with contextlib.suppress(Exception):  # the scheduler may be gone
            client.cancel(list(live))
        if failure is not None:
            raise failure from None
        raise
    return summary


def _cluster_failure(client: Any, exc: BaseException) -> NmmsimError | None:
    """The one-line error for a cluster that failed the run (its scheduler or workers lost), or
    None for another exception (Ctrl-C, a bug), which goes on as it is."""
    from concurrent.futures import CancelledError

    from distributed import KilledWorker

    address = client.scheduler.address
    reason = getattr(exc, "reason", None) or str(exc) or type(exc).__name__
    if isinstance(exc, OSError) or reason == "scheduler-connection-lost":
        return NmmsimError(f"lost the Dask scheduler at {address} during the run ({reason}); no "
                           "results written")
    if isinstance(exc, KilledWorker):
        return NmmsimError(f"Dask workers at {address} died running the chunks ({reason}; out of "
                           "memory?); no results written")
    if isinstance(exc, CancelledError):
        return NmmsimError(f"the Dask cluster at {address} dropped the run's tasks ({reason}; a "
                           "worker lost?); no results written")
    return None
