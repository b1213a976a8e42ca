"""Policy levers as the model consumes them: one `YearLevers` per projection year.

Scenario files (see `nmmsim.scenario`) are turned into a `LeverSchedule`; the model step reads one
year of it. Levers are what policy sets, the same for every Monte Carlo draw; uncertainties are
parameters (`nmmsim.parameters`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nmmsim._types import FloatArray

__all__ = ["DESTINATIONS", "SECTORS", "SOURCES", "LeverSchedule", "YearLevers"]

#: Production sectors, in the order of every ``sector`` axis.
SECTORS: tuple[str, ...] = ("agriculture", "industry_construction", "services")
#: Sources of investment money.
SOURCES: tuple[str, ...] = ("public", "fdi", "private")
#: Where investment goes: the three sectors' capital, then the three programmes.
DESTINATIONS: tuple[str, ...] = (*SECTORS, "infrastructure", "training", "forest")

# Indices into DESTINATIONS, for the model.
SECTOR_DESTINATIONS = slice(0, 3)
INFRASTRUCTURE, TRAINING, FOREST = 3, 4, 5
FDI = SOURCES.index("fdi")


@dataclass(frozen=True, slots=True)
class YearLevers:
    """The levers of one projection year, per province (the last axis, `nmmsim.provinces.PROVINCES`).

    A scenario's regional levers apply to every province; its ``[provinces.<name>]`` tables
    override them for one province (`nmmsim.scenario`).

    Attributes
    ----------
    investment_amount : (sources, provinces) array
        Per source (`SOURCES`): a share of the province's previous-year real GRDP where
        ``amount_is_share``, else VND trillion at 2024 prices.
    amount_is_share : (sources, provinces) bool array
    amount_is_regional : (sources, provinces) bool array
        For VND amounts: the amount is the region's (region_2022), spread over provinces in
        proportion to base-year GRDP, rather than the province's own.
    split : (sources, destinations, provinces) array
        Share of each source going to each destination (`DESTINATIONS`); sums to 1 over them.
    capital_efficiency, infrastructure_efficiency, training_efficiency, forest_efficiency : (provinces,)
        Share of spending that becomes capital, completed projects, trainees or planted forest.
    short_course_share : (provinces,) array
        Share of training spending on short courses (the rest buys certificates).
    hydropower_revenue_uplift, border_gate_revenue_uplift : (provinces,) arrays
        Relative rise of revenue from industry (hydropower reform) and from product taxes
        (border-gate reform), Resolution 96 Appendix II.
    fdi_projects : (provinces,) array
        FDI registered in the province in the year by named projects, VND trillion at 2024
        prices, on top of what the province attracts.
    """

    investment_amount: FloatArray
    amount_is_share: np.ndarray
    amount_is_regional: np.ndarray
    split: FloatArray
    capital_efficiency: FloatArray
    infrastructure_efficiency: FloatArray
    training_efficiency: FloatArray
    forest_efficiency: FloatArray
    short_course_share: FloatArray
    hydropower_revenue_uplift: FloatArray
    border_gate_revenue_uplift: FloatArray
    fdi_projects: FloatArray

    @classmethod
    def uniform(
        cls,
        *,
        investment_amount: FloatArray,
        amount_is_share: np.ndarray,
        split: FloatArray,
        capital_efficiency: float,
        infrastructure_efficiency: float,
        training_efficiency: float,
        forest_efficiency: float,
        short_course_share: float,
        hydropower_revenue_uplift: float,
        border_gate_revenue_uplift: float,
        n_provinces: int = 15,
    ) -> YearLevers:
        """Regional levers, the same in every province: amounts ``(sources,)``, split
        ``(sources, destinations)``, the rest scalars; VND amounts are the region's."""
        def every(value: float) -> FloatArray:
            return np.full(n_provinces, float(value))

        amounts = np.asarray(investment_amount, dtype=np.float64)
        shares = np.asarray(amount_is_share, dtype=bool)
        return cls(
            investment_amount=np.repeat(amounts[:, None], n_provinces, axis=1),
            amount_is_share=np.repeat(shares[:, None], n_provinces, axis=1),
            amount_is_regional=np.ones((amounts.size, n_provinces), dtype=bool),
            split=np.repeat(np.asarray(split, dtype=np.float64)[:, :, None], n_provinces, axis=2),
            capital_efficiency=every(capital_efficiency),
            infrastructure_efficiency=every(infrastructure_efficiency),
            training_efficiency=every(training_efficiency),
            forest_efficiency=every(forest_efficiency),
            short_course_share=every(short_course_share),
            hydropower_revenue_uplift=every(hydropower_revenue_uplift),
            border_gate_revenue_uplift=every(border_gate_revenue_uplift),
            fdi_projects=every(0.0),
        )


@dataclass(frozen=True, slots=True)
class LeverSchedule:
    """Levers for the consecutive projection years ``years`` (one `YearLevers` each)."""

    years: tuple[int, ...]
    by_year: tuple[YearLevers, ...]

    def __post_init__(self) -> None:
        if len(self.years) != len(self.by_year):
            raise ValueError("one YearLevers per year is needed")

    def at(self, year: int) -> YearLevers:
        """The levers of ``year``."""
        return self.by_year[self.years.index(year)]
