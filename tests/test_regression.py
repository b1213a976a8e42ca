"""Regression figures for the shipped scenarios: the deterministic 2030 figures at the posterior's
medians, and the Monte Carlo attainment counts of a fixed seed.

A change that moves any figure fails here, on purpose: if the move is intended (a model change, a
recalibration), regenerate with ``python -m tests.test_regression`` and commit the new files with
the reason in the commit message.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

import nmmsim

FILE = Path(__file__).resolve().parent / "regression" / "shipped_scenarios_2030.csv"
MONTE_CARLO_FILE = Path(__file__).resolve().parent / "regression" / "attainment_2030_seed1.csv"
DRAWS, SEED = 4096, 1
# Counts are exact integers; a draw sitting on a target's boundary may flip when floating-point
# operations are reordered, so a change of one or two draws is not a regression.
COUNT_TOLERANCE = 2
VARIABLES = ("grdp", "grdp_nominal", "budget_revenue", "certified_share", "trained_share",
             "forest_cover", "urban_share", "poverty_rate", "population")
SECTOR_VARIABLES = ("sector_share", "employment")
RTOL = 1e-9


def figures(name: str) -> dict[str, float]:
    """The 2030 figures of one shipped scenario."""
    result = nmmsim.simulate(nmmsim.shipped_scenarios()[name]).sel(year=2030, draw=0)
    out = {v: float(result[v]) for v in VARIABLES}
    for v in SECTOR_VARIABLES:
        for sector in result.sector.values:
            out[f"{v}_{sector}"] = float(result[v].sel(sector=sector))
    return out


def _stored() -> dict[str, dict[str, float]]:
    with FILE.open(newline="") as handle:
        return {row.pop("scenario"): {k: float(v) for k, v in row.items()}
                for row in csv.DictReader(handle)}


@pytest.mark.parametrize("name", sorted(nmmsim.shipped_scenarios()))
def test_shipped_scenario_matches_regression_file(name):
    stored = _stored()
    assert name in stored, f"{name} missing from {FILE}; regenerate it"
    now = figures(name)
    assert now.keys() == stored[name].keys()
    for key, value in stored[name].items():
        np.testing.assert_allclose(now[key], value, rtol=RTOL, err_msg=f"{name}: {key}")


def attainment_counts(name: str) -> dict[str, int]:
    """Draws (of 4,096, seed 1) attaining each target in 2030, and all of them."""
    result = nmmsim.simulate(nmmsim.shipped_scenarios()[name], draws=DRAWS, seed=SEED)
    counts = {str(t): int(result.attained.sel(target=t, year=2030)) for t in result.target.values}
    counts["all"] = int(result.attained_all.sel(year=2030))
    return counts


@pytest.mark.parametrize("name", sorted(nmmsim.shipped_scenarios()))
def test_shipped_scenario_attainment_matches_regression_file(name):
    with MONTE_CARLO_FILE.open(newline="") as handle:
        stored = {row.pop("scenario"): {k: int(v) for k, v in row.items()}
                  for row in csv.DictReader(handle)}
    assert name in stored, f"{name} missing from {MONTE_CARLO_FILE}; regenerate it"
    now = attainment_counts(name)
    assert now.keys() == stored[name].keys()
    for key, count in stored[name].items():
        assert abs(now[key] - count) <= COUNT_TOLERANCE, f"{name}: {key} {now[key]} vs {count}"


def regenerate() -> None:
    rows = [{"scenario": name, **figures(name)} for name in sorted(nmmsim.shipped_scenarios())]
    with FILE.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({k: (f"{v:.15g}" if isinstance(v, float) else v) for k, v in r.items()}
                         for r in rows)
    counts = [{"scenario": name, **attainment_counts(name)}
              for name in sorted(nmmsim.shipped_scenarios())]
    with MONTE_CARLO_FILE.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(counts[0]))
        writer.writeheader()
        writer.writerows(counts)


if __name__ == "__main__":
    regenerate()
