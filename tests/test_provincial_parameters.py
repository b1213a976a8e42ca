"""Provincial parameters: one value per province, named ``name[Province]``, set by scenarios,
drawn and conditioned one province at a time, and recovered from the history they generate."""

from __future__ import annotations

import numpy as np
import pytest

import nmmsim
from nmmsim.calibration.condition import POSTERIOR_NAMES, condition
from nmmsim.calibration.sbc import synthetic_history
from nmmsim.calibration.series import load_history_data
from nmmsim.engine.sampling import unit_sample
from nmmsim.engine.uncertainty import Uncertainty
from nmmsim.errors import ParameterError
from nmmsim.parameters import QUANTITIES, REGISTRY, Parameters, quantity_name
from nmmsim.priors import Uniform
from nmmsim.provinces import PROVINCES

OFFSET = "tfp_growth_province"
OFFSETS = tuple(quantity_name(OFFSET, p) for p in PROVINCES)


def test_a_provincial_parameter_is_a_quantity_per_province_in_province_order():
    assert REGISTRY[OFFSET].provincial
    assert tuple(q for q in QUANTITIES if q.startswith(OFFSET)) == OFFSETS
    assert len(QUANTITIES) == len(REGISTRY) - 1 + len(PROVINCES)
    assert set(OFFSETS) <= set(POSTERIOR_NAMES)
    assert Parameters.defaults(3).tfp_growth_province.shape == (len(PROVINCES), 3)


def test_its_name_sets_every_province_and_a_quantity_its_own():
    params = Parameters.defaults(2).with_values({OFFSET: 0.01, f"{OFFSET}[Bac Giang]": [0.02, -0.01]})
    expected = np.full((len(PROVINCES), 2), 0.01)
    expected[PROVINCES.index("Bac Giang")] = [0.02, -0.01]
    np.testing.assert_array_equal(params.tfp_growth_province, expected)
    np.testing.assert_array_equal(params.quantity(f"{OFFSET}[Bac Giang]"), [0.02, -0.01])
    np.testing.assert_array_equal(params.take(slice(1, 2)).tfp_growth_province, expected[:, 1:])


@pytest.mark.parametrize(("values", "message"), [
    ({f"{OFFSET}[Bac Gang]": 0.01}, r"did you mean 'tfp_growth_province\[Bac Giang\]'"),
    ({OFFSET: 0.05}, r"'tfp_growth_province' = 0.05 is outside its bounds \[-0.04, 0.04\]"),
    ({f"{OFFSET}[Son La]": float("nan")}, "must be finite"),
])
def test_bad_provincial_values_are_refused(values, message):
    with pytest.raises(ParameterError, match=message):
        Parameters.defaults().with_values(values)


def test_a_province_s_own_tfp_moves_its_grdp_and_others_only_through_the_links(
        base_year, baseline_path):
    """Raising Bac Giang's own TFP growth by 1 point (faded by one year after 2024) raises its
    GRDP in 2025 by exactly that TFP growth from a given 2024 state, and leaves every other
    province's untouched; later, migration and the competition for FDI (docs/model.md §2) move
    the others, by far less. A projection also starts from the draw's own history (model.md §3):
    there the faster 2021-2024 TFP built less capital per unit of output, so the same investment
    raises Bac Giang's capital faster (about 0.14 points more in 2025), and the region's FDI,
    pooled from its GRDP, reaches the others by under 1e-4."""
    from nmmsim.engine import project

    base = Parameters.defaults()
    raised = base.with_values({f"{OFFSET}[Bac Giang]": 0.01})
    others = [p for p in PROVINCES if p != "Bac Giang"]
    at = PROVINCES.index("Bac Giang")
    fade = np.exp(-1.0 / base.tfp_province_persistence[0])  # 2025: one year after the history
    schedule = nmmsim.load_scenario(baseline_path).schedule(range(2025, 2026))
    grdp = [project(base_year, params, schedule, np.zeros((1, 1)))[0][1].value_added.sum(axis=0)
            for params in (base, raised)]
    change = grdp[1][:, 0] / grdp[0][:, 0] - 1.0
    assert change[at] == pytest.approx(np.expm1(0.01 * fade), rel=1e-9)
    assert np.all(np.delete(change, at) == 0.0)

    before = nmmsim.simulate(baseline_path, parameters=base)["grdp_by_area"]
    after = nmmsim.simulate(baseline_path, parameters=raised)["grdp_by_area"]
    change = (after / before - 1.0).isel(draw=0).sel(area=list(PROVINCES))
    assert np.expm1(0.01 * fade) < float(change.sel(year=2025, area="Bac Giang")) < 0.012
    assert float(np.abs(change.sel(year=2025, area=others)).max()) < 1e-4
    assert float(change.sel(year=2030, area="Bac Giang")) > 0.04  # faded to 55% by 2030
    assert float(np.abs(change.sel(year=2030, area=others)).max()) < 0.001


def test_a_scenario_fixes_one_province_by_its_quoted_name(tmp_path, baseline_path):
    path = tmp_path / "hub.toml"
    path.write_text(f'extends = "{baseline_path}"\n'
                    'name = "hub"\n[parameters]\n"tfp_growth_province[Bac Giang]" = 0.02\n')
    values = dict(line.split(": ") for line in
                  nmmsim.simulate(path).attrs["parameter_values"].splitlines())
    assert float(values[f"{OFFSET}[Bac Giang]"]) == 0.02
    assert f"{OFFSET}[Son La]" in values and float(values[f"{OFFSET}[Son La]"]) != 0.02


def test_a_prior_given_by_the_parameter_s_name_holds_for_every_province():
    uncertainty = Uncertainty.default(priors={OFFSET: Uniform(0.01, 0.02)})
    params = uncertainty.parameters(unit_sample("mc", 1, 0, 4096, uncertainty.dimension))
    values = params.tfp_growth_province
    assert values.min() >= 0.01 and values.max() <= 0.02
    # independent across provinces: each its own column of the unit sample
    assert abs(np.corrcoef(values[0], values[1])[0, 1]) < 0.05


def test_the_history_recovers_known_provincial_tfp_growth():
    """Histories generated by the model with known provincial TFP growth (-2.5 to +2.5 points,
    shuffled over the provinces) and the likelihood's measurement error, conditioned again with
    every other quantity at its true value: the posterior medians track the truth, the 90%
    intervals cover it at about their rate, and the history narrows every province's prior."""
    truth_offsets = np.linspace(-0.025, 0.025, len(PROVINCES))
    truth_offsets = truth_offsets[np.random.default_rng(3).permutation(len(PROVINCES))]
    truth = {name: spec.default for name, spec in QUANTITIES.items()}
    truth.update(dict(zip(OFFSETS, truth_offsets, strict=True)))
    truth.update({"provincial_grdp_discrepancy": 0.0, "provincial_growth_discrepancy": 0.0,
                  "regional_discrepancy_ratio": 1.0, "provincial_discrepancy_ratio": 1.0})
    fixed = {name: value for name, value in truth.items() if name not in OFFSETS}
    data = synthetic_history(truth, load_history_data(), np.random.default_rng(1))
    posterior = condition(data, particles=1024, keep=1024, seed=5, fixed=fixed)
    columns = np.stack([posterior.column(name) for name in OFFSETS])
    median = np.median(columns, axis=1)
    low, high = np.quantile(columns, [0.05, 0.95], axis=1)
    assert np.corrcoef(truth_offsets, median)[0, 1] > 0.9
    assert np.sum((low <= truth_offsets) & (truth_offsets <= high)) >= 11  # of 15; 13.5 expected
    prior_sd = QUANTITIES[OFFSETS[0]].prior.frozen().std()
    assert np.all(columns.std(axis=1) < 0.6 * prior_sd)


def test_a_misspelt_province_in_a_scenario_is_one_clear_error(tmp_path, baseline_path):
    path = tmp_path / "typo.toml"
    path.write_text(f'extends = "{baseline_path}"\nname = "typo"\n[parameters]\n'
                    '"tfp_growth_province[Bac Gang]" = 0.02\n')
    with pytest.raises(nmmsim.ScenarioError, match=r"did you mean 'tfp_growth_province\[Bac Giang\]'"):
        nmmsim.load_scenario(path)

