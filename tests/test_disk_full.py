"""A full disk: on a small filesystem holding an earlier result set, a run that cannot write its
own leaves the earlier set as it was, says so in one line, exits 2, and leaves no temporary files.

The filesystem is a tmpfs mounted for the test (needs root, or CAP_SYS_ADMIN); elsewhere the
test is skipped, saying why. The free space is set by a filler file, from almost none to about
what the new set needs: the run is refused before it writes (h5py crashes the process when the
disk fills under it), and a disk that fills while files are written is one error too.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from nmmsim.atomic import staged_directory
from nmmsim.errors import NmmsimError
from nmmsim.results import write_provenance
from tests.result_sets import (  # noqa: F401 - result_sets is a fixture
    NEW_SEED,
    RUN,
    ResultSets,
    contents,
    result_sets,
)

_MOUNT_BYTES = 8 * 2**20


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs of 8 MiB mounted in ``tmp_path``, unmounted afterwards."""
    point = tmp_path / "disk"
    point.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command to make a small filesystem")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={_MOUNT_BYTES}", "tmpfs",
                              str(point)], capture_output=True, text=True, check=False)
    if mounted.returncode:
        pytest.skip(f"cannot mount a small tmpfs here (needs root or CAP_SYS_ADMIN): "
                    f"{mounted.stderr.strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", str(point)], check=False)


def _leave_free(disk: Path, free_bytes: int) -> None:
    """Fill ``disk`` with a file so that about ``free_bytes`` stay free."""
    filler = shutil.disk_usage(disk).free - free_bytes
    with (disk / "filler").open("wb") as handle:
        handle.truncate(0)
        handle.write(b"\0" * filler)  # written, not sparse: tmpfs counts what is written


@pytest.mark.parametrize("free_kib", [16, 512, 1536, 2048])
def test_a_full_disk_keeps_the_earlier_set_says_so_in_one_line_and_leaves_no_tmp(
        small_disk: Path, result_sets: ResultSets, free_kib: int) -> None:  # noqa: F811
    out = small_disk / "results"
    shutil.copytree(result_sets.old_directory, out)
    _leave_free(small_disk, free_kib * 1024)
    before = contents(out)
    run = subprocess.run([sys.executable, *RUN, "--seed", NEW_SEED, "--out", str(out)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 2, run.stderr
    assert run.stderr.count("\n") == 1 and run.stderr.startswith(f"nmmsim: error: {out}: "), \
        run.stderr
    assert "No space left" in run.stderr or "MiB free" in run.stderr, run.stderr
    assert contents(out) == before


def test_a_disk_that_fills_while_writing_is_one_error_and_keeps_the_earlier_set(
        small_disk: Path, result_sets: ResultSets) -> None:  # noqa: F811
    import xarray as xr

    out = small_disk / "results"
    shutil.copytree(result_sets.old_directory, out)
    _leave_free(small_disk, 256 * 1024)
    before = contents(out)
    large = xr.Dataset(attrs={"notes": "x" * 2**20})  # a 1 MiB provenance file
    with pytest.raises(NmmsimError, match=r"could not write the results \(No space left on device"
                       r"\); the files there are as they were"), staged_directory(out) as staging:
        write_provenance(xr.Dataset(attrs={"seed": 2}), staging / "baseline_provenance.csv")
        write_provenance(large, staging / "baseline.csv")
    assert contents(out) == before


def test_a_netcdf_file_that_fills_the_disk_is_an_oserror_not_a_crash(small_disk):
    """Past the free-space check (another writer filled the disk), writing a summary's NetCDF
    file is an ordinary ENOSPC error in this process: h5py no longer writes the file itself, so
    nothing crashes (it did, exit 139), and no temporary file stays."""
    _leave_free(small_disk, 64 * 2**10)
    code = ("import sys, errno, numpy as np, xarray as xr; from pathlib import Path; "
            "from nmmsim.results import write_netcdf; "
            "d = xr.Dataset({'noise': (('row', 'column'), "
            "np.random.default_rng(0).random((256, 1024)))}); "  # 2 MiB, over the 64 KiB free
            "\ntry:\n    write_netcdf(d, Path(sys.argv[1]))\n"
            "except OSError as e:\n    sys.exit(3 if e.errno == errno.ENOSPC else 4)\n")
    run = subprocess.run([sys.executable, "-c", code, str(small_disk / "out.nc")],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 3, (run.returncode, run.stderr[-500:])
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]


_LARGE = ("import sys, errno, numpy as np, xarray as xr; from pathlib import Path; "
          "from nmmsim.results import write_netcdf; "
          # 264 MiB: over the 256 MiB a file is encoded in memory up to, written by h5py
          "d = xr.Dataset({'draws': (('row', 'column'), np.ones((33, 2**20)))}); ")


def test_a_large_netcdf_file_that_fills_the_disk_is_an_oserror_not_a_crash(small_disk):
    """Trajectories past 256 MiB are written by h5py, which crashes when the disk fills (exit
    139 before): now in a child process, so this one raises ENOSPC and no temporary file stays."""
    _leave_free(small_disk, 64 * 2**10)
    code = (_LARGE + "\ntry:\n    write_netcdf(d, Path(sys.argv[1]))\n"
            "except OSError as e:\n    sys.exit(3 if e.errno == errno.ENOSPC else 4)\n")
    run = subprocess.run([sys.executable, "-c", code, str(small_disk / "out.nc")],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 3, (run.returncode, run.stderr[-500:])
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]


def test_a_large_netcdf_file_written_by_the_child_reads_back(tmp_path):
    code = (_LARGE + "d['draws'][5, 7] = 2.5; write_netcdf(d, Path(sys.argv[1]))\n"
            "back = xr.open_dataset(sys.argv[1], engine='h5netcdf')\n"
            "assert back['draws'].shape == (33, 2**20) and float(back['draws'].sum()) == "
            "33 * 2**20 + 1.5\n")
    run = subprocess.run([sys.executable, "-c", code, str(tmp_path / "out.nc")],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr[-800:]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.nc"]
