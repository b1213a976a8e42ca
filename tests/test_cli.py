"""Every CLI verb runs; input errors exit 2 with one line and no traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest
import xarray as xr

from nmmsim import shipped_scenarios
from nmmsim.cli import main


def test_run_prints_target_table_and_writes_files(tmp_path, capsys):
    assert main(["run", str(shipped_scenarios()["baseline"]), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Average real GRDP growth 2021-2030" in out
    assert "not modelled" in out
    assert (tmp_path / "baseline_deterministic.nc").is_file()
    assert (tmp_path / "baseline_deterministic.csv").is_file()


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


def test_monte_carlo_run_prints_probabilities_and_writes_a_summary(tmp_path, capsys):
    import xarray as xr

    assert main(["run", str(shipped_scenarios()["baseline"]), "--draws", "2048", "--seed", "3",
                 "--workers", "1", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "2,048 draws, seed 3, sampler mc" in out and "All modelled targets at once" in out
    with xr.open_dataset(tmp_path / "baseline.nc", engine="h5netcdf") as result:
        assert result.attrs["seed"] == 3 and result.attrs["draws"] == 2048
        assert "quantile" in result.dims and int(result.attained.max()) <= 2048
    assert (tmp_path / "baseline.csv").read_text().startswith("variable,")


def test_monte_carlo_option_error_exits_2(tmp_path, capsys):
    assert main(["run", str(shipped_scenarios()["baseline"]), "--draws", "100",
                 "--chunk-size", "1000", "--out", str(tmp_path)]) == 2
    assert "multiple of 1024" in capsys.readouterr().err


def test_ctrl_c_stops_cleanly_without_files(tmp_path):
    import signal
    import time

    # Ctrl-C as in a terminal: a test run in a background job inherits SIGINT ignored, and the
    # run rightly keeps ignoring it then
    process = subprocess.Popen(
        [sys.executable, "-m", "nmmsim", "run", str(shipped_scenarios()["baseline"]),
         "--draws", "50000000", "--workers", "2", "--seed", "1", "--out", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(4)  # imports, worker start-up, some chunks
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted; no results written" in err
    assert list(tmp_path.iterdir()) == []


def test_user_targets_file_replaces_resolution_96(tmp_path, capsys):
    targets = tmp_path / "targets.csv"
    targets.write_text(
        "target,description,variable,sector,measure,from_year,year,kind,lower,upper,tolerance,"
        "unit,source,note\n"
        'revenue_cap,"Revenue at most 170",budget_revenue,,level,,2030,at_most,,170,,'
        "VND trillion,user,\n")
    assert main(["run", str(shipped_scenarios()["baseline"]), "--draws", "1024", "--seed", "1",
                 "--targets", str(targets), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Revenue at most 170" in out and "<= 170" in out
    assert "GRDP 2030, current prices" not in out  # the Resolution 96 target
    assert "Revenue at most 170" in (tmp_path / "baseline.html").read_text()


def test_targets_file_naming_an_unknown_variable_exits_2(tmp_path, capsys):
    targets = tmp_path / "targets.csv"
    targets.write_text(
        "target,description,variable,sector,measure,from_year,year,kind,lower,upper,tolerance,"
        "unit,source,note\n"
        'forest,"Forest",forest_covr,,level,,2030,at_least,56,,,percent,user,\n')
    assert main(["run", str(shipped_scenarios()["baseline"]), "--draws", "1024",
                 "--targets", str(targets), "--out", str(tmp_path)]) == 2
    assert "did you mean 'forest_cover'" in capsys.readouterr().err


def test_compare_prints_paired_differences_and_writes_a_report(tmp_path, capsys):
    shipped = shipped_scenarios()
    assert main(["compare", str(shipped["baseline"]), str(shipped["green_forest"]),
                 "--draws", "2048", "--seed", "2", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "the scenario minus baseline" in out and "+-" in out and "common random numbers" in out
    stem = "compare_baseline_vs_green_forest"  # named after the scenarios
    assert {p.name for p in tmp_path.iterdir()} == {f"{stem}.nc", f"{stem}.csv", f"{stem}_2030.csv",
                                                    f"{stem}_provenance.csv", f"{stem}.html"}
    # another comparison into the same directory keeps the first one's files
    assert main(["compare", "baseline", "hub_fdi", "--draws", "1024", "--seed", "2",
                 "--end-year", "2028", "--out", str(tmp_path)]) == 0
    assert (tmp_path / f"{stem}.nc").is_file()
    assert (tmp_path / "compare_baseline_vs_hub_fdi_2028.csv").is_file()


def test_a_failure_after_the_run_leaves_no_output_files(tmp_path, capsys):
    broken = tmp_path / "baseline_sensitivity.nc"
    broken.write_bytes(b"not a NetCDF file")  # e.g. a copy cut short
    assert main(["run", str(shipped_scenarios()["baseline"]), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "baseline_sensitivity.nc" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baseline_sensitivity.nc"]


def test_monte_carlo_trajectories_write_netcdf_csv_and_report(tmp_path, capsys):
    assert main(["run", str(shipped_scenarios()["baseline"]), "--draws", "2048", "--seed", "1",
                 "--keep", "trajectories", "--out", str(tmp_path)]) == 0
    names = {p.name for p in tmp_path.iterdir()}
    assert {n.rsplit(".", 1)[1] for n in names} == {"nc", "csv", "html"}, names
    assert not [n for n in names if n.startswith(".")]


@pytest.mark.parametrize("draws", [[], ["--draws", "1024", "--seed", "1"]])
def test_targets_after_the_horizon_are_not_reached_in_table_csv_and_report(tmp_path, capsys,
                                                                          draws):
    import csv

    assert main(["run", str(shipped_scenarios()["baseline"]), "--end-year", "2027", *draws,
                 "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    forest = next(line for line in out.splitlines() if line.startswith("Forest cover 2030"))
    assert "not reached by this horizon (ends 2027)" in forest
    (table,) = tmp_path.glob("*_targets.csv")
    rows = {row["target"]: row for row in csv.DictReader(table.read_text().splitlines())}
    assert rows["forest_cover"]["status"] == "not reached by this horizon"
    assert rows["digital_economy"]["status"] == "not modelled"
    (report,) = tmp_path.glob("*.html")
    assert report.read_text().count("not reached by this horizon") >= 12


def test_sobol_with_a_draw_count_not_a_power_of_two_gives_a_one_line_notice(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "nmmsim", "run", str(shipped_scenarios()["baseline"]),
         "--draws", "1000", "--sampler", "sobol", "--seed", "1", "--out", str(tmp_path)],
        capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ("nmmsim: warning: sampler='sobol' with 1,000 draws: Sobol' balance "
                           "needs a power of two (e.g. 1,024)\n")
    assert "1,000 draws" in done.stdout


def test_compare_csvs_name_the_scenario_the_direction_and_the_paired_differences(tmp_path):
    import pandas as pd

    from nmmsim.analysis import paired_differences

    shipped = shipped_scenarios()
    assert main(["compare", str(shipped["baseline"]), str(shipped["resolution_96"]),
                 "--draws", "1024", "--seed", "2", "--out", str(tmp_path)]) == 0
    long = pd.read_csv(tmp_path / "compare_baseline_vs_resolution_96.csv")
    assert set(long.scenario) == {"baseline", "resolution_96"}
    discordant = long[long.variable == "discordant"]
    assert set(discordant.direction) == {"gained", "lost"}
    assert len(discordant) == len(discordant.drop_duplicates(
        ["scenario", "target", "year", "direction"]))
    tidy = pd.read_csv(tmp_path / "compare_baseline_vs_resolution_96_2030.csv")
    assert len(tidy) == 2 * (12 + 1)  # both scenarios: every modelled target and all at once
    assert list(tidy.columns[:3]) == ["scenario", "target", "description"]
    reference = tidy[tidy.scenario == "baseline"]
    assert reference.difference.isna().all() and reference["median"].notna().sum() == 12
    growth = tidy[(tidy.scenario == "resolution_96") & (tidy.target == "grdp_growth")].iloc[0]
    assert growth.p05 < growth["median"] < growth.p95
    with xr.open_dataset(tmp_path / "compare_baseline_vs_resolution_96.nc",
                         engine="h5netcdf") as compared:
        paired = paired_differences(compared.load()).sel(scenario="resolution_96", year=2030)
    assert growth.difference == pytest.approx(float(paired.difference.sel(target="grdp_growth")))
    assert growth.difference_se == pytest.approx(
        float(paired.standard_error.sel(target="grdp_growth")))
    joint = tidy[(tidy.scenario == "resolution_96") & (tidy.target == "all")].iloc[0]
    assert joint.difference == pytest.approx(float(paired.difference_all))


@pytest.mark.parametrize("unbuffered", ["1", ""])
def test_output_closed_early_still_writes_every_file(tmp_path, unbuffered):
    import os

    env = {**os.environ, "PYTHONUNBUFFERED": unbuffered}
    process = subprocess.Popen(
        [sys.executable, "-m", "nmmsim", "run", str(shipped_scenarios()["baseline"]),
         "--out", str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # as `nmmsim run ... | head -1` does once head has its line
    with process.stderr:
        err = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0, err
    assert err == ""
    assert {p.suffix for p in tmp_path.iterdir()} == {".nc", ".csv", ".html"}


def test_runs_of_different_kinds_do_not_overwrite_each_other(tmp_path, capsys):
    baseline = str(shipped_scenarios()["baseline"])
    assert main(["run", baseline, "--draws", "1024", "--seed", "1", "--out", str(tmp_path)]) == 0
    assert main(["run", baseline, "--out", str(tmp_path)]) == 0
    assert main(["run", baseline, "--draws", "1024", "--seed", "1", "--keep", "trajectories",
                 "--out", str(tmp_path)]) == 0
    names = {p.name for p in tmp_path.iterdir()}
    for stem in ("baseline", "baseline_deterministic", "baseline_trajectories"):
        assert {f"{stem}{s}" for s in (".nc", ".csv", "_targets.csv", ".html")} <= names, stem
    with xr.open_dataset(tmp_path / "baseline.nc", engine="h5netcdf") as summary:
        assert "quantile" in summary.dims  # the Monte Carlo summary, not replaced
    out = capsys.readouterr().out
    assert f"Wrote {tmp_path / 'baseline_deterministic.nc'}" in out


def test_both_csv_shapes_carry_units(tmp_path, capsys):
    import pandas as pd

    baseline = str(shipped_scenarios()["baseline"])
    assert main(["run", baseline, "--draws", "1024", "--seed", "1", "--out", str(tmp_path)]) == 0
    assert main(["run", baseline, "--out", str(tmp_path)]) == 0
    summary = pd.read_csv(tmp_path / "baseline.csv")
    units = dict(zip(summary.variable, summary.units, strict=True))
    assert units["grdp_nominal"] == "VND trillion" and units["attained"] == "draws"
    wide = pd.read_csv(tmp_path / "baseline_deterministic.csv")
    assert list(wide.columns[:2]) == ["draw", "year"]
    assert "grdp_nominal [VND trillion]" in wide.columns
    assert "sector_share_services [percent]" in wide.columns
    assert wide["grdp_nominal [VND trillion]"].dtype == float


def test_a_shipped_scenario_runs_by_name(tmp_path, capsys):
    assert main(["run", "green_forest", "--out", str(tmp_path)]) == 0
    assert "Scenario: green_forest" in capsys.readouterr().out
    assert (tmp_path / "green_forest_deterministic.nc").is_file()


def test_run_writes_and_prints_the_province_table(tmp_path, capsys):
    import pandas as pd

    assert main(["run", "baseline", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Provinces and regions" in out and "Share of increase" in out
    assert "Average real GRDP growth 2021-2030" in out  # the region_2022 target table, as before
    frame = pd.read_csv(tmp_path / "baseline_deterministic_provinces.csv")
    assert frame.columns[2] == "grdp_nominal [VND trillion]" and len(frame) == 17
    with xr.open_dataset(tmp_path / "baseline_deterministic.nc", engine="h5netcdf") as result:
        assert result.attrs["table_region"] == "region_2022"
        region = float(result.grdp_nominal.sel(year=2030, draw=0))
    assert frame.set_index("area").loc["region_2022", "grdp_nominal [VND trillion]"] \
        == pytest.approx(region, rel=1e-9)
    assert "baseline_deterministic_provinces.csv" in out


def test_run_region_2025_prints_the_2025_region_and_says_the_targets_are_not_on_it(tmp_path,
                                                                                  capsys):
    assert main(["run", "baseline", "--draws", "2048", "--seed", "3", "--region", "2025",
                 "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert ("The Resolution 96 targets and their attainment are defined on the 14-province "
            "region of 2022 (region_2022) and are not computed on the region_2025 boundary."
            in out)
    assert "Attained (95% interval)" not in out  # no target table on this boundary
    with xr.open_dataset(tmp_path / "baseline.nc", engine="h5netcdf") as result:
        assert result.attrs["table_region"] == "region_2025"
        median = float(result.grdp_nominal_by_area.sel(area="region_2025", year=2030,
                                                       quantile=0.5))
    assert f"2030  {median:,.0f} [" in out
    assert (tmp_path / "baseline_provinces.csv").is_file()
    assert "defined on the 14-province" in (tmp_path / "baseline.html").read_text()


def test_run_region_2025_deterministic_prints_every_variable(tmp_path, capsys):
    assert main(["run", "baseline", "--region", "2025", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "region_2025: deterministic path" in out and "poverty_rate" in out
    assert "investment infrastructure" in out and "not computed on the region_2025" in out


def test_run_region_is_a_closed_choice(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["run", "baseline", "--region", "2024"])
    assert exit_.value.code == 2 and "choose from '2022', '2025'" in capsys.readouterr().err


def test_usage_errors_are_one_line_and_exit_2(capsys):
    import pytest as _pytest

    with _pytest.raises(SystemExit) as stop:
        main(["run", "baseline", "--draws", "abc"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "usage:" not in err and "invalid int value: 'abc'" in err


def test_an_unwritable_out_is_refused_before_the_run(tmp_path, capsys):
    taken = tmp_path / "a_file"
    taken.write_text("not a directory")
    # 10^9 draws would take hours: the refusal must come first
    assert main(["run", "baseline", "--draws", "1000000000", "--out", str(taken)]) == 2
    err = capsys.readouterr().err
    assert "cannot write results there" in err and err.count("\n") == 1
