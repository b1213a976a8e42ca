"""The parameter registry: every behavioural and uncertain parameter of the model, declared once.

Each field of `Parameters` is one parameter; its metadata (`ParameterSpec`) gives the unit, bounds,
default, prior, group, description and source id (from ``calibration/SOURCES.md``) or
``"assumption"``. `REGISTRY` is read off those fields, so a parameter cannot be declared twice or
documented apart from its definition. ``docs/model.md`` lists the same table.

Most parameters are shared by the provinces: an array of shape ``(n_draws,)``. A *provincial*
parameter has one value per province, an array ``(provinces, n_draws)`` in `PROVINCES` order.
Whatever draws, fixes or conditions parameters one number at a time (priors, the posterior, the
scenario's ``[parameters]``) works on *quantities* (`QUANTITIES`): a shared parameter is one
quantity under its own name, a provincial one is a quantity per province, named
``name[Province]`` (`quantity_name`). A provincial parameter's name without a province stands for
all its quantities.
"""

from __future__ import annotations

import math
import types
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

import numpy as np

from nmmsim._types import FloatArray
from nmmsim.errors import ParameterError, did_you_mean
from nmmsim.priors import Prior, Triangular
from nmmsim.provinces import PROVINCES

__all__ = ["QUANTITIES", "REGISTRY", "SETTABLE", "ParameterGroup", "ParameterSpec", "Parameters",
           "check_in_bounds", "expand_quantities", "quantity_name"]

ParameterGroup = Literal[
    "production", "tfp", "infrastructure", "fdi", "labour", "training", "forest", "population",
    "prices", "revenue", "disasters",
]


@dataclass(frozen=True, slots=True)
class ParameterSpec:
    """Declaration of one parameter. Construction checks that the default lies inside the bounds."""

    name: str
    unit: str
    default: float
    bounds: tuple[float, float]
    prior: Prior
    group: ParameterGroup
    description: str
    source: str
    provincial: bool = False  # one value per province, ``(provinces, n_draws)``

    def __post_init__(self) -> None:
        low, high = self.bounds
        if not self.name.isidentifier():
            raise ParameterError(f"parameter name {self.name!r} is not a Python identifier")
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ParameterError(f"{self.name}: bounds {self.bounds} must be finite with low < high")
        if not low <= self.default <= high:
            raise ParameterError(f"{self.name}: default {self.default} is outside {self.bounds}")
        p_low, p_high = self.prior.support
        if p_low < low or p_high > high:
            raise ParameterError(
                f"{self.name}: prior support {self.prior.support} exceeds bounds {self.bounds}"
            )
        if not self.source:
            raise ParameterError(f"{self.name}: give a source id or 'assumption'")


def _declare(
    unit: str,
    default: float,
    bounds: tuple[float, float],
    group: ParameterGroup,
    description: str,
    source: str = "assumption",
    prior: Prior | None = None,
    provincial: bool = False,
) -> Any:
    """A dataclass field carrying its parameter declaration (the name is filled in from the field)."""
    spec = {
        "unit": unit,
        "default": default,
        "bounds": bounds,
        "group": group,
        "description": description,
        "source": source,
        "prior": prior if prior is not None else Triangular(bounds[0], default, bounds[1]),
        "provincial": provincial,
    }
    return field(metadata={"spec": spec})


@dataclass(frozen=True, slots=True)
class Parameters:
    """Parameter values for a batch of draws: every field is a float64 array of shape
    ``(n_draws,)``, or ``(provinces, n_draws)`` for a provincial parameter.

    Build with `Parameters.defaults` or `Parameters.from_values`; both check names and bounds.
    """

    # --- production: Cobb-Douglas value added by sector -----------------------------------------
    capital_elasticity_agriculture: FloatArray = _declare(
        "1", 0.35, (0.20, 0.55), "production",
        "Output elasticity of capital, agriculture-forestry-fishery; growth accounting for Viet Nam "
        "gives capital a large share of growth (Phan Minh Ngoc 2008)")
    capital_elasticity_industry: FloatArray = _declare(
        "1", 0.50, (0.30, 0.70), "production",
        "Output elasticity of capital, industry-construction")
    capital_elasticity_services: FloatArray = _declare(
        "1", 0.45, (0.30, 0.65), "production",
        "Output elasticity of capital, services")
    capital_output_ratio_agriculture: FloatArray = _declare(
        "year", 2.0, (1.2, 3.5), "production",
        "Capital stock / value added in 2020, where the history run starts (a projection's 2024 "
        "ratio is what the draw's own 2021-2024 run builds from it), agriculture-forestry-fishery")
    capital_output_ratio_industry: FloatArray = _declare(
        "year", 3.0, (2.0, 4.5), "production",
        "Capital stock / value added in 2020, where the history run starts, industry-construction")
    capital_output_ratio_services: FloatArray = _declare(
        "year", 3.0, (2.0, 4.5), "production",
        "Capital stock / value added in 2020, where the history run starts, services")
    depreciation_rate: FloatArray = _declare(
        "1/year", 0.05, (0.03, 0.08), "production",
        "Depreciation of sector capital")
    # --- TFP ---------------------------------------------------------------------------------------
    tfp_growth_agriculture: FloatArray = _declare(
        "1/year", 0.010, (-0.010, 0.030), "tfp",
        "Base TFP growth, agriculture-forestry-fishery, at a province's base-year gap to the "
        "frontier (it falls toward frontier_tfp_growth as the gap closes); TFP grew about "
        "1.36%/yr in Ha Giang 2011-2020 (Phan Dang Dong and Nguyen Thi Thu Thuong 2022)")
    tfp_growth_industry: FloatArray = _declare(
        "1/year", 0.013, (-0.010, 0.040), "tfp",
        "Base TFP growth, industry-construction, at a province's base-year gap to the frontier")
    tfp_growth_services: FloatArray = _declare(
        "1/year", 0.010, (-0.010, 0.030), "tfp",
        "Base TFP growth, services, at a province's base-year gap to the frontier")
    tfp_growth_province: FloatArray = _declare(
        "1/year", 0.0, (-0.040, 0.040), "tfp",
        "A province's own addition to the base TFP growth of all its sectors (it fades with the "
        "catch-up as the base growth does); what the shared parameters, the FDI hubs and the "
        "sector structure leave of a province's persistent growth: the provinces' mean nominal "
        "GRDP growth 2019-2024 differs from their average by -2.4 points a year (Thai Nguyen) "
        "to +5.8 (Bac Giang) (provinces.csv); TFP moves GRDP growth by about 1 / (1 - capital "
        "elasticity), about 2, times as much in the long run, and the catch-up fades it, so the "
        "range is 1.4 times the 2.9 points the largest gap needs (at +-3 points, Bac Giang's "
        "posterior piled against the bound)",
        source="NSO-E02.58;NSO-E02.45", provincial=True)
    tfp_province_persistence: FloatArray = _declare(
        "year", 10.0, (4.0, 40.0), "tfp",
        "How long a province's own TFP growth (tfp_growth_province) lasts after 2024, the last "
        "year of the history that conditions it: it fades as exp(-years after 2024 / this), "
        "so 10 keeps 55% of it in 2030 and 7% in 2050. The history cannot tell (it holds the "
        "differences at full strength); across countries, growth differences over one decade "
        "predict little of the next (decade-to-decade correlations about 0.1-0.3, Easterly, "
        "Kremer, Pritchett and Summers 1993), about 6-10 years at this scale; provinces of one "
        "country share more of what makes growth, hence a range up to 40 years")
    frontier_productivity_ratio: FloatArray = _declare(
        "1", 1.6, (1.3, 2.5), "tfp",
        "Productivity frontier that provinces catch up to, as a multiple of national labour "
        "productivity in the base year (221.95 million VND a worker in 2024, G2); above the most "
        "productive province of the model (Vinh Phuc, 1.29 x national in 2024); the leading "
        "provinces of the country are not in the data")
    frontier_tfp_growth: FloatArray = _declare(
        "1/year", 0.010, (0.000, 0.020), "tfp",
        "TFP growth of the frontier, and so of a province that has closed its gap to it (all "
        "sectors); technical progress was about 20% of Viet Nam's growth 1985-2006 (Nguyen Khac "
        "Minh and Giang Thanh Long 2008), about 1.4%/yr, and capital 84-89% of it 1975-2005 "
        "(Phan Minh Ngoc 2008): national labour productivity, which grew 3.7-6.7% a year "
        "2019-2024 (G4, G3), grows mostly by capital deepening, which does not close the gap")
    tfp_shock_sd: FloatArray = _declare(
        "1/year", 0.015, (0.000, 0.030), "tfp",
        "Standard deviation of a province's yearly TFP growth shock (independent across provinces "
        "and years, permanent in level; Monte Carlo runs only). The provincial panel's nominal "
        "GRDP growth, less each province's mean and each year's regional mean, varies by 3.0%/yr "
        "2019-2024 (provinces.csv): the upper bound, since that includes the derived series' "
        "measurement error (2.4% a level); the mode takes half of it",
        source="NSO-E02.58;NSO-E02.45")
    human_capital_effect: FloatArray = _declare(
        "1/(share of labour force)", 0.50, (0.20, 1.00), "tfp",
        "Semi-elasticity of TFP to the certified share: TFP x exp(effect x change in share)")
    # --- infrastructure ----------------------------------------------------------------------------
    infrastructure_elasticity: FloatArray = _declare(
        "1", 0.08, (0.00, 0.20), "infrastructure",
        "Output elasticity of public infrastructure capital (all sectors)")
    infrastructure_output_ratio: FloatArray = _declare(
        "year", 0.80, (0.40, 1.50), "infrastructure",
        "Public infrastructure capital / GRDP in 2020, where the history run starts (a projection's "
        "2024 ratio is what the draw's own 2021-2024 run builds from it)")
    infrastructure_depreciation_rate: FloatArray = _declare(
        "1/year", 0.030, (0.020, 0.050), "infrastructure",
        "Depreciation of completed infrastructure")
    construction_time: FloatArray = _declare(
        "year", 3.0, (1.5, 5.0), "infrastructure",
        "Mean time from infrastructure spending to completion (third-order delay)")
    infrastructure_investment_share_base: FloatArray = _declare(
        "share of GRDP", 0.050, (0.030, 0.080), "infrastructure",
        "Infrastructure spending in 2020, which fills the construction pipeline where the history "
        "run starts; "
        "national state investment was 8.8% of GDP in 2024 (M1, G4), of which infrastructure is a "
        "part")
    # --- FDI: registrations -> disbursement -> capacity ------------------------------------------
    fdi_infrastructure_elasticity: FloatArray = _declare(
        "1", 0.50, (0.00, 1.00), "fdi",
        "Elasticity of a province's FDI registrations to its infrastructure capital relative to "
        "the base year")
    fdi_skill_effect: FloatArray = _declare(
        "1/(share of labour force)", 3.0, (0.0, 8.0), "fdi",
        "Semi-elasticity of a province's FDI registrations to its certified share relative to "
        "the base year")
    hub_attractiveness: FloatArray = _declare(
        "1", 1.0, (0.0, 4.0), "fdi",
        "Extra FDI registrations per unit of industrial value added in the four FDI-industry hubs "
        "on the Hanoi corridor (Bac Giang, Thai Nguyen, Phu Tho, Vinh Phuc): 1 means twice the "
        "rate of other provinces; no provincial FDI series was found (provinces SOURCES.md, gaps)")
    fdi_registration_share_base: FloatArray = _declare(
        "share of GRDP", 0.046, (0.030, 0.080), "fdi",
        "FDI registered in a run's first year: it fills the disbursement pipeline where the history "
        "run starts (2020) and is the base year's registrations of a projection (2024): 90 new "
        "projects, USD 1.8 billion in 2024 (MPI2024), 4.6% of GRDP at the 25,425 VND/USD implied "
        "by the same article's revenue figures", source="MPI2024")
    fdi_disbursement_time: FloatArray = _declare(
        "year", 2.0, (1.0, 4.0), "fdi",
        "Mean time from FDI registration to disbursement (third-order delay)")
    fdi_absorptive_capacity: FloatArray = _declare(
        "1/year", 0.15, (0.05, 0.40), "fdi",
        "Most disbursed FDI a province turns into capacity in a year, as a share of its industrial "
        "capital, scaled by its infrastructure and certified share relative to the base year "
        "(industrial-park land, infrastructure, trained labour); the rest does not go ahead")
    # --- labour ------------------------------------------------------------------------------------
    employment_share_agriculture_base: FloatArray = _declare(
        "share of employment", 0.55, (0.45, 0.65), "labour",
        "Agriculture-forestry-fishery share of employment in 2020, where the history run starts (a "
        "projection's 2024 split is what the draw's own 2021-2024 run moves it to; no regional figure "
        "found; national 2024 share is lower)")
    employment_share_industry_base: FloatArray = _declare(
        "share of employment", 0.22, (0.15, 0.30), "labour",
        "Industry-construction share of employment in 2020, where the history run starts (services "
        "take the rest)")
    reallocation_speed: FloatArray = _declare(
        "1/year", 0.020, (0.000, 0.060), "labour",
        "Speed of the move of workers out of agriculture per unit log productivity gap, scaled "
        "by the certified share relative to the base year")
    # --- training ----------------------------------------------------------------------------------
    retirement_rate: FloatArray = _declare(
        "1/year", 0.025, (0.015, 0.035), "training",
        "Share of the labour force retiring each year, replaced by new entrants")
    entrant_certified_share: FloatArray = _declare(
        "share of entrants", 0.30, (0.20, 0.50), "training",
        "Share of new labour-force entrants leaving the education system with a degree or "
        "certificate")
    entrant_trained_share: FloatArray = _declare(
        "share of entrants", 0.75, (0.55, 0.90), "training",
        "Share of new entrants with any training (broad definition incl. short courses)")
    certified_outmigration_rate: FloatArray = _declare(
        "1/year", 0.010, (0.000, 0.030), "training",
        "Yearly out-migration of certified workers (replaced by uncertified ones)")
    trained_outmigration_rate: FloatArray = _declare(
        "1/year", 0.005, (0.000, 0.020), "training",
        "Yearly out-migration of trained but uncertified workers")
    cost_per_certified_trainee: FloatArray = _declare(
        "VND million per person", 25.0, (10.0, 60.0), "training",
        "Programme cost of one worker gaining a certificate")
    training_capacity: FloatArray = _declare(
        "share of labour force per year", 0.03, (0.01, 0.06), "training",
        "Most a province's programmes can train in a year (certificates and short courses each), "
        "as a share of its labour force; demand beyond it is served ever less")
    cost_per_short_course_trainee: FloatArray = _declare(
        "VND million per person", 6.0, (2.0, 12.0), "training",
        "Programme cost of one worker completing a short course (broad training)")
    trained_to_certified_ratio_base: FloatArray = _declare(
        "1", 2.45, (2.30, 2.70), "training",
        "Broad trained share / certified share in 2020, where the history run starts (a "
        "projection's 2024 ratio is what the draw's own 2021-2024 run moves it to); nationally "
        "64.5/24.1 = 2.68 in "
        "2020 and about 70/29 = 2.41 in 2025 (N3); no regional broad figure exists",
        source="N3")
    # --- forest ------------------------------------------------------------------------------------
    plantation_maturation_time: FloatArray = _declare(
        "year", 4.0, (2.0, 7.0), "forest",
        "Mean time for young plantations to count in forest cover (third-order delay)")
    afforestation_base: FloatArray = _declare(
        "thousand ha/year", 74.0, (30.0, 90.0), "forest",
        "Afforestation outside the scenario's forest programmes (incl. replanting after harvest); "
        "the default keeps the 2023 young-plantation stock (296 thousand ha, F1) steady at the "
        "default maturation time: 296 / 4 years")
    forest_loss_rate: FloatArray = _declare(
        "1/year", 0.0144, (0.0040, 0.0250), "forest",
        "Yearly harvest and conversion of counted forest; the default balances the default "
        "maturation flow (74 of 5,143 thousand ha), so cover is steady without programmes, as "
        "national cover was steady 2019-2024 (F2, F3, F4)")
    cost_per_hectare: FloatArray = _declare(
        "VND million per ha", 40.0, (20.0, 80.0), "forest",
        "Programme cost of establishing one hectare of forest")
    # --- population and society --------------------------------------------------------------------
    population_growth: FloatArray = _declare(
        "1/year", 0.0120, (0.0060, 0.0160), "population",
        "Population growth of the provinces together (natural growth and net migration out of "
        "the region); 1.20%/yr on average 2019-2024 (G1)", source="G1")
    employment_rate_growth: FloatArray = _declare(
        "1/year", 0.004, (0.000, 0.018), "population",
        "Growth of employment per person (participation, formalisation); region 2022-2024: "
        "employment +1.6%/yr against population +1.2%/yr (G3, G1), 2021-2024: 2.85% against "
        "1.06% (partly the recovery after the 2021 survey break)")
    employment_rate_ceiling: FloatArray = _declare(
        "employed per inhabitant", 0.65, (0.60, 0.75), "population",
        "Employment rate the provinces approach but never pass: employment grows at "
        "employment_rate_growth while a province's rate is the region's 2024 rate (0.468), ever "
        "more slowly toward this ceiling; the highest 2024 rate is Hoa Binh's, 0.569 (G3, G1). "
        "Stated on 2024's survey basis: the history, which starts in 2020 before the 2021 "
        "break, scales it by 0.597 / 0.468 (model.md §2)")
    migration_response: FloatArray = _declare(
        "1/year", 0.005, (0.000, 0.020), "population",
        "Net migration between the provinces, a share of a province's population a year per "
        "unit of the log gap between its real GRDP per capita and the 15 provinces' population-"
        "weighted mean; moves people without changing their total")
    urbanization_trend: FloatArray = _declare(
        "1/year", 0.006, (0.000, 0.020), "population",
        "Share of the rural population becoming urban each year, besides structural change")
    urbanization_structural_effect: FloatArray = _declare(
        "1", 0.50, (0.00, 1.50), "population",
        "Urbanization per unit rise of the non-agricultural employment share")
    poverty_growth_elasticity: FloatArray = _declare(
        "1", 2.5, (1.0, 4.0), "population",
        "Fall in the log-odds of the poverty rate per unit real GRDP-per-capita growth; the rate "
        "fell from 21.92% (2022) to 15.1% (2024) (V1, V2, C5)")
    # --- prices and revenue ------------------------------------------------------------------------
    deflator_growth: FloatArray = _declare(
        "1/year", 0.030, (0.015, 0.050), "prices",
        "GRDP deflator growth; national GDP deflator grew 3.0%/yr on average 2020-2024 (G4)",
        source="G4")
    tax_buoyancy: FloatArray = _declare(
        "1", 1.00, (0.80, 1.30), "revenue",
        "Elasticity of value-added tax revenue to the nominal tax base")
    product_tax_collection: FloatArray = _declare(
        "1", 0.80, (0.50, 1.00), "revenue",
        "Share of product taxes (4.44% of GRDP in 2024, MPI2024) collected as regional revenue")
    tax_intensity_agriculture: FloatArray = _declare(
        "1", 0.20, (0.05, 0.50), "revenue",
        "Revenue per unit value added in agriculture, relative to services")
    tax_intensity_industry: FloatArray = _declare(
        "1", 1.20, (0.70, 2.00), "revenue",
        "Revenue per unit value added in industry-construction (incl. hydropower and mining), "
        "relative to services")
    # --- disasters ---------------------------------------------------------------------------------
    disaster_probability: FloatArray = _declare(
        "1/year", 0.15, (0.05, 0.30), "disasters",
        "Probability of a severe typhoon or flood year (Typhoon Yagi hit in 2024)")
    disaster_agriculture_loss: FloatArray = _declare(
        "1", 0.04, (0.01, 0.10), "disasters",
        "Share of agricultural value added lost in a severe disaster year")
    disaster_capital_loss: FloatArray = _declare(
        "1", 0.010, (0.000, 0.030), "disasters",
        "Share of sector capital destroyed in a severe disaster year")
    disaster_forest_loss: FloatArray = _declare(
        "1", 0.010, (0.000, 0.040), "disasters",
        "Share of counted forest lost in a severe disaster year")

    @property
    def n_draws(self) -> int:
        """Number of draws (the length of every field's last axis)."""
        return int(getattr(self, _NAMES[0]).shape[-1])

    @classmethod
    def defaults(cls, n_draws: int = 1) -> Parameters:
        """Every parameter at its registered default, repeated for ``n_draws`` draws."""
        return cls.from_values({}, n_draws=n_draws)

    @classmethod
    def from_values(
        cls, values: Mapping[str, float | FloatArray], n_draws: int = 1
    ) -> Parameters:
        """Parameters from ``{name: scalar or (n_draws,) array}``; unnamed ones take their default.

        A name is a quantity of `QUANTITIES`, or a provincial parameter's name, which sets every
        province (a quantity named beside it sets its own province).

        Raises
        ------
        ParameterError
            For an unknown name, a wrong shape, or a value that is non-finite or out of bounds.
        """
        start = {name: np.full(_shape(name, n_draws), spec.default)
                 for name, spec in REGISTRY.items()}
        return cls(**_assembled(start, values, n_draws))

    @classmethod
    def trusted(cls, arrays: Mapping[str, FloatArray]) -> Parameters:
        """Parameters from ``(n_draws,)`` float64 arrays for every quantity of `QUANTITIES`,
        without checks.

        For values that are valid by construction (Monte Carlo draws through priors inside the
        bounds); everything else goes through `from_values`.
        """
        return cls(**{name: np.stack([arrays[q] for q in _QUANTITIES_OF[name]])
                      if REGISTRY[name].provincial else arrays[name] for name in _NAMES})

    def with_values(self, values: Mapping[str, float | FloatArray]) -> Parameters:
        """A copy with some parameters or quantities replaced (checked as in `from_values`)."""
        start = {name: getattr(self, name).copy() for name in _NAMES}
        return replace(self, **_assembled(start, values, self.n_draws))

    def take(self, index: slice | FloatArray) -> Parameters:
        """The parameters of a subset of draws."""
        return Parameters(**{name: getattr(self, name)[..., index] for name in _NAMES})

    def quantity(self, name: str) -> FloatArray:
        """The ``(n_draws,)`` values of one quantity of `QUANTITIES`."""
        parameter, province = _PARAMETER_OF[name]
        values: FloatArray = getattr(self, parameter)
        return values if province is None else values[province]


def quantity_name(parameter: str, province: str) -> str:
    """The name of a provincial parameter's quantity for one province: ``parameter[Province]``."""
    return f"{parameter}[{province}]"


def expand_quantities(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` by quantity: a provincial parameter's name becomes one entry per province,
    then quantities named explicitly replace theirs. Unknown names raise `ParameterError`."""
    expanded: dict[str, Any] = {}
    for name, value in values.items():
        if name in REGISTRY and REGISTRY[name].provincial:
            expanded.update(dict.fromkeys(_QUANTITIES_OF[name], value))
        elif name not in QUANTITIES:
            raise ParameterError(f"unknown parameter '{name}'{did_you_mean(name, SETTABLE)}")
    expanded.update({name: value for name, value in values.items() if name in QUANTITIES})
    return expanded


def _shape(name: str, n_draws: int) -> tuple[int, ...]:
    return (len(PROVINCES), n_draws) if REGISTRY[name].provincial else (n_draws,)


def _assembled(arrays: dict[str, FloatArray], values: Mapping[str, float | FloatArray],
               n_draws: int) -> dict[str, FloatArray]:
    """``arrays`` (each parameter's, owned) with ``values`` written in, checked."""
    checked = {}
    for name, value in values.items():
        if name not in SETTABLE:
            raise ParameterError(f"unknown parameter '{name}'{did_you_mean(name, SETTABLE)}")
        array = np.asarray(value, dtype=np.float64)
        check_in_bounds(name, array)
        if array.ndim > 1 or array.size not in (1, n_draws):
            raise ParameterError(f"parameter '{name}' needs a scalar or {n_draws} values, "
                                 f"got shape {array.shape}")
        checked[name] = array
    for name, array in expand_quantities(checked).items():
        parameter, province = _PARAMETER_OF[name]
        if province is None:
            arrays[parameter] = np.broadcast_to(array, (n_draws,)).copy()
        else:
            arrays[parameter][province] = array
    return arrays


def check_in_bounds(name: str, value: FloatArray) -> None:
    """Raise `ParameterError` unless every element of ``value`` is finite and inside the bounds
    of parameter or quantity ``name``."""
    spec = SETTABLE[name]
    low, high = spec.bounds
    if not np.all(np.isfinite(value)):
        raise ParameterError(f"parameter '{name}' must be finite (got {value!r})")
    if np.any(value < low) or np.any(value > high):
        bad = value[(value < low) | (value > high)].flat[0] if value.ndim else float(value)
        raise ParameterError(
            f"parameter '{name}' = {bad} is outside its bounds [{low}, {high}] "
            f"({spec.unit})"
        )


def _build_registry() -> Mapping[str, ParameterSpec]:
    registry = {}
    for f in fields(Parameters):
        registry[f.name] = ParameterSpec(name=f.name, **f.metadata["spec"])
    return types.MappingProxyType(registry)


#: Every parameter's declaration, by name, in declaration order (read-only).
REGISTRY: Mapping[str, ParameterSpec] = _build_registry()
_NAMES: tuple[str, ...] = tuple(REGISTRY)
#: Each provincial parameter's quantities, in `PROVINCES` order.
_QUANTITIES_OF: Mapping[str, tuple[str, ...]] = {
    name: tuple(quantity_name(name, p) for p in PROVINCES) for name, spec in REGISTRY.items()
    if spec.provincial}
#: Every quantity's parameter and province index (None for a shared parameter).
_PARAMETER_OF: Mapping[str, tuple[str, int | None]] = {
    **{name: (name, None) for name, spec in REGISTRY.items() if not spec.provincial},
    **{q: (name, i) for name, qs in _QUANTITIES_OF.items() for i, q in enumerate(qs)}}
#: Every quantity's declaration, by name, in registry order and a provincial parameter's
#: quantities in `PROVINCES` order (read-only).
QUANTITIES: Mapping[str, ParameterSpec] = types.MappingProxyType({
    q: REGISTRY[name]
    for name in _NAMES for q in _QUANTITIES_OF.get(name, (name,))})
#: Every name a value may be given under, with its declaration: each quantity, and each
#: provincial parameter's own name, which sets all its provinces (read-only).
SETTABLE: Mapping[str, ParameterSpec] = types.MappingProxyType({**REGISTRY, **QUANTITIES})
