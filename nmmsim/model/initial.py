"""The base-year state: observed figures, plus the stocks nobody observes, taken from the draw's own
run of the years before (`Carried`) or set by parameters (docs/model.md §3)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nmmsim._types import FloatArray
from nmmsim.base_year import BaseYear
from nmmsim.model.delay import Delay3
from nmmsim.model.state import Constants, State, real_grdp, sum_provinces, sum_sectors
from nmmsim.parameters import Parameters
from nmmsim.provinces import FDI_HUBS, PROVINCES, region_mask

__all__ = ["Carried", "initial_conditions", "productivity", "sector_stack"]


def sector_stack(agriculture: FloatArray, industry: FloatArray, services: FloatArray) -> FloatArray:
    """Stack three ``(n,)`` arrays into one ``(3, 1, n)`` array in `nmmsim.levers.SECTORS` order,
    which broadcasts over the province axis of ``(3, provinces, n)`` arrays."""
    return np.stack([agriculture, industry, services], axis=0)[:, None, :]


@dataclass(frozen=True, slots=True)
class Carried:
    """What a draw's run of the years before the base year leaves of the stocks nobody observes,
    as ratios to observed figures, so that they carry over to the observed base year
    (`nmmsim.past`): capital per unit of its sector's value added, infrastructure and the two
    pipelines per unit of real GRDP, the employment split by sector, and each province's untrained
    share as a fraction of its uncertified share (which keeps the certified share <= the broad
    trained share <= 1). Shapes as the `State`'s."""

    capital_output: FloatArray  # (3, provinces, n)
    infrastructure_output: FloatArray  # (provinces, n)
    infrastructure_pipeline_output: FloatArray  # (3, provinces, n) stages
    fdi_pipeline_output: FloatArray  # (3, provinces, n) stages
    employment_split: FloatArray  # (3, provinces, n) shares of the province's employment
    untrained_per_uncertified: FloatArray  # (provinces, n) (1 - trained) / (1 - certified)

    @classmethod
    def of(cls, state: State, constants: Constants) -> Carried:
        """The ratios of ``state``, the last year of a run with ``constants``."""
        grdp = real_grdp(state.value_added, constants.product_tax_ratio)
        return cls(
            capital_output=state.capital / state.value_added,
            infrastructure_output=state.infrastructure / grdp,
            infrastructure_pipeline_output=state.infrastructure_pipeline / grdp,
            fdi_pipeline_output=state.fdi_pipeline / grdp,
            employment_split=state.employment / sum_sectors(state.employment),
            untrained_per_uncertified=(1.0 - state.trained_share) / (1.0 - state.certified_share),
        )


def initial_conditions(base: BaseYear, params: Parameters, carried: Carried | None = None
                       ) -> tuple[State, Constants]:
    """The state of the base year and the run's constants, for every draw of ``params``.

    The base-year identities hold exactly, per province and for the sum of the provinces of
    ``region_2022``, for any parameter values: sector value added, GRDP, budget revenue,
    employment, certified share, population, urban share, poverty and forest equal the observed
    figures (or the documented rules of `nmmsim.base_year`). TFP levels and the revenue scales are
    solved for. Capital, infrastructure, the pipelines, the employment split and the broad trained
    share come from ``carried`` (the draw's own run of the years before, `nmmsim.past`) or, at
    the start of the history, from parameters.
    """
    n = params.n_draws
    ones = np.ones(n)

    def column(values: FloatArray) -> FloatArray:  # (provinces,) -> (provinces, 1)
        return np.asarray(values, dtype=np.float64)[:, None]

    value_added = (base.grdp * base.sector_share)[:, :, None] * ones
    grdp = column(base.grdp)
    if carried is None:
        capital = value_added * sector_stack(
            params.capital_output_ratio_agriculture,
            params.capital_output_ratio_industry,
            params.capital_output_ratio_services,
        )
        employment = _employment_by_sector(base, params)
    else:
        capital = value_added * carried.capital_output
        employment = base.employment[:, None] * carried.employment_split
    alpha = sector_stack(
        params.capital_elasticity_agriculture,
        params.capital_elasticity_industry,
        params.capital_elasticity_services,
    )
    # Solved so that Cobb-Douglas output equals observed value added in the base year. In a
    # severe-disaster base year (2024: Typhoon Yagi) the farm loss is in the observed value added,
    # not in TFP, so farm output recovers when the loss does not recur.
    tfp = value_added / (capital**alpha * employment ** (1.0 - alpha))
    tfp[0] /= 1.0 - base.disaster * params.disaster_agriculture_loss

    construction = Delay3.of(params.construction_time)
    # FDI: the region's registrations are shared by attraction (nmmsim.model.step)
    fdi_base_share = _fdi_base_share(base, params)
    disbursement = Delay3.of(params.fdi_disbursement_time)
    fdi_pool = region_mask("region_2022").astype(np.float64)[:, None]
    fdi_registered = params.fdi_registration_share_base * np.where(
        fdi_pool > 0.0, base.grdp[fdi_pool[:, 0] > 0.0].sum() * fdi_base_share, grdp)
    if carried is None:
        infrastructure = params.infrastructure_output_ratio * grdp
        # each stage of a pipeline at the steady state of its yearly inflow
        infrastructure_pipeline = np.repeat(construction.steady_stage(
            params.infrastructure_investment_share_base * grdp)[None], 3, axis=0)
        fdi_pipeline = np.repeat(disbursement.steady_stage(fdi_registered)[None], 3, axis=0)
        trained_share = _trained_share(base, params)
    else:
        infrastructure = carried.infrastructure_output * grdp
        infrastructure_pipeline = carried.infrastructure_pipeline_output * grdp
        fdi_pipeline = carried.fdi_pipeline_output * grdp
        trained_share = 1.0 - carried.untrained_per_uncertified * (1.0 - column(base.certified_share))

    tax_intensity = sector_stack(params.tax_intensity_agriculture, params.tax_intensity_industry, ones)
    value_added_tax_scale = _value_added_tax_scale(base, params, tax_intensity, value_added)
    product_tax_ratio = column(base.product_tax_share / base.sector_share.sum(axis=0))
    budget_revenue = value_added_tax_scale * sum_sectors(tax_intensity * value_added) \
        + params.product_tax_collection * column(base.grdp * base.product_tax_share)

    region = region_mask("region_2022")
    state = State(
        capital=capital,
        infrastructure=infrastructure,
        infrastructure_pipeline=infrastructure_pipeline,
        tfp=tfp,
        employment=employment,
        certified_share=column(base.certified_share) * ones,
        trained_share=trained_share,
        forest=column(base.forest_established) * ones,
        plantation_pipeline=np.repeat(column(base.forest_young / 3.0)[None] * ones, 3, axis=0),
        population=column(base.population) * ones,
        urban_share=column(base.urban_share) * ones,
        price_level=np.ones_like(infrastructure),
        poverty_rate=column(base.poverty_rate) * ones,
        frontier_tfp=ones.copy(),
        fdi_pipeline=fdi_pipeline,
        employment_rate=column(base.employment / base.population) * ones,
        value_added=value_added,
        budget_revenue=budget_revenue,
        investment=np.full((6, *infrastructure.shape), np.nan),  # not observed in the base year
        fdi_registered=fdi_registered * ones,
        fdi_invested=np.full_like(infrastructure, np.nan),
        disaster=base.disaster * ones,
    )
    frontier_gap = _frontier_gap(base, params)
    # The ceiling is a level on the survey basis of the reference year (2024). A run that starts
    # on another basis (the history's 2020, before the 2021 break) scales it by the ratio of the
    # two years' regional rates, so that the rate starts as far below its ceiling, relatively, as
    # in 2024: it grows at employment_rate_growth at first in every run.
    base_rate = base.employment[region].sum() / base.population[region].sum()
    ceiling = params.employment_rate_ceiling * (base_rate / base.employment_rate_reference)
    constants = Constants(
        capital_elasticity=alpha,
        tfp_growth=sector_stack(
            params.tfp_growth_agriculture, params.tfp_growth_industry, params.tfp_growth_services
        ),
        tax_intensity=tax_intensity,
        infrastructure_base=infrastructure,
        certified_share_base=column(base.certified_share),
        labour_force_per_worker=column(1.0 / (1.0 - base.unemployment_rate)),
        product_tax_ratio=product_tax_ratio,
        value_added_tax_scale=value_added_tax_scale,
        # taxed base = VA_nominal^buoyancy / VA_nominal_base^(buoyancy - 1), in logs (step.py)
        taxed_log_offset=(params.tax_buoyancy - 1.0) * np.log(value_added),
        construction=construction,
        maturation=Delay3.of(params.plantation_maturation_time),
        land_area=column(base.land_area),
        allocation=column(base.grdp / base.grdp[region].sum()),
        afforestation_allocation=column(base.forest_young / base.forest_young[region].sum()),
        frontier_gap_base=frontier_gap,
        inverse_frontier_gap=np.where(frontier_gap > 0.0, 1.0 / np.where(frontier_gap > 0.0,
                                                                         frontier_gap, 1.0), 0.0),
        log_tfp_base=np.log(tfp),
        fdi_base_share=fdi_base_share,
        fdi_pool=fdi_pool,
        employment_rate_ceiling=ceiling,
        inverse_employment_room=1.0 / (ceiling - base_rate),
        disbursement=disbursement,
    )
    return state, constants


def _value_added_tax_scale(base: BaseYear, params: Parameters, tax_intensity: FloatArray,
                           value_added: FloatArray) -> FloatArray:
    """Revenue per unit of intensity-weighted value added, ``(provinces, n)``.

    Revenue = scale x sum_s(intensity_s x VA_s) + collection x product taxes. A province that
    publishes its revenue gets the scale that reproduces it. The other provinces of
    ``region_2022`` share one scale, which makes the region's total equal the regional figure;
    provinces outside the region without a figure (Vinh Phuc) take that same scale.
    """
    weighted = sum_sectors(tax_intensity * value_added)  # (provinces, n)
    collected = params.product_tax_collection * (base.grdp * base.product_tax_share)[:, None]
    published = ~np.isnan(base.budget_revenue)
    region = region_mask("region_2022")
    rest = region & ~published
    residual_revenue = base.region_budget_revenue - base.budget_revenue[region & published].sum()
    shared_scale = (residual_revenue - sum_provinces(collected[rest])) / sum_provinces(weighted[rest])
    own_scale = (np.nan_to_num(base.budget_revenue)[:, None] - collected) / weighted
    scale: FloatArray = np.where(published[:, None], own_scale, shared_scale)
    return scale


def _trained_share(base: BaseYear, params: Parameters) -> FloatArray:
    """Broad trained share of every province, ``(provinces, n)``.

    Only the region's ratio of broad trained to certified is known (a parameter). Each province's
    untrained share is the same fraction ``k`` of its uncertified share, ``1 - t = k (1 - c)``,
    with ``k`` such that the region's labour-force-weighted trained share is the ratio times its
    certified share. The share then stays between the certified share and 1 in every province.
    """
    region = region_mask("region_2022")
    labour_force = base.employment / (1.0 - base.unemployment_rate)
    certified = (base.certified_share * labour_force)[region].sum() / labour_force[region].sum()
    k = (1.0 - params.trained_to_certified_ratio_base * certified) / (1.0 - certified)
    share: FloatArray = 1.0 - k * (1.0 - base.certified_share[:, None])
    return share


def _employment_by_sector(base: BaseYear, params: Parameters) -> FloatArray:
    """Employment by sector and province, ``(3, provinces, n)``.

    No province publishes its employment by sector; the parameters give the region's agriculture
    and industry shares. Every province is given the same relative labour productivity of
    agriculture to the rest of its economy, and of industry to services, so that its sector
    structure decides its employment split: a province with a share ``v`` of its sector value
    added in agriculture employs ``v / (v + rho (1 - v))`` of its workers there. ``rho`` (and
    ``sigma`` for industry within the rest) is solved so that the provinces of ``region_2022``
    add up to the region's shares exactly.
    """
    region = region_mask("region_2022")
    value_added = base.grdp * base.sector_share  # (3, provinces)
    agriculture = value_added[0] / value_added.sum(axis=0)
    industry = value_added[1] / value_added[1:].sum(axis=0)
    workers = base.employment[region].sum()
    agriculture_share = _split(agriculture, base.employment, region,
                               params.employment_share_agriculture_base * workers)
    rest = base.employment[:, None] * (1.0 - agriculture_share)
    industry_share = _split(industry, rest, region, params.employment_share_industry_base * workers)
    return np.stack([base.employment[:, None] * agriculture_share,
                     rest * industry_share, rest * (1.0 - industry_share)])


def _split(value_share: FloatArray, workers: FloatArray, region: np.ndarray,
           region_total: FloatArray) -> FloatArray:
    """Employment shares ``v / (v + rho (1 - v))``, ``(provinces, n)``, with ``rho`` per draw such
    that the members' employment adds up to ``region_total`` (Newton's method in ``log rho``; the
    sum is monotone in ``rho``, and 8 steps from the one-province solution reach machine
    precision for every parameter inside its bounds)."""
    v = value_share[:, None]
    w = np.broadcast_to(np.asarray(workers, dtype=np.float64).reshape(len(v), -1),
                        (len(v), region_total.shape[0]))[region]
    v_region = sum_provinces(v[region] * w) / sum_provinces(w)
    share_region = region_total / sum_provinces(w)
    log_rho = np.log(v_region * (1.0 - share_region) / (share_region * (1.0 - v_region)))
    for _ in range(8):
        rho = np.exp(log_rho)
        shares = v[region] / (v[region] + rho * (1.0 - v[region]))
        gap = sum_provinces(w * shares) - region_total
        slope = -sum_provinces(w * shares * (1.0 - shares))  # d sum / d log rho
        log_rho -= gap / slope
    split: FloatArray = v / (v + np.exp(log_rho) * (1.0 - v))
    return split


def productivity(grdp: FloatArray, employment: FloatArray) -> FloatArray:
    """GRDP per worker in VND million from GRDP in VND trillion and workers in thousands."""
    return 1e3 * grdp / employment


def _frontier_gap(base: BaseYear, params: Parameters) -> FloatArray:
    """``log(frontier / productivity)`` per province in the base year, ``(provinces, n)``; 0 for
    a province at or beyond the frontier (its TFP grows at the frontier's rate)."""
    frontier = params.frontier_productivity_ratio * base.national_productivity
    gap: FloatArray = np.maximum(np.log(frontier / productivity(base.grdp, base.employment)[:, None]),
                                 0.0)
    return gap


def _fdi_base_share(base: BaseYear, params: Parameters) -> FloatArray:
    """Each member's share of the FDI registered in region_2022 at base-year attraction,
    ``(provinces, n)``: in proportion to its industrial value added, times
    ``1 + hub_attractiveness`` in the hubs (`nmmsim.provinces.FDI_HUBS`); 1 for a province outside
    the region, which registers its own amount. No provincial FDI series exists; the calibration
    to provincial GRDP carries ``hub_attractiveness``."""
    members = region_mask("region_2022")[:, None]
    hub = np.array([p in FDI_HUBS for p in PROVINCES], dtype=np.float64)[:, None]
    weight = (base.grdp * base.sector_share[1])[:, None] * (1.0 + params.hub_attractiveness * hub)
    share: FloatArray = np.where(members, weight / sum_provinces(weight * members), 1.0)
    return share
