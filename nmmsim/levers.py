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
    """The levers of one projection year.

    Attributes
    ----------
    investment_amount : (3,) array
        Per source (`SOURCES`): a share of the previous year's real GRDP where
        ``amount_is_share`` is true, else VND trillion at 2024 prices.
    amount_is_share : (3,) bool array
    split : (3, 6) array
        Share of each source going to each destination (`DESTINATIONS`); rows sum to 1.
    capital_efficiency, infrastructure_efficiency, training_efficiency, forest_efficiency : float
        Share of spending that becomes capital, completed projects, trainees or planted forest.
    short_course_share : float
        Share of training spending on short courses (the rest buys certificates).
    hydropower_revenue_uplift, border_gate_revenue_uplift : float
        Relative rise of revenue from industry (hydropower reform) and from product taxes
        (border-gate reform), Resolution 96 Appendix II.
    """

    investment_amount: FloatArray
    amount_is_share: np.ndarray
    split: FloatArray
    capital_efficiency: float
    infrastructure_efficiency: float
    training_efficiency: float
    forest_efficiency: float
    short_course_share: float
    hydropower_revenue_uplift: float
    border_gate_revenue_uplift: float


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
