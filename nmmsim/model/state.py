"""The model's state (stocks and the flows of the year) and its per-draw constants."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nmmsim._types import FloatArray
from nmmsim.model.delay import Delay3

__all__ = ["Constants", "State", "real_grdp", "sum_provinces", "sum_sectors"]


@dataclass(frozen=True, slots=True)
class State:
    """The provinces in one year, for ``n`` draws. Shapes: ``(provinces, n)``, or
    ``(3, provinces, n)`` by sector or pipeline stage (sector first, draws last, see
    `nmmsim.model.step`), or as noted. An aggregate of several provinces (`nmmsim.model.regions`)
    is a `State` of the same fields without the province axis.

    Money in VND trillion at 2024 prices unless said otherwise; people in thousands; shares as
    fractions; forest in thousand hectares.
    """

    # stocks
    capital: FloatArray  # (3, provinces, n) sector capital
    infrastructure: FloatArray  # completed public infrastructure capital
    infrastructure_pipeline: FloatArray  # (3, provinces, n) spending under construction, stages of a DELAY3
    tfp: FloatArray  # (3, provinces, n) base TFP level (before infrastructure and human-capital effects)
    employment: FloatArray  # (3, provinces, n) thousand workers
    certified_share: FloatArray  # of the labour force, degree or certificate
    trained_share: FloatArray  # of the labour force, broad definition incl. short courses
    forest: FloatArray  # established forest counted in cover
    plantation_pipeline: FloatArray  # (3, provinces, n) young plantations, stages of a DELAY3
    population: FloatArray  # thousand, yearly average
    urban_share: FloatArray
    price_level: FloatArray  # GRDP deflator, 1 in 2024
    poverty_rate: FloatArray  # multidimensional poor + near-poor, share of households
    frontier_tfp: FloatArray  # (n,) the frontier's TFP, 1 in the base year
    fdi_pipeline: FloatArray  # (3, provinces, n) FDI registered, not yet disbursed, DELAY3 stages
    employment_rate: FloatArray  # employed persons per inhabitant
    # flows and auxiliaries of the year
    value_added: FloatArray  # (3, provinces, n) real
    budget_revenue: FloatArray  # VND trillion, current prices
    investment: FloatArray  # (6, provinces, n) by destination (nmmsim.levers.DESTINATIONS), real
    fdi_registered: FloatArray  # FDI registered in the year (attracted and projects), real
    fdi_invested: FloatArray  # FDI disbursed and absorbed in the year (part of investment), real
    disaster: FloatArray  # (n,) severe-disaster intensity: 0 or 1 in a draw, its probability if expected


@dataclass(frozen=True, slots=True)
class Constants:
    """Quantities fixed over a run, derived from parameters and the base year.

    Shapes broadcast against the state's: ``(3, 1, n)`` per sector and draw, ``(provinces, 1)``
    per province, ``(provinces, n)`` per province and draw, ``(n,)`` per draw.
    """

    capital_elasticity: FloatArray  # (3, 1, n)
    tfp_growth: FloatArray  # (3, 1, n) sectors' base TFP growth (at the base-year gap to the frontier)
    tax_intensity: FloatArray  # (3, 1, n) relative revenue per unit value added
    infrastructure_base: FloatArray  # base-year infrastructure capital (TFP effect is relative)
    certified_share_base: FloatArray
    labour_force_per_worker: FloatArray  # labour force / employment, base year
    product_tax_ratio: FloatArray  # product taxes / sum of sector value added, base year
    value_added_tax_scale: FloatArray  # revenue per unit relative intensity x value added
    taxed_log_offset: FloatArray  # (3, provinces, n) (tax_buoyancy - 1) x log(base-year value added)
    construction: Delay3  # the infrastructure construction pipeline's delay, mean construction_time
    maturation: Delay3  # the young plantations' delay, mean plantation_maturation_time
    land_area: FloatArray  # (provinces, 1) thousand ha
    allocation: FloatArray  # (provinces, 1) share of a regional amount in VND: base-year GRDP share
    afforestation_allocation: FloatArray  # (provinces, 1) share of baseline afforestation
    frontier_gap_base: FloatArray  # (provinces, n) base-year log gap to the frontier, >= 0
    inverse_frontier_gap: FloatArray  # (provinces, n) 1 / frontier_gap_base, 0 where that is 0
    log_tfp_base: FloatArray  # (3, provinces, n) log TFP in the base year
    fdi_base_share: FloatArray  # (provinces, n) share of the region's FDI at base-year attraction
    fdi_pool: FloatArray  # (provinces, 1) 1 for the provinces that share the region's FDI
    employment_rate_ceiling: FloatArray  # (n,) on the run's survey basis (initial_conditions)
    inverse_employment_room: FloatArray  # (n,) 1 / (that ceiling - the base year's regional rate)
    disbursement: Delay3  # the FDI pipeline's delay, mean fdi_disbursement_time


def sum_sectors(by_sector: FloatArray) -> FloatArray:
    """Sum of a ``(3, ...)`` array over its sectors (or stages), ``(...)``.

    Written as two additions: faster than a reduction over a short axis, and the same for any n.
    """
    total: FloatArray = by_sector[0] + by_sector[1] + by_sector[2]
    return total


def real_grdp(value_added: FloatArray, product_tax_ratio: FloatArray) -> FloatArray:
    """GRDP at base-year prices: sector value added ``(3, ...)`` plus product taxes less subsidies."""
    return sum_sectors(value_added) * (1.0 + product_tax_ratio)


def sum_provinces(values: FloatArray) -> FloatArray:
    """Sum of ``(..., provinces, n)`` over its province axis, ``(..., n)``, adding the provinces
    in order, so that a draw's sum never depends on the batch.

    For two draws or more numpy adds the rows of a non-contiguous axis in order; a single draw
    makes that axis contiguous, which numpy sums pairwise, so it takes a running sum instead
    (``add.accumulate``, in order but 25 times slower).
    """
    if values.shape[-1] == 1:
        running: FloatArray = np.add.accumulate(values, axis=-2)[..., -1, :]
        return running
    total: FloatArray = values.sum(axis=-2)
    return total
