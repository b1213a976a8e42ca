"""Sensitivity indices: Ishigami's analytic values, an unused input, ranking, reproducibility."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import nmmsim
from nmmsim.cli import main
from nmmsim.errors import NmmsimError
from nmmsim.sensitivity import indices, sensitivity
from nmmsim.targets import load_targets

A, B = 7.0, 0.1
# Ishigami & Homma (1990): exact first-order and total indices for a = 7, b = 0.1
_V = A**2 / 8 + B * np.pi**4 / 5 + B**2 * np.pi**8 / 18 + 0.5
_V1 = 0.5 * (1 + B * np.pi**4 / 5) ** 2
_V2 = A**2 / 8
_V13 = B**2 * np.pi**8 * (1 / 18 - 1 / 50)
S1_EXACT = np.array([_V1 / _V, _V2 / _V, 0.0, 0.0])
ST_EXACT = np.array([(_V1 + _V13) / _V, _V2 / _V, _V13 / _V, 0.0])


def ishigami(unit: np.ndarray) -> np.ndarray:
    """Inputs uniform on [-pi, pi], through the unit cube as the model's priors are; the fourth
    input is not used."""
    x = -np.pi + 2 * np.pi * unit
    return (np.sin(x[0]) + A * np.sin(x[1]) ** 2 + B * x[2] ** 4 * np.sin(x[0]))[None, :]


@pytest.fixture(scope="module")
def ishigami_indices():
    return indices(ishigami, ["x1", "x2", "x3", "unused"], groups=["a", "b", "a", "c"],
                   draws=2**13, seed=3, resamples=200, confidence=0.99)


def test_ishigami_indices_match_the_analytic_values(ishigami_indices):
    found = ishigami_indices
    # each estimate within its 99% bootstrap interval of the exact value
    assert np.all(np.abs(found["S1"][0] - S1_EXACT) <= found["S1_conf"][0] + 1e-3)
    assert np.all(np.abs(found["ST"][0] - ST_EXACT) <= found["ST_conf"][0] + 1e-3)
    # and close in absolute terms at this sample size
    np.testing.assert_allclose(found["S1"][0], S1_EXACT, atol=0.03)
    np.testing.assert_allclose(found["ST"][0], ST_EXACT, atol=0.03)


def test_grouped_indices(ishigami_indices):
    # group a = {x1, x3}: its first-order index holds x1, x3 and their interaction
    group_a = (_V1 + _V13) / _V
    assert ishigami_indices["S1_group"][0][0] == pytest.approx(group_a, abs=0.03)
    assert ishigami_indices["ST_group"][0][2] == pytest.approx(0.0, abs=0.01)


def test_unused_input_is_near_zero_and_dominant_ranks_first(ishigami_indices):
    assert abs(ishigami_indices["S1"][0][3]) <= ishigami_indices["S1_conf"][0][3]
    assert abs(ishigami_indices["ST"][0][3]) < 0.005
    assert int(np.argmax(ishigami_indices["ST"][0])) == 0  # x1 has the largest total effect


def test_morris_ranks_the_unused_input_last():
    found = indices(ishigami, ["x1", "x2", "x3", "unused"], draws=200, seed=2, method="morris")
    assert found["mu_star"][0][3] == 0.0
    assert set(np.argsort(found["mu_star"][0])[-2:]) == {0, 1}


def test_model_parameter_that_cannot_matter_has_zero_index():
    found = sensitivity(nmmsim.shipped_scenarios()["baseline"], draws=128, seed=1)
    # the cost of planting a hectare of forest does not enter GRDP
    grdp = found.sel(target="grdp_growth", quantity="value", parameter="cost_per_hectare")
    assert np.all(np.abs(grdp.ST.values) < 1e-12)
    forest = found.sel(target="forest_cover", quantity="value", year=2030)
    assert str(forest.ST_group.idxmax().values) == "forest"
    assert found.ST.dims == ("target", "quantity", "year", "parameter")


def test_same_seed_same_indices():
    runs = [sensitivity(nmmsim.shipped_scenarios()["green_forest"], draws=64, seed=5,
                        method=method) for method in ("sobol", "sobol")]
    xr.testing.assert_identical(runs[0], runs[1])


def test_bad_options():
    with pytest.raises(NmmsimError, match="method = 'fast'; allowed: sobol, morris"):
        indices(ishigami, ["a", "b", "c", "d"], method="fast")  # type: ignore[arg-type]
    with pytest.raises(NmmsimError, match="draws = 4 must be a whole number >= 8"):
        indices(ishigami, ["a", "b", "c", "d"], draws=4)


def test_cli_sensitivity_writes_indices_and_charts_and_the_report_shows_them(tmp_path, capsys):
    baseline = str(nmmsim.shipped_scenarios()["baseline"])
    assert main(["sensitivity", baseline, "--draws", "64", "--out", str(tmp_path)]) == 0
    assert "Most influential groups" in capsys.readouterr().out
    with xr.open_dataset(tmp_path / "baseline_sensitivity.nc", engine="h5netcdf") as found:
        assert {"S1", "ST", "ST_group"} <= set(found.data_vars)
        assert found.attrs["method"] == "sobol"
    for name in ("baseline_sensitivity.png", "baseline_sensitivity_by_year.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
    assert main(["run", baseline, "--draws", "1024", "--seed", "1", "--out", str(tmp_path)]) == 0
    assert "Which uncertainties decide each target" in (tmp_path / "baseline.html").read_text()


@pytest.mark.parametrize(("method", "draws"), [("sobol", 32), ("morris", 16)])
def test_every_variable_and_coordinate_has_units_and_long_name(tmp_path, method, draws):
    # issue 13.13: the indices had no units and no coordinate had units or a long_name
    from nmmsim.results import write_netcdf

    found = sensitivity(nmmsim.shipped_scenarios()["baseline"], draws=draws, seed=1,
                        method=method)
    path = write_netcdf(found, tmp_path / "indices.nc")
    with xr.open_dataset(path, engine="h5netcdf") as written:
        for dataset in (found, written):
            names = [*dataset.data_vars, *dataset.coords]
            assert {"target", "quantity", "year", "parameter"} <= set(names)
            for name in names:
                attrs = dataset[name].attrs
                assert attrs.get("units") and attrs.get("long_name"), name
    assert found.S1.attrs["units"] == "1" if method == "sobol" else \
        "target_unit" in found.mu_star.attrs["units"]
    assert list(found.target_unit.values) == [t.unit for t in load_targets()
                                              if t.modelled]
