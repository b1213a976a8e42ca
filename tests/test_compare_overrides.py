"""A comparison says when scenarios differ in model parameters, not only in levers (issue 12.3)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import xarray as xr

from nmmsim import load_scenario, shipped_scenarios
from nmmsim.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"
BASELINE = shipped_scenarios()["baseline"]


def _scenario(directory: Path, name: str, body: str) -> Path:
    if not (directory / "baseline.toml").exists():
        shutil.copy(BASELINE, directory / "baseline.toml")
    path = directory / f"{name}.toml"
    path.write_text(f'name = "{name}"\ndescription = "test"\n{body}')
    return path


def test_readme_example_scenario_sets_levers_only(tmp_path):
    block = re.search(r"## A scenario file\n\n```toml\n(.*?)```", README.read_text(), re.DOTALL)
    assert block is not None
    shutil.copy(BASELINE, tmp_path / "baseline.toml")
    path = tmp_path / "my_push.toml"
    path.write_text(block.group(1))
    scenario = load_scenario(path)
    assert dict(scenario.parameter_overrides) == {} and dict(scenario.prior_overrides) == {}
    assert scenario.levers != load_scenario(BASELINE).levers


@pytest.mark.filterwarnings("default::UserWarning")  # the CLI shows it as one line
def test_compare_lists_and_warns_about_parameter_changes(tmp_path, capsys):
    push = _scenario(tmp_path, "push", 'extends = "baseline"\n[efficiency]\ninfrastructure = 0.85\n'
                     "[parameters]\ntfp_growth_industry = 0.015\n"
                     "[priors]\ntax_buoyancy = { low = 0.9, mode = 1.0, high = 1.2 }\n")
    out = tmp_path / "out"
    assert main(["compare", str(BASELINE), str(push), "--draws", "1024", "--seed", "1",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr()
    warning = [line for line in printed.err.splitlines() if line.startswith("nmmsim: warning:")]
    assert len(warning) == 1
    assert "push and baseline differ in model parameters" in warning[0]
    assert "tfp_growth_industry" in warning[0] and "tax_buoyancy" in warning[0]
    assert "tfp_growth_industry: baseline posterior; push fixed at 0.015" in printed.out
    with xr.open_dataset(out / "compare_baseline_vs_push.nc", engine="h5netcdf") as result:
        recorded = result.attrs["parameter_differences"].splitlines()
    assert recorded[0].startswith("tax_buoyancy: baseline posterior; push prior triangular")
    assert recorded[1] == "tfp_growth_industry: baseline posterior; push fixed at 0.015"
    report = (out / "compare_baseline_vs_push.html").read_text()
    assert "Model parameters set differently" in report
    assert "tfp_growth_industry: baseline posterior; push fixed at 0.015" in report


def test_scenarios_sharing_their_parameters_compare_levers_only(tmp_path, capsys):
    slow = _scenario(tmp_path, "slow", 'extends = "baseline"\n'
                     "[parameters]\ntfp_growth_industry = 0.015\n")
    slow_push = _scenario(tmp_path, "slow_push", 'extends = "slow"\n[efficiency]\n'
                          "infrastructure = 0.85\n")
    out = tmp_path / "out"
    assert main(["compare", str(slow), str(slow_push), "--draws", "1024", "--seed", "1",
                 "--out", str(out)]) == 0  # no warning: pytest turns warnings into errors
    printed = capsys.readouterr()
    assert "warning" not in printed.err and "set differently" not in printed.out
    with xr.open_dataset(out / "compare_slow_vs_slow_push.nc", engine="h5netcdf") as result:
        assert result.attrs["parameter_differences"] == "none"
    assert "differ only in levers" in (out / "compare_slow_vs_slow_push.html").read_text()
