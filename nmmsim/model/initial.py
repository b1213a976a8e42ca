"""The base-year state: observed figures plus the parameters that split them (docs/model.md §3)."""

from __future__ import annotations

import numpy as np

from nmmsim.model.delay import delay3_outflow_fraction
from nmmsim.model.state import Constants, State, sum_sectors
from nmmsim.observed import BaseYear
from nmmsim.parameters import Parameters

__all__ = ["initial_conditions", "sector_stack"]


def sector_stack(agriculture: np.ndarray, industry: np.ndarray, services: np.ndarray) -> np.ndarray:
    """Stack three ``(n,)`` arrays into one ``(3, n)`` array in `nmmsim.levers.SECTORS` order."""
    return np.stack([agriculture, industry, services], axis=0)


def initial_conditions(base: BaseYear, params: Parameters) -> tuple[State, Constants]:
    """The state of the base year and the run's constants, for every draw of ``params``.

    The base-year identities hold exactly for any parameter values: sector value added, GRDP,
    budget revenue, employment, certified share, population, urban share, poverty and forest
    equal the observed figures. TFP levels and the revenue scale are solved for; capital,
    infrastructure, the employment split and the broad trained share come from parameters.
    """
    n = params.n_draws
    ones = np.ones(n)
    value_added = (base.grdp * np.asarray(base.sector_share))[:, None] * ones[None, :]
    capital = value_added * sector_stack(
        params.capital_output_ratio_agriculture,
        params.capital_output_ratio_industry,
        params.capital_output_ratio_services,
    )
    services_share = 1.0 - params.employment_share_agriculture_base - params.employment_share_industry_base
    employment = base.employment * sector_stack(
        params.employment_share_agriculture_base, params.employment_share_industry_base, services_share
    )
    alpha = sector_stack(
        params.capital_elasticity_agriculture,
        params.capital_elasticity_industry,
        params.capital_elasticity_services,
    )
    # Solved so that Cobb-Douglas output equals observed value added in the base year.
    tfp = value_added / (capital**alpha * employment ** (1.0 - alpha))

    infrastructure = params.infrastructure_output_ratio * base.grdp
    base_spending = params.infrastructure_investment_share_base * base.grdp
    # Each stage at the steady state of its yearly spending: stage x outflow fraction = inflow.
    construction_outflow = delay3_outflow_fraction(params.construction_time)
    infrastructure_stage = base_spending / construction_outflow

    tax_intensity = sector_stack(params.tax_intensity_agriculture, params.tax_intensity_industry, ones)
    product_taxes = base.grdp * base.product_tax_share
    value_added_revenue = base.budget_revenue - params.product_tax_collection * product_taxes
    value_added_tax_scale = value_added_revenue / sum_sectors(tax_intensity * value_added)

    state = State(
        capital=capital,
        infrastructure=infrastructure,
        infrastructure_pipeline=np.repeat(infrastructure_stage[None, :], 3, axis=0),
        tfp=tfp,
        employment=employment,
        certified_share=base.certified_share * ones,
        trained_share=base.certified_share * params.trained_to_certified_ratio_base,
        forest=base.forest_established * ones,
        plantation_pipeline=np.full((3, n), base.forest_young / 3.0),
        population=base.population * ones,
        urban_share=base.urban_share * ones,
        price_level=ones.copy(),
        poverty_rate=base.poverty_rate * ones,
        value_added=value_added,
        budget_revenue=base.budget_revenue * ones,
        investment=np.full((6, n), np.nan),  # base-year investment is not observed
        disaster=ones.copy(),  # Typhoon Yagi, September 2024 (MPI2024)
    )
    constants = Constants(
        capital_elasticity=alpha,
        tfp_growth_factor=np.exp(sector_stack(
            params.tfp_growth_agriculture, params.tfp_growth_industry, params.tfp_growth_services
        )),
        tax_intensity=tax_intensity,
        infrastructure_base=infrastructure,
        certified_share_base=base.certified_share * ones,
        employment_per_person=base.employment / base.population * ones,
        labour_force_per_worker=1.0 / (1.0 - base.unemployment_rate) * ones,
        product_tax_ratio=base.product_tax_share / sum(base.sector_share) * ones,
        value_added_tax_scale=value_added_tax_scale,
        # taxed base = VA_nominal^buoyancy / VA_nominal_base^(buoyancy - 1), in logs (step.py)
        taxed_log_offset=(params.tax_buoyancy - 1.0) * np.log(value_added),
        construction_outflow=construction_outflow,
        maturation_outflow=delay3_outflow_fraction(params.plantation_maturation_time),
        land_area=base.land_area,
    )
    return state, constants
