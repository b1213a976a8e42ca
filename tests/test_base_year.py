"""The base-year identities: the 2024 state reproduces the observed figures (docs/model.md §3)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

import nmmsim
from nmmsim.model import initial_conditions
from nmmsim.parameters import Parameters
from tests.conftest import parameters

RTOL = 1e-9

# Observed 2024 figures (calibration/observed_region.csv): GRDP and shares MPI2024 / G2-G3,
# revenue C2, employment G3, certified share G6, population and urban population G1, forest F1.
OBSERVED_2024 = {
    "grdp": 991.5,
    "grdp_nominal": 991.5,
    "budget_revenue": 89.243,
    "certified_share": 27.97,
    "population": 13338.9,
    "urban_share": 100 * 3065.6 / 13338.9,  # 22.98% as published (G1)
    "poverty_rate": 15.1,
    "forest_cover": 54.04,
    "forest_area": 5439.645,
    "grdp_growth": 9.11,
}


@pytest.fixture(scope="module")
def base_result(baseline_path):
    return nmmsim.simulate(baseline_path).sel(year=2024, draw=0)


@pytest.mark.parametrize(("variable", "observed"), OBSERVED_2024.items())
def test_base_year_identity(base_result, variable, observed):
    np.testing.assert_allclose(base_result[variable].item(), observed, rtol=RTOL)


def test_sector_value_added_and_shares(base_result):
    shares = np.array([16.59, 44.15, 34.82])
    np.testing.assert_allclose(base_result.value_added.values, 991.5 * shares / 100, rtol=RTOL)
    np.testing.assert_allclose(base_result.sector_share.values, shares, rtol=RTOL)
    np.testing.assert_allclose(base_result.product_tax_share.item(), 4.44, rtol=RTOL)


def test_employment_total(base_result):
    np.testing.assert_allclose(base_result.employment.sum().item(), 6243.2, rtol=RTOL)


@settings(max_examples=50, deadline=None)
@given(params=parameters())
def test_identities_hold_for_any_parameters(base_year, params: Parameters):
    state, constants = initial_conditions(base_year, params)
    grdp = state.value_added.sum(axis=0) * (1 + constants.product_tax_ratio)
    np.testing.assert_allclose(grdp, 991.5, rtol=RTOL)
    np.testing.assert_allclose(state.budget_revenue, 89.243, rtol=RTOL)
    np.testing.assert_allclose(state.employment.sum(axis=0), 6243.2, rtol=RTOL)
    # Cobb-Douglas output with the solved TFP reproduces observed value added
    alpha = constants.capital_elasticity
    output = state.tfp * state.capital**alpha * state.employment ** (1 - alpha)
    np.testing.assert_allclose(output, state.value_added, rtol=RTOL)
