"""Writing a run's files: all or nothing, space checked, failures as one line, debris removed."""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import sys

import pytest

from nmmsim.atomic import staged_directory
from nmmsim.errors import NmmsimError


def _earlier_set(directory):
    directory.mkdir()
    (directory / "baseline.nc").write_text("old nc")
    (directory / "baseline.csv").write_text("old csv")
    return {p.name: p.read_text() for p in directory.iterdir()}


def test_a_full_disk_while_writing_is_one_error_and_leaves_the_earlier_set(tmp_path):
    out = tmp_path / "out"
    before = _earlier_set(out)
    with pytest.raises(NmmsimError, match=r"could not write the results \(No space left"), \
            staged_directory(out) as staging:
        (staging / "baseline.nc").write_text("new nc")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert {p.name: p.read_text() for p in out.iterdir() if not p.name.startswith(".")} == before
    assert not [p for p in out.iterdir() if p.name.startswith(".nmmsim-")]


def test_too_little_free_space_is_refused_before_writing(tmp_path):
    out = tmp_path / "out"
    before = _earlier_set(out)
    with pytest.raises(NmmsimError, match=r"MiB free, the results need about .* nothing written"), \
            staged_directory(out, needed_bytes=10**18):
        pytest.fail("the body must not run")
    assert {p.name: p.read_text() for p in out.iterdir() if not p.name.startswith(".")} == before


def test_an_output_path_that_is_a_file_is_one_error(tmp_path):
    taken = tmp_path / "taken"
    taken.write_text("a file, not a directory")
    with pytest.raises(NmmsimError, match="cannot write results there"), staged_directory(taken):
        pytest.fail("the body must not run")


def test_the_staging_of_a_dead_run_is_removed_and_a_live_one_kept(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    host = "".join(c if c.isalnum() else "_" for c in socket.gethostname())[:40]
    abandoned = out / f".nmmsim-{host}-{dead}-abc"
    abandoned.mkdir()
    (abandoned / "baseline.nc").write_text("half")
    live = out / f".nmmsim-{host}-{os.getpid()}-xyz"
    live.mkdir()
    elsewhere = out / f".nmmsim-otherhost-{dead}-abc"  # another host's run sharing the directory
    elsewhere.mkdir()
    with staged_directory(out) as staging:
        (staging / "baseline.csv").write_text("new")
    assert not abandoned.exists() and live.exists() and elsewhere.exists()
    assert (out / "baseline.csv").read_text() == "new"
