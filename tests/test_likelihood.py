"""The likelihood's figures: spans that come from the data, and the region's real growth held as
the rest of the region's beside the provinces' published growth (docs/uncertainty.md §1)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.stats import multivariate_normal, norm

from nmmsim.calibration.history import run_history
from nmmsim.calibration.likelihood import (
    LIKELIHOOD_SERIES,
    REAL_GROWTH,
    figure_sd,
    held_figures,
    log_likelihood,
    published_within,
)
from nmmsim.calibration.series import degrees_of_freedom, gaps, load_history_data, model_values
from nmmsim.parameters import Parameters
from nmmsim.past import history_schedule
from nmmsim.provinces import PROVINCES, ProvincialData, load_provincial, region_mask

_GROWTH = f"{REAL_GROWTH}:"


@pytest.fixture(scope="module")
def history():
    """Four draws of the history that differ in the parameters and the discrepancy scales."""
    data = load_history_data()
    params = Parameters.defaults(4).with_values({
        "tfp_growth_industry": np.array([0.005, 0.015, 0.025, 0.035]),
        "tfp_growth_services": np.array([0.02, 0.01, 0.015, 0.005]),
        "depreciation_rate": np.array([0.04, 0.05, 0.06, 0.045]),
    })
    run = run_history(data.base, params, history_schedule()[0])
    discrepancy = {"provincial_grdp_discrepancy": np.array([0.02, 0.05, 0.1, 0.03]),
                   "provincial_growth_discrepancy": np.array([0.01, 0.0, 0.03, 0.05]),
                   "regional_discrepancy_ratio": np.array([0.5, 1.0, 2.0, 0.2]),
                   "provincial_discrepancy_ratio": np.array([0.5, 1.0, 2.0, 3.0])}
    return run, data, discrepancy


def _with_growth(panel: ProvincialData, figures: dict[tuple[str, int], float]) -> ProvincialData:
    """``panel`` with provincial real growth (percent) set to ``figures``, the others as they
    are; ``None`` removes a figure."""
    values = dict(panel.values)
    for (province, year), figure in figures.items():
        row = values.get(("real_growth_pct", year), np.full(len(PROVINCES), np.nan)).copy()
        row[PROVINCES.index(province)] = np.nan if figure is None else figure
        values[("real_growth_pct", year)] = row
    return dataclasses.replace(panel, values=values)


def test_the_likelihood_is_the_joint_density_of_regional_and_provincial_growth(history):
    """The region's real growth figure is the GRDP-weighted mean of its provinces' growth, so its
    error holds the published provinces' errors: the likelihood must equal the joint normal
    density of every regional and provincial growth figure with that covariance (and the other
    series' independent normal densities), up to a constant that is the same for every draw."""
    run, data, discrepancy = history
    growth = [name for name in LIKELIHOOD_SERIES if name == REAL_GROWTH
              or (name.startswith(_GROWTH) and data.series[name].spans)]
    figures = [(name, span) for name in growth for span in data.series[name].spans]
    n_draws, size = run.grdp_nominal.shape[0], len(figures)
    joint = np.empty(n_draws)
    for draw in range(n_draws):
        sd = {name: figure_sd(data.series[name], discrepancy)[draw] for name in growth}
        mean = np.array([model_values(data.series[name], run)[draw, data.series[name].spans.index(span)]
                         for name, span in figures])
        observed = np.array([data.observations[name][data.series[name].spans.index(span)]
                             for name, span in figures])
        covariance = np.zeros((size, size))
        for i, (name, span) in enumerate(figures):
            covariance[i, i] = sd[name] ** 2
            if name != REAL_GROWTH:
                continue
            for (province, year), c in published_within(span, data.series,
                                                        data.growth_weights).items():
                j = figures.index((province, (year, year)))
                covariance[i, i] += c * c * sd[province] ** 2
                covariance[i, j] = covariance[j, i] = c * sd[province] ** 2
        joint[draw] = multivariate_normal(mean, covariance).logpdf(observed)
    others = np.zeros(n_draws)
    for name in LIKELIHOOD_SERIES:
        if name in growth or not data.series[name].spans:
            continue
        series = data.series[name]
        sd = figure_sd(series, discrepancy)[:, None]
        z = gaps(series, run, data.observations[name]) / sd
        others += np.sum(-0.5 * z * z - degrees_of_freedom(series) * np.log(sd), axis=1)
    difference = log_likelihood(run, data, discrepancy) - others - joint
    assert np.ptp(difference) < 1e-9 * np.abs(difference).max()
    # the published provinces covered a part of the region, so the regional figure was transformed
    assert 0.0 < sum(published_within((2024, 2024), data.series, data.growth_weights).values()) < 1


def test_a_series_published_for_some_years_holds_the_years_the_data_have():
    panel = load_provincial()
    data = load_history_data(provinces=panel)
    assert data.series[f"{_GROWTH}Ha Giang"].spans == ((2022, 2022),)
    assert data.observations[f"{_GROWTH}Bac Giang"] == pytest.approx((0.0782, 0.193, 0.1345,
                                                                       0.1385))
    added = load_history_data(provinces=_with_growth(panel, {("Ha Giang", 2024): 7.1}))
    assert added.series[f"{_GROWTH}Ha Giang"].spans == ((2022, 2022), (2024, 2024))
    assert added.observations[f"{_GROWTH}Ha Giang"] == pytest.approx((0.0762, 0.071))
    # a figure every series must have stays required
    assert data.series["population:Ha Giang"].spans == tuple((y, y) for y in range(2021, 2025))


def test_without_provincial_growth_the_region_s_growth_counts_whole(history):
    """A panel without a single real growth figure (the user's own data) is valid."""
    run, _, discrepancy = history
    panel = load_provincial()
    values = {key: row for key, row in panel.values.items() if key[0] != "real_growth_pct"}
    data = load_history_data(provinces=dataclasses.replace(panel, values=values))
    assert np.all(np.isnan(data.base.province_grdp_growth))
    held = held_figures(run, data, discrepancy)
    assert not any(name.startswith(_GROWTH) for name in held)
    region = data.series[REAL_GROWTH]
    np.testing.assert_array_equal(held[REAL_GROWTH].gap,
                                  gaps(region, run, data.observations[REAL_GROWTH]))
    np.testing.assert_array_equal(held[REAL_GROWTH].sd,
                                  np.broadcast_to(figure_sd(region, discrepancy)[:, None], (4, 2)))


def test_a_year_every_province_published_leaves_the_region_s_figure_out(history):
    """The region's 2024 growth adds nothing when all its provinces published theirs."""
    run, _, discrepancy = history
    members = [p for p, inside in zip(PROVINCES, region_mask("region_2022"), strict=True)
               if inside]
    data = load_history_data(provinces=_with_growth(load_provincial(),
                                                    {(p, 2024): 8.0 for p in members}))
    assert published_within((2024, 2024), data.series, data.growth_weights) \
        .keys() == {(f"{_GROWTH}{p}", 2024) for p in members}
    assert held_figures(run, data, discrepancy)[REAL_GROWTH].series.spans == ((2021, 2023),)


def test_a_province_outside_the_region_does_not_enter_its_growth():
    data = load_history_data()
    weights = data.growth_weights[2022]
    assert weights[PROVINCES.index("Vinh Phuc")] == 0.0
    assert weights.sum() == pytest.approx(1.0)
    assert (f"{_GROWTH}Vinh Phuc", 2022) not in published_within((2021, 2023), data.series,
                                                                 data.growth_weights)
    # Bac Giang's coefficient in the 2021-2023 mean: its share of the 14 provinces' 2021
    # nominal GRDP, over the span's three years
    grdp = load_provincial().require("grdp_nominal_trillion", 2021)
    share = grdp[PROVINCES.index("Bac Giang")] / grdp[region_mask("region_2022")].sum()
    coefficients = published_within((2021, 2023), data.series, data.growth_weights)
    assert coefficients[(f"{_GROWTH}Bac Giang", 2022)] == pytest.approx(share / 3, rel=1e-12)


@pytest.mark.parametrize("name", ["employment:Cao Bang", "certified_share:Son La", "poverty_rate"])
def test_a_removed_level_offset_is_integrated_out(history, name):
    """Where only changes count, the likelihood of a series' figures is their density with the
    segment's level offset integrated out under a flat prior (up to a constant that is the same
    for every draw): what lets the posterior learn the discrepancy scales without bias."""
    run, data, discrepancy = history
    series = data.series[name]
    assert series.offset_free(series.segments()[-1])
    model = model_values(series, run)
    observed = np.asarray(data.observations[name])
    if series.log:
        model, observed = np.log(model), np.log(observed)
    sd = figure_sd(series, discrepancy)
    held = held_figures(run, data, discrepancy)[name]
    for draw in range(len(sd)):
        def density(offset: float, draw: int = draw) -> float:
            return float(np.prod(norm.pdf(observed, model[draw] - offset, sd[draw])))
        centre = float(np.mean(model[draw] - observed))
        integral = quad(density, centre - 10 * sd[draw], centre + 10 * sd[draw])[0]
        expected = np.log(integral) + 0.5 * len(observed) * np.log(2 * np.pi) \
            - 0.5 * np.log(2 * np.pi) + 0.5 * np.log(len(observed))
        assert held.log_density()[draw].sum() == pytest.approx(expected, abs=1e-7)
