"""Yearly TFP shocks by province (issue 14.2) and the split of a run's spread by source."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import nmmsim
from nmmsim.cli import main
from nmmsim.engine.uncertainty import Uncertainty
from nmmsim.errors import NmmsimError
from nmmsim.posterior import load_posterior
from nmmsim.provinces import PROVINCES

BASELINE = nmmsim.load_scenario(nmmsim.shipped_scenarios()["baseline"])


def _certain(**values: float) -> Uncertainty:
    return Uncertainty.certain({**load_posterior().central(), **BASELINE.parameter_overrides,
                                **values})


def _log_grdp_2025(shocks: str, sd: float) -> np.ndarray:
    result = nmmsim.simulate(BASELINE, draws=4096, seed=3, keep="trajectories",
                             disasters="expected", shocks=shocks,
                             uncertainty=_certain(tfp_shock_sd=sd), end_year=2026)
    return np.log(result.grdp_by_area.sel(year=2025, area=list(PROVINCES)).values)  # (draw, area)


def test_a_shock_moves_each_province_s_output_by_its_sd_independently():
    """A TFP growth shock raises the year's value added of every sector of its province by
    exp(sd x e): across draws with the parameters fixed, log GRDP in 2025 spreads by sd, and
    two provinces move independently."""
    log_grdp = _log_grdp_2025("random", 0.02)
    np.testing.assert_allclose(log_grdp.std(axis=0), 0.02, rtol=0.05)
    correlation = np.corrcoef(log_grdp[:, 0], log_grdp[:, 8])[0, 1]  # Ha Giang, Bac Giang
    assert abs(correlation) < 0.06  # 4,096 draws: sd of a null correlation 0.016


def test_without_shocks_or_with_a_zero_sd_the_path_is_the_deterministic_one():
    deterministic = np.log(nmmsim.simulate(BASELINE, end_year=2026).grdp_by_area.sel(
        year=2025, area=list(PROVINCES)).values[0])
    for shocks, sd in (("none", 0.02), ("random", 0.0)):
        log_grdp = _log_grdp_2025(shocks, sd)
        np.testing.assert_allclose(log_grdp, np.broadcast_to(deterministic, log_grdp.shape),
                                   rtol=0, atol=1e-12)


def test_shocks_belong_to_monte_carlo_runs(tmp_path, capsys):
    with pytest.raises(NmmsimError, match="Monte Carlo"):
        nmmsim.simulate(BASELINE, shocks="random")
    with pytest.raises(NmmsimError, match="shocks"):
        nmmsim.simulate(BASELINE, draws=1024, shocks="sometimes")  # type: ignore[arg-type]
    assert main(["run", "baseline", "--shocks", "random", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--draws" in err


def test_the_spread_splits_by_source():
    from nmmsim.spread import spread_by_source

    table = spread_by_source(BASELINE, draws=4096, seed=2)
    growth = table.loc["Real GRDP growth (%)"]
    assert growth.band_parameters < growth.band_disasters < growth.band_shocks
    assert growth.share_shocks > 0.2  # yearly shocks move a year's growth most
    certified = table.loc["Certified labour share (%)"]
    assert certified.share_parameters == pytest.approx(1.0, abs=0.02)  # no shock reaches it
    calm = dataclasses.replace(BASELINE, parameter_overrides={**BASELINE.parameter_overrides,
                                                              "tfp_shock_sd": 0.0})
    without = spread_by_source(calm, draws=4096, seed=2)
    assert np.all(without.share_shocks == 0.0)
    np.testing.assert_array_equal(without.band_shocks, without.band_disasters)


def test_a_monte_carlo_run_writes_and_prints_its_spread(tmp_path, capsys):
    assert main(["run", "baseline", "--draws", "2048", "--seed", "1", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Where the spread comes from" in out
    assert (tmp_path / "baseline_spread.csv").is_file()
    assert "Where the spread comes from" in (tmp_path / "baseline.html").read_text()
