"""Keep freed memory in the process for reuse during Monte Carlo runs (glibc only).

Each model step allocates new arrays of a chunk's size (hundreds of kB). By default glibc hands
arrays above its mmap threshold back to the kernel when freed and returns memory at the top of the
heap above 128 kB, so the next step's arrays fault their pages in again: measured on this
project's 2-core machine, that halves the model's throughput (500k instead of 1.1M draws/s per core
at 16k-64k draws per chunk; docs/performance.md). Raising the two thresholds lets freed arrays be
reused. The memory a run holds stays bounded by its chunk size.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

__all__ = ["keep_freed_memory"]

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's maximum on 64-bit systems
_TRIM_THRESHOLD = 256 * 1024 * 1024


@functools.cache
def keep_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds once per process; ``False`` where there is no glibc."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl, macOS, Windows)
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD))
