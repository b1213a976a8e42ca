"""The history run: the model stepped from 2020 to 2024 for calibration (docs/calibration.md §2).

The projection starts from the observed 2024 state. To learn its behavioural parameters, the same
model is started earlier, in 2020, from the figures observed that year, and stepped to 2024 under
the baseline scenario's levers. The years 2021-2024 are then compared with what was observed.

Some 2020 figures were never published for the region. They are taken from the nearest year that
was, and `HISTORY_FALLBACKS` says which; the series that depend on them are compared on their
changes, not their levels (`nmmsim.calibration.series`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from nmmsim._types import FloatArray
from nmmsim.engine import project
from nmmsim.levers import LeverSchedule
from nmmsim.model import Constants, State
from nmmsim.model.state import real_grdp, sum_sectors
from nmmsim.observed import BaseYear, ObservedData
from nmmsim.parameters import Parameters

__all__ = [
    "HISTORY_DISASTER_YEARS",
    "HISTORY_END",
    "HISTORY_FALLBACKS",
    "HISTORY_START",
    "HistoryRun",
    "history_base_year",
    "run_history",
]

HISTORY_START = 2020
HISTORY_END = 2024
#: Severe-disaster years of the history: Typhoon Yagi, September 2024 (MPI2024).
HISTORY_DISASTER_YEARS = (2024,)

#: Base-year figures not published for 2020, and where the history run takes them from.
HISTORY_FALLBACKS = MappingProxyType({
    "sector shares and product taxes": "2024 (MPI2024): no earlier regional structure found",
    "budget revenue": "the 2020 plan, 64.138 trillion (N4): no outturn found before 2024",
    "poverty rate": "2022 (V1): the multidimensional standard of 2022-2025 starts then",
    "forest": "2023 (F1): forest status is published for 2023 only",
    "real GRDP growth": "not needed: the run starts from the level",
})


def history_base_year(data: ObservedData, year: int = HISTORY_START) -> BaseYear:
    """The region's state in ``year`` for the history run, with the fallbacks of `HISTORY_FALLBACKS`.

    Raises
    ------
    DataError
        If a figure the history run needs is missing from ``data``.
    """
    latest = BaseYear.from_observed(data, HISTORY_END)
    population = data.value("population", year)
    return BaseYear(
        year=year,
        grdp=data.value("grdp_nominal", year),
        sector_share=latest.sector_share,
        product_tax_share=latest.product_tax_share,
        grdp_growth=math.nan,
        budget_revenue=data.value("budget_revenue_total_plan", year),
        employment=data.value("employed_persons", year),
        unemployment_rate=data.value("unemployment_rate", year) / 100.0,
        certified_share=data.value("certified_labour_share", year) / 100.0,
        population=population,
        urban_share=data.value("urban_population", year) / population,
        poverty_rate=data.value("multidimensional_poverty_rate", 2022) / 100.0,
        land_area=latest.land_area,
        forest_established=latest.forest_established,
        forest_young=latest.forest_young,
    )


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

    def path(self, name: str) -> FloatArray:
        """The path called ``name`` (one of the fields above)."""
        path: FloatArray = getattr(self, name)
        return path


def run_history(base: BaseYear, params: Parameters, schedule: LeverSchedule) -> HistoryRun:
    """Step the model from ``base.year`` through ``schedule.years`` with the observed disasters."""
    disasters = np.zeros((params.n_draws, len(schedule.years)))
    for column, year in enumerate(schedule.years):
        if year in HISTORY_DISASTER_YEARS:
            disasters[:, column] = 1.0
    states, constants = project(base, params, schedule, disasters)
    return _paths(states, constants, (base.year, *schedule.years))


def _paths(states: list[State], constants: Constants, years: tuple[int, ...]) -> HistoryRun:
    def stack(values: list[FloatArray]) -> FloatArray:
        return np.stack(values, axis=1)

    real = stack([real_grdp(s.value_added, constants.product_tax_ratio) for s in states])
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
    )


def _growth(path: FloatArray) -> FloatArray:
    growth = np.full_like(path, np.nan)
    growth[:, 1:] = path[:, 1:] / path[:, :-1] - 1.0
    return growth
