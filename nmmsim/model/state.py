"""The model's state (stocks and the flows of the year) and its per-draw constants."""

from __future__ import annotations

from dataclasses import dataclass

from nmmsim._types import FloatArray

__all__ = ["Constants", "State", "real_grdp", "sum_sectors"]


@dataclass(frozen=True, slots=True)
class State:
    """The region in one year, for ``n`` draws. Shapes: ``(n,)``, or ``(3, n)`` by sector (sector
    first, see `nmmsim.model.step`), or as noted.

    Money in VND trillion at 2024 prices unless said otherwise; people in thousands; shares as
    fractions; forest in thousand hectares.
    """

    # stocks
    capital: FloatArray  # (3, n) sector capital
    infrastructure: FloatArray  # completed public infrastructure capital
    infrastructure_pipeline: FloatArray  # (3, n) spending under construction, stages of a DELAY3
    tfp: FloatArray  # (3, n) base TFP level (before infrastructure and human-capital effects)
    employment: FloatArray  # (3, n) thousand workers
    certified_share: FloatArray  # of the labour force, degree or certificate
    trained_share: FloatArray  # of the labour force, broad definition incl. short courses
    forest: FloatArray  # established forest counted in cover
    plantation_pipeline: FloatArray  # (3, n) young plantations, stages of a DELAY3
    population: FloatArray  # thousand, yearly average
    urban_share: FloatArray
    price_level: FloatArray  # GRDP deflator, 1 in 2024
    poverty_rate: FloatArray  # multidimensional poor + near-poor, share of households
    # flows and auxiliaries of the year
    value_added: FloatArray  # (3, n) real
    budget_revenue: FloatArray  # VND trillion, current prices
    investment: FloatArray  # (6, n) by destination (nmmsim.levers.DESTINATIONS), real
    disaster: FloatArray  # severe-disaster intensity: 0 or 1 in a draw, its probability if expected


@dataclass(frozen=True, slots=True)
class Constants:
    """Per-draw quantities fixed over a run, derived from parameters and the base year."""

    capital_elasticity: FloatArray  # (3, n)
    tfp_growth_factor: FloatArray  # (3, n) exp(base TFP growth)
    tax_intensity: FloatArray  # (3, n) relative revenue per unit value added
    infrastructure_base: FloatArray  # base-year infrastructure capital (TFP effect is relative)
    certified_share_base: FloatArray
    employment_per_person: FloatArray  # employment / population, base year
    labour_force_per_worker: FloatArray  # labour force / employment, base year
    product_tax_ratio: FloatArray  # product taxes / sum of sector value added, base year
    value_added_tax_scale: FloatArray  # revenue per unit relative intensity x value added
    taxed_log_offset: FloatArray  # (3, n) (tax_buoyancy - 1) x log(base-year value added)
    construction_outflow: FloatArray  # share of each infrastructure pipeline stage completing a year
    maturation_outflow: FloatArray  # share of each plantation pipeline stage maturing a year
    land_area: float  # thousand ha


def sum_sectors(by_sector: FloatArray) -> FloatArray:
    """Sum of a ``(3, n)`` array over its sectors (or stages), ``(n,)``.

    Written as two additions: faster than a reduction over a short axis, and the same for any n.
    """
    total: FloatArray = by_sector[0] + by_sector[1] + by_sector[2]
    return total


def real_grdp(value_added: FloatArray, product_tax_ratio: FloatArray) -> FloatArray:
    """GRDP at base-year prices: sector value added ``(3, n)`` plus product taxes less subsidies."""
    return sum_sectors(value_added) * (1.0 + product_tax_ratio)
