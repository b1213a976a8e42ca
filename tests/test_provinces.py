"""Provinces and regions: the boundaries, the provincial panel, and the aggregates."""

from __future__ import annotations

import numpy as np
import pytest

import nmmsim
from nmmsim.errors import DataError
from nmmsim.provinces import PROVINCES, REGIONS, load_boundaries, load_provincial, region_mask


def test_regions_match_the_shipped_boundaries_file():
    assert load_boundaries() == dict(REGIONS)
    assert len(REGIONS["region_2022"]) == 14 and len(REGIONS["region_2025"]) == 14
    assert "Bac Giang" not in REGIONS["region_2025"] and "Vinh Phuc" in REGIONS["region_2025"]
    assert "Vinh Phuc" not in REGIONS["region_2022"]


def test_unknown_region_is_a_named_error():
    with pytest.raises(DataError, match="did you mean 'region_2025'"):
        region_mask("region_2024")


def test_panel_rejects_an_unknown_province(tmp_path):
    path = tmp_path / "provinces.csv"
    path.write_text("province,year,indicator,value,unit,status,source_id,note\n"
                    "Ha Gaing,2024,population_thousand,911.36,thousand,sourced,NSO-E02.03-07,\n")
    with pytest.raises(DataError, match=r"provinces.csv:2: unknown province 'Ha Gaing'.*Ha Giang"):
        load_provincial(path)


def test_a_missing_provincial_figure_names_the_province(tmp_path):
    rows = [line for line in (load_provincial().path.read_text().splitlines())
            if not line.startswith("Lai Chau,2024,population_thousand")]
    path = tmp_path / "provinces.csv"
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(DataError, match="population_thousand' has no 2024 figure for Lai Chau"):
        load_provincial(path).require("population_thousand", 2024)


@pytest.fixture(scope="module")
def trajectories(baseline_path):
    return nmmsim.simulate(baseline_path, draws=64, seed=3, keep="trajectories")


@pytest.mark.parametrize("region", list(REGIONS))
def test_aggregates_are_sums_and_weighted_means_draw_by_draw(trajectories, region):
    members = list(REGIONS[region])
    provinces = trajectories.sel(area=members)
    aggregate = trajectories.sel(area=region)
    for level in ("grdp", "grdp_nominal", "budget_revenue", "population", "forest_area",
                  "employment"):
        np.testing.assert_allclose(aggregate[f"{level}_by_area"],
                                   provinces[f"{level}_by_area"].sum("area"), rtol=1e-12)
    population = provinces.population_by_area
    for share in ("urban_share", "poverty_rate"):
        weighted = (provinces[f"{share}_by_area"] * population).sum("area") / population.sum("area")
        np.testing.assert_allclose(aggregate[f"{share}_by_area"], weighted, rtol=1e-12)
    per_capita = provinces.grdp_nominal_by_area.sum("area") / population.sum("area") * 1e3
    np.testing.assert_allclose(aggregate.grdp_per_capita_by_area, per_capita, rtol=1e-12)
    real = provinces.grdp_by_area.sum("area")
    growth = 100 * (real / real.shift(year=1) - 1)
    np.testing.assert_allclose(aggregate.grdp_growth_by_area.sel(year=slice(2025, None)),
                               growth.sel(year=slice(2025, None)), rtol=1e-9)


def test_plain_variables_are_region_2022(trajectories):
    np.testing.assert_array_equal(trajectories.grdp_nominal,
                                  trajectories.grdp_nominal_by_area.sel(area="region_2022"))
    assert trajectories.grdp_nominal.attrs["area"] == "region_2022"


def test_every_province_grows_on_the_baseline(baseline_path, trajectories):
    """Without yearly shocks every province grows in every year and draw; with them a province
    may have a bad year (Son La grew 0.75% in 2023), but its median year still grows."""
    calm = nmmsim.simulate(baseline_path, draws=64, seed=3, keep="trajectories", shocks="none")
    growth = calm.grdp_growth_by_area.sel(year=slice(2025, None), area=list(PROVINCES))
    assert bool((growth > 0).all())
    shocked = trajectories.grdp_growth_by_area.sel(year=slice(2025, None), area=list(PROVINCES))
    assert bool((shocked.median(["draw", "year"]) > 2.0).all())
