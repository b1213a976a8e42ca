"""Model trajectories as an `xarray.Dataset`, and writing it atomically to NetCDF and CSV."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from nmmsim._types import FloatArray
from nmmsim._version import __version__
from nmmsim.atomic import atomic_path
from nmmsim.base_year import BaseYear
from nmmsim.levers import DESTINATIONS, SECTORS
from nmmsim.model.regions import Accounts, province_accounts, region_paths
from nmmsim.model.state import Constants, State, real_grdp, sum_sectors
from nmmsim.provinces import PROVINCES, REGIONS

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "AREAS",
    "GROWTH_ATTRS",
    "TARGET_REGION",
    "VARIABLES",
    "build_dataset",
    "growth_path",
    "indicator_paths",
    "long_table",
    "wide_table",
    "write_netcdf",
    "write_results",
]


@dataclass(frozen=True, slots=True)
class Variable:
    """How one result variable is computed from a year's state, with its metadata.

    ``compute`` returns the model's layout: draws last, a sector or destination axis first, with
    or without a province axis between them (``(3, provinces, n)``, ``(n,)``, ...).
    """

    long_name: str
    units: str
    dims: tuple[str, ...]  # beyond (draw, year)
    compute: Callable[[State, Accounts], FloatArray]


def _percent(share: FloatArray) -> FloatArray:
    return 100.0 * share


def _grdp(s: State, c: Accounts) -> FloatArray:
    return real_grdp(s.value_added, c.product_tax_ratio)


#: Result variables, in Dataset order. ``grdp_growth`` is added from consecutive years.
VARIABLES: Mapping[str, Variable] = MappingProxyType({
    "value_added": Variable("Value added by sector, 2024 prices", "VND trillion", ("sector",),
                            lambda s, c: s.value_added),
    "grdp": Variable("GRDP, 2024 prices", "VND trillion", (), _grdp),
    "grdp_nominal": Variable("GRDP, current prices", "VND trillion", (),
                             lambda s, c: _grdp(s, c) * s.price_level),
    "sector_share": Variable("Sector share of GRDP, current prices", "percent", ("sector",),
                             lambda s, c: _percent(s.value_added / _grdp(s, c))),
    "product_tax_share": Variable("Product taxes less subsidies, share of GRDP", "percent", (),
                                  lambda s, c: _percent(c.product_tax_ratio
                                                        / (1.0 + c.product_tax_ratio))),
    "grdp_per_capita": Variable("GRDP per capita, current prices", "VND million", (),
                                lambda s, c: _grdp(s, c) * s.price_level / s.population * 1e3),
    "budget_revenue": Variable("State budget revenue collected in the area, current prices",
                               "VND trillion", (), lambda s, c: s.budget_revenue),
    "employment": Variable("Employed persons by sector", "thousand persons", ("sector",),
                           lambda s, c: s.employment),
    "certified_share": Variable("Labour force with a degree or certificate", "percent", (),
                                lambda s, c: _percent(s.certified_share)),
    "trained_share": Variable("Trained labour force, broad definition incl. short courses",
                              "percent", (), lambda s, c: _percent(s.trained_share)),
    "forest_cover": Variable("Forest cover (established forest / land area)", "percent", (),
                             lambda s, c: _percent(s.forest / c.land_area)),
    "forest_area": Variable("Forest area incl. young plantations", "thousand ha", (),
                            lambda s, c: s.forest + sum_sectors(s.plantation_pipeline)),
    "population": Variable("Average population", "thousand persons", (),
                           lambda s, c: s.population),
    "urban_share": Variable("Urban population share", "percent", (),
                            lambda s, c: _percent(s.urban_share)),
    "poverty_rate": Variable("Multidimensional poverty rate (poor and near-poor households)",
                             "percent", (), lambda s, c: _percent(s.poverty_rate)),
    "investment": Variable("Investment by destination, 2024 prices (NaN in the base year)",
                           "VND trillion", ("destination",), lambda s, c: s.investment),
    "infrastructure_capital": Variable("Completed public infrastructure capital, 2024 prices",
                                       "VND trillion", (), lambda s, c: s.infrastructure),
    "price_level": Variable("GRDP deflator", "2024 = 1", (), lambda s, c: s.price_level),
    "disaster": Variable("Severe-disaster intensity (1 = severe year; expected value in a "
                         "deterministic run)", "1", (), lambda s, c: s.disaster),
})

#: The area whose paths the plain result variables hold: the Resolution 96 region.
TARGET_REGION = "region_2022"
#: The ``area`` coordinate of the ``*_by_area`` variables: every province, then both regions.
AREAS: tuple[str, ...] = (*PROVINCES, *REGIONS)


def _compute(variable: Variable, state: State, accounts: Accounts) -> FloatArray:
    """``variable`` in Dataset layout: ``(n, [provinces], [sector])``."""
    values = variable.compute(state, accounts)
    shape = (3 if variable.dims == ("sector",) else len(DESTINATIONS),) if variable.dims else ()
    values = np.broadcast_to(values, (*shape, *state.population.shape))
    if variable.dims:
        values = np.moveaxis(values, 0, -1)
    return np.moveaxis(values, -1 - len(variable.dims), 0)


def build_dataset(
    states: Sequence[State],
    constants: Constants,
    years: Sequence[int],
    base: BaseYear,
    attrs: dict[str, str | int | float],
) -> xr.Dataset:
    """Stack yearly states into a Dataset with dims ``draw``, ``year``, ``sector``,
    ``destination`` and ``area``.

    The plain variables are those of ``region_2022`` (the 14 provinces of Resolution 96, on which
    its targets are defined); each has a ``<name>_by_area`` companion along ``area``: the 15
    provinces, then ``region_2022`` and ``region_2025``. ``grdp_growth`` of the base year is the
    observed figure (NaN where unpublished); later years are model growth.
    """
    regions = {name: region_paths(states, constants, name) for name in REGIONS}
    provincial = province_accounts(constants)
    coords = {
        "draw": np.arange(states[0].population.shape[-1]),
        "year": np.asarray(years),
        "sector": list(SECTORS),
        "destination": list(DESTINATIONS),
        "area": list(AREAS),
    }
    data_vars = {}
    for name, var in VARIABLES.items():
        by_year = []
        for index, state in enumerate(states):
            parts = [_compute(var, state, provincial)]
            parts += [_compute(var, r_states[index], r_accounts[index])[:, None]
                      for r_states, r_accounts in regions.values()]
            by_year.append(np.concatenate(parts, axis=1))
        stacked = np.stack(by_year, axis=1)  # (n, years, areas, [sector])
        attributes = {"long_name": var.long_name, "units": var.units}
        target = AREAS.index(TARGET_REGION)
        data_vars[name] = (("draw", "year", *var.dims), stacked[:, :, target],
                           {**attributes, "area": TARGET_REGION})
        data_vars[f"{name}_by_area"] = (("draw", "year", "area", *var.dims), stacked, attributes)
    base_growth = np.array([*base.province_grdp_growth, base.grdp_growth, np.nan])
    growth = growth_path(np.moveaxis(data_vars["grdp_by_area"][1], 1, 0), base_growth)
    growth = np.moveaxis(growth, 0, 1)
    data_vars["grdp_growth"] = (("draw", "year"), growth[:, :, AREAS.index(TARGET_REGION)],
                                {**GROWTH_ATTRS, "area": TARGET_REGION})
    data_vars["grdp_growth_by_area"] = (("draw", "year", "area"), growth, dict(GROWTH_ATTRS))
    dataset = xr.Dataset(data_vars, coords=coords)
    dataset["year"].attrs.update(long_name="Year")
    dataset["area"].attrs.update(long_name="Province (pre-2025 boundary) or region")
    dataset.attrs.update({"nmmsim_version": __version__, "area": TARGET_REGION, **attrs})
    return dataset


#: Metadata of ``grdp_growth``, computed from consecutive years rather than from one state.
GROWTH_ATTRS: Mapping[str, str] = MappingProxyType(
    {"long_name": "Real GRDP growth (base year: observed)", "units": "percent"})


def growth_path(grdp: FloatArray, base_growth: float | FloatArray) -> FloatArray:
    """Real GRDP growth in percent from real GRDP ``(n_years, ...)``; the first year is observed
    (``base_growth``, a fraction, broadcast against ``grdp[0]``)."""
    growth = np.empty_like(grdp)
    growth[0] = 100.0 * base_growth
    growth[1:] = 100.0 * (grdp[1:] / grdp[:-1] - 1.0)
    return growth


def write_results(dataset: xr.Dataset, directory: str | Path, stem: str) -> tuple[Path, Path]:
    """Write ``<stem>.nc`` (NetCDF4) and ``<stem>.csv`` atomically.

    The CSV has one row per draw and year (trajectories) or, for a Monte Carlo summary, one row
    per variable, sector, year and quantile (with the attainment counts as quantile "count"). It
    holds the variables of ``region_2022``; the ``*_by_area`` variables (provinces and both
    regions) are in the NetCDF file only.

    Each file is written to a temporary file in ``directory`` and renamed, so a reader never sees
    a half-written file and an interrupted run leaves none behind.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    netcdf, csv = write_netcdf(dataset, directory / f"{stem}.nc"), directory / f"{stem}.csv"
    # the CSV holds region_2022, as printed; provinces and both regions are in the NetCDF
    regional = dataset.drop_vars([name for name, da in dataset.data_vars.items() if "area" in da.dims])
    table = wide_table(regional) if "draw" in dataset.dims else long_table(regional)
    with atomic_path(csv) as tmp:
        table.to_csv(tmp, float_format="%.10g")
    return netcdf, csv


def indicator_paths(
    states: Sequence[State], accounts: Sequence[Accounts], base_growth: float,
    keys: Iterable[tuple[str, str]],
) -> dict[tuple[str, str], FloatArray]:
    """Result variables of one area over the years as ``(n_years, n_draws)`` arrays, by
    (variable, sector).

    ``states`` and ``accounts`` are the area's, year by year (`nmmsim.model.regions`).
    ``sector`` is "" for variables without one; ``grdp_growth`` is computed from consecutive
    years (the base year's is ``base_growth``, observed). Each variable is computed once per year.
    """
    keys = set(keys)
    paths: dict[tuple[str, str], FloatArray] = {}
    for variable in sorted({variable for variable, _ in keys}):
        if variable == "grdp_growth":
            grdp = np.stack([VARIABLES["grdp"].compute(s, a) for s, a in zip(states, accounts,
                                                                               strict=True)])
            paths[(variable, "")] = growth_path(grdp, base_growth)
            continue
        yearly = [VARIABLES[variable].compute(s, a) for s, a in zip(states, accounts, strict=True)]
        for _, sector in (key for key in keys if key[0] == variable):
            # a sector's path is a contiguous row of the model's sector-major arrays
            paths[(variable, sector)] = np.stack(
                [values[SECTORS.index(sector)] for values in yearly] if sector else yearly)
    return paths


def write_netcdf(dataset: xr.Dataset, path: Path) -> Path:
    """Write ``dataset`` to ``path`` (NetCDF4 via h5netcdf) atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        dataset.to_netcdf(tmp, engine="h5netcdf")
    return path


def long_table(dataset: xr.Dataset) -> pd.DataFrame:
    """A Monte Carlo summary as rows of (variable, sector or target, year, quantile, value)."""
    import pandas as pd

    frames = []
    for name, da in dataset.data_vars.items():
        frame = da.to_dataframe(name="value").reset_index()
        frame.insert(0, "variable", str(name))
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    columns = [c for c in ("variable", "sector", "target", "year", "quantile", "value")
               if c in table.columns]
    return table[columns].set_index("variable")


def wide_table(dataset: xr.Dataset) -> pd.DataFrame:
    """One row per (draw, year), one column per variable and sector or destination."""
    import pandas as pd

    columns = {}
    for name, da in dataset.data_vars.items():
        extra = [d for d in da.dims if d not in ("draw", "year")]
        if extra:
            for label in da[extra[0]].values:
                columns[f"{name}_{label}"] = da.sel({extra[0]: label}).to_series()
        else:
            columns[str(name)] = da.to_series()
    return pd.DataFrame(columns)
