"""Every CLI verb runs; input errors exit 2 with one line and no traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from nmmsim import shipped_scenarios
from nmmsim.cli import main


def test_run_prints_target_table_and_writes_files(tmp_path, capsys):
    assert main(["run", str(shipped_scenarios()["baseline"]), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Average real GRDP growth 2021-2030" in out
    assert "not modelled" in out
    assert (tmp_path / "baseline.nc").is_file() and (tmp_path / "baseline.csv").is_file()


def test_scenarios_lists_all(capsys):
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    for name in shipped_scenarios():
        assert name in out


def test_error_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('extends = "baseline"\ndescription = "x"\n[efficiency]\ncapital = 2\n')
    assert main(["run", str(bad), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("nmmsim: error: ")
    assert not list(tmp_path.glob("*.nc"))


def test_bad_years(capsys):
    assert main(["run", str(shipped_scenarios()["baseline"]), "--end-year", "2020"]) == 2
    assert "start_year < end_year" in capsys.readouterr().err


def test_python_dash_m(tmp_path):
    done = subprocess.run([sys.executable, "-m", "nmmsim", "scenarios"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0 and "baseline" in done.stdout


@pytest.mark.parametrize("argv", [["--version"], ["run", "--help"]])
def test_help_and_version(argv):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 0
