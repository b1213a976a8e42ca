"""The Monte Carlo engine: reproducibility, samplers, priors, streaming statistics, backends."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import xarray as xr

import nmmsim
from nmmsim.engine.chunks import BY_AREA, SUMMARISED
from nmmsim.engine.sampling import BLOCK_SIZE, disaster_uniforms, unit_sample
from nmmsim.engine.sketch import LARGEST, RELATIVE_ERROR, SMALLEST, QuantileSketch
from nmmsim.engine.uncertainty import NAMES, Uncertainty
from nmmsim.errors import NmmsimError, ParameterError
from nmmsim.parameters import QUANTITIES, REGISTRY
from nmmsim.posterior import load_posterior
from nmmsim.priors import Triangular
from nmmsim.targets import load_targets, met, target_value

BASELINE = nmmsim.shipped_scenarios()["baseline"]


@pytest.fixture(scope="module")
def baseline():
    return nmmsim.load_scenario(BASELINE)


@pytest.fixture(scope="module")
def reference(baseline):
    return nmmsim.simulate(baseline, draws=5000, seed=11, chunk_size=2048)


# --- reproducibility -----------------------------------------------------------------------------


def test_same_seed_gives_identical_results(baseline, reference):
    again = nmmsim.simulate(baseline, draws=5000, seed=11, chunk_size=2048)
    xr.testing.assert_identical(again, reference)


def test_another_seed_differs(baseline, reference):
    other = nmmsim.simulate(baseline, draws=5000, seed=12, chunk_size=2048)
    assert not other.grdp_nominal.equals(reference.grdp_nominal)


@pytest.mark.parametrize("chunk_size", [1024, 4096, 16384])
def test_chunk_size_does_not_change_results(baseline, reference, chunk_size):
    result = nmmsim.simulate(baseline, draws=5000, seed=11, chunk_size=chunk_size)
    xr.testing.assert_identical(result, reference)


def test_two_worker_processes_give_the_same_result(baseline, reference):
    result = nmmsim.simulate(baseline, draws=5000, seed=11, chunk_size=1024, workers=2)
    xr.testing.assert_identical(result, reference)


@pytest.mark.parametrize("sampler", ["lhs", "sobol"])
def test_trajectories_do_not_depend_on_chunking(baseline, sampler):
    runs = [nmmsim.simulate(baseline, draws=2048, seed=3, sampler=sampler, keep="trajectories",
                            chunk_size=size) for size in (1024, 3072)]
    xr.testing.assert_identical(runs[0], runs[1])


def test_dask_backend_gives_the_same_result(baseline, reference):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        result = nmmsim.simulate(baseline, draws=5000, seed=11, chunk_size=1024, scheduler=client)
    xr.testing.assert_identical(result, reference)


def test_common_random_numbers_across_scenarios():
    a = nmmsim.simulate(BASELINE, draws=2048, seed=5, keep="trajectories")
    b = nmmsim.simulate(nmmsim.shipped_scenarios()["resolution_96"], draws=2048, seed=5,
                        keep="trajectories")
    xr.testing.assert_equal(a.parameters, b.parameters)
    xr.testing.assert_equal(a.disaster, b.disaster)
    assert not a.grdp.equals(b.grdp)


def test_a_fixed_parameter_leaves_the_other_draws_alone(tmp_path):
    path = tmp_path / "fixed.toml"
    path.write_text(f'extends = "{BASELINE}"\ndescription = "x"\n[parameters]\ntax_buoyancy = 1.1\n')
    a = nmmsim.simulate(BASELINE, draws=1024, seed=5, keep="trajectories")
    b = nmmsim.simulate(path, draws=1024, seed=5, keep="trajectories")
    others = [n for n in NAMES if n != "tax_buoyancy"]
    xr.testing.assert_equal(a.parameters.sel(parameter=others), b.parameters.sel(parameter=others))
    assert np.all(b.parameters.sel(parameter="tax_buoyancy") == 1.1)


def test_zero_variance_priors_reproduce_the_deterministic_run(baseline):
    deterministic = nmmsim.simulate(baseline)
    fixed = {**load_posterior().central(), **baseline.parameter_overrides}
    result = nmmsim.simulate(baseline, draws=1500, seed=1, keep="trajectories",
                             disasters="expected", shocks="none",
                             uncertainty=Uncertainty.certain(fixed))
    for name in deterministic.data_vars:
        expected = deterministic[name].isel(draw=0, drop=True)
        np.testing.assert_array_equal(result[name].values,
                                      np.broadcast_to(expected.values, result[name].shape),
                                      err_msg=name)


# --- samplers and priors -------------------------------------------------------------------------


def test_lhs_hits_every_stratum_once_per_block():
    unit = unit_sample("lhs", seed=4, first_draw=BLOCK_SIZE, n_draws=2 * BLOCK_SIZE, dimension=7)
    for block in (unit[:, :BLOCK_SIZE], unit[:, BLOCK_SIZE:]):
        strata = np.floor(block * BLOCK_SIZE).astype(int)
        for row in strata:
            assert sorted(row) == list(range(BLOCK_SIZE))


def test_sobol_is_balanced_over_a_power_of_two():
    n = 4096
    unit = unit_sample("sobol", seed=4, first_draw=0, n_draws=n, dimension=45)
    for row in unit:
        assert np.array_equal(np.bincount(np.floor(row * 64).astype(int), minlength=64),
                              np.full(64, n // 64))
    # a chunk further on is the continuation of the same sequence
    np.testing.assert_array_equal(unit_sample("sobol", 4, 2048, 1024, 45), unit[:, 2048:3072])


@pytest.mark.parametrize("sampler", ["mc", "lhs", "sobol"])
def test_sample_moments_match_the_priors(sampler):
    n = 2**15
    uncertainty = Uncertainty.default()  # registry priors only
    params = uncertainty.parameters(unit_sample(sampler, 9, 0, n, uncertainty.dimension))
    for name in ("tfp_growth_industry", "deflator_growth", "afforestation_base", "tax_buoyancy"):
        prior = REGISTRY[name].prior.frozen()
        values = getattr(params, name)
        standard_error = prior.std() / np.sqrt(n)
        assert abs(values.mean() - prior.mean()) < 4 * standard_error, name
        assert values.std() == pytest.approx(prior.std(), rel=0.03), name
        low, high = REGISTRY[name].bounds
        assert values.min() >= low and values.max() <= high


def test_draws_follow_the_posterior_s_joint_shape():
    """Draws keep the posterior's correlations: urbanization_trend and
    urbanization_structural_effect trade off against each other in the history (the urban share
    rises by one or the other), and population growth keeps the posterior's narrow spread."""
    posterior = load_posterior()
    uncertainty = Uncertainty.default(posterior)
    params = uncertainty.parameters(unit_sample("mc", 2, 0, 2**16, uncertainty.dimension))
    pair = ("urbanization_trend", "urbanization_structural_effect")
    expected = np.corrcoef(posterior.column(pair[0]), posterior.column(pair[1]))[0, 1]
    drawn = np.corrcoef(getattr(params, pair[0]), getattr(params, pair[1]))[0, 1]
    assert expected < -0.3
    assert drawn == pytest.approx(expected, abs=0.03)
    growth = params.population_growth
    assert growth.std() == pytest.approx(posterior.column("population_growth").std(), rel=0.05)
    assert growth.std() < 0.5 * float(REGISTRY["population_growth"].prior.frozen().std())


def test_prior_ppf_matches_scipy():
    u = np.linspace(0.0, 1.0, 2001)
    for spec in REGISTRY.values():
        np.testing.assert_allclose(spec.prior.ppf(u), spec.prior.frozen().ppf(u), atol=1e-12,
                                   err_msg=spec.name)


def test_scenario_priors_are_used(tmp_path):
    path = tmp_path / "narrow.toml"
    path.write_text(f'extends = "{BASELINE}"\ndescription = "x"\n[priors]\n'
                    "tax_buoyancy = { low = 0.95, high = 0.96 }\n")
    result = nmmsim.simulate(path, draws=1024, seed=1, keep="trajectories")
    values = result.parameters.sel(parameter="tax_buoyancy")
    assert values.min() >= 0.95 and values.max() <= 0.96 and values.std() > 0.002


def test_bad_uncertainty_is_refused():
    with pytest.raises(ParameterError, match="every parameter needs exactly one"):
        Uncertainty(priors={}, fixed={"tax_buoyancy": 1.0})
    priors = {n: QUANTITIES[n].prior for n in NAMES}
    priors["tax_buoyancy"] = Triangular(0.5, 1.0, 1.2)
    with pytest.raises(ParameterError, match="must lie inside the bounds"):
        Uncertainty(priors=priors, fixed={})


def test_disaster_years_are_bernoulli():
    uniforms = disaster_uniforms(seed=1, first_draw=0, n_draws=50_000, n_years=6)
    assert abs((uniforms < 0.15).mean() - 0.15) < 0.003


# --- streaming statistics --------------------------------------------------------------------------


def test_summary_quantiles_are_within_their_documented_error(baseline):
    summary = nmmsim.simulate(baseline, draws=6000, seed=21)
    full = nmmsim.simulate(baseline, draws=6000, seed=21, keep="trajectories")
    levels = summary["quantile"].values
    for variable, sector in SUMMARISED:
        exact = full[variable].sel(sector=sector) if sector else full[variable]
        exact = np.quantile(exact.values, levels, axis=0, method="inverted_cdf")
        sketched = summary[variable].sel(sector=sector) if sector else summary[variable]
        error = np.abs(sketched.values - exact)
        assert np.all(error <= RELATIVE_ERROR * np.abs(exact) + SMALLEST), variable
    for variable in BY_AREA:  # every province and both regions, statistics of the aggregate
        exact = np.quantile(full[f"{variable}_by_area"].values, levels, axis=0,
                            method="inverted_cdf")
        sketched = summary[f"{variable}_by_area"].transpose("quantile", "year", "area").values
        known = ~np.isnan(exact)  # provincial growth of the base year is mostly unpublished
        np.testing.assert_array_equal(np.isnan(sketched), ~known)
        error = np.abs(sketched[known] - exact[known])
        assert np.all(error <= RELATIVE_ERROR * np.abs(exact[known]) + SMALLEST), variable
    np.testing.assert_array_equal(summary.grdp_nominal_by_area.sel(area="region_2022"),
                                  summary.grdp_nominal)
    # constant across draws: reported exactly (the sum of the provinces, 991.5 to rounding)
    constant = np.unique(full.grdp_nominal.sel(year=2024).values)
    assert constant.size == 1
    assert np.all(summary.grdp_nominal.sel(year=2024) == constant[0])
    np.testing.assert_allclose(constant, 991.5, rtol=1e-12)


def test_attainment_counts_are_exact(baseline):
    summary = nmmsim.simulate(baseline, draws=6000, seed=21)
    full = nmmsim.simulate(baseline, draws=6000, seed=21, keep="trajectories")
    every = np.ones(6000, dtype=bool)
    for target in (t for t in load_targets() if t.modelled):
        attained = met(target, target_value(full, target))
        assert summary.attained.sel(target=target.target, year=target.year).item() == \
            attained.sum(), target.target
        every &= attained
    assert summary.attained_all.sel(year=2030).item() == every.sum()
    assert summary.attrs["draws"] == 6000


def test_sketch_quantiles_against_exact():
    rng = np.random.default_rng(0)
    data = np.stack([rng.normal(2000, 300, 40_000), rng.normal(0.5, 3, 40_000),
                     rng.lognormal(0, 2, 40_000), np.zeros(40_000), -rng.uniform(1, 2, 40_000)])
    sketch = QuantileSketch.empty(5)
    sketch.add(data[:, :15_000])
    rest = QuantileSketch.empty(5)
    rest.add([data[:2, 15_000:], data[2:, 15_000:]])  # blocks of rows, as chunks file them
    sketch.merge(rest)
    levels = np.array([0.0, 0.001, 0.05, 0.5, 0.95, 0.999, 1.0])
    exact = np.quantile(data, levels, axis=1, method="inverted_cdf").T
    assert np.all(np.abs(sketch.quantiles(levels) - exact)
                  <= RELATIVE_ERROR * np.abs(exact) + SMALLEST)


def test_sketch_files_a_value_in_the_same_bucket_whatever_its_neighbours():
    """Rows whose values all lie in [SMALLEST, LARGEST) skip clipping and sign handling; a row
    filed with out-of-range or negative rows (the full path) must land in the same buckets."""
    rng = np.random.default_rng(2)
    in_range = rng.lognormal(3, 2, (3, 2000)).clip(SMALLEST, LARGEST / 2)
    awkward = np.stack([rng.normal(0, 1, 2000), np.r_[0.0, LARGEST * 4, rng.uniform(0, 1, 1998)]])
    together = QuantileSketch.empty(5)
    together.add(np.concatenate([in_range, awkward]))
    apart = QuantileSketch.empty(5)
    apart.add([row[None, :] for row in (*in_range, *awkward)])
    assert np.array_equal(together.counts, apart.counts)
    # and the fast path puts each value in the bucket whose range holds it
    levels = np.linspace(0, 1, 101)
    exact = np.quantile(in_range, levels, axis=1, method="inverted_cdf").T
    assert np.all(np.abs(apart.quantiles(levels)[:3] - exact) <= RELATIVE_ERROR * exact)


def test_sketch_keeps_the_sign_of_values_filed_beside_an_undefined_series():
    """A target measured from a later year is NaN before it, and the same block of rows can hold
    negative values (a falling average): those must keep their sign."""
    falling = -np.random.default_rng(3).uniform(1, 2, 3000)
    sketch = QuantileSketch.empty(2)
    sketch.add(np.stack([np.full(3000, np.nan), falling]))
    levels = np.array([0.05, 0.5, 0.95])
    exact = np.quantile(falling, levels, method="inverted_cdf")
    estimate = sketch.quantiles(levels)
    assert np.all(np.isnan(estimate[0]))
    assert np.all(np.abs(estimate[1] - exact) <= RELATIVE_ERROR * np.abs(exact))


def test_sketch_merge_order_and_pickling_do_not_matter():
    rng = np.random.default_rng(1)
    parts = [rng.normal(50, 10, (3, 1000)) for _ in range(4)]
    forward, backward = QuantileSketch.empty(3), QuantileSketch.empty(3)
    for part in parts:
        piece = QuantileSketch.empty(3)
        piece.add(part)
        forward.merge(pickle.loads(pickle.dumps(piece)))
    for part in reversed(parts):
        piece = QuantileSketch.empty(3)
        piece.add(part)
        backward.merge(piece)
    assert np.array_equal(forward.counts, backward.counts)
    assert np.array_equal(forward.minimum, backward.minimum)


# --- interface -----------------------------------------------------------------------------------


def test_progress_is_reported_to_the_end(baseline):
    seen = []
    nmmsim.simulate(baseline, draws=5000, seed=1, chunk_size=1024,
                    progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (5000, 5000)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_interrupt_stops_the_workers(baseline):
    def interrupt(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        nmmsim.simulate(baseline, draws=40_000, seed=1, chunk_size=1024, workers=2,
                        progress=interrupt)


@pytest.mark.parametrize(("options", "message"), [
    ({"draws": 0}, r"draws = 0 must be a whole number in \[1, 1e\+10\]"),
    ({"draws": 10, "sampler": "random"}, "sampler = 'random'; allowed: mc, lhs, sobol"),
    ({"draws": 10, "keep": "all"}, "keep = 'all'; allowed: summary, trajectories"),
    ({"draws": 10, "chunk_size": 1000}, "chunk_size = 1000 must be a positive multiple of 1024"),
    ({"draws": 10, "workers": 0}, "workers = 0 must be a whole number >= 1"),
    ({"draws": 10, "disasters": "none"}, "disasters = 'none'; Monte Carlo runs allow"),
    ({"draws": 10**9, "keep": "trajectories"}, "use keep='summary'"),
    ({"disasters": "random"}, "needs a Monte Carlo run"),
])
def test_bad_monte_carlo_options(baseline, options, message):
    with pytest.raises(NmmsimError, match=message):
        nmmsim.simulate(baseline, **options)


def test_sobol_warns_off_a_power_of_two(baseline):
    with pytest.warns(UserWarning, match="power of two"):
        nmmsim.simulate(baseline, draws=1000, seed=1, sampler="sobol")


def test_sketch_never_reports_a_capped_value_as_a_quantile():
    """Magnitudes at or above LARGEST share an open-ended bucket: a quantile there is NaN, not
    the cap (issue 13.4), unless every value agrees (then it is exact)."""
    sketch = QuantileSketch.empty(3)
    rows = np.array([[1.0, 2.0, 3.0e9, 4.0e9],   # median and above beyond the range
                     [5.0e9, 5.0e9, 5.0e9, 5.0e9],  # all equal: exact
                     [1.0, 2.0, 3.0, 4.0]])
    sketch.add([row[None, :] for row in rows])
    low, median, high = sketch.quantiles(np.array([0.25, 0.75, 1.0])).T
    assert np.isnan(median[0]) and np.isnan(high[0]) and low[0] == pytest.approx(1.0, rel=0.004)
    assert median[1] == 5.0e9 and high[1] == 5.0e9
    assert not np.isnan(median[2]) and median[2] <= LARGEST


def test_sketch_quantiles_interpolate_within_their_bucket():
    """Placed by rank inside the bucket, quantiles of 10^5 smooth draws are within 0.05% of the
    exact ones (a bucket is 0.78% wide), and a median moves with a small shift of the
    distribution instead of staying on a bucket's midpoint (issue 12.11)."""
    rng = np.random.default_rng(11)
    levels = np.array([0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99])
    draws = np.exp(rng.normal(5.0, 0.1, 100_000))
    medians = []
    for shift in (1.0, 1.0005, 1.001):  # shifts of 0.05%, well inside one bucket
        sketch = QuantileSketch.empty(1)
        sketch.add((draws * shift)[None, :])
        estimate = sketch.quantiles(levels)[0]
        exact = np.quantile(draws * shift, levels, method="inverted_cdf")
        assert np.all(np.abs(estimate / exact - 1) < 5e-4)
        medians.append(estimate[3])
    assert medians[0] < medians[1] < medians[2]


def test_summaries_keep_the_exact_mean_whatever_the_chunking(baseline):
    """Issue 12.11: the summary stores each indicator's mean, the mean of the draws' values to
    rounding, and the same bits for any chunk size and workers."""
    summary = nmmsim.simulate(baseline, draws=3000, seed=8)
    other = nmmsim.simulate(baseline, draws=3000, seed=8, chunk_size=1024, workers=2)
    every = nmmsim.simulate(baseline, draws=3000, seed=8, keep="trajectories")
    for name in ("grdp_nominal", "grdp_growth", "poverty_rate", "sector_share"):
        mean = summary[f"{name}_mean"]
        np.testing.assert_allclose(mean, every[name].mean("draw").transpose(*mean.dims),
                                   rtol=1e-12)
        np.testing.assert_array_equal(mean.values, other[f"{name}_mean"].values)
        assert mean.attrs["units"] == summary[name].attrs["units"]
    by_area = summary.grdp_nominal_by_area_mean.sel(area="Bac Giang", year=2030)
    np.testing.assert_allclose(by_area, every.grdp_nominal_by_area.sel(area="Bac Giang",
                                                                       year=2030).mean(), rtol=1e-12)
