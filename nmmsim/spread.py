"""Where the spread of a Monte Carlo run comes from: parameters, disasters, yearly shocks
(docs/uncertainty.md §6).

`spread_by_source` runs a scenario three times on the same seed (common random numbers), each
adding one source: the parameters alone (disasters at their expected intensity, no shocks), then
random severe-disaster years, then the provinces' yearly TFP shocks (the full run). The spread of
an indicator is measured by its 5-95% band; its variance is taken as ``(band / 3.29)^2`` (exact
for a normal) and each source's share is the variance it adds. Shares are of the full run's
variance; a source whose addition narrows the band (possible by sampling noise) gets a share
below 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from nmmsim.engine import simulate
from nmmsim.engine.chunks import DisasterMode, ShockMode
from nmmsim.scenario import Scenario

__all__ = ["INDICATORS", "STEPS", "spread_by_source"]

#: The indicators whose spread is split, as (variable, label), in the target year.
INDICATORS: tuple[tuple[str, str], ...] = (
    ("grdp_growth", "Real GRDP growth (%)"),
    ("grdp_nominal", "GRDP, current prices (VND trillion)"),
    ("grdp_per_capita", "GRDP per capita (VND million)"),
    ("budget_revenue", "Budget revenue (VND trillion)"),
    ("certified_share", "Certified labour share (%)"),
    ("poverty_rate", "Poverty rate (%)"),
    ("forest_cover", "Forest cover (%)"),
)
#: The runs, each adding one source: (name, disasters, shocks).
STEPS: tuple[tuple[str, DisasterMode, ShockMode], ...] = (
    ("parameters", "expected", "none"),
    ("disasters", "random", "none"),
    ("shocks", "random", "random"),
)
_Z90 = 3.2897  # width of a normal's 5-95% band in sd


def spread_by_source(scenario: Scenario, *, draws: int, seed: int, year: int = 2030,
                        **options: Any) -> pd.DataFrame:
    """The 5-95% band of each indicator in ``year`` as each source is added, and each source's
    share of the variance. ``options`` go to `nmmsim.simulate` (``posterior``, ``workers``...).

    Returns
    -------
    pandas.DataFrame
        One row per indicator: ``band_<step>`` for each step of `STEPS` and ``share_<step>``.
    """
    options = {**options, "end_year": max(year, options.get("end_year", year))}
    bands: dict[str, Sequence[float]] = {}
    for name, disasters, shocks in STEPS:
        run = simulate(scenario, draws=draws, seed=seed, disasters=disasters, shocks=shocks,
                       **options)
        at = run.sel(year=year)
        bands[name] = [float(at[v].sel(quantile=0.95) - at[v].sel(quantile=0.05))
                       for v, _ in INDICATORS]
    table = pd.DataFrame({f"band_{name}": values for name, values in bands.items()},
                         index=pd.Index([label for _, label in INDICATORS], name="indicator"))
    variance = (table.to_numpy() / _Z90) ** 2
    added = np.diff(variance, axis=1, prepend=0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = added / variance[:, -1:]
    for k, (name, _, _) in enumerate(STEPS):
        table[f"share_{name}"] = shares[:, k]
    table.attrs.update({"year": year, "draws": draws, "seed": seed})
    return table
