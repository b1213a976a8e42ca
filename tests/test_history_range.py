"""The history range beside each probability: the leave-one-year-out likelihood, the
sub-posteriors, their files, and the range a run shows (docs/uncertainty.md §6)."""

from __future__ import annotations

import dataclasses
import html
import shutil

import numpy as np
import pytest
import xarray as xr

import nmmsim
from nmmsim.analysis import attainment
from nmmsim.calibration.condition import condition
from nmmsim.calibration.likelihood import (
    LIKELIHOOD_SERIES,
    LIKELIHOOD_YEARS,
    log_likelihood,
    log_likelihood_by_year,
)
from nmmsim.cli import main
from nmmsim.errors import CalibrationError, NmmsimError
from nmmsim.history_range import (
    HISTORY_MEANING,
    HISTORY_YEARS,
    history_draws,
    load_sub_posteriors,
    sub_posterior_path,
)
from nmmsim.parameters import REGISTRY
from nmmsim.posterior import default_posterior_path, load_posterior, write_posterior
from nmmsim.resources import shipped_dir


def _words(text: str) -> str:
    return " ".join(text.split())


# --- the likelihood without one year -------------------------------------------------------------


@pytest.fixture(scope="module")
def history():
    """Three draws of the history at the registry defaults, with three values of each discrepancy scale."""
    from nmmsim.calibration.history import run_history
    from nmmsim.calibration.series import load_history_data
    from nmmsim.parameters import Parameters
    from nmmsim.past import history_schedule

    data = load_history_data()
    run = run_history(data.base, Parameters.defaults(3), history_schedule()[0])
    discrepancy = {"provincial_grdp_discrepancy": np.array([0.02, 0.05, 0.1]),
                   "provincial_growth_discrepancy": np.array([0.01, 0.02, 0.04]),
                   "regional_discrepancy_ratio": np.array([0.5, 1.0, 2.0]),
                   "provincial_discrepancy_ratio": np.array([0.5, 1.0, 2.0])}
    return run, data, discrepancy


def test_the_years_left_out_are_the_likelihood_s():
    assert HISTORY_YEARS == LIKELIHOOD_YEARS


@pytest.mark.parametrize("year", LIKELIHOOD_YEARS)
def test_leaving_a_year_out_is_the_data_without_that_year_s_figures(history, year):
    """Year ``year``'s column is 0, and the rest is the likelihood of data that never held a
    figure ending in ``year`` (level offsets of change-only segments and the rest of the region's
    real growth taken over the figures kept)."""
    run, data, discrepancy = history
    full = log_likelihood_by_year(run, data, discrepancy)
    without = log_likelihood_by_year(run, data, discrepancy, leave_out=year)
    column = LIKELIHOOD_YEARS.index(year)
    assert np.all(without[:, column] == 0.0) and np.all(full[:, column] != 0.0)
    series, observations, dropped = dict(data.series), dict(data.observations), 0
    for name in LIKELIHOOD_SERIES:
        kept = [k for k, (_, year_to) in enumerate(series[name].spans) if year_to != year]
        dropped += len(series[name].spans) - len(kept)
        series[name] = dataclasses.replace(series[name],
                                           spans=tuple(series[name].spans[k] for k in kept))
        observations[name] = tuple(observations[name][k] for k in kept)
    unpublished = dataclasses.replace(data, series=series, observations=observations)
    assert dropped > 0
    np.testing.assert_allclose(without, log_likelihood_by_year(run, unpublished, discrepancy),
                               rtol=1e-12)
    np.testing.assert_allclose(log_likelihood(run, data, discrepancy, leave_out=year),
                               without.sum(axis=1), rtol=1e-12)
    if year == LIKELIHOOD_YEARS[-1]:  # leaving out the last year is cutting the history before it
        np.testing.assert_array_equal(
            without, log_likelihood_by_year(run, data, discrepancy, through=year - 1))


def test_leaving_out_a_year_outside_the_history_is_refused(history):
    run, data, discrepancy = history
    with pytest.raises(CalibrationError, match="2020"):
        log_likelihood(run, data, discrepancy, leave_out=2020)


# --- the sub-posteriors --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def without_2022():
    return condition(particles=128, keep=64, seed=5, chunk_size=128, leave_out=2022)


def test_a_sub_posterior_is_reproducible_whatever_the_chunk_size(without_2022):
    again = condition(particles=128, keep=64, seed=5, chunk_size=48, leave_out=2022)
    np.testing.assert_array_equal(again.values, without_2022.values)
    np.testing.assert_array_equal(again.log_likelihood, without_2022.log_likelihood)
    assert without_2022.left_out == 2022
    full = condition(particles=128, keep=64, seed=5, chunk_size=128)
    assert full.left_out is None and not np.array_equal(full.values, without_2022.values)


def test_a_sub_posterior_s_file_says_which_year_it_left_out(without_2022, tmp_path):
    path = write_posterior(without_2022, tmp_path / "posterior_without_2022.toml")
    assert "left_out = 2022" in path.read_text(encoding="utf-8")
    assert load_posterior(path).left_out == 2022


def test_the_shipped_sub_posteriors_load_and_match_the_posterior():
    posterior = load_posterior()
    samples = load_sub_posteriors(posterior, default_posterior_path())
    assert tuple(samples) == HISTORY_YEARS
    for year, sample in samples.items():
        assert sample.left_out == year and sample.names == posterior.names
        assert sample.data_sha256 == posterior.data_sha256 and sample.seed == posterior.seed


def test_edited_or_mislabelled_sub_posteriors_are_refused(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(shipped_dir("calibration"), data)
    posterior = load_posterior(data / "posterior.toml")
    csv = data / "posterior_without_2023.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("0.", "0.1", 1), encoding="utf-8")
    with pytest.raises(CalibrationError, match="sha256"):
        load_sub_posteriors(posterior, data / "posterior.toml")
    write_posterior(dataclasses.replace(posterior, left_out=2021),
                    data / "posterior_without_2023.toml")
    with pytest.raises(CalibrationError, match="left_out = 2021, expected 2023"):
        load_sub_posteriors(posterior, data / "posterior.toml")
    (data / "posterior_without_2021.toml").unlink()  # the first one looked for
    with pytest.raises(CalibrationError, match="--leave-one-year-out"):
        load_sub_posteriors(posterior, data / "posterior.toml")


def test_cli_condition_writes_the_four_sub_posteriors(tmp_path, capsys):
    out = tmp_path / "p.toml"
    assert main(["condition", "--leave-one-year-out", "--particles", "96", "--keep", "32",
                 "--seed", "3", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    for year in HISTORY_YEARS:
        sample = load_posterior(sub_posterior_path(out, year))
        assert sample.left_out == year and sample.size == 32 and sample.particles == 96
        assert f"Without {year}:" in printed
    assert not out.exists()  # the full posterior is not rewritten


# --- the range a run shows -----------------------------------------------------------------------


def _data_with(tmp_path, subs):
    """A copy of the shipped data directory whose sub-posteriors are ``subs`` (year -> sample)."""
    data = tmp_path / "data"
    shutil.copytree(shipped_dir("calibration"), data)
    for year, sample in subs.items():
        write_posterior(dataclasses.replace(sample, left_out=year),
                        sub_posterior_path(data / "posterior.toml", year))
    return data / "posterior.toml"


def _run(posterior, **options):
    return nmmsim.simulate(nmmsim.shipped_scenarios()["baseline"], draws=2048, seed=4,
                           posterior=posterior, history_range="leave-one-year-out", **options)


def test_identical_sub_posteriors_give_no_range(tmp_path):
    """With every sub-posterior equal to the posterior and as many draws, a sub-run draws
    exactly the main run's draws (the same seed): the range is the probability itself."""
    posterior = load_posterior()
    path = _data_with(tmp_path, dict.fromkeys(HISTORY_YEARS, posterior))
    found = attainment(_run(path))
    np.testing.assert_array_equal(found.history_lower, found.probability)
    np.testing.assert_array_equal(found.history_upper, found.probability)
    np.testing.assert_array_equal(found.history_upper_all, found.probability_all)


def test_one_shifted_sub_posterior_widens_the_range_on_its_side(tmp_path):
    """Faster services TFP growth in the posterior without 2024 raises the growth target's
    probability under it: the range reaches above the probability, not below."""
    posterior = load_posterior()
    column = posterior.names.index("tfp_growth_services")
    high = REGISTRY["tfp_growth_services"].bounds[1]
    values = posterior.values.copy()
    values[:, column] = np.minimum(values[:, column] + 0.01, high)
    shifted = dataclasses.replace(posterior, values=values)
    path = _data_with(tmp_path, {**dict.fromkeys(HISTORY_YEARS[:-1], posterior),
                                 HISTORY_YEARS[-1]: shifted})
    found = attainment(_run(path)).sel(target="grdp_growth", year=2030)
    assert float(found.history_lower) == float(found.probability)
    margin = 3 * float(found.standard_error)
    assert float(found.history_upper) > float(found.probability) + margin
    by_year = found.probability_history
    assert float(by_year.sel(left_out_year=HISTORY_YEARS[-1])) == float(found.history_upper)


def test_the_range_is_the_same_whatever_the_chunk_size_and_workers():
    path = default_posterior_path()
    one = _run(path, chunk_size=1024)
    two = _run(path, chunk_size=2048, workers=2)
    xr.testing.assert_identical(one.attained_history, two.attained_history)
    assert one.attained_history.dims == ("left_out_year", "target", "year")
    assert one.attrs["history_draws"] == history_draws(2048) == 2048
    assert one.attained_history.attrs["units"] == "draws"
    assert "long_name" in one.attained_history.attrs
    for year in HISTORY_YEARS:
        assert len(one.attrs[f"posterior_without_{year}_sha256"]) == 64


def test_a_range_needs_a_monte_carlo_summary_from_the_posterior():
    scenario = nmmsim.shipped_scenarios()["baseline"]
    with pytest.raises(NmmsimError, match="draws=N"):
        nmmsim.simulate(scenario, history_range="leave-one-year-out")
    with pytest.raises(NmmsimError, match="uncertainty='posterior'"):
        nmmsim.simulate(scenario, draws=1024, uncertainty="prior",
                        history_range="leave-one-year-out")
    with pytest.raises(NmmsimError, match="keep='summary'"):
        nmmsim.simulate(scenario, draws=1024, keep="trajectories",
                        history_range="leave-one-year-out")
    with pytest.raises(NmmsimError, match="allowed"):
        nmmsim.simulate(scenario, draws=1024, history_range="jackknife")  # type: ignore[arg-type]


def test_compared_scenarios_each_get_their_range():
    shipped = nmmsim.shipped_scenarios()
    both = nmmsim.compare([shipped["baseline"], shipped["resolution_96"]], draws=1024, seed=2,
                          history_range="leave-one-year-out")
    assert both.attained_history.dims == ("scenario", "left_out_year", "target", "year")
    found = attainment(both)
    assert (found.history_lower <= found.history_upper).all()


def test_the_range_is_shown_wherever_the_run_shows_a_probability(tmp_path, capsys):
    import pandas as pd

    assert main(["run", "baseline", "--draws", "1024", "--seed", "1", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "History range: 1,024 more draws from each of the 4 posteriors" in out
    assert "; history range" in out and _words(HISTORY_MEANING) in _words(out)
    report = (tmp_path / "baseline.html").read_text(encoding="utf-8")
    assert "<th>History range</th>" in report and html.escape(HISTORY_MEANING) in report
    table = pd.read_csv(tmp_path / "baseline_targets.csv")
    modelled = table[table.probability.notna()]
    assert modelled.history_lower.notna().all()
    assert (modelled.history_lower <= modelled.history_upper).all()
    summary = pd.read_csv(tmp_path / "baseline.csv")
    counts = summary[summary.variable == "attained_history"]
    assert set(counts.left_out_year) == set(HISTORY_YEARS)
    assert main(["run", "baseline", "--draws", "1024", "--seed", "1", "--history-range", "none",
                 "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "History range" not in out and "history range" not in out
    assert "History range" not in (tmp_path / "baseline.html").read_text(encoding="utf-8")
    assert main(["run", "baseline", "--history-range", "leave-one-year-out",
                 "--out", str(tmp_path)]) == 2
    assert "needs --draws N" in capsys.readouterr().err


@pytest.mark.filterwarnings("default::UserWarning")  # the CLI shows it as one line
def test_missing_sub_posteriors_warn_by_default_and_fail_when_asked_for(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(shipped_dir("calibration"), data)
    for path in data.glob("posterior_without_*"):
        path.unlink()
    run = ["run", "baseline", "--draws", "1024", "--seed", "1", "--data", str(data),
           "--out", str(tmp_path / "out")]
    assert main(run) == 0
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "posterior_without_2021.toml is missing" in captured.err
    assert "history range" not in captured.out
    assert main([*run, "--history-range", "leave-one-year-out"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--leave-one-year-out" in err



@pytest.mark.filterwarnings("default::UserWarning")  # the CLI shows it as one line
def test_sub_posteriors_of_another_posterior_warn_by_default(tmp_path, capsys):
    """A posterior rebuilt without its sub-posteriors (other data or parameters) runs without
    the range and says so, instead of failing every run."""
    posterior = load_posterior()
    path = _data_with(tmp_path, {2022: dataclasses.replace(posterior, data_sha256="0" * 64)})
    assert main(["run", "baseline", "--draws", "1024", "--seed", "1", "--data", str(path.parent),
                 "--out", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "posterior_without_2022.toml" in captured.err
    assert "history range" not in captured.out


def test_the_docs_table_is_the_shipped_sub_posteriors():
    """docs/uncertainty.md §6 describes the committed files: rebuild both together."""
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "uncertainty.md").read_text()
    samples = load_sub_posteriors(load_posterior(), default_posterior_path())
    for year, sample in samples.items():
        row = f"| {year} | {sample.seconds:.0f} | {sample.stages[-1].ess:,.0f} |"
        assert row in text, f"docs/uncertainty.md: sub-posterior row out of date: {row}"
