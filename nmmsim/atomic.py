"""Writing output files atomically: to a temporary file beside the target, then renamed."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path", "staged_directory"]


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path in ``target``'s directory; rename it to ``target`` on success.

    A reader never sees a half-written file, and an error or Ctrl-C leaves none behind.
    """
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    tmp = Path(name)
    try:
        yield tmp
        tmp.chmod(0o644)  # mkstemp creates 0600; outputs are meant to be shared
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def staged_directory(directory: Path) -> Iterator[Path]:
    """Yield a hidden temporary directory inside ``directory``; on success move every file
    written there into ``directory``, replacing files of the same name.

    The files of one run appear together or not at all: an error or Ctrl-C while any of them is
    being written leaves ``directory`` as it was.
    """
    directory.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=directory, prefix=".nmmsim-"))
    try:
        yield staging
        for path in sorted(staging.iterdir()):
            path.chmod(0o644)
            os.replace(path, directory / path.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
