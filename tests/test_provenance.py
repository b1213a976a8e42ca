"""Which data a run reads, and the record of it in every output (issue 12)."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest
import xarray as xr

import nmmsim
from nmmsim import shipped_scenarios
from nmmsim.cli import main
from nmmsim.posterior import load_posterior, write_posterior
from nmmsim.resources import shipped_dir

BASELINE = str(shipped_scenarios()["baseline"])
ROLES = ("observed_region", "observed_national", "provinces", "boundaries", "posterior",
         "targets")


@pytest.fixture(autouse=True)
def _no_data_variable(monkeypatch):
    monkeypatch.delenv("NMMSIM_DATA", raising=False)


def _data_copy(directory: Path, tfp_growth_industry: float | None = None) -> Path:
    """A copy of the shipped data directory, the TFP growth of industry of every posterior
    particle and of the least-squares fit replaced."""
    shutil.copytree(shipped_dir("calibration"), directory)
    if tfp_growth_industry is not None:
        calibrated = directory / "calibrated.toml"
        text, count = re.subn(r"^tfp_growth_industry = \{ value = [^,]+,",
                              f"tfp_growth_industry = {{ value = {tfp_growth_industry!r},",
                              calibrated.read_text(), flags=re.MULTILINE)
        assert count == 1
        calibrated.write_text(text)
        sample = load_posterior(directory / "posterior.toml")
        values = sample.values.copy()
        values[:, sample.names.index("tfp_growth_industry")] = tfp_growth_industry
        write_posterior(dataclasses.replace(sample, values=values), directory / "posterior.toml")
    return directory


def _grdp_2030(path: Path) -> float:
    with xr.open_dataset(path, engine="h5netcdf") as result:
        return float(result.grdp.sel(year=2030).item())


def _checkout(directory: Path, data: Path) -> Path:
    """A minimal nmmsim checkout: its pyproject.toml and a calibration/ folder."""
    directory.mkdir()
    (directory / "pyproject.toml").write_text('[project]\nname = "nmmsim"\nversion = "0"\n')
    shutil.copytree(data, directory / "calibration")
    return directory


# -- 12.1: the data that run are the data edited --------------------------------------------------


def test_data_option_runs_on_that_directory(tmp_path, capsys):
    data = _data_copy(tmp_path / "data", tfp_growth_industry=-0.005)
    assert main(["run", BASELINE, "--out", str(tmp_path / "shipped")]) == 0
    assert main(["run", BASELINE, "--data", str(data), "--out", str(tmp_path / "own")]) == 0
    shipped = _grdp_2030(tmp_path / "shipped" / "baseline_deterministic.nc")
    own = _grdp_2030(tmp_path / "own" / "baseline_deterministic.nc")
    assert own < shipped - 1.0  # slower industrial TFP growth: a smaller economy in 2030
    assert f"posterior          {data.resolve() / 'posterior.toml'}" in capsys.readouterr().out


def test_environment_variable_names_the_data_directory(tmp_path, monkeypatch, capsys):
    data = _data_copy(tmp_path / "data", tfp_growth_industry=-0.005)
    monkeypatch.setenv("NMMSIM_DATA", str(data))
    assert main(["run", BASELINE, "--out", str(tmp_path)]) == 0
    with xr.open_dataset(tmp_path / "baseline_deterministic.nc", engine="h5netcdf") as result:
        assert result.attrs["posterior_file"] == str(data.resolve() / "posterior.toml")
        assert "NMMSIM_DATA" in result.attrs["data_directory_origin"]


def test_a_checkout_s_data_take_effect_whatever_the_install(tmp_path, monkeypatch):
    # what `pip install .` then editing the checkout does: the command runs inside a checkout
    # whose calibration/ differs from the package's copy
    checkout = _checkout(tmp_path / "repo", _data_copy(tmp_path / "data", -0.005))
    (checkout / "results").mkdir()
    monkeypatch.chdir(checkout / "results")
    assert main(["run", BASELINE, "--out", "."]) == 0
    with xr.open_dataset("baseline_deterministic.nc", engine="h5netcdf") as result:
        assert result.attrs["data_directory"] == str((checkout / "calibration").resolve())
        assert result.attrs["data_directory_origin"] == "the checkout's calibration/ folder"
        edited = float(result.grdp.sel(year=2030).item())
    monkeypatch.chdir(tmp_path)
    assert main(["run", BASELINE, "--out", "elsewhere"]) == 0
    assert edited < _grdp_2030(tmp_path / "elsewhere" / "baseline_deterministic.nc") - 1.0


def test_only_a_pyproject_naming_nmmsim_marks_a_checkout(tmp_path):
    from nmmsim.resources import find_checkout

    other = tmp_path / "other"
    (other / "calibration").mkdir(parents=True)
    (other / "pyproject.toml").write_text('[project]\nname = "something-else"\n')
    assert find_checkout(other) is None
    checkout = _checkout(tmp_path / "repo", shipped_dir("calibration"))
    (checkout / "docs" / "deep").mkdir(parents=True)
    assert find_checkout(checkout / "docs" / "deep") == checkout.resolve()


def test_calibrate_writes_into_the_data_directory_it_read(tmp_path, capsys):
    data = _data_copy(tmp_path / "data", tfp_growth_industry=-0.005)
    committed = (shipped_dir("calibration") / "calibrated.toml").read_bytes()
    assert main(["calibrate", "--data", str(data)]) == 0
    refit = (data / "calibrated.toml").read_text()
    assert "tfp_growth_industry = { value = -0.005," not in refit  # refitted, not the edit
    assert (data / "calibrated_fit.png").is_file()
    assert (shipped_dir("calibration") / "calibrated.toml").read_bytes() == committed
    assert f"Wrote {data.resolve() / 'calibrated.toml'}" in capsys.readouterr().out


def test_calibrate_refuses_to_write_into_the_installed_package(tmp_path, monkeypatch, capsys):
    import nmmsim.resources

    # the layout of a wheel install: the data only under nmmsim/_shipped/
    package = tmp_path / "site-packages" / "nmmsim"
    shutil.copytree(shipped_dir("calibration"), package / "_shipped" / "calibration")
    monkeypatch.setattr(nmmsim.resources, "_PACKAGE_DIR", package)
    monkeypatch.chdir(tmp_path)
    before = (package / "_shipped" / "calibration" / "calibrated.toml").read_bytes()
    assert main(["calibrate"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "installed package" in err and "--data" in err
    assert (package / "_shipped" / "calibration" / "calibrated.toml").read_bytes() == before


@pytest.mark.filterwarnings("default::UserWarning")  # the CLI shows it as one line
def test_a_calibration_fitted_to_other_data_is_flagged(tmp_path, capsys):
    data = _data_copy(tmp_path / "data")
    observed = data / "observed_region.csv"
    text = observed.read_text()
    observed.write_text(text.replace("grdp_real_growth,2024,2024,9.11,", "grdp_real_growth,2024,"
                                     "2024,8.11,"))
    assert text != observed.read_text()
    assert main(["run", BASELINE, "--data", str(data), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert err.startswith("nmmsim: warning: ") and err.count("\n") == 1
    assert "made from other data" in err and "rebuild it with `nmmsim condition`" in err


# -- 12.1: every output names its input files ------------------------------------------------------


def _roles(name: str) -> tuple[str, ...]:
    """Runs read the posterior; sensitivity reads the least-squares fit instead."""
    if name.endswith("sensitivity"):
        return tuple(role if role != "posterior" else "calibration" for role in ROLES)
    return ROLES


def _check_inputs(attrs: dict[str, object], data: Path, roles: tuple[str, ...] = ROLES) -> None:
    for role in roles:
        assert re.fullmatch(r"[0-9a-f]{64}", str(attrs[f"{role}_sha256"])), role
        assert Path(str(attrs[f"{role}_file"])).is_file(), role
    if "posterior" in roles:
        assert attrs["posterior_file"] == str(data.resolve() / "posterior.toml")
    else:
        assert attrs["calibration_file"] == str(data.resolve() / "calibrated.toml")
    assert attrs["data_directory"] == str(data.resolve())
    assert re.fullmatch(r"[0-9a-f]{64}", str(attrs["data_sha256"]))


def test_every_output_records_its_input_files_and_their_hashes(tmp_path, capsys):
    data = _data_copy(tmp_path / "data")
    source = ["--data", str(data)]
    out = tmp_path / "out"
    assert main(["run", BASELINE, *source, "--out", str(out)]) == 0
    assert main(["run", BASELINE, *source, "--draws", "1024", "--seed", "1", "--out", str(out)]) == 0
    green = str(shipped_scenarios()["green_forest"])
    assert main(["compare", BASELINE, green, *source, "--draws", "1024", "--seed", "1",
                 "--out", str(out)]) == 0
    assert main(["sensitivity", BASELINE, *source, "--draws", "16", "--method", "morris",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    for name in ("baseline_deterministic", "baseline", "compare_baseline_vs_green_forest",
                 "baseline_sensitivity"):
        with xr.open_dataset(out / f"{name}.nc", engine="h5netcdf") as result:
            _check_inputs(result.attrs, data, _roles(name))
            if name != "baseline_sensitivity":
                hashes = {role: result.attrs[f"{role}_sha256"] for role in ROLES}
    for name in ("baseline_deterministic", "baseline", "compare_baseline_vs_green_forest"):
        report = (out / f"{name}.html").read_text()
        assert str(data.resolve() / "posterior.toml") in report
        assert all(value in report for value in hashes.values())
    assert printed.count(f"Data: {data.resolve()}") == 4
    assert printed.count(f"sha256 {hashes['posterior'][:12]}") == 3


# -- 12.12: version, years and files in every output; a user's targets are not Resolution 96 -------


def _provenance_csv(path: Path) -> dict[str, str]:
    import csv

    with path.open(newline="", encoding="utf-8") as handle:
        return {row["attribute"]: row["value"] for row in csv.DictReader(handle)}


def test_monte_carlo_and_compare_outputs_carry_version_years_and_files(tmp_path):
    from nmmsim import __version__

    green = str(shipped_scenarios()["green_forest"])
    assert main(["run", BASELINE, "--draws", "1024", "--seed", "1", "--out", str(tmp_path)]) == 0
    assert main(["compare", BASELINE, green, "--draws", "1024", "--seed", "1",
                 "--out", str(tmp_path)]) == 0
    for name in ("baseline", "compare_baseline_vs_green_forest"):
        with xr.open_dataset(tmp_path / f"{name}.nc", engine="h5netcdf") as result:
            attrs = dict(result.attrs)
        assert attrs["nmmsim_version"] == __version__
        assert (attrs["start_year"], attrs["end_year"]) == (2024, 2030)
        side = _provenance_csv(tmp_path / f"{name}_provenance.csv")
        for key in ("nmmsim_version", "posterior_file", "posterior_sha256", "data_sha256",
                    "targets_file", "scenario_sha256", "seed"):
            assert side[key] == str(attrs[key]), key


def test_deterministic_run_has_a_provenance_side_file(tmp_path):
    assert main(["run", BASELINE, "--out", str(tmp_path)]) == 0
    side = _provenance_csv(tmp_path / "baseline_deterministic_provenance.csv")
    assert side["posterior_file"].endswith("posterior.toml") and len(side["data_sha256"]) == 64
    assert side["targets_title"] == "Resolution 96/NQ-CP"
    report = (tmp_path / "baseline_deterministic.html").read_text()
    assert "<h2>Targets of Resolution 96/NQ-CP</h2>" in report


def test_a_user_targets_table_is_not_titled_resolution_96(tmp_path, capsys):
    from nmmsim.resources import data_directory, input_files

    shipped = input_files(data_directory()).targets
    own = tmp_path / "targets_2030.csv"
    own.write_text(shipped.read_text().replace(
        "average_growth,2021,2030,at_least,8.0,9.0", "average_growth,2021,2030,at_least,7.0,9.0"))
    assert own.read_text() != shipped.read_text()
    assert main(["run", BASELINE, "--targets", str(own), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Resolution 96" not in out and f"(targets from {own})" in out
    report = (tmp_path / "baseline_deterministic.html").read_text()
    assert "Targets of Resolution 96" not in report
    assert f"<h2>Targets from {own}</h2>" in report
    with xr.open_dataset(tmp_path / "baseline_deterministic.nc", engine="h5netcdf") as result:
        assert result.attrs["targets_title"] == f"targets from {own}"


def test_the_released_targets_table_has_the_recorded_hash():
    # fails when the shipped table is edited: then update RESOLUTION_96_SHA256 on purpose
    from nmmsim.resources import data_directory, input_files, targets_title

    assert targets_title(input_files(data_directory()).targets) == "Resolution 96/NQ-CP"


def test_a_removed_current_directory_is_no_checkout(tmp_path, monkeypatch, capsys):
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    assert main(["run", BASELINE, "--out", str(tmp_path / "out")]) == 0
    assert "Data: " in capsys.readouterr().out


def test_the_same_data_with_windows_line_ends_need_no_refit(tmp_path, capsys):
    data = _data_copy(tmp_path / "data")
    for name in ("observed_region.csv", "observed_national.csv", "provinces.csv"):
        path = data / name
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    # pytest turns a warning into an error: this run must not warn
    assert main(["run", BASELINE, "--data", str(data), "--out", str(tmp_path / "out")]) == 0
    assert "warning" not in capsys.readouterr().err


def test_python_api_results_record_version_years_and_input_files():
    """Monte Carlo and compare results made from Python carry what the CLI records."""
    shipped = nmmsim.shipped_scenarios()
    results = [nmmsim.simulate(shipped["baseline"]),
               nmmsim.simulate(shipped["baseline"], draws=1024, seed=1),
               nmmsim.compare([shipped["baseline"], shipped["hub_fdi"]], draws=1024, seed=1)]
    for result in results:
        for key in ("nmmsim_version", "start_year", "end_year", "posterior_file",
                    "posterior_sha256", "data_sha256", "targets_title"):
            assert key in result.attrs, key
        assert result.attrs["end_year"] == 2030
