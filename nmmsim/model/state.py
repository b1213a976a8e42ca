"""The model's state (stocks and the flows of the year) and its per-draw constants."""

from __future__ import annotations

from dataclasses import dataclass

from nmmsim._types import FloatArray

__all__ = ["Constants", "State", "real_grdp"]


@dataclass(frozen=True, slots=True)
class State:
    """The region in one year, for ``n`` draws. Shapes: ``(n,)``, ``(n, 3)`` by sector, or as noted.

    Money in VND trillion at 2024 prices unless said otherwise; people in thousands; shares as
    fractions; forest in thousand hectares.
    """

    # stocks
    capital: FloatArray  # (n, 3) sector capital
    infrastructure: FloatArray  # completed public infrastructure capital
    infrastructure_pipeline: FloatArray  # (n, 3) spending under construction, stages of a DELAY3
    tfp: FloatArray  # (n, 3) base TFP level (before infrastructure and human-capital effects)
    employment: FloatArray  # (n, 3) thousand workers
    certified_share: FloatArray  # of the labour force, degree or certificate
    trained_share: FloatArray  # of the labour force, broad definition incl. short courses
    forest: FloatArray  # established forest counted in cover
    plantation_pipeline: FloatArray  # (n, 3) young plantations, stages of a DELAY3
    population: FloatArray  # thousand, yearly average
    urban_share: FloatArray
    price_level: FloatArray  # GRDP deflator, 1 in 2024
    poverty_rate: FloatArray  # multidimensional poor + near-poor, share of households
    # flows and auxiliaries of the year
    value_added: FloatArray  # (n, 3) real
    budget_revenue: FloatArray  # VND trillion, current prices
    investment: FloatArray  # (n, 6) by destination (nmmsim.levers.DESTINATIONS), real
    disaster: FloatArray  # severe-disaster intensity: 0 or 1 in a draw, its probability if expected


@dataclass(frozen=True, slots=True)
class Constants:
    """Per-draw quantities fixed over a run, derived from parameters and the base year."""

    capital_elasticity: FloatArray  # (n, 3)
    tfp_growth: FloatArray  # (n, 3)
    tax_intensity: FloatArray  # (n, 3) relative revenue per unit value added
    infrastructure_base: FloatArray  # base-year infrastructure capital (TFP effect is relative)
    certified_share_base: FloatArray
    employment_per_person: FloatArray  # employment / population, base year
    labour_force_per_worker: FloatArray  # labour force / employment, base year
    product_tax_ratio: FloatArray  # product taxes / sum of sector value added, base year
    value_added_tax_scale: FloatArray  # revenue per unit relative intensity x value added
    nominal_value_added_base: FloatArray  # (n, 3) base for tax buoyancy
    land_area: float  # thousand ha


def real_grdp(value_added: FloatArray, product_tax_ratio: FloatArray) -> FloatArray:
    """GRDP at base-year prices: sector value added ``(n, 3)`` plus product taxes less subsidies."""
    grdp: FloatArray = value_added.sum(axis=1) * (1.0 + product_tax_ratio)
    return grdp
