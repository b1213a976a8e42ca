"""Writing output files atomically: to a temporary file beside the target, then renamed.

A run's files are written into a hidden staging directory and moved into place together, under
an exclusive lock of the output directory, so that two runs into one directory never leave a
mix of their files. Staging directories left by a run that died (SIGKILL, power loss) are
removed by the next run into the same directory.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import socket
import sys
import tempfile
import traceback
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

from nmmsim._processes import process_alive, signals_held
from nmmsim.errors import NmmsimError

__all__ = ["InterruptedAfterWriting", "atomic_path", "check_writable", "staged_directory",
           "written_in_child"]

_STAGING_PREFIX = ".nmmsim-"
_SPACE_MARGIN = 1 << 20  # bytes kept free beyond the estimate


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


def written_in_child(write: Callable[[], object], path: Path) -> None:
    """Run ``write`` (which writes ``path``) in a child process forked for it, where there is
    fork: a library that crashes when a write fails (h5py, once the disk fills) ends the child,
    and this process raises an `OSError` (ENOSPC if the disk is full) instead of crashing too.

    The child shares this process's memory (copy on write), so the data are not copied. It runs
    no Python thread of ours, and leaves by ``os._exit``: nothing of this process is flushed or
    closed twice.

    Raises
    ------
    OSError
        The child's error (its errno), ENOSPC if it crashed with the disk full, EIO if it
        crashed otherwise or failed without an errno (its traceback printed).
    """
    if not hasattr(os, "fork"):
        write()
        return
    with warnings.catch_warnings():
        # Python 3.12+ warns of fork in a process with threads (numpy's BLAS threads, which
        # are fork-safe); the child takes no lock they could hold
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child
        code = _CHILD_FAILED
        try:
            write()
            code = 0
        except BaseException as exc:  # reported to the parent by the exit code
            code = _errno_of(exc) or _CHILD_FAILED
            if code == _CHILD_FAILED:
                traceback.print_exc()
        finally:
            sys.stderr.flush()
            os._exit(code)
    try:
        _, status = os.waitpid(pid, 0)
    except BaseException:  # Ctrl-C: the child stops too
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    code = os.waitstatus_to_exitcode(status)
    if code == 0:
        return
    if 0 < code < _CHILD_FAILED:
        raise OSError(code, os.strerror(code), str(path))
    if shutil.disk_usage(path.parent).free < _SPACE_MARGIN:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
    how = f"crashed (signal {-code})" if code < 0 else "failed"
    raise OSError(errno.EIO, f"writing the file {how}", str(path))


_CHILD_FAILED = 255  # a child's exit code: failed without an errno


def _errno_of(exc: BaseException | None) -> int:
    """The errno of ``exc`` or of an OSError it was raised while handling (h5py raises a
    RuntimeError closing a file whose write failed), if in 1..254; else 0."""
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno and 0 < exc.errno < _CHILD_FAILED:
            return exc.errno
        exc = exc.__cause__ or exc.__context__
    return 0


def check_writable(directory: Path, needed_bytes: int = 0) -> None:
    """Make sure results can be written into ``directory`` (creating it), before a long run, and
    that it has ``needed_bytes`` (an estimate of the results' size) free.

    Raises
    ------
    NmmsimError
        One line, if it is not a directory, cannot be written (read-only, no permission) or
        lacks the space.
    """
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=directory, prefix=".nmmsim-check-")
        os.close(handle)
        os.unlink(name)
        _check_space(directory, needed_bytes)
    except OSError as exc:
        raise NmmsimError(f"{directory}: cannot write results there ({exc.strerror}); give "
                          "another --out") from exc


@contextlib.contextmanager
def staged_directory(directory: Path, needed_bytes: int = 0) -> Iterator[Path]:
    """Yield a hidden temporary directory inside ``directory``; on success move every file
    written there into ``directory``, replacing files of the same name.

    The files of one run appear together or not at all: an error or Ctrl-C while any of them is
    being written leaves ``directory`` as it was. ``needed_bytes`` (an estimate of what will be
    written) is checked against the free space first.

    Raises
    ------
    NmmsimError
        One line, if ``directory`` cannot be created or written (read-only, not a directory),
        lacks the space, or the disk fills while writing; the earlier files stay as they were.
    InterruptedAfterWriting
        Ctrl-C or SIGTERM while the files are moved in: it takes effect once all are in place.
    """
    staging: Path | None = None
    try:
        with signals_held():  # created and known together: Ctrl-C cannot orphan it
            staging = _new_staging(directory, needed_bytes)
        try:
            yield staging
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES):
                raise NmmsimError(f"{directory}: could not write the results ({exc.strerror}); "
                                  "the files there are as they were") from exc
            raise
        _publish(staging, directory)
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


class InterruptedAfterWriting(KeyboardInterrupt):
    """Ctrl-C or SIGTERM that took effect once every file of a run was in place: the run stops,
    but its results are complete (unlike a plain ``KeyboardInterrupt``, after which the earlier
    files are as they were)."""

    def __init__(self, directory: Path) -> None:
        super().__init__(f"the results were written to {directory} before the interruption "
                         "took effect")
        self.directory = directory


def _new_staging(directory: Path, needed_bytes: int) -> Path:
    """Create ``directory`` and this run's staging directory in it, after removing dead runs'
    staging and checking the free space."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        _remove_abandoned(directory)
        _check_space(directory, needed_bytes)
        return Path(tempfile.mkdtemp(dir=directory, prefix=f"{_staging_owner()}-"))
    except OSError as exc:
        raise NmmsimError(f"{directory}: cannot write results there ({exc.strerror})") from exc


def _check_space(directory: Path, needed_bytes: int) -> None:
    free = shutil.disk_usage(directory).free
    if needed_bytes and free < needed_bytes + _SPACE_MARGIN:
        raise NmmsimError(f"{directory}: {free / 2**20:.1f} MiB free, the results need about "
                          f"{(needed_bytes + _SPACE_MARGIN) / 2**20:.1f} MiB; nothing written")


def _publish(staging: Path, directory: Path) -> None:
    """Move every file of ``staging`` into ``directory`` under its lock, Ctrl-C and SIGTERM held
    until all are moved, so a set is never half moved; one held then is raised as
    `InterruptedAfterWriting`."""
    moved = False
    try:
        with _locked(directory), signals_held():
            for path in sorted(staging.iterdir()):
                path.chmod(0o644)
                os.replace(path, directory / path.name)
            moved = True
    except KeyboardInterrupt:
        if moved:  # delivered as the signals were unblocked
            raise InterruptedAfterWriting(directory) from None
        raise


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Hold the output directory's lock: a second run moving its files in waits for the first.
    (POSIX advisory lock; where there is none, as on Windows, the moves are not serialised.)"""
    try:
        import fcntl
    except ImportError:
        yield
        return
    handle = os.open(directory, os.O_RDONLY)  # the directory itself: no lock file left behind
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # releases the lock


def _staging_owner() -> str:
    """This run's staging name prefix: host and PID, so a run on another host sharing the
    directory never takes this one's staging for debris."""
    host = "".join(c if c.isalnum() else "_" for c in socket.gethostname())[:40]
    return f"{_STAGING_PREFIX}{host}-{os.getpid()}"


def _remove_abandoned(directory: Path) -> None:
    """Remove staging directories of runs of this host that are no longer alive."""
    own_host = _staging_owner().rpartition("-")[0]
    for path in directory.glob(f"{own_host}-*-*"):
        pid = path.name.removeprefix(f"{own_host}-").split("-", 1)[0]
        if path.is_dir() and pid.isdigit() and int(pid) != os.getpid() \
                and not process_alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
