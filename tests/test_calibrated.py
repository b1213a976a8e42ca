"""Reading a calibrated parameter file: malformed files are one clean CalibrationError."""

from __future__ import annotations

import pytest

from nmmsim.calibrated import load_calibrated
from nmmsim.errors import CalibrationError
from nmmsim.resources import shipped_dir

SHIPPED = shipped_dir("calibration") / "calibrated.toml"


def test_device_is_refused():
    # used to read /dev/zero without end
    with pytest.raises(CalibrationError, match=r"/dev/zero: not a regular file"):
        load_calibrated("/dev/zero")


def test_missing_file_says_how_to_make_one(tmp_path):
    with pytest.raises(CalibrationError, match=r"(?i)no such file.*; run `nmmsim calibrate`"):
        load_calibrated(tmp_path / "none.toml")


def test_not_utf8(tmp_path):
    path = tmp_path / "calibrated.toml"
    path.write_bytes(SHIPPED.read_bytes() + "# forêt\n".encode("latin-1"))
    with pytest.raises(CalibrationError, match=r"not UTF-8 text"):
        load_calibrated(path)


def test_integer_too_large_for_a_float(tmp_path):
    path = tmp_path / "calibrated.toml"
    text = SHIPPED.read_text()
    start = text.index("population_growth = { value = ") + len("population_growth = { value = ")
    end = text.index(",", start)
    path.write_text(text[:start] + "1" * 400 + text[end:])
    with pytest.raises(CalibrationError, match=r"malformed calibrated parameters \(OverflowError"):
        load_calibrated(path)
