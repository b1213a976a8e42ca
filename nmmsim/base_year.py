"""The observed state of the 15 provinces in a start year, and the rules that fill its gaps.

Every provincial figure comes from the provincial panel (``calibration/provinces.csv``), every
regional one from ``calibration/observed_region.csv``. Where the two disagree by rounding or by
the survey's weighting, the provinces of ``region_2022`` are scaled by one common factor so that
their sum (or weighted mean) equals the regional figure exactly: the regional identities of
docs/model.md §3 then hold both for the region and, by construction, for the sum of its provinces.
Provinces outside ``region_2022`` (Vinh Phuc) keep their own figures.

Where no provincial figure exists, a documented rule fills it (docs/model.md §3, "Provinces"):

* sector structure: the province's own most recent published structure (Cao Bang, Dien Bien,
  Hoa Binh 2024; Thai Nguyen 2022, agriculture and industry only; Vinh Phuc 2020), otherwise the
  region's 2024 structure net of the provinces that publish one (`sector_structure`);
* forest cover: the province's own published cover (Bac Kan 2020, Hoa Binh 2024), otherwise the
  regional cover net of those; outside the region, the national cover (`forest_cover`);
* poverty: the region's rate scaled by the province's relative NSO multidimensional poverty rate
  of 2023 (`relative_rate`);
* budget revenue: the province's published figure, otherwise the model's revenue rule at the
  rates of the other provinces (`nmmsim.model.initial`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nmmsim._types import FloatArray
from nmmsim.errors import DataError
from nmmsim.observed import ObservedData
from nmmsim.provinces import PROVINCES, ProvincialData, load_provincial, region_mask

__all__ = [
    "SEVERE_DISASTER_YEARS",
    "BaseYear",
    "RegionFigures",
    "forest_cover",
    "relative_rate",
    "sector_structure",
]

#: Observed severe-disaster years: Typhoon Yagi, September 2024 (MPI2024).
SEVERE_DISASTER_YEARS = (2024,)

_SHARE_INDICATORS = ("share_agriculture_pct", "share_industry_construction_pct",
                     "share_services_pct", "share_product_taxes_pct")


@dataclass(frozen=True, slots=True)
class RegionFigures:
    """The figures of ``region_2022`` that its provinces are reconciled to, in model units."""

    grdp: float
    structure: tuple[float, float, float, float]  # agriculture, industry, services, product taxes
    grdp_growth: float  # NaN where unpublished
    budget_revenue: float
    employment: float
    certified_share: float
    population: float
    urban_population: float
    poverty_rate: float
    forest_cover: float
    forest_area: float  # thousand ha, incl. young plantations
    national_forest_cover: float  # for provinces outside the region without their own figure
    national_productivity: float  # VND million a worker, current prices (the frontier's base)

    @classmethod
    def from_observed(cls, data: ObservedData, year: int) -> RegionFigures:
        """The region's figures of ``year`` (forest status: 2023, the only year published, F1;
        national cover: 2024, F4)."""
        return cls(
            grdp=data.value("grdp_nominal", year),
            structure=(data.value("share_agriculture", year) / 100.0,
                       data.value("share_industry_construction", year) / 100.0,
                       data.value("share_services", year) / 100.0,
                       data.value("share_product_taxes", year) / 100.0),
            grdp_growth=data.value("grdp_real_growth", year) / 100.0,
            budget_revenue=data.value("budget_revenue_total", year),
            employment=data.value("employed_persons", year),
            certified_share=data.value("certified_labour_share", year) / 100.0,
            population=data.value("population", year),
            urban_population=data.value("urban_population", year),
            poverty_rate=data.value("multidimensional_poverty_rate", year) / 100.0,
            forest_cover=data.value("forest_cover", 2023) / 100.0,
            forest_area=data.value("forest_area", 2023) / 1000.0,
            national_forest_cover=data.value("forest_cover_national", 2024) / 100.0,
            national_productivity=data.value("labour_productivity_national", year),
        )


@dataclass(frozen=True, slots=True)
class BaseYear:
    """The observed state of every province in the start year, in model units.

    Arrays are ``(15,)`` in `nmmsim.provinces.PROVINCES` order (``sector_share``: ``(3, 15)``).
    Money in VND trillion (current prices of the start year, which are the model's real prices),
    people in thousands, shares as fractions, areas in thousand hectares.
    """

    year: int
    grdp: FloatArray
    sector_share: FloatArray  # (3, 15): agriculture, industry-construction, services of GRDP
    product_tax_share: FloatArray
    grdp_growth: float  # region_2022, observed (NaN if unpublished)
    province_grdp_growth: FloatArray  # observed, NaN where unpublished
    budget_revenue: FloatArray  # published, NaN where the revenue rule applies
    region_budget_revenue: float  # region_2022
    employment: FloatArray
    unemployment_rate: FloatArray
    certified_share: FloatArray
    population: FloatArray
    urban_share: FloatArray
    poverty_rate: FloatArray
    land_area: FloatArray
    forest_established: FloatArray
    forest_young: FloatArray
    disaster: float  # severe-disaster intensity of the year: 1 in SEVERE_DISASTER_YEARS, else 0
    national_productivity: float  # national GRDP per worker, VND million (current = real prices)
    #: region_2022's employed persons per inhabitant in the year whose survey basis the
    #: employment rate's ceiling is stated on (the base year's own; 2024's for the history, which
    #: starts before the 2021 break): a run on another basis scales the ceiling by its own rate
    #: over this one (`nmmsim.model.initial`)
    employment_rate_reference: float

    @classmethod
    def from_observed(
        cls, data: ObservedData, year: int = 2024, provinces: ProvincialData | None = None
    ) -> BaseYear:
        """The base year from the regional figures of ``year`` and the provincial panel."""
        return cls.build(RegionFigures.from_observed(data, year),
                         provinces if provinces is not None else load_provincial(), year)

    @classmethod
    def build(cls, region: RegionFigures, panel: ProvincialData, year: int,
              revenue_published: bool = True, reference: RegionFigures | None = None) -> BaseYear:
        """Provincial figures of ``year`` reconciled to ``region`` (see the module doc).

        ``revenue_published=False`` ignores provincial revenue figures (when the regional
        revenue is itself a fallback of another year). ``reference``: the region's figures in
        the year whose survey basis the employment rate's ceiling is stated on (default
        ``region``).

        Raises
        ------
        DataError
            If a figure the model needs is missing or a rule would give a negative residual.
        """
        members = region_mask("region_2022")
        basis = reference if reference is not None else region  # of the employment rate
        grdp = _reconcile(panel.require("grdp_nominal_trillion", year), members, region.grdp)
        population = _reconcile(panel.require("population_thousand", year), members,
                                region.population)
        urban = _reconcile(panel.require("urban_population_thousand", year), members,
                           region.urban_population)
        employment = _reconcile(panel.require("employed_thousand", year), members, region.employment)
        unemployment = panel.require("unemployment_rate_pct", year) / 100.0
        labour_force = employment / (1.0 - unemployment)
        certified = panel.require("certified_labour_share_pct", year) / 100.0
        certified = _reconcile(certified, members, region.certified_share, weights=labour_force)
        structure = sector_structure(panel, region.structure, grdp, members)
        land_area = panel.require("area_km2", year) / 10.0  # km2 -> thousand ha
        cover = forest_cover(panel, region.forest_cover, region.national_forest_cover,
                             land_area, members)
        established = cover * land_area
        young = (region.forest_area - region.forest_cover * land_area[members].sum()) \
            * established / established[members].sum()
        relative_poverty = panel.require("poverty_rate_gso_multidim_pct", 2023)
        revenue = panel.published("budget_revenue_trillion", year) if revenue_published \
            else np.full(len(PROVINCES), np.nan)
        growth = panel.published("real_growth_pct", year) / 100.0
        return cls(
            year=year,
            grdp=grdp,
            sector_share=structure[:3],
            product_tax_share=structure[3],
            grdp_growth=region.grdp_growth,
            province_grdp_growth=growth,
            budget_revenue=revenue,
            region_budget_revenue=region.budget_revenue,
            employment=employment,
            unemployment_rate=unemployment,
            certified_share=certified,
            population=population,
            urban_share=urban / population,
            poverty_rate=relative_rate(relative_poverty, region.poverty_rate, population, members),
            land_area=land_area,
            forest_established=established,
            forest_young=young,
            disaster=1.0 if year in SEVERE_DISASTER_YEARS else 0.0,
            national_productivity=region.national_productivity,
            employment_rate_reference=basis.employment / basis.population,
        )


def _reconcile(values: FloatArray, members: np.ndarray, total: float,
               weights: FloatArray | None = None) -> FloatArray:
    """Scale the members' ``values`` by one factor so that their sum (or ``weights``-weighted
    mean) equals ``total``; other provinces keep theirs."""
    if weights is None:
        factor = total / values[members].sum()
    else:
        factor = total * weights[members].sum() / (values * weights)[members].sum()
    return np.where(members, values * factor, values)


def relative_rate(relative: FloatArray, region_rate: float, weights: FloatArray,
                  members: np.ndarray) -> FloatArray:
    """``k x relative`` with ``k`` such that the ``weights``-weighted mean over ``members`` is
    ``region_rate`` (the same ``k`` for provinces outside the region).

    Used for poverty: the region's rate (MOLISA poor and near-poor households) spread over the
    provinces in proportion to their NSO multidimensional poverty rate of 2023, a different
    measure known for every province; population weights stand in for household counts.
    """
    k = region_rate * weights[members].sum() / (relative * weights)[members].sum()
    rate: FloatArray = k * relative
    if np.any(rate >= 1.0):
        raise DataError(f"poverty rule gives a rate >= 100% (k = {k:.3f}); check the 2023 figures")
    return rate


def sector_structure(panel: ProvincialData, region_structure: tuple[float, float, float, float],
                     grdp: FloatArray, members: np.ndarray) -> FloatArray:
    """``(4, 15)`` shares of GRDP: agriculture, industry-construction, services, product taxes.

    A province with its own published structure (its most recent year up to 2024 with both the
    agriculture and the industry share, all four shares taken from that year) keeps it,
    normalised to sum to 1 (published shares are rounded). Where only agriculture and industry
    are published (Thai Nguyen 2022), the rest is split between services and product taxes in
    the region's ratio. The other members of ``region_2022`` share what the region's 2024 value
    added by sector leaves after those provinces, in proportion to GRDP, so that the members'
    value added by sector sums to the region's exactly. Others without a structure take the
    region's.
    """
    own = np.full((4, len(PROVINCES)), np.nan)
    for year in range(2018, 2025):  # the most recent year with agriculture and industry, whole
        published = np.array([panel.get(indicator, year) for indicator in _SHARE_INDICATORS])
        found = ~np.isnan(published[0]) & ~np.isnan(published[1])
        own[:, found] = published[:, found] / 100.0
    region = np.asarray(region_structure)
    partial = np.isnan(own[2]) & ~np.isnan(own[0]) & ~np.isnan(own[1])
    rest = 1.0 - own[0] - own[1]
    own[2] = np.where(partial, rest * region[2] / (region[2] + region[3]), own[2])
    own[3] = np.where(partial, rest * region[3] / (region[2] + region[3]), own[3])
    has_own = ~np.isnan(own).any(axis=0)
    own[:, has_own] /= own[:, has_own].sum(axis=0)
    residual_members = members & ~has_own
    residual = region * grdp[members].sum() - (own[:, members & has_own]
                                                * grdp[members & has_own]).sum(axis=1)
    if np.any(residual <= 0.0):
        raise DataError(f"sector structure: the region's value added left after the provinces "
                        f"that publish their own is not positive ({residual})")
    structure = np.where(has_own, own, region[:, None])
    structure[:, residual_members] = (residual / residual.sum())[:, None]
    return structure


def forest_cover(panel: ProvincialData, region_cover: float, national_cover: float,
                 land_area: FloatArray, members: np.ndarray) -> FloatArray:
    """``(15,)`` forest cover: a province's own published cover (its most recent, up to 2024),
    else for members of ``region_2022`` the cover that leaves the region's established forest
    exact, else the national cover."""
    own = panel.latest("forest_cover_pct", 2024) / 100.0
    has_own = ~np.isnan(own)
    residual_members = members & ~has_own
    residual_forest = region_cover * land_area[members].sum() - (own * land_area)[members & has_own].sum()
    residual_cover = residual_forest / land_area[residual_members].sum()
    if not 0.0 < residual_cover < 1.0:
        raise DataError(f"forest cover rule: residual cover {residual_cover:.3f} is not in (0, 1)")
    cover: FloatArray = np.where(has_own, own, np.where(members, residual_cover, national_cover))
    return cover
