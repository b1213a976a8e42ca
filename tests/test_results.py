"""Result datasets: required variables with metadata, atomic NetCDF and CSV output."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings

import nmmsim
from nmmsim.results import write_results
from tests.conftest import parameters

REQUIRED = ("value_added", "grdp", "grdp_nominal", "grdp_growth", "sector_share", "grdp_per_capita",
            "budget_revenue", "employment", "certified_share", "trained_share", "forest_cover",
            "population", "urban_share", "poverty_rate", "investment")


@pytest.fixture(scope="module")
def result(baseline_path):
    return nmmsim.simulate(baseline_path)


def test_dims_variables_and_metadata(result):
    assert {"draw", "year", "sector", "destination"} <= set(result.dims)
    for name in REQUIRED:
        assert name in result, name
        assert result[name].attrs["units"] and result[name].attrs["long_name"], name
    assert result.value_added.dims == ("draw", "year", "sector")
    assert result.investment.dims == ("draw", "year", "destination")
    for key in ("scenario", "scenario_sha256", "start_year", "nmmsim_version"):
        assert key in result.attrs


@settings(max_examples=25, deadline=None)
@given(params=parameters())
def test_sector_shares_and_product_taxes_sum_to_100(baseline_path, params):
    shares = nmmsim.simulate(baseline_path, parameters=params)
    total = shares.sector_share.sum("sector") + shares.product_tax_share
    np.testing.assert_allclose(total, 100.0, rtol=1e-12)
    assert ((shares.sector_share >= 0) & (shares.sector_share <= 100)).all()


def test_nominal_grdp_is_real_times_deflator(result):
    np.testing.assert_allclose(result.grdp_nominal, result.grdp * result.price_level, rtol=1e-12)


def test_investment_is_nan_only_in_the_base_year(result):
    assert result.investment.sel(year=2024).isnull().all()
    assert (result.investment.sel(year=slice(2025, None)) >= 0).all()


def test_write_round_trip(result, tmp_path):
    netcdf, csv = write_results(result, tmp_path / "out", "baseline")
    back = xr.open_dataset(netcdf, engine="h5netcdf")
    xr.testing.assert_allclose(back.load(), result)
    assert back.attrs["scenario"] == "baseline"
    table = csv.read_text().splitlines()
    assert table[0].startswith("draw,year,value_added_agriculture")
    assert len(table) == 1 + result.sizes["year"]
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]


def test_failed_write_leaves_no_file(result, tmp_path):
    broken = result.assign_attrs(bad=object())  # NetCDF cannot store it
    with pytest.raises(TypeError):
        write_results(broken, tmp_path, "broken")
    assert list(tmp_path.iterdir()) == []


def test_monte_carlo_trajectories_write_a_csv_with_each_draws_parameters(baseline_path, tmp_path):
    trajectories = nmmsim.simulate(baseline_path, draws=1024, seed=1, keep="trajectories")
    netcdf, csv = write_results(trajectories, tmp_path, "baseline")
    import pandas as pd

    table = pd.read_csv(csv)
    assert len(table) == 1024 * trajectories.sizes["year"]
    assert table.columns[0] == "draw" and table.columns[1] == "year"
    # a draw's parameters are the same in every year of it, one column per parameter
    column = next(c for c in table.columns if c.startswith("parameters_tax_buoyancy"))
    first = table[table.draw == 5][column]
    assert first.nunique() == 1
    assert first.iloc[0] == pytest.approx(
        float(trajectories.parameters.sel(draw=5, parameter="tax_buoyancy")))
    assert netcdf.is_file()
