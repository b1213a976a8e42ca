"""Finding the processes a test started, by an environment variable they all inherit."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path


def new_marker() -> tuple[str, dict[str, str]]:
    """A unique marker and an environment holding it, for a subprocess and its descendants."""
    marker = f"NMMSIM_TEST_{uuid.uuid4().hex}"
    return marker, {**os.environ, marker: "1"}


def marked_processes(marker: str) -> list[int]:
    """PIDs of the live processes whose environment holds ``marker`` (Linux ``/proc``)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environment = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker.encode() in environment:
            found.append(int(entry.name))
    return found


def left_running(marker: str, *, exclude: set[int], patience: float = 30.0) -> set[int]:
    """The marked processes (but ``exclude``) still there after waiting up to ``patience``
    seconds for them to end."""
    deadline = time.monotonic() + patience
    while (left := set(marked_processes(marker)) - exclude) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left
