"""Processes and signals: whether a process is alive (without signals: ``os.kill(pid, 0)`` is a
Ctrl-C on Windows), and holding Ctrl-C and SIGTERM back for a moment."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

__all__ = ["process_alive", "signals_held"]


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` runs, from ``/proc`` (Linux): a zombie, killed but not yet reaped
    by its parent, counts as dead. Where there is no ``/proc``, every process counts as alive."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return not Path("/proc/self/stat").exists()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


@contextlib.contextmanager
def signals_held(*signals: signal.Signals) -> Iterator[None]:
    """Hold back ``signals`` (default SIGINT and SIGTERM) while the block runs; one that arrives
    meanwhile takes effect as the block ends, raised from there (Ctrl-C as `KeyboardInterrupt`).

    Blocking them in this thread is not enough: the kernel gives a signal sent to the process to
    any thread that does not block it (numpy's BLAS threads), and Python then runs the handler in
    the main thread at once. So the handlers are replaced by a note of the signal too. Processes
    started inside inherit the block. POSIX, main thread; elsewhere nothing is held.
    """
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not \
            threading.main_thread():
        yield
        return
    held = signals or (signal.SIGINT, signal.SIGTERM)
    arrived: list[int] = []
    handlers = {signum: signal.signal(signum, lambda signum, frame: arrived.append(signum))
                for signum in held}
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # those pending are noted here
        for held_signal, handler in handlers.items():
            # None: a handler set outside Python, which cannot be put back; the default instead
            signal.signal(held_signal, signal.SIG_DFL if handler is None else handler)
        for noted in dict.fromkeys(arrived):
            signal.raise_signal(noted)
