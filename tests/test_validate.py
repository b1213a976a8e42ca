"""Backtests (`nmmsim validate`, `nmmsim.calibration.backtest`): the scores against closed forms
and known truths, and the command on the shipped data at a small particle count."""

from __future__ import annotations

import contextlib
import io
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from nmmsim.calibration.backtest import FORECASTERS, backtest, crps, pit, summary
from nmmsim.calibration.series import load_history_data

# --- the scores ----------------------------------------------------------------------------------


def normal_crps(mu: float, sd: float, y: float) -> float:
    """Closed form for a normal predictive (Gneiting and Raftery 2007, eq. 21)."""
    z = (y - mu) / sd
    return sd * (z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / math.sqrt(math.pi))


@pytest.mark.parametrize("y", [-2.5, -0.3, 0.0, 1.0, 4.0])
def test_crps_of_a_normal_sample_matches_the_closed_form(y):
    mu, sd, m = 0.4, 1.7, 20_000
    draws = mu + sd * stats.norm.ppf((np.arange(m) + 0.5) / m)  # an evenly spread sample
    np.random.default_rng(0).shuffle(draws)  # the estimator sorts: order must not matter
    got = crps(draws[:, None], np.array([y]))[0]
    assert got == pytest.approx(normal_crps(mu, sd, y), rel=2e-3)


def test_crps_equals_the_energy_form_and_reduces_to_absolute_error_for_a_point():
    rng = np.random.default_rng(1)
    samples, observed = rng.normal(size=(37, 4)), rng.normal(size=4)
    pairs = np.abs(samples[:, None, :] - samples[None, :, :]).mean(axis=(0, 1))
    energy = np.abs(samples - observed).mean(axis=0) - 0.5 * pairs
    np.testing.assert_allclose(crps(samples, observed), energy, rtol=1e-12)
    np.testing.assert_allclose(crps(np.full((5, 1), 2.0), np.array([-1.0])), [3.0])


def test_pit_is_the_predictive_cdf_at_the_observation():
    draws = stats.norm.ppf((np.arange(10_000) + 0.5) / 10_000)[:, None]
    observed = np.array([-1.0, 0.0, 0.7])
    np.testing.assert_allclose(pit(np.repeat(draws, 3, axis=1), observed),
                               stats.norm.cdf(observed), atol=1e-4)


def synthetic_forecasts(spread: float, n_figures: int = 2000, m: int = 400) -> pd.DataFrame:
    """Figures drawn from N(mu, 1), forecast by draws of N(mu, spread): calibrated at 1."""
    rng = np.random.default_rng(7)
    mu = rng.normal(0.0, 5.0, n_figures)
    observed = mu + rng.standard_normal(n_figures)
    draws = mu + spread * rng.standard_normal((m, n_figures))
    q05, q25, median, q75, q95 = np.quantile(draws, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
    return pd.DataFrame({
        "origin": 2021, "series": "x", "province": "region", "year_from": np.arange(n_figures),
        "year": np.arange(n_figures), "forecaster": "model", "observed": observed,
        "median": median, "q05": q05, "q25": q25, "q75": q75, "q95": q95,
        "pit": pit(draws, observed), "crps": crps(draws, observed), "scale": "level",
        "measurement_sd": 1.0})


def test_a_calibrated_forecaster_covers_at_the_nominal_rates_and_has_uniform_pit():
    forecasts = synthetic_forecasts(spread=1.0)
    row = summary(forecasts).iloc[0]
    tolerance = 3 * math.sqrt(0.25 / len(forecasts))  # three binomial sd
    assert row["coverage_50"] == pytest.approx(0.5, abs=tolerance)
    assert row["coverage_90"] == pytest.approx(0.9, abs=3 * math.sqrt(0.09 / len(forecasts)))
    assert abs(row["bias"]) < 0.1
    assert stats.kstest(forecasts["pit"], "uniform").pvalue > 0.01
    # E CRPS of N(mu, 1) at outcomes from N(mu, 1): E|X - Y| - E|X - X'| / 2 = 1 / sqrt(pi)
    assert row["crps"] == pytest.approx(1 / math.sqrt(math.pi), abs=0.03)


def test_an_overconfident_forecaster_undercovers_and_scores_worse():
    calibrated = summary(synthetic_forecasts(spread=1.0)).iloc[0]
    narrow = summary(synthetic_forecasts(spread=0.3)).iloc[0]
    # N(0, 1) outcomes inside +-0.6745 * 0.3 and +-1.645 * 0.3
    assert narrow["coverage_50"] == pytest.approx(2 * stats.norm.cdf(0.6745 * 0.3) - 1, abs=0.04)
    assert narrow["coverage_90"] == pytest.approx(2 * stats.norm.cdf(1.645 * 0.3) - 1, abs=0.04)
    assert narrow["crps"] > calibrated["crps"]


def test_the_overall_rows_pool_only_figures_every_forecaster_forecast_in_sd_units():
    base = synthetic_forecasts(spread=1.0, n_figures=4).assign(measurement_sd=2.0)
    frames = [base.assign(forecaster=name) for name in FORECASTERS]
    frames[-1] = frames[-1].iloc[:3]  # the last forecaster misses one figure
    scores = summary(pd.concat(frames, ignore_index=True))
    overall = scores[(scores.series == "all") & (scores.province == "all")] \
        .set_index("forecaster")
    assert list(overall.index) == list(FORECASTERS) and set(overall["n"]) == {3}
    assert overall.loc["model", "crps"] == pytest.approx(base["crps"].iloc[:3].mean() / 2.0)
    per_series = scores[scores.series == "x"].set_index("forecaster")
    assert per_series.loc["model", "n"] == 4 and per_series.loc[FORECASTERS[-1], "n"] == 3


# --- on the shipped data -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    from nmmsim.cli import main

    out = tmp_path_factory.mktemp("validate")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(io.StringIO()):
        status = main(["validate", "--particles", "256", "--seed", "5", "--out", str(out)])
    return status, printed.getvalue(), out


def test_validate_prints_coverage_and_crps_of_the_model_and_each_naive_forecaster(validated):
    status, printed, _ = validated
    assert status == 0
    header = next(line for line in printed.splitlines() if line.startswith("series"))
    assert all(name in header for name in FORECASTERS)
    assert "50%" in printed and "90%" in printed and "CRPS" in printed
    overall = next(line for line in printed.splitlines() if line.startswith("all "))
    cells = overall.split("|")[1:]
    assert len(cells) == 3 and all(len(cell.split()) == 5 for cell in cells)  # n 50 90 CRPS bias
    assert "Bac Giang" in printed and "Not scored:" in printed


def test_validate_writes_a_tidy_table_and_a_chart(validated):
    _, _, out = validated
    table = pd.read_csv(out / "validate.csv")
    assert list(table.columns[:14]) == ["origin", "series", "province", "year_from", "year",
                                        "forecaster", "observed", "median", "q05", "q25", "q75",
                                        "q95", "pit", "crps"]
    assert set(table.origin) == {2021, 2022, 2023} and set(table.forecaster) == set(FORECASTERS)
    assert (table.year > table.origin).all() and table.year.max() == 2024  # nothing after 2024
    assert ((table.q05 <= table.q25) & (table.q25 <= table["median"])
            & (table["median"] <= table.q75) & (table.q75 <= table.q95)).all()
    assert table.pit.between(0, 1).all() and (table.crps >= 0).all()
    assert len(set(table.province) - {"region"}) == 15
    # poverty has no figure before 2022 to fix its level from: not forecast from 2021
    assert table[(table.series == "poverty_rate") & (table.origin == 2021)].empty
    assert (out / "validate.png").read_bytes()[:4] == b"\x89PNG"


def test_the_naive_forecasts_are_the_last_figure_and_the_past_average_growth(validated):
    """From 2022, population (2019-2022 observed): the random walk's median is the 2022 figure
    and past growth's is it grown three years at the mean 2019-2022 log growth."""
    _, _, out = validated
    table = pd.read_csv(out / "validate.csv").set_index(["origin", "series", "year",
                                                         "forecaster"])
    yearly = load_history_data().yearly["population"]
    walk = table.loc[(2022, "population", 2024, "random_walk"), "median"]
    growth = table.loc[(2022, "population", 2024, "past_growth"), "median"]
    mean_growth = math.log(yearly[2022] / yearly[2019]) / 3
    assert walk == pytest.approx(yearly[2022], rel=5e-3)
    assert growth == pytest.approx(yearly[2022] * math.exp(2 * mean_growth), rel=2e-3)


def test_same_seed_same_backtest_whatever_the_chunk_size():
    data = load_history_data()
    first = backtest(data, particles=128, seed=9, origins=(2022,))
    again = backtest(data, particles=128, seed=9, origins=(2022,), chunk_size=50)
    pd.testing.assert_frame_equal(first.forecasts, again.forecasts)
    assert first.skipped == again.skipped


def test_validate_refuses_a_bad_particle_count_in_one_line(tmp_path, capsys):
    from nmmsim.cli import main

    assert main(["validate", "--particles", "8", "--out", str(tmp_path / "v")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--particles" in err
    assert not (tmp_path / "v" / "validate.csv").exists()


def test_the_markdown_table_has_a_row_per_series_and_province_and_the_overall_row_last(validated):
    from nmmsim.calibration.backtest import Backtest
    from nmmsim.calibration.backtest_report import validate_markdown

    _, _, out = validated
    forecasts = pd.read_csv(out / "validate.csv", keep_default_na=False)
    result = Backtest(forecasts=forecasts, skipped=(), particles=256, seed=5, seconds=0.0,
                      data_sha256="")
    rows = validate_markdown(result).splitlines()
    groups = forecasts.groupby(["series", "province"]).ngroups
    assert len(rows) == 2 + groups + 3  # overall: regional, provincial, all
    assert rows[-1].startswith("| `all` | all | sd |")
    assert all(row.count("|") == 3 + len(FORECASTERS) + 1 for row in rows)
