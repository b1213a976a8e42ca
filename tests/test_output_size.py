"""The output size a run expects, checked against the free space before it computes, covers
what it writes, and not by so much that a disk with room enough is refused."""

from __future__ import annotations

import pytest

from nmmsim.cli import _output_bytes, main


@pytest.mark.parametrize(("options", "draws", "years", "keep"), [
    ([], None, 7, "summary"),
    (["--draws", "1024", "--end-year", "2050"], 1024, 27, "summary"),
    (["--draws", "1024", "--keep", "trajectories"], 1024, 7, "trajectories"),
])
def test_the_expected_output_size_covers_the_files_written(tmp_path, capsys, options, draws,
                                                           years, keep):
    assert main(["run", "baseline", "--seed", "1", "--out", str(tmp_path), *options]) == 0
    written = sum(path.stat().st_size for path in tmp_path.iterdir())
    expected = _output_bytes(draws, years, keep)
    assert written <= expected <= 3 * written + 2**21
