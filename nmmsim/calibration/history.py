"""The history run: the model stepped from 2020 to 2024 for calibration (docs/calibration.md §2).

To learn its parameters, the model is started in 2020 from the provincial figures observed that
year and stepped to 2024 under the baseline scenario's levers (`nmmsim.past` defines the years,
the start state and its fallbacks: every projection runs the same years first). The years
2021-2024 of ``region_2022`` (the sum of its provinces) are then compared with what was observed
for the region, and those of each province with its own figures.

Some 2020 figures were never published for the region (`HISTORY_FALLBACKS`); the series that
depend on them are compared on their changes, not their levels (`nmmsim.calibration.series`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from nmmsim._types import FloatArray
from nmmsim.base_year import BaseYear
from nmmsim.engine import project
from nmmsim.levers import LeverSchedule
from nmmsim.model import Constants, State
from nmmsim.model.regions import region_paths
from nmmsim.model.state import real_grdp, sum_sectors
from nmmsim.parameters import Parameters
from nmmsim.past import HISTORY_END, HISTORY_START, observed_disasters
from nmmsim.provinces import PROVINCES

__all__ = ["HISTORY_END", "HISTORY_START", "PROVINCIAL_GRDP", "HistoryRun", "run_history"]

#: Prefix of the provincial GRDP paths: ``grdp_nominal:<province>``.
PROVINCIAL_GRDP = "grdp_nominal:"


@dataclass(frozen=True, slots=True)
class HistoryRun:
    """Model paths of the history, each ``(n_draws, n_years)`` for ``years`` (start year first).

    Money in VND trillion (nominal at current prices), people in thousands, shares and growth
    rates as fractions.
    """

    years: tuple[int, ...]
    grdp_nominal: FloatArray
    grdp_real_growth: FloatArray  # NaN in the start year
    deflator_growth: FloatArray  # NaN in the start year
    population: FloatArray
    urban_share: FloatArray
    certified_share: FloatArray
    employment: FloatArray
    poverty_rate: FloatArray
    budget_revenue: FloatArray
    #: nominal GRDP, real GRDP growth (NaN in the start year), population, urban share,
    #: certified share and employment of every province, ``(n_draws, provinces, n_years)`` by
    #: path name
    by_province: Mapping[str, FloatArray]

    def path(self, name: str) -> FloatArray:
        """The path called ``name``: one of the fields above, or ``<path>:<province>`` for a
        path of `by_province`."""
        if ":" in name:
            indicator, _, province = name.partition(":")
            provincial: FloatArray = self.by_province[indicator][:, PROVINCES.index(province)]
            return provincial
        path: FloatArray = getattr(self, name)
        return path


def run_history(base: BaseYear, params: Parameters, schedule: LeverSchedule) -> HistoryRun:
    """Step the model from ``base.year`` through ``schedule.years`` with the observed disasters."""
    states, constants = project(base, params, schedule,
                                observed_disasters(schedule.years, params.n_draws))
    return _paths(states, constants, (base.year, *schedule.years))


def _paths(states: list[State], constants: Constants, years: tuple[int, ...]) -> HistoryRun:
    """Paths of ``region_2022``, the region the observed series describe, and of each province
    (`HistoryRun.by_province`)."""
    def stack(values: list[FloatArray]) -> FloatArray:
        return np.stack(values, axis=1)

    def by_province(values: list[FloatArray]) -> FloatArray:  # (provinces, n) a year
        return np.moveaxis(np.stack(values, axis=-1), 0, 1)

    real_by_province = [real_grdp(s.value_added, constants.product_tax_ratio) for s in states]
    provincial = {
        "grdp_nominal": by_province([real * s.price_level
                                     for real, s in zip(real_by_province, states, strict=True)]),
        "grdp_real_growth": _growth(by_province(real_by_province)),
        "population": by_province([s.population for s in states]),
        "urban_share": by_province([s.urban_share for s in states]),
        "certified_share": by_province([s.certified_share for s in states]),
        "employment": by_province([sum_sectors(s.employment) for s in states]),
    }
    states, accounts = region_paths(states, constants, "region_2022")
    real = stack([real_grdp(s.value_added, a.product_tax_ratio) for s, a in zip(states, accounts,
                                                                                 strict=True)])
    prices = stack([s.price_level for s in states])
    return HistoryRun(
        years=years,
        grdp_nominal=real * prices,
        grdp_real_growth=_growth(real),
        deflator_growth=_growth(prices),
        population=stack([s.population for s in states]),
        urban_share=stack([s.urban_share for s in states]),
        certified_share=stack([s.certified_share for s in states]),
        employment=stack([sum_sectors(s.employment) for s in states]),
        poverty_rate=stack([s.poverty_rate for s in states]),
        budget_revenue=stack([s.budget_revenue for s in states]),
        by_province=MappingProxyType(provincial),
    )


def _growth(path: FloatArray) -> FloatArray:
    """Yearly growth along the last axis (the years), NaN in the first year."""
    growth = np.full_like(path, np.nan)
    growth[..., 1:] = path[..., 1:] / path[..., :-1] - 1.0
    return growth
