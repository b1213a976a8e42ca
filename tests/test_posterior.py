"""The posterior: the tempered SMC against a known posterior, the sample's files, draws from it,
and the conditioning's reproducibility (docs/uncertainty.md)."""

from __future__ import annotations

import numpy as np
import pytest

from nmmsim.calibration.condition import POSTERIOR_NAMES, condition, particle_values
from nmmsim.calibration.smc import temper
from nmmsim.engine.uncertainty import NAMES, Uncertainty
from nmmsim.errors import CalibrationError
from nmmsim.parameters import QUANTITIES
from nmmsim.posterior import PosteriorSample, load_posterior, write_posterior
from nmmsim.priors import Uniform

REGISTRY_NAMES = tuple(QUANTITIES)

# --- the sampler on a posterior known in closed form ---------------------------------------------


def test_tempering_recovers_a_gaussian_posterior():
    """Prior N(0, I) and y ~ N(A z, s^2 I): the posterior is normal with covariance
    (I + A'A / s^2)^-1 and mean cov A'y / s^2. 4,096 particles estimate its mean to about
    0.02 sd and its sd to about 3%."""
    rng = np.random.default_rng(5)
    dimension, observations, noise = 4, 12, 0.3
    design = rng.standard_normal((observations, dimension))
    y = design @ np.array([1.0, -0.5, 2.0, 0.0]) + noise * rng.standard_normal(observations)

    def log_likelihood(z):
        residual = y[None, :] - z @ design.T
        return -0.5 * np.sum(residual * residual, axis=1) / noise**2

    result = temper(log_likelihood, dimension, 4096, seed=3)
    covariance = np.linalg.inv(np.eye(dimension) + design.T @ design / noise**2)
    mean = covariance @ design.T @ y / noise**2
    sd = np.sqrt(np.diag(covariance))
    np.testing.assert_allclose(result.particles.mean(axis=0), mean, atol=0.1 * sd.max())
    np.testing.assert_allclose(result.particles.std(axis=0), sd, rtol=0.1)
    assert result.stages[-1].temperature == 1.0
    assert all(s.ess >= 0.5 * 4096 - 1 for s in result.stages)


def test_tempering_refuses_a_likelihood_that_is_impossible_everywhere():
    with pytest.raises(ValueError, match="finite likelihood"):
        temper(lambda z: np.full(z.shape[0], -np.inf), 2, 64, seed=0)


def test_impossible_particles_are_dropped():
    """Half the prior is impossible (z0 < 0): no particle of the posterior lies there."""
    result = temper(lambda z: np.where(z[:, 0] < 0.0, -np.inf, 0.0), 2, 1024, seed=1)
    assert np.all(result.particles[:, 0] >= 0.0)


# --- the sample and its files --------------------------------------------------------------------


def _sample(weights=None, n=4) -> PosteriorSample:
    rng = np.random.default_rng(0)
    values = particle_values(rng.standard_normal((n, len(POSTERIOR_NAMES))))
    return PosteriorSample(
        names=POSTERIOR_NAMES,
        values=np.stack([values[name] for name in POSTERIOR_NAMES], axis=1),
        weights=np.full(n, 1.0 / n) if weights is None else np.asarray(weights, dtype=float),
        log_likelihood=np.arange(n, dtype=float),
        stages=(),
        particles=n,
        evaluations=1,
        seed=0,
        seconds=0.0,
        data_sha256="d" * 64,
        levers_sha256="l" * 64,
        version="test",
    )


def test_files_round_trip(tmp_path):
    sample = _sample()
    back = load_posterior(write_posterior(sample, tmp_path / "p.toml"))
    np.testing.assert_allclose(back.values, sample.values, rtol=1e-8)
    np.testing.assert_allclose(back.weights, sample.weights)
    assert back.names == sample.names and back.data_sha256 == sample.data_sha256


def test_edited_particles_are_refused(tmp_path):
    path = write_posterior(_sample(), tmp_path / "p.toml")
    particles = path.with_suffix(".csv")
    particles.write_text(particles.read_text().replace("0.", "1.", 1))
    with pytest.raises(CalibrationError, match="sha256 differs"):
        load_posterior(path)


def test_a_missing_posterior_names_the_command_that_builds_it(tmp_path):
    with pytest.raises(CalibrationError, match="nmmsim condition"):
        load_posterior(tmp_path / "none.toml")


def test_central_values_are_weighted_medians():
    sample = _sample(weights=[0.0, 0.0, 1.0, 0.0])
    central = sample.central()
    assert set(central) == set(QUANTITIES)
    for name in QUANTITIES:
        assert central[name] == sample.column(name)[2]


# --- Monte Carlo draws from the sample -----------------------------------------------------------


def test_draws_take_whole_particles_by_weight():
    """Every draw is one particle's whole parameter vector, chosen with its weight."""
    sample = _sample(weights=[0.1, 0.0, 0.6, 0.3])
    uncertainty = Uncertainty.default(sample)
    unit = np.random.default_rng(1).random((uncertainty.dimension, 20_000))
    params = uncertainty.parameters(unit)
    first = REGISTRY_NAMES[0]
    drawn = params.quantity(first)
    chosen = np.array([np.flatnonzero(sample.column(first) == v)[0] for v in drawn])
    for name in REGISTRY_NAMES:
        np.testing.assert_array_equal(params.quantity(name), sample.column(name)[chosen])
    frequency = np.bincount(chosen, minlength=4) / chosen.size
    np.testing.assert_allclose(frequency, sample.weights, atol=0.015)


def test_scenario_overrides_take_precedence_over_the_posterior():
    sample = _sample()
    uncertainty = Uncertainty.default(sample, fixed={"depreciation_rate": 0.04},
                                      priors={"tax_buoyancy": Uniform(0.9, 1.1)})
    unit = np.random.default_rng(2).random((uncertainty.dimension, 1000))
    params = uncertainty.parameters(unit)
    assert np.all(params.depreciation_rate == 0.04)
    assert np.all((params.tax_buoyancy >= 0.9) & (params.tax_buoyancy <= 1.1))
    assert len(np.unique(params.tax_buoyancy)) == 1000  # its own prior, not the 4 particles
    assert "tax_buoyancy" not in uncertainty.conditioned
    assert uncertainty.describe()["capital_elasticity_industry"].startswith("posterior")


def test_without_a_posterior_every_parameter_follows_its_prior():
    uncertainty = Uncertainty.default()
    assert uncertainty.conditioned == () and set(uncertainty.priors) == set(NAMES)


# --- the conditioning itself ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_posterior():
    return condition(particles=256, keep=256, seed=11, chunk_size=256)


def test_same_seed_same_posterior_whatever_the_chunk_size(small_posterior):
    again = condition(particles=256, keep=256, seed=11, chunk_size=96)
    np.testing.assert_array_equal(again.values, small_posterior.values)
    np.testing.assert_array_equal(again.log_likelihood, small_posterior.log_likelihood)


def test_the_history_moves_the_parameters_it_informs(small_posterior):
    """Population growth is pinned by four yearly population figures (0.3% error): its
    posterior is far narrower than its prior, even with 256 particles."""
    table = small_posterior.table()
    assert table.loc["population_growth", "contraction"] > 0.5
    assert small_posterior.stages[-1].temperature == 1.0
    assert np.all(np.isfinite(small_posterior.log_likelihood))


def test_a_posterior_records_its_data(small_posterior):
    from nmmsim.calibration.series import load_history_data

    assert small_posterior.data_sha256 == load_history_data().data_sha256
    assert small_posterior.particles == 256 and small_posterior.seed == 11


# --- what users run ------------------------------------------------------------------------------


def test_cli_condition_writes_a_posterior_that_runs_use(tmp_path, capsys):
    from nmmsim.cli import main

    out = tmp_path / "p.toml"
    assert main(["condition", "--particles", "128", "--keep", "64", "--seed", "3",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "contraction" in printed and "population_growth" in printed
    sample = load_posterior(out)
    assert sample.size == 64 and sample.particles == 128 and sample.seed == 3
    assert (tmp_path / "p_contraction.png").read_bytes()[:4] == b"\x89PNG"
    assert main(["run", "baseline", "--posterior", str(out), "--draws", "1024", "--seed", "1",
                 "--history-range", "none", "--out", str(tmp_path / "run")]) == 0
    assert str(out) in capsys.readouterr().out


def test_cli_condition_refuses_a_bad_particle_count(tmp_path, capsys):
    from nmmsim.cli import main

    assert main(["condition", "--particles", "8", "--out", str(tmp_path / "p.toml")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--particles" in err
    assert not (tmp_path / "p.toml").exists()


DISTANCE = {"grdp_growth": ("points", 0.25), "certified_share": ("points", 1.0),
            "trained_share": ("points", 1.0), "forest_cover": ("points", 1.0),
            "urban_share": ("points", 1.0), "poverty_rate": ("points", 0.5),
            "grdp_nominal": ("relative", 0.02), "budget_revenue": ("relative", 0.02),
            "grdp_per_capita": ("relative", 0.02), "population": ("relative", 0.01)}


@pytest.mark.parametrize("name", ["baseline", "hub_fdi", "human_capital", "resolution_96",
                                  "mountain_provinces", "green_forest", "deep_processing",
                                  "infrastructure_push"])
def test_the_deterministic_run_lies_near_the_monte_carlo_median(name):
    """The distances documented in docs/uncertainty.md §5, in every shipped scenario, for 2030."""
    import nmmsim

    scenario = nmmsim.shipped_scenarios()[name]
    deterministic = nmmsim.simulate(scenario).sel(year=2030, draw=0)
    median = nmmsim.simulate(scenario, draws=4096, seed=3).sel(year=2030, quantile=0.5)
    for variable, (kind, limit) in DISTANCE.items():
        value, centre = float(deterministic[variable]), float(median[variable])
        gap = abs(value - centre) if kind == "points" else abs(value / centre - 1.0)
        assert gap <= limit, f"{name} {variable}: {value:.4g} against median {centre:.4g}"


#: The figures the committed posterior does not cover at 90% (docs/uncertainty.md §4): Bac
#: Giang's 2022 growth (19.3%), which its TFP growth cannot reach within the prior's 4 points,
#: Lai Chau's 2023 GRDP, and provincial levels the statistics moved by reclassification or at
#: the 2021 survey break.
KNOWN_MISFITS = {
    ("grdp_real_growth:Bac Giang", 2022), ("grdp_nominal:Lai Chau", 2023),
    ("population:Dien Bien", 2023), ("population:Dien Bien", 2024),
    ("urban_share:Tuyen Quang", 2024), ("urban_share:Thai Nguyen", 2022),
    ("urban_share:Thai Nguyen", 2023), ("urban_share:Thai Nguyen", 2024),
    ("urban_share:Bac Giang", 2024), ("employment:Cao Bang", 2021),
    ("employment:Cao Bang", 2023), ("employment:Cao Bang", 2024),
    ("employment:Lai Chau", 2021), ("employment:Lai Chau", 2024)}


def test_the_posterior_reproduces_the_history_within_its_errors():
    """Posterior predictive check: every kept particle's history plus its measurement and
    discrepancy error. 90% intervals cover 85-100% of the 339 figures (binomial sd 1.6 points),
    50% intervals 40-75%, and the figures outside the 90% interval are the documented misfits."""
    from nmmsim.calibration.history import run_history
    from nmmsim.calibration.likelihood import held_figures
    from nmmsim.calibration.series import load_history_data
    from nmmsim.discrepancy import DISCREPANCIES
    from nmmsim.parameters import Parameters
    from nmmsim.past import history_schedule

    posterior, data = load_posterior(), load_history_data()
    # tfp_province_persistence acts after the history only: the sample does not hold it
    values = {n: posterior.column(n) if n in posterior.names
              else np.full(posterior.size, QUANTITIES[n].default) for n in QUANTITIES}
    run = run_history(data.base, Parameters.trusted(values), history_schedule()[0])
    discrepancy = {name: posterior.column(name) for name in DISCREPANCIES}
    rng = np.random.default_rng(0)
    pit, figures = [], []
    for name, held in held_figures(run, data, discrepancy).items():
        predicted = held.gap + rng.standard_normal(held.gap.shape) * held.sd
        pit += list((predicted <= 0.0).mean(axis=0))  # where the observed figure falls
        figures += [(name, year_to) for _, year_to in held.series.spans]
    pit = np.array(pit)
    assert len(pit) == 339
    outside = {figure for figure, p in zip(figures, pit, strict=True) if not 0.05 < p < 0.95}
    assert 1 - len(outside) / len(pit) >= 0.85
    assert 0.4 <= np.mean((pit > 0.25) & (pit < 0.75)) <= 0.75
    assert outside <= KNOWN_MISFITS, outside - KNOWN_MISFITS


def test_fixed_names_are_held_and_the_history_can_be_cut():
    """Backtests condition on the history up to a year; checks hold some names fixed."""
    fixed = {name: QUANTITIES[name].default for name in QUANTITIES if name != "population_growth"}
    fixed.update({"provincial_grdp_discrepancy": 0.05, "provincial_growth_discrepancy": 0.02,
                  "regional_discrepancy_ratio": 1.0, "provincial_discrepancy_ratio": 1.0})
    full = condition(particles=512, keep=512, seed=2, fixed=fixed)
    early = condition(particles=512, keep=512, seed=2, fixed=fixed, through=2021)
    for sample in (full, early):
        assert np.all(sample.column("depreciation_rate") == QUANTITIES["depreciation_rate"].default)
    # one population figure (2021) narrows population growth less than four do
    assert early.column("population_growth").std() > 1.5 * full.column("population_growth").std()


def test_the_docs_contraction_table_is_the_committed_posterior_s():
    from pathlib import Path

    from nmmsim.calibration.posterior_report import contraction_markdown

    page = (Path(__file__).resolve().parent.parent / "docs" / "uncertainty.md").read_text()
    assert contraction_markdown(load_posterior()) in page


def test_sensitivity_s_fitted_marginals_give_way_to_a_scenario_s_fixed_value():
    """A scenario that fixes a parameter the least-squares fit also fits: Uncertainty.from_fit
    keeps the fixed value (before, the fitted prior and the fixed value clashed)."""
    from nmmsim.calibrated import load_calibrated

    uncertainty = Uncertainty.from_fit(load_calibrated(), fixed={"tfp_growth_industry": 0.015})
    assert uncertainty.fixed["tfp_growth_industry"] == 0.015
    assert "tfp_growth_industry" not in uncertainty.priors
    assert "tax_buoyancy" in uncertainty.priors  # fitted, not fixed: its fitted marginal
