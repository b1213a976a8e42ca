"""The base-year identities: the 2024 state reproduces the observed figures (docs/model.md §3),
per province and for the sum of the provinces of each region."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

import nmmsim
from nmmsim.model import initial_conditions
from nmmsim.model.regions import aggregate
from nmmsim.parameters import Parameters
from nmmsim.provinces import PROVINCES, REGIONS, load_provincial, region_mask
from tests.conftest import parameters

RTOL = 1e-9

# Observed 2024 figures of region_2022 (calibration/observed_region.csv): GRDP and shares
# MPI2024 / G2-G3, revenue C2, employment G3, certified share G6, population and urban population
# G1, forest F1, poverty C5, growth C1.
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
def result(baseline_path):
    return nmmsim.simulate(baseline_path)


@pytest.fixture(scope="module")
def base_result(result):
    return result.sel(year=2024, draw=0)


@pytest.mark.parametrize(("variable", "observed"), OBSERVED_2024.items())
def test_base_year_identity(base_result, variable, observed):
    np.testing.assert_allclose(base_result[variable].item(), observed, rtol=RTOL)


def test_the_rules_for_missing_provincial_figures(base_result):
    """docs/model.md §3, "Provinces": forest cover (F3, P3, F4), poverty (V14.49 relative rates),
    Thai Nguyen's two published shares (W20), and the residual structure of the others."""
    cover = base_result.forest_cover_by_area
    np.testing.assert_allclose(cover.sel(area="Bac Kan").item(), 73.4, rtol=RTOL)
    np.testing.assert_allclose(cover.sel(area="Hoa Binh").item(), 51.61, rtol=RTOL)
    np.testing.assert_allclose(cover.sel(area="Vinh Phuc").item(), 42.03, rtol=RTOL)
    panel = load_provincial()
    relative = panel.require("poverty_rate_gso_multidim_pct", 2023)
    poverty = base_result.poverty_rate_by_area.sel(area=list(PROVINCES)).values
    np.testing.assert_allclose(poverty / relative, poverty[0] / relative[0], rtol=1e-12)
    thai_nguyen = base_result.sector_share_by_area.sel(area="Thai Nguyen").values
    tax = base_result.product_tax_share_by_area.sel(area="Thai Nguyen").item()
    np.testing.assert_allclose(thai_nguyen[:2], [10.5, 59.5], rtol=RTOL)
    np.testing.assert_allclose(thai_nguyen[2] / tax, 34.82 / 4.44, rtol=RTOL)
    # the residual provinces share one structure, and the 14 add up to the region by sector
    shares = base_result.sector_share_by_area
    np.testing.assert_allclose(shares.sel(area="Ha Giang"), shares.sel(area="Bac Giang"), rtol=1e-12)
    members = list(REGIONS["region_2022"])
    np.testing.assert_allclose(base_result.value_added_by_area.sel(area=members).sum("area"),
                               base_result.value_added, rtol=1e-12)


def test_sector_value_added_and_shares(base_result):
    shares = np.array([16.59, 44.15, 34.82])
    np.testing.assert_allclose(base_result.value_added.values, 991.5 * shares / 100, rtol=RTOL)
    np.testing.assert_allclose(base_result.sector_share.values, shares, rtol=RTOL)
    np.testing.assert_allclose(base_result.product_tax_share.item(), 4.44, rtol=RTOL)


def test_employment_total(base_result):
    np.testing.assert_allclose(base_result.employment.sum().item(), 6243.2, rtol=RTOL)


def test_every_province_reproduces_its_own_2024_figures(base_result):
    """Provincial figures of the panel (NSO tables E02.03-07, E02.45, E02.55, E02.58), reconciled
    to the regional figures by one factor within 0.5%; Vinh Phuc, outside region_2022, exactly."""
    panel = load_provincial()
    provinces = base_result.sel(area=list(PROVINCES))
    members = region_mask("region_2022")
    for variable, indicator, tolerance in (
        ("grdp_nominal_by_area", "grdp_nominal_trillion", 1e-4),
        ("population_by_area", "population_thousand", 1e-4),
        ("certified_share_by_area", "certified_labour_share_pct", 5e-3),
    ):
        observed = panel.require(indicator, 2024)
        model = provinces[variable].values
        np.testing.assert_allclose(model[members], observed[members], rtol=tolerance)
        np.testing.assert_allclose(model[~members], observed[~members], rtol=RTOL)
    employment = provinces["employment_by_area"].sum("sector").values
    np.testing.assert_allclose(employment, panel.require("employed_thousand", 2024), rtol=1e-4)
    urban = provinces["urban_share_by_area"].values
    published = panel.require("urban_population_thousand", 2024) / panel.require(
        "population_thousand", 2024) * 100
    np.testing.assert_allclose(urban, published, rtol=1e-4)


def test_published_provincial_structure_and_revenue_are_kept(base_result):
    """Cao Bang's 2024 structure (P1) and Thai Nguyen's 2024 revenue (P5), as published."""
    cao_bang = base_result.sector_share_by_area.sel(area="Cao Bang").values
    np.testing.assert_allclose(cao_bang, [20.83, 18.99, 56.48], rtol=1e-3)
    revenue = base_result.budget_revenue_by_area.sel(area="Thai Nguyen").item()
    np.testing.assert_allclose(revenue, 19.68, rtol=RTOL)


def test_region_2025_swaps_bac_giang_for_vinh_phuc(base_result):
    grdp = base_result.grdp_nominal_by_area
    expected = (grdp.sel(area="region_2022") - grdp.sel(area="Bac Giang")
                + grdp.sel(area="Vinh Phuc"))
    np.testing.assert_allclose(grdp.sel(area="region_2025").item(), expected.item(), rtol=1e-12)
    # the provincial panel: the 2025-boundary region (14 - Bac Giang + Vinh Phuc) had a 2024 GRDP
    # of 950.0856 trillion (the sum of its provinces in calibration/provinces.csv)
    np.testing.assert_allclose(grdp.sel(area="region_2025").item(), 950.0856, rtol=2e-5)


@settings(max_examples=50, deadline=None)
@given(params=parameters())
def test_identities_hold_for_any_parameters(base_year, params: Parameters):
    state, constants = initial_conditions(base_year, params)
    region, accounts = aggregate(state, constants, "region_2022")
    grdp = region.value_added.sum(axis=0) * (1 + accounts.product_tax_ratio)
    np.testing.assert_allclose(grdp, 991.5, rtol=RTOL)
    np.testing.assert_allclose(region.budget_revenue, 89.243, rtol=RTOL)
    np.testing.assert_allclose(region.employment.sum(axis=0), 6243.2, rtol=RTOL)
    np.testing.assert_allclose(region.certified_share, 0.2797, rtol=RTOL)
    np.testing.assert_allclose(region.trained_share, 0.2797 * params.trained_to_certified_ratio_base,
                               rtol=RTOL)
    # the employment split parameters are the region's shares
    np.testing.assert_allclose(region.employment[0] / region.employment.sum(axis=0),
                               params.employment_share_agriculture_base, rtol=RTOL)
    # Cobb-Douglas output with the solved TFP reproduces observed value added in every province,
    # less Typhoon Yagi's farm loss in 2024, a severe year (MPI2024)
    assert base_year.disaster == 1.0
    alpha = constants.capital_elasticity
    output = state.tfp * state.capital**alpha * state.employment ** (1 - alpha)
    output[0] *= 1 - params.disaster_agriculture_loss
    np.testing.assert_allclose(output, state.value_added, rtol=RTOL)
    # every province's revenue is positive, and Thai Nguyen's is its published figure
    assert np.all(state.budget_revenue > 0)
    np.testing.assert_allclose(state.budget_revenue[PROVINCES.index("Thai Nguyen")], 19.68, rtol=RTOL)
