"""Whether a process is alive, without signals (``os.kill(pid, 0)`` is a Ctrl-C on Windows)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["process_alive"]


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
