"""One year of the model: ``step(state, params, constants, levers, disaster) -> state``.

Every equation is written out in ``docs/model.md`` §2 with the same names. The step is pure and
vectorized over provinces and draws: per-province arrays are ``(provinces, n)``, per-sector arrays
``(3, provinces, n)`` (sector first, draws last, so each province's draws are contiguous and a
parameter of shape ``(n,)`` broadcasts over sectors and provinces as a fast inner loop). Every
equation is element-wise in the draw: no value depends on another draw. Levers are the same for
all draws; regional amounts in VND are allocated to provinces by ``constants.allocation``.
"""

from __future__ import annotations

import numpy as np

from nmmsim._types import FloatArray
from nmmsim.levers import FDI, FOREST, INFRASTRUCTURE, SECTOR_DESTINATIONS, TRAINING, YearLevers
from nmmsim.model.delay import delay3_step
from nmmsim.model.state import Constants, State, real_grdp, sum_provinces, sum_sectors
from nmmsim.parameters import Parameters

__all__ = ["step"]

# spend in VND trillion / cost in VND million per unit -> thousand units
_TRILLION_PER_MILLION_IN_THOUSANDS = 1e3

#: The last year of the history that conditions the parameters (the calibration's
#: `nmmsim.calibration.history.HISTORY_END` is this): each province's own TFP growth holds at
#: full strength through it and fades after it.
HISTORY_LAST_YEAR = 2024


def _share_left(pool: FloatArray, demand: FloatArray) -> FloatArray:
    """Share of ``pool`` a ``demand`` leaves untouched: ``exp(-demand / pool)`` (0 if no pool)."""
    return np.exp(-demand / np.maximum(pool, 1e-12))


def _saturating_gain(pool: FloatArray, demand: FloatArray) -> FloatArray:
    """How much of ``pool`` a ``demand`` takes: ``pool * (1 - exp(-demand / pool))``.

    Close to ``demand`` while the pool is large, never more than the pool (nobody is trained twice,
    no hectare is planted twice).
    """
    safe_pool = np.maximum(pool, 1e-12)
    return safe_pool * -np.expm1(-demand / safe_pool)


def _within_capacity(demand: FloatArray, capacity: FloatArray) -> FloatArray:
    """``demand / (1 + (demand / capacity)^4)^(1/4)``: a smooth minimum of demand and capacity.

    Within 2% of the demand up to half the capacity, never above the capacity, and increasing in
    the demand (more spending never trains fewer people).
    """
    ratio = demand / capacity
    ratio *= ratio
    ratio *= ratio
    served: FloatArray = demand * np.exp(-0.25 * np.log1p(ratio))
    return served


def step(
    state: State,
    params: Parameters,
    constants: Constants,
    levers: YearLevers,
    disaster: FloatArray,
    shock: FloatArray | None = None,
    years_after_history: int = 0,
) -> State:
    """Advance every province by one year.

    Parameters
    ----------
    state : State
        The previous year.
    params : Parameters
        One value per draw for every parameter.
    constants : Constants
        Per-draw constants from `nmmsim.model.initial_conditions`.
    levers : YearLevers
        The levers of the new year.
    disaster : (n,) array
        Severe-disaster intensity of the new year: 0 or 1 per draw (the same in every province),
        or its probability for an expected-value run.
    shock : (provinces, n) array, optional
        Standard-normal TFP growth shock of each province in the new year, scaled by
        ``tfp_shock_sd`` (none: the shock-free path, as deterministic runs and the history use).
    years_after_history : int
        Years from `HISTORY_LAST_YEAR` to the new year (0 within the history): how far each
        province's own TFP growth has faded (``tfp_province_persistence``).

    Returns
    -------
    State
        The new year, stocks and the year's flows.
    """
    # --- population and labour force: people move toward provinces with higher income per head
    grdp_prev = real_grdp(state.value_added, constants.product_tax_ratio)
    log_income = np.log(grdp_prev / state.population)
    mean_log_income = sum_provinces(state.population * log_income) / sum_provinces(state.population)
    migration = params.migration_response * (log_income - mean_log_income)
    population = state.population * (1.0 + params.population_growth + migration)
    # the employment rate grows at its base rate while at the region's base-year rate, ever more
    # slowly toward its ceiling (on the run's survey basis), which it never passes
    employment_rate = state.employment_rate * (1.0 + params.employment_rate_growth * (
        constants.employment_rate_ceiling - state.employment_rate) * constants.inverse_employment_room)
    employment_total = employment_rate * population
    labour_force = constants.labour_force_per_worker * employment_total
    employment_prev_total = sum_sectors(state.employment)
    labour_force_prev = constants.labour_force_per_worker * employment_prev_total

    # --- investment by source and destination: regional amounts, shares of last year's real GRDP
    # (each province's own) or VND (allocated in proportion to base-year GRDP)
    by_source = [
        amount[:, None] * np.where(is_share[:, None], grdp_prev,
                                   np.where(regional[:, None], constants.allocation, 1.0))
        for amount, is_share, regional in zip(levers.investment_amount, levers.amount_is_share,
                                              levers.amount_is_regional, strict=True)
    ]
    # FDI: the region's amount is registered in the provinces that attract it (they compete for
    # it), disbursed through a pipeline, and becomes capacity only within what a province absorbs.
    # A province outside the region (Vinh Phuc) registers its own amount.
    weight = constants.fdi_base_share * np.exp(
        params.fdi_infrastructure_elasticity
        * np.log(state.infrastructure / constants.infrastructure_base)
        + params.fdi_skill_effect * (state.certified_share - constants.certified_share_base)
    )
    pool = constants.fdi_pool
    registered = np.where(
        pool > 0.0,
        sum_provinces(by_source[FDI] * pool) * weight / sum_provinces(weight * pool),
        by_source[FDI],
    )
    registered += levers.fdi_projects[:, None]
    fdi_pipeline, disbursed = delay3_step(state.fdi_pipeline, registered, constants.disbursement)
    absorptive_capacity = (
        params.fdi_absorptive_capacity * state.capital[1]
        * (state.infrastructure / constants.infrastructure_base)
        * (state.certified_share / constants.certified_share_base)
    )
    fdi_invested = _within_capacity(disbursed, absorptive_capacity)
    by_source[FDI] = fdi_invested
    # (6, provinces, n); an explicit sum, not a BLAS matmul, so a draw's result never depends on
    # the batch
    investment = levers.split[0][:, :, None] * by_source[0][None]
    for split, money in zip(levers.split[1:], by_source[1:], strict=True):
        investment += split[:, :, None] * money[None]

    # --- sector capital
    capital = (
        state.capital
        * ((1.0 - params.depreciation_rate) * (1.0 - disaster * params.disaster_capital_loss))
        + levers.capital_efficiency[:, None] * investment[SECTOR_DESTINATIONS]
    )

    # --- infrastructure: spending enters a construction pipeline, completions add to the stock
    pipeline, completed = delay3_step(
        state.infrastructure_pipeline,
        levers.infrastructure_efficiency[:, None] * investment[INFRASTRUCTURE],
        constants.construction,
    )
    infrastructure = state.infrastructure * (1.0 - params.infrastructure_depreciation_rate) + completed

    # --- trained labour: retirement and out-migration, entrants, then programmes
    retiring = params.retirement_rate
    certified_stock = state.certified_share * (1.0 - retiring - params.certified_outmigration_rate)
    trained_stock = (
        state.trained_share * (1.0 - retiring)
        - params.certified_outmigration_rate * state.certified_share
        - params.trained_outmigration_rate * (state.trained_share - state.certified_share)
    )
    # in units of last year's labour force; a shrinking labour force leaves shares unchanged
    growth = np.maximum(labour_force / labour_force_prev - 1.0, 0.0)
    entrants = retiring + growth
    certified_share = (certified_stock + params.entrant_certified_share * entrants) / (1.0 + growth)
    trained_share = (trained_stock + params.entrant_trained_share * entrants) / (1.0 + growth)

    programme = (levers.training_efficiency[:, None] * investment[TRAINING]
                 * _TRILLION_PER_MILLION_IN_THOUSANDS)
    # trainees as shares of the labour force, within the programmes' yearly capacity
    certified_demand = _within_capacity((1.0 - levers.short_course_share[:, None]) * programme / (
        params.cost_per_certified_trainee * labour_force), params.training_capacity)
    short_demand = _within_capacity(levers.short_course_share[:, None] * programme / (
        params.cost_per_short_course_trainee * labour_force), params.training_capacity)
    # Programmes draw from those not yet trained: a share exp(-demand / pool) of the pool is left.
    # Written as 1 - left so shares never exceed 1, even by rounding.
    left_uncertified = _share_left(1.0 - certified_share, certified_demand)
    certified_share = 1.0 - (1.0 - certified_share) * left_uncertified
    # the newly certified who had no training at all also join the broad trained share
    trained_share = 1.0 - (1.0 - trained_share) * left_uncertified
    trained_share = 1.0 - (1.0 - trained_share) * _share_left(1.0 - trained_share, short_demand)

    # --- structural transformation: agriculture -> industry and services
    agri_productivity = state.value_added[0] / state.employment[0]
    non_agri_value_added = state.value_added[1] + state.value_added[2]
    non_agri_productivity = non_agri_value_added / (state.employment[1] + state.employment[2])
    gap = np.maximum(np.log(non_agri_productivity / agri_productivity), 0.0)
    skill = state.certified_share / constants.certified_share_base
    rate = -np.expm1(-params.reallocation_speed * gap * skill)
    movers = state.employment[0] / employment_prev_total * rate  # share of employment moving
    employment_scale = employment_total / employment_prev_total
    employment = np.empty_like(state.employment)
    employment[0] = state.employment[0] * employment_scale - movers * employment_total
    employment[1:] = (state.employment[1:] * employment_scale
                      + (movers * employment_total / non_agri_value_added) * state.value_added[1:])

    # --- productivity and output
    # TFP catches up to the frontier: its base growth while a province's technology gap is the
    # base-year gap, falling to the frontier's TFP growth as the gap closes. The gap left is the
    # base-year gap of labour productivity, less what the sector's TFP has gained on the
    # frontier's TFP since (last year's), in labour-productivity terms (/ (1 - alpha)). Capital
    # deepening does not close it: more investment never slows TFP growth.
    closed = ((np.log(state.tfp) - constants.log_tfp_base - np.log(state.frontier_tfp))
              / (1.0 - constants.capital_elasticity))
    catch_up = np.clip((constants.frontier_gap_base - closed) * constants.inverse_frontier_gap,
                       0.0, 1.0)
    # each province's own TFP growth, at full strength through the history, fades after it
    own = params.tfp_growth_province
    if years_after_history > 0:
        own = own * np.exp(-years_after_history / params.tfp_province_persistence)
    tfp_growth = params.frontier_tfp_growth + (
        constants.tfp_growth + own - params.frontier_tfp_growth) * catch_up
    if shock is not None:
        tfp_growth = tfp_growth + params.tfp_shock_sd * shock
    tfp = state.tfp * np.exp(tfp_growth)
    frontier_tfp = state.frontier_tfp * np.exp(params.frontier_tfp_growth)
    # in logs: ln VA = ln A + eps_G ln(G / G_2024) + theta (h_c - h_c,2024) + alpha ln K
    # + (1 - alpha) ln L; the log is reused for the tax base below
    log_tfp_effect = (
        params.infrastructure_elasticity * np.log(infrastructure / constants.infrastructure_base)
        + params.human_capital_effect * (certified_share - constants.certified_share_base)
    )
    log_employment = np.log(employment)
    log_value_added = constants.capital_elasticity * (np.log(capital) - log_employment)
    log_value_added += log_employment
    log_value_added += np.log(tfp)
    log_value_added += log_tfp_effect
    log_value_added[0] += np.log1p(-disaster * params.disaster_agriculture_loss)
    value_added = np.exp(log_value_added)
    grdp = real_grdp(value_added, constants.product_tax_ratio)

    # --- forest: afforestation -> young plantations -> counted forest
    programme_hectares = (
        levers.forest_efficiency[:, None] * investment[FOREST] * _TRILLION_PER_MILLION_IN_THOUSANDS
        / params.cost_per_hectare
    )
    plantable = constants.land_area - state.forest - sum_sectors(state.plantation_pipeline)
    afforestation = _saturating_gain(
        plantable, params.afforestation_base * constants.afforestation_allocation + programme_hectares)
    plantation_pipeline, matured = delay3_step(
        state.plantation_pipeline, afforestation, constants.maturation
    )
    forest = (
        state.forest * (1.0 - params.forest_loss_rate) * (1.0 - disaster * params.disaster_forest_loss)
        + matured
    )

    # --- urbanization and poverty
    urbanizing = -np.expm1(
        -(params.urbanization_trend + params.urbanization_structural_effect * movers)
    )
    urban_share = state.urban_share + (1.0 - state.urban_share) * urbanizing
    per_capita_growth = np.log((grdp * state.population) / (grdp_prev * population))
    poverty_logit = np.log(state.poverty_rate / (1.0 - state.poverty_rate)) - (
        params.poverty_growth_elasticity * per_capita_growth
    )
    poverty_rate = 1.0 / (1.0 + np.exp(-poverty_logit))

    # --- prices and budget revenue (current prices)
    price_level = state.price_level * (1.0 + params.deflator_growth)
    # taxed base per sector: VA_nominal x (VA_nominal / VA_nominal_base)^(buoyancy - 1), in logs
    # (the base year's price level is 1, so its nominal value added is the real one)
    log_nominal = log_value_added + np.log(price_level)
    taxed = np.exp(params.tax_buoyancy * log_nominal - constants.taxed_log_offset)
    intensity = constants.tax_intensity
    value_added_revenue = constants.value_added_tax_scale * (
        intensity[0] * taxed[0]
        + intensity[1] * (1.0 + levers.hydropower_revenue_uplift[:, None]) * taxed[1]
        + intensity[2] * taxed[2]
    )
    product_tax_revenue = (
        params.product_tax_collection
        * (1.0 + levers.border_gate_revenue_uplift[:, None])
        * constants.product_tax_ratio
        * sum_sectors(value_added) * price_level
    )

    return State(
        capital=capital,
        infrastructure=infrastructure,
        infrastructure_pipeline=pipeline,
        tfp=tfp,
        employment=employment,
        certified_share=certified_share,
        trained_share=trained_share,
        forest=forest,
        plantation_pipeline=plantation_pipeline,
        population=population,
        urban_share=urban_share,
        price_level=price_level,
        poverty_rate=poverty_rate,
        frontier_tfp=frontier_tfp,
        fdi_pipeline=fdi_pipeline,
        employment_rate=employment_rate,
        value_added=value_added,
        budget_revenue=value_added_revenue + product_tax_revenue,
        investment=investment,
        fdi_registered=registered,
        fdi_invested=fdi_invested,
        disaster=disaster,
    )
