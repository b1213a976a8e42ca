"""Calibration: recovery of known parameters, the committed file, determinism and bad data."""

from __future__ import annotations

import dataclasses
import math
from types import MappingProxyType

import numpy as np
import pytest

import nmmsim
from nmmsim.calibrated import load_calibrated, write_calibrated
from nmmsim.calibration import FITTED, SERIES, CalibrationWarning, calibrate, load_history_data
from nmmsim.calibration.fit import _Problem
from nmmsim.calibration.history import run_history
from nmmsim.calibration.series import model_values, residuals
from nmmsim.cli import main
from nmmsim.errors import CalibrationError, DataError
from nmmsim.parameters import REGISTRY, Parameters
from nmmsim.past import history_schedule
from nmmsim.resources import shipped_dir

DATA_FILE = shipped_dir("calibration") / "observed_region.csv"


def _fit(**kwargs):
    with pytest.warns(CalibrationWarning):  # the forest parameters are never identified
        return calibrate(**kwargs)


@pytest.fixture(scope="module")
def refit():
    return _fit()


@pytest.fixture(scope="module")
def committed():
    return load_calibrated()


# --- recovery ---------------------------------------------------------------------------------


def _truth() -> dict[str, float]:
    """Known parameters: each default moved by half a prior sd, alternately up and down."""
    truth = {}
    for k, name in enumerate(FITTED):
        spec = REGISTRY[name]
        sd = float(spec.prior.frozen().std())
        truth[name] = float(np.clip(spec.default + (-1) ** k * 0.5 * sd, *spec.bounds))
    return truth


def _synthetic(truth: dict[str, float], noise: float, seed: int):
    """The shipped start state, with every observed series replaced by the model's at ``truth``."""
    data = load_history_data()
    schedule, _ = history_schedule()
    run = run_history(data.base, Parameters.defaults().with_values(truth), schedule)
    rng = np.random.default_rng(seed)
    observations = {}
    for name, series in SERIES.items():
        exact = model_values(series, run)[0]
        error = noise * series.sigma * rng.standard_normal(exact.size)
        observations[name] = tuple(exact * np.exp(error) if series.log else exact + error)
    return dataclasses.replace(data, observations=MappingProxyType(observations))


def test_known_parameters_are_recovered_within_their_standard_errors():
    truth = _truth()
    result = _fit(data=_synthetic(truth, noise=0.1, seed=7))
    assert result.success
    true = np.array([truth[n] for n in result.names])
    z = (result.values - true) / result.standard_errors
    assert np.all(np.abs(z) < 3.0), dict(zip(result.names, np.round(z, 2), strict=True))
    # the parameters the data inform most move from their defaults most of the way to the truth
    for name in ("population_growth", "reallocation_speed", "urbanization_trend"):
        j = result.names.index(name)
        assert abs(result.values[j] - truth[name]) < 0.5 * abs(REGISTRY[name].default - truth[name])


def test_exact_data_at_the_defaults_are_fitted_exactly():
    defaults = {name: REGISTRY[name].default for name in FITTED}
    result = _fit(data=_synthetic(defaults, noise=0.0, seed=0))
    np.testing.assert_allclose(result.values, [defaults[n] for n in result.names], atol=1e-7)
    assert result.cost < 1e-12


def test_unidentified_parameters_are_reported():
    with pytest.warns(CalibrationWarning) as caught:
        result = calibrate()
    messages = [str(w.message) for w in caught]
    assert any(m.startswith("afforestation_base: the data alone do not identify") for m in messages)
    assert messages == list(result.warnings)
    j = result.names.index("afforestation_base")
    assert math.isinf(result.data_standard_errors[j])
    assert result.values[j] == pytest.approx(REGISTRY["afforestation_base"].default)


# --- residual weighting ----------------------------------------------------------------------


def test_a_level_shift_after_a_survey_break_does_not_change_the_residuals():
    data = load_history_data()
    shifted = dict(data.observations)
    shifted["certified_share"] = tuple(v + 0.05 for v in data.observations["certified_share"])
    moved = dataclasses.replace(data, observations=MappingProxyType(shifted))
    schedule, _ = history_schedule()
    run = run_history(data.base, Parameters.defaults(), schedule)
    np.testing.assert_allclose(residuals(run, moved), residuals(run, data), atol=1e-12)
    # ... while the same shift of a level series does change them
    shifted["population"] = tuple(v * 1.05 for v in data.observations["population"])
    moved = dataclasses.replace(data, observations=MappingProxyType(shifted))
    assert not np.allclose(residuals(run, moved), residuals(run, data))


def test_each_series_carries_the_same_weight():
    """A series off by one sigma everywhere contributes 1 to the sum of squares, whatever its length."""
    data = load_history_data()
    problem = _Problem(FITTED, data, history_schedule()[0])
    run = problem.run(problem.centre)
    for name in ("grdp_nominal", "budget_revenue"):
        series = SERIES[name]
        exact = model_values(series, run)[0]
        off = exact * np.exp(series.sigma)  # log series: one sigma up
        observations = {n: tuple(model_values(s, run)[0]) for n, s in SERIES.items()}
        observations[name] = tuple(off)
        r = residuals(run, dataclasses.replace(data, observations=MappingProxyType(observations)))
        assert float(np.sum(r**2)) == pytest.approx(1.0)


# --- the committed calibration -----------------------------------------------------------------


def test_deterministic_runs_take_the_posterior_medians():
    from nmmsim.posterior import load_posterior

    baseline = nmmsim.shipped_scenarios()["baseline"]
    result = nmmsim.simulate(baseline)
    at_modes = nmmsim.simulate(baseline, uncertainty="prior")
    assert result.grdp.sel(year=2030).item() != at_modes.grdp.sel(year=2030).item()
    at_defaults = nmmsim.simulate(baseline, parameters=Parameters.defaults())
    assert at_modes.grdp.sel(year=2030).item() == at_defaults.grdp.sel(year=2030).item()
    central = Parameters.defaults().with_values(load_posterior().central())
    at_medians = nmmsim.simulate(baseline, parameters=central)
    assert result.grdp.sel(year=2030).item() == at_medians.grdp.sel(year=2030).item()
    assert result.attrs["parameters"] == "the posterior's medians"


def test_committed_calibration_reproduces_2024_exactly(committed):
    result = nmmsim.simulate(nmmsim.shipped_scenarios()["baseline"]).sel(year=2024)
    assert result.grdp_nominal.item() == pytest.approx(991.5, rel=1e-12)
    assert result.budget_revenue.item() == pytest.approx(89.243, rel=1e-12)
    assert result.certified_share.item() == pytest.approx(27.97, rel=1e-12)
    assert result.population.item() == pytest.approx(13338.9, rel=1e-12)
    assert result.poverty_rate.item() == pytest.approx(15.1, rel=1e-12)


def test_committed_calibration_reproduces_its_reported_residuals(committed):
    data = load_history_data()
    problem = _Problem(committed.names, data, history_schedule()[0])
    recomputed = problem.residual_records(committed.values)
    assert len(recomputed) == len(committed.residuals) > 0
    for now, then in zip(recomputed, committed.residuals, strict=True):
        assert (now.series, now.year_from, now.year_to) == (then.series, then.year_from, then.year_to)
        assert now.observed == then.observed
        assert now.fitted == pytest.approx(then.fitted, rel=1e-9)
        assert now.weighted == pytest.approx(then.weighted, rel=1e-9, abs=1e-12)


def test_refit_from_committed_data_gives_the_committed_file(refit, committed):
    assert refit.data_sha256 == committed.data_sha256
    assert refit.levers_sha256 == committed.levers_sha256
    assert refit.names == committed.names
    np.testing.assert_allclose(refit.values, committed.values, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(refit.standard_errors, committed.standard_errors, rtol=1e-6)
    assert refit.warnings == committed.warnings


def test_refit_is_deterministic(refit):
    again = _fit()
    assert np.array_equal(again.values, refit.values)
    assert np.array_equal(again.covariance, refit.covariance)


def test_covariance_is_a_usable_prior(committed):
    eigenvalues = np.linalg.eigvalsh(committed.covariance)
    assert np.all(eigenvalues > 0)
    np.testing.assert_allclose(np.sqrt(np.diag(committed.covariance)), committed.standard_errors)
    assert np.allclose(np.diag(committed.correlation), 1.0)


def test_file_round_trip_is_exact(refit, tmp_path):
    path = write_calibrated(refit, tmp_path / "fit.toml")
    back = load_calibrated(path)
    assert np.array_equal(back.values, refit.values)
    assert np.array_equal(back.covariance, refit.covariance)
    assert np.array_equal(back.data_standard_errors, refit.data_standard_errors)
    assert back.residuals == refit.residuals and back.warnings == refit.warnings


# --- bad data ----------------------------------------------------------------------------------


def _edited(tmp_path, edit):
    lines = DATA_FILE.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "observed_region.csv"
    path.write_text("".join(edit(line) for line in lines), encoding="utf-8")
    return path


def test_missing_year_is_named(tmp_path):
    path = _edited(tmp_path, lambda line: "" if line.startswith("population,2022,") else line)
    with pytest.raises(DataError, match=r"observed_region.csv: 'population' has no figure for 2022"):
        calibrate(path)


def test_non_finite_value_is_named(tmp_path):
    path = _edited(tmp_path, lambda line: line.replace("12925.1", "nan"))
    with pytest.raises(DataError, match=r"observed_region.csv:\d+ \(population\).*not a finite"):
        calibrate(path)


def test_unknown_indicator_is_named(tmp_path):
    path = _edited(tmp_path, lambda line: line.replace("urban_population,", "urban_populaton,"))
    with pytest.raises(DataError, match=r"no indicator 'urban_population'.*did you mean"):
        calibrate(path)


def test_unknown_fitted_parameter():
    with pytest.raises(CalibrationError, match=r"unknown parameter 'tfp_growth_industri'.*did you mean"):
        calibrate(fitted=("tfp_growth_industri",))


@pytest.mark.parametrize(("edit", "message"), [
    (lambda t: t.replace("[fit]", "[fit"), "not valid TOML"),
    (lambda t: t.replace("tfp_growth_industry =", "tfp_growth_industri ="), "did you mean"),
    (lambda t: t.replace("population_growth = { value = ", "population_growth = { value = 9"),
     r"population_growth: value .* must be finite and in \[0.006, 0.016\]"),
    (lambda t: t.replace("matrix = [\n    [", "matrix = [\n    [1.0, "),
     f"symmetric {len(FITTED)} x {len(FITTED)}"),
])
def test_bad_calibrated_file(tmp_path, edit, message):
    path = tmp_path / "calibrated.toml"
    path.write_text(edit((shipped_dir("calibration") / "calibrated.toml").read_text()))
    with pytest.raises(CalibrationError, match=message):
        load_calibrated(path)


# --- command line ------------------------------------------------------------------------------


def test_cli_calibrate_writes_file_and_chart(tmp_path, capsys):
    out = tmp_path / "fit.toml"
    assert main(["calibrate", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "tfp_growth_industry" in text and "grdp_nominal" in text and "afforestation_base" in text
    np.testing.assert_allclose(load_calibrated(out).values, load_calibrated().values, rtol=1e-6)
    chart = tmp_path / "fit_fit.png"
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["sensitivity", "baseline", "--draws", "8", "--method", "morris",
                 "--out", str(tmp_path), "--calibration", str(out)]) == 0


def test_cli_calibrate_bad_data_exits_2_and_writes_nothing(tmp_path, capsys):
    path = _edited(tmp_path, lambda line: "" if line.startswith("population,2022,") else line)
    out = tmp_path / "fit.toml"
    assert main(["calibrate", "--observed", str(path), "--out", str(out)]) == 2
    assert "population" in capsys.readouterr().err
    assert not out.exists()


def test_identifiability_warnings_say_what_happened_to_the_value():
    """A parameter the data move far from its prior's mode is not said to 'lean on its prior'
    (issue 12.16): the warning gives where it started, where it went and by how many sd."""
    from nmmsim.calibrated import load_calibrated

    result = load_calibrated()
    fitted = dict(zip(result.names, result.values, strict=True))
    industry = next(w for w in result.warnings if w.startswith("tfp_growth_industry:"))
    assert "leans on its prior" not in industry
    assert f"from its prior's mode 0.013 to {fitted['tfp_growth_industry']:.4g}" in industry
    assert "prior sd" in industry
