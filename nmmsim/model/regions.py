"""Regions as aggregates of provinces, computed draw by draw from the provincial state.

A region's state is a `State` without the province axis: levels are sums over its provinces,
shares are weighted means with the weights that make them the region's own share (docs/model.md
§6, "Aggregates"):

* certified and broad trained shares: weighted by the labour force;
* urban share and poverty rate: weighted by population (household counts are not in the data);
* price level: nominal over real GRDP (a GRDP deflator of the region).

Monte Carlo statistics of a region are then statistics of this aggregate itself, not sums of
provincial quantiles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np

from nmmsim._types import FloatArray
from nmmsim.model.state import Constants, State, real_grdp, sum_provinces, sum_sectors
from nmmsim.provinces import region_mask

__all__ = ["Accounts", "aggregate", "province", "province_accounts", "region_paths"]


@dataclass(frozen=True, slots=True)
class Accounts:
    """What result variables need besides the state: product taxes per unit of sector value added
    and the land area (thousand ha), shaped to broadcast against the state's arrays."""

    product_tax_ratio: FloatArray
    land_area: FloatArray


def province_accounts(constants: Constants) -> Accounts:
    """The accounts of every province, ``(provinces, 1)``."""
    return Accounts(product_tax_ratio=constants.product_tax_ratio, land_area=constants.land_area)


def aggregate(state: State, constants: Constants, region: str) -> tuple[State, Accounts]:
    """The state of ``region`` (see the module doc), with its accounts.

    Arrays lose their province axis: ``(3, n)`` by sector, ``(n,)`` otherwise. ``tfp`` has no
    regional meaning and is NaN.
    """
    runs = _runs(region_mask(region))

    def total(values: FloatArray) -> FloatArray:
        # contiguous runs of members are summed as views (no copy), in province order
        summed = sum_provinces(values[..., runs[0], :])
        for run in runs[1:]:
            summed = summed + sum_provinces(values[..., run, :])
        return summed

    def mean(values: FloatArray, weights: FloatArray) -> FloatArray:
        return total(values * weights) / total(weights)

    labour_force = sum_sectors(state.employment) * constants.labour_force_per_worker
    real = real_grdp(state.value_added, constants.product_tax_ratio)
    value_added = total(state.value_added)
    region_real = total(real)
    aggregated = State(
        capital=total(state.capital),
        infrastructure=total(state.infrastructure),
        infrastructure_pipeline=total(state.infrastructure_pipeline),
        tfp=np.full_like(value_added, np.nan),
        employment=total(state.employment),
        certified_share=mean(state.certified_share, labour_force),
        trained_share=mean(state.trained_share, labour_force),
        forest=total(state.forest),
        plantation_pipeline=total(state.plantation_pipeline),
        population=total(state.population),
        urban_share=mean(state.urban_share, state.population),
        price_level=total(real * state.price_level) / region_real,
        poverty_rate=mean(state.poverty_rate, state.population),
        frontier_tfp=state.frontier_tfp,
        fdi_pipeline=total(state.fdi_pipeline),
        employment_rate=total(sum_sectors(state.employment)) / total(state.population),
        value_added=value_added,
        budget_revenue=total(state.budget_revenue),
        investment=total(state.investment),
        fdi_registered=total(state.fdi_registered),
        fdi_invested=total(state.fdi_invested),
        disaster=state.disaster,
    )
    accounts = Accounts(
        product_tax_ratio=region_real / sum_sectors(value_added) - 1.0,
        land_area=total(constants.land_area),
    )
    return aggregated, accounts


def province(state: State, constants: Constants, index: int) -> tuple[State, Accounts]:
    """The state of province ``index`` alone, shaped as a region's (no province axis)."""
    sliced = {f.name: (value[..., index, :] if value.ndim >= 2 else value)
              for f in fields(State) for value in (getattr(state, f.name),)}
    accounts = Accounts(product_tax_ratio=constants.product_tax_ratio[index],
                        land_area=constants.land_area[index])
    return State(**sliced), accounts


def _runs(mask: np.ndarray) -> list[slice]:
    """The contiguous runs of ``True`` in ``mask`` as slices, in order."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return [slice(int(start), int(stop)) for start, stop in zip(edges[::2], edges[1::2], strict=True)]


def region_paths(states: Sequence[State], constants: Constants, region: str
                 ) -> tuple[list[State], list[Accounts]]:
    """`aggregate` of every year's state."""
    pairs = [aggregate(state, constants, region) for state in states]
    return [s for s, _ in pairs], [a for _, a in pairs]
