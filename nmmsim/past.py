"""The observed years a projection runs through first: 2020 to its base year (docs/model.md §3).

A projection starts from the observed state of its base year (2024). What nobody observes there
(sector capital, infrastructure, the construction and FDI pipelines, the employment split by
sector, the broad trained share) it takes from the draw's own run of these years: the model
started in `HISTORY_START` from the provinces' observed figures and stepped to the base year under
the baseline's levers and the observed disasters, exactly the run that conditions the parameters on
the history (`nmmsim.calibration.history`). A draw's 2024 capital-output ratios are then the ones
its own 2021-2024 investment built, consistent with the history its parameters were conditioned on,
and the parameters that set those stocks (``capital_output_ratio_*``, ``infrastructure_output_ratio``
...) describe 2020, where that run starts.

Some 2020 figures were never published for the region. They are taken from the nearest year that
was, and `HISTORY_FALLBACKS` says which.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from nmmsim._types import FloatArray
from nmmsim.base_year import SEVERE_DISASTER_YEARS, BaseYear, RegionFigures
from nmmsim.errors import DataError
from nmmsim.levers import LeverSchedule
from nmmsim.model.step import HISTORY_LAST_YEAR
from nmmsim.observed import ObservedData
from nmmsim.provinces import ProvincialData, load_provincial
from nmmsim.scenario import load_scenario, shipped_scenarios

__all__ = [
    "HISTORY_DISASTER_YEARS",
    "HISTORY_END",
    "HISTORY_FALLBACKS",
    "HISTORY_START",
    "Past",
    "history_base_year",
    "history_schedule",
    "observed_disasters",
]

#: The first year of the history: the observed state every history run starts from.
HISTORY_START = 2020
#: The last year of the history: the model holds each province's own TFP growth at full
#: strength through it (`nmmsim.model.step.HISTORY_LAST_YEAR`, the one definition).
HISTORY_END = HISTORY_LAST_YEAR
#: Severe-disaster years of the history: Typhoon Yagi, September 2024 (MPI2024).
HISTORY_DISASTER_YEARS = SEVERE_DISASTER_YEARS

#: Base-year figures not published for 2020, and where the history run takes them from.
HISTORY_FALLBACKS = MappingProxyType({
    "sector shares and product taxes": "2024 (MPI2024): no earlier regional structure found",
    "budget revenue": "the 2020 plan, 64.138 trillion (N4): no outturn found before 2024",
    "poverty rate": "2022 (V1): the multidimensional standard of 2022-2025 starts then",
    "forest": "2023 (F1): forest status is published for 2023 only",
    "real GRDP growth": "not needed: the run starts from the level",
    "provincial sector structure": "as in the 2024 base year (nmmsim.base_year), on 2020 GRDP",
    "provincial budget revenue": "none published for 2020: the 2020 plan is spread by the "
                                 "revenue rule (nmmsim.model.initial)",
    "provincial poverty": "the 2022 regional rate spread by the provinces' 2023 NSO rates",
})


def observed_disasters(years: tuple[int, ...], n_draws: int) -> FloatArray:
    """The observed severe-disaster intensity of each of ``years`` for every draw,
    ``(n_draws, len(years))`` (read-only): 1 in `HISTORY_DISASTER_YEARS`, else 0."""
    row = np.array([1.0 if year in HISTORY_DISASTER_YEARS else 0.0 for year in years])
    return np.broadcast_to(row, (n_draws, len(years)))


def history_base_year(data: ObservedData, year: int = HISTORY_START,
                      provinces: ProvincialData | None = None) -> BaseYear:
    """The provinces' state in ``year`` for the history run, reconciled to the region's figures
    with the fallbacks of `HISTORY_FALLBACKS` (provincial figures as in `nmmsim.base_year`).

    Raises
    ------
    DataError
        If a figure the history run needs is missing from ``data`` or the provincial panel.
    """
    latest = RegionFigures.from_observed(data, HISTORY_END)
    region = RegionFigures(
        grdp=data.value("grdp_nominal", year),
        structure=latest.structure,
        grdp_growth=math.nan,
        budget_revenue=data.value("budget_revenue_total_plan", year),
        employment=data.value("employed_persons", year),
        certified_share=data.value("certified_labour_share", year) / 100.0,
        population=data.value("population", year),
        urban_population=data.value("urban_population", year),
        poverty_rate=data.value("multidimensional_poverty_rate", 2022) / 100.0,
        forest_cover=latest.forest_cover,
        forest_area=latest.forest_area,
        national_forest_cover=latest.national_forest_cover,
        national_productivity=data.value("labour_productivity_national", year),
    )
    panel = provinces if provinces is not None else load_provincial()
    # 2020's employment is on the survey basis before the 2021 break (0.597 employed per
    # inhabitant against 0.468 in 2024): the ceiling, stated on 2024's basis, is scaled to it
    return BaseYear.build(region, panel, year, revenue_published=False, reference=latest)


def history_schedule(end: int = HISTORY_END) -> tuple[LeverSchedule, str]:
    """The levers of the history years after `HISTORY_START` through ``end`` (the baseline
    scenario's) and that file's sha256.

    No regional investment outturn exists for 2021-2024 (calibration/SOURCES.md, gaps), so the
    history runs under the same "trends continue" levers as the baseline projection.
    """
    baseline = load_scenario(shipped_scenarios()["baseline"])
    return baseline.schedule(range(HISTORY_START + 1, end + 1)), baseline.file_hash


@dataclass(frozen=True, slots=True)
class Past:
    """The history years a projection from ``base_year`` runs first: from `history_base_year`
    through the base year, under `history_schedule`'s levers, with each year's observed
    severe-disaster intensity (`observed_disasters` of ``schedule.years``)."""

    base: BaseYear
    schedule: LeverSchedule

    @classmethod
    def before(cls, base_year: int, data: ObservedData,
               provinces: ProvincialData | None = None) -> Past | None:
        """The years from `HISTORY_START` to ``base_year`` (``None`` for a base year at or
        before `HISTORY_START`: the run starts where the history does).

        Raises
        ------
        DataError
            If a 2020 figure the history run needs is missing from ``data`` or the panel.
        """
        if base_year <= HISTORY_START:
            return None
        schedule, _ = history_schedule(base_year)
        try:
            start = history_base_year(data, provinces=provinces)
        except DataError as exc:
            raise DataError(f"{exc} (a projection from {base_year} first runs the history from "
                            f"{HISTORY_START}, docs/model.md §3)") from exc
        return cls(base=start, schedule=schedule)
