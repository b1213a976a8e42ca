"""Model-discrepancy scales: the likelihood's own uncertain quantities (docs/uncertainty.md §1).

They are sampled with the model parameters when the history conditions them, and stored with them
in the posterior sample, but the model never reads them: only the likelihood of the history does
(`nmmsim.calibration.likelihood`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from nmmsim.priors import Uniform

__all__ = ["DISCREPANCIES", "Discrepancy"]


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """A model-discrepancy scale: sampled with the parameters, from a uniform prior."""

    name: str
    unit: str
    prior: Uniform
    description: str


#: The discrepancy scales, in particle-column order after the model parameters.
DISCREPANCIES: Mapping[str, Discrepancy] = MappingProxyType({d.name: d for d in (
    Discrepancy(
        "provincial_grdp_discrepancy", "1 (log)", Uniform(0.0, 0.25),
        "Standard deviation of the provincial GRDP figures' model discrepancy on the log scale: "
        "province-specific growth the shared parameters cannot represent. Uniform up to 25%, "
        "above the largest gap of the least-squares fit (17%, Bac Giang 2024)"),
    Discrepancy(
        "regional_discrepancy_ratio", "1", Uniform(0.0, 3.0),
        "Model discrepancy of every regional series as a multiple of its measurement error: 0 "
        "when the model fits within measurement error, 3 when it misses by three times it"),
    Discrepancy(
        "provincial_growth_discrepancy", "1/yr", Uniform(0.0, 0.08),
        "Standard deviation of the provincial real growth figures' model discrepancy, in "
        "growth points (0.01 = 1 point a year): a province's year-to-year growth that its "
        "smooth, shock-free history cannot follow (a factory opening, a bad harvest). Uniform "
        "up to 8 points, above the largest gap of the first conditioning (7.6 points, Bac Giang "
        "2022)"),
    Discrepancy(
        "provincial_discrepancy_ratio", "1", Uniform(0.0, 3.0),
        "Model discrepancy of the provincial population, urban share, certified share and "
        "employment figures as a multiple of their measurement error, as for the regional "
        "series: province-specific natural growth, reclassification and survey noise the "
        "shared parameters cannot represent"),
)})
