"""Attainment probabilities, intervals, margins and paired differences."""

from __future__ import annotations

import dataclasses
from statistics import NormalDist

import numpy as np
import pytest
import xarray as xr

import nmmsim
from nmmsim.analysis import attainment, margin, observed_history, paired_differences, quantiles
from nmmsim.errors import NmmsimError
from nmmsim.targets import load_targets

TARGETS = {t.target: t for t in load_targets()}
SHIPPED = nmmsim.shipped_scenarios()


def _synthetic(values: dict[str, np.ndarray], years=(2029, 2030)) -> xr.Dataset:
    """A trajectories-like result: each variable drawn per draw, the same in every year."""
    n = len(next(iter(values.values())))
    return xr.Dataset(
        {name: (("draw", "year"), np.repeat(v[:, None], len(years), axis=1),
                {"units": "percent"}) for name, v in values.items()},
        coords={"draw": np.arange(n), "year": list(years)}, attrs={"start_year": years[0]})


def _only(*names):
    return [TARGETS[n] for n in names]


def test_probability_of_a_known_normal_lies_in_the_interval():
    rng = np.random.default_rng(0)
    n = 40_000
    forest = rng.normal(54.5, 1.0, n)  # P(>= 54) = Phi(0.5) = 0.6915
    result = _synthetic({"forest_cover": forest})
    found = attainment(result, _only("forest_cover")).sel(target="forest_cover", year=2030)
    truth = NormalDist().cdf(0.5)
    assert float(found.lower) <= truth <= float(found.upper)
    assert float(found.standard_error) == pytest.approx(np.sqrt(truth * (1 - truth) / n), rel=0.02)
    assert int(found["count"]) == int((forest >= 54).sum())


def test_joint_is_at_most_each_marginal_and_exact():
    rng = np.random.default_rng(1)
    n = 20_000
    values = {"forest_cover": rng.normal(54.2, 1.0, n), "certified_share": rng.normal(35, 2, n)}
    found = attainment(_synthetic(values), _only("forest_cover", "certified_labour"))
    final = found.sel(year=2030)
    assert float(final.probability_all) <= float(final.probability.min())
    both = ((values["forest_cover"] >= 54) & (values["certified_share"] >= 35)).mean()
    assert float(final.probability_all) == pytest.approx(both)


def test_approximately_means_within_the_tolerance():
    target = TARGETS["budget_revenue"]  # ~190 +-5%: [180.5, 199.5]
    values = np.array([180.4, 180.5, 190.0, 199.5, 199.6])
    found = attainment(_synthetic({"budget_revenue": values}), [target])
    assert int(found["count"].sel(target="budget_revenue", year=2030)) == 3
    np.testing.assert_allclose(margin(target, values), [-0.1, 0.0, 9.5, 0.0, -0.1], atol=1e-9)


@pytest.mark.parametrize(("kind", "expected"), [
    ("at_least", [-1.0, 0.0, 1.0]), ("at_most", [1.0, 0.0, -1.0]), ("within", [-1.0, 0.0, 0.0])])
def test_margin_sign_says_met_or_short(kind, expected):
    target = dataclasses.replace(TARGETS["forest_cover"], kind=kind, lower=54.0, upper=55.0)
    values = np.array([53.0, 54.0, 55.0]) if kind != "at_most" else np.array([54.0, 55.0, 56.0])
    np.testing.assert_allclose(margin(target, values), expected)


def test_deterministic_run_reports_met_and_margin():
    result = nmmsim.simulate(SHIPPED["baseline"])
    found = attainment(result)
    assert set(found.data_vars) == {"value", "met", "margin", "met_all"}
    final = found.sel(year=2030)
    assert np.array_equal(final.met.values, (final.margin >= 0).values)
    assert "Digital economy share" in found.attrs["not_modelled"]


def test_summary_and_trajectories_agree():
    summary = nmmsim.simulate(SHIPPED["baseline"], draws=4096, seed=2)
    full = nmmsim.simulate(SHIPPED["baseline"], draws=4096, seed=2, keep="trajectories")
    a, b = attainment(summary), attainment(full)
    xr.testing.assert_equal(a["count"], b["count"])
    xr.testing.assert_equal(a.count_all, b.count_all)


def test_summary_cannot_answer_for_other_targets():
    summary = nmmsim.simulate(SHIPPED["baseline"], draws=1024, seed=2)
    other = dataclasses.replace(TARGETS["forest_cover"], target="forest_cover_56", lower=56.0)
    with pytest.raises(NmmsimError, match="no counts for \\['forest_cover_56'\\]"):
        attainment(summary, [other])


def test_paired_differences_are_the_mean_and_error_of_per_draw_differences():
    from nmmsim.targets import met, target_value

    shipped = [SHIPPED["baseline"], SHIPPED["resolution_96"]]
    compared = nmmsim.compare(shipped, draws=4096, seed=4, keep="trajectories")
    differences = paired_differences(compared).sel(scenario="resolution_96", year=2030)
    for target in (t for t in load_targets() if t.modelled):
        attained = {s: met(target, target_value(compared.sel(scenario=s), target))
                    for s in ("baseline", "resolution_96")}
        per_draw = attained["resolution_96"].astype(float) - attained["baseline"]
        point = differences.sel(target=target.target)
        assert float(point.difference) == pytest.approx(per_draw.mean(), abs=1e-12)
        assert float(point.standard_error) == pytest.approx(per_draw.std() / np.sqrt(4096),
                                                            abs=1e-12)


def _paired_and_independent_errors(compared):
    found = attainment(compared).sel(target="grdp_growth", year=2030)
    paired = paired_differences(compared).sel(target="grdp_growth", year=2030,
                                              scenario="resolution_96")
    return float(paired.standard_error), float(np.sqrt((found.standard_error**2).sum("scenario")))


def test_common_random_numbers_tighten_a_positively_related_difference():
    """Paired draws give a smaller standard error than two independent runs would. Under the
    priors (P 15% against 32%) by more than 15%; under the posterior the difference is 60
    points (15% against 75%), most draws are discordant, and the gain is smaller."""
    shipped = [SHIPPED["baseline"], SHIPPED["resolution_96"]]
    paired, independent = _paired_and_independent_errors(
        nmmsim.compare(shipped, draws=8192, seed=4, uncertainty="prior"))
    assert paired < 0.85 * independent
    compared = nmmsim.compare(shipped, draws=8192, seed=4)
    paired, independent = _paired_and_independent_errors(compared)
    assert paired < independent
    # each compared scenario equals its own run with the same seed
    alone = nmmsim.simulate(SHIPPED["resolution_96"], draws=8192, seed=4)
    xr.testing.assert_equal(compared.attained.sel(scenario="resolution_96", drop=True),
                            alone.attained)


def test_quantiles_of_trajectories_are_exact():
    full = nmmsim.simulate(SHIPPED["baseline"], draws=2048, seed=3, keep="trajectories")
    q = quantiles(full)
    exact = np.quantile(full.grdp_nominal.sel(year=2030).values, 0.1, method="inverted_cdf")
    assert float(q.grdp_nominal.sel(quantile=0.1, year=2030)) == exact
    assert q.grdp_nominal.attrs["units"] == "VND trillion"


def test_observed_history_is_in_result_units():
    history = observed_history()
    assert history["grdp_nominal"][2024] == 991.5
    assert history["urban_share"][2024] == pytest.approx(22.98, abs=0.01)
    assert history["target_grdp_growth"][2023] == pytest.approx(7.65)
    assert history["target_poverty_reduction"][2024] == pytest.approx((21.92 - 15.1) / 2)


def test_targets_after_the_last_year_are_set_aside_not_counted():
    result = _synthetic({"forest_cover": np.array([55.0, 53.0]),
                         "urban_share": np.array([40.0, 41.0])}, years=(2026, 2027))
    early = dataclasses.replace(TARGETS["urbanization"], year=2027)
    found = attainment(result, [early, TARGETS["forest_cover"]])
    assert list(found.target.values) == ["urbanization"]
    assert found.attrs["horizon"] == 2027
    assert found.attrs["beyond_horizon"] == "Forest cover 2030 (2030)"
    assert float(found.probability.sel(target="urbanization", year=2027)) == 1.0


def test_a_run_ending_before_every_target_year_has_nothing_to_count(baseline_path):
    for result in (nmmsim.simulate(baseline_path, end_year=2027),
                   nmmsim.simulate(baseline_path, end_year=2027, draws=1024, seed=1)):
        found = attainment(result)
        assert found.sizes["target"] == 0 and found.attrs["horizon"] == 2027
        assert "Forest cover 2030 (2030)" in found.attrs["beyond_horizon"]
