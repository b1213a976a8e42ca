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
from nmmsim.atomic import atomic_path, staged_directory
from nmmsim.levers import DESTINATIONS, SECTORS
from nmmsim.model.state import Constants, State, real_grdp, sum_sectors
from nmmsim.observed import BaseYear

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "GROWTH_ATTRS",
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
    """How one result variable is computed from a year's state, with its metadata."""

    long_name: str
    units: str
    dims: tuple[str, ...]  # beyond (draw, year)
    compute: Callable[[State, Constants], FloatArray]


def _percent(share: FloatArray) -> FloatArray:
    return 100.0 * share


def _grdp(s: State, c: Constants) -> FloatArray:
    return real_grdp(s.value_added, c.product_tax_ratio)


#: Result variables, in Dataset order. ``grdp_growth`` is added from consecutive years.
VARIABLES: Mapping[str, Variable] = MappingProxyType({
    "value_added": Variable("Value added by sector, 2024 prices", "VND trillion", ("sector",),
                            lambda s, c: s.value_added.T),
    "grdp": Variable("GRDP, 2024 prices", "VND trillion", (), _grdp),
    "grdp_nominal": Variable("GRDP, current prices", "VND trillion", (),
                             lambda s, c: _grdp(s, c) * s.price_level),
    "sector_share": Variable("Sector share of GRDP, current prices", "percent", ("sector",),
                             lambda s, c: _percent(s.value_added / _grdp(s, c)).T),
    "product_tax_share": Variable("Product taxes less subsidies, share of GRDP", "percent", (),
                                  lambda s, c: _percent(c.product_tax_ratio
                                                        / (1.0 + c.product_tax_ratio))),
    "grdp_per_capita": Variable("GRDP per capita, current prices", "VND million", (),
                                lambda s, c: _grdp(s, c) * s.price_level / s.population * 1e3),
    "budget_revenue": Variable("State budget revenue collected in the region, current prices",
                               "VND trillion", (), lambda s, c: s.budget_revenue),
    "employment": Variable("Employed persons by sector", "thousand persons", ("sector",),
                           lambda s, c: s.employment.T),
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
                           "VND trillion", ("destination",), lambda s, c: s.investment.T),
    "infrastructure_capital": Variable("Completed public infrastructure capital, 2024 prices",
                                       "VND trillion", (), lambda s, c: s.infrastructure),
    "price_level": Variable("GRDP deflator", "2024 = 1", (), lambda s, c: s.price_level),
    "disaster": Variable("Severe-disaster intensity (1 = severe year; expected value in a "
                         "deterministic run)", "1", (), lambda s, c: s.disaster),
})


def build_dataset(
    states: Sequence[State],
    constants: Constants,
    years: Sequence[int],
    base: BaseYear,
    attrs: dict[str, str | int | float],
) -> xr.Dataset:
    """Stack yearly states into a Dataset with dims ``draw``, ``year``, ``sector``, ``destination``.

    ``grdp_growth`` of the base year is the observed figure; later years are model growth.
    """
    coords = {
        "draw": np.arange(states[0].population.shape[0]),
        "year": np.asarray(years),
        "sector": list(SECTORS),
        "destination": list(DESTINATIONS),
    }
    data_vars = {}
    for name, var in VARIABLES.items():
        stacked = np.stack([var.compute(s, constants) for s in states], axis=1)
        data_vars[name] = (("draw", "year", *var.dims), stacked,
                           {"long_name": var.long_name, "units": var.units})
    data_vars["grdp_growth"] = (
        ("draw", "year"), growth_path(data_vars["grdp"][1].T, base.grdp_growth).T, dict(GROWTH_ATTRS),
    )
    dataset = xr.Dataset(data_vars, coords=coords)
    dataset["year"].attrs.update(long_name="Year")
    dataset.attrs.update({"nmmsim_version": __version__, **attrs})
    return dataset


#: Metadata of ``grdp_growth``, computed from consecutive years rather than from one state.
GROWTH_ATTRS: Mapping[str, str] = MappingProxyType(
    {"long_name": "Real GRDP growth (base year: observed)", "units": "percent"})


def growth_path(grdp: FloatArray, base_growth: float) -> FloatArray:
    """Real GRDP growth in percent from real GRDP ``(n_years, n)``; the first year is observed."""
    growth = np.empty_like(grdp)
    growth[0] = 100.0 * base_growth
    growth[1:] = 100.0 * (grdp[1:] / grdp[:-1] - 1.0)
    return growth


def write_results(dataset: xr.Dataset, directory: str | Path, stem: str) -> tuple[Path, Path]:
    """Write ``<stem>.nc`` (NetCDF4) and ``<stem>.csv`` atomically.

    The CSV has one row per draw and year (trajectories, a deterministic run; `wide_table`,
    units in the column names) or, for a Monte Carlo summary, one row per variable, sector or
    target, year and quantile (`long_table`, with a ``units`` column; the attainment counts
    have no quantile).

    Both files are written to a temporary directory inside ``directory`` and moved into it
    together, so a reader never sees a half-written file and a failed or interrupted write leaves
    neither behind.
    """
    directory = Path(directory)
    table = wide_table(dataset) if "draw" in dataset.dims else long_table(dataset)
    with staged_directory(directory) as staging:  # both files or neither
        write_netcdf(dataset, staging / f"{stem}.nc")
        table.to_csv(staging / f"{stem}.csv", float_format="%.10g")
    return directory / f"{stem}.nc", directory / f"{stem}.csv"


def indicator_paths(
    states: Sequence[State], constants: Constants, base: BaseYear,
    keys: Iterable[tuple[str, str]],
) -> dict[tuple[str, str], FloatArray]:
    """Result variables over the years as ``(n_years, n_draws)`` arrays, by (variable, sector).

    ``sector`` is "" for variables without one; ``grdp_growth`` is computed from consecutive
    years (the base year's is observed). Each variable is computed once per year.
    """
    keys = set(keys)
    paths: dict[tuple[str, str], FloatArray] = {}
    for variable in sorted({variable for variable, _ in keys}):
        if variable == "grdp_growth":
            grdp = np.stack([VARIABLES["grdp"].compute(s, constants) for s in states])
            paths[(variable, "")] = growth_path(grdp, base.grdp_growth)
            continue
        yearly = [VARIABLES[variable].compute(s, constants) for s in states]  # (n,) or (n, 3)
        for _, sector in (key for key in keys if key[0] == variable):
            # a sector's column is a contiguous row of the model's sector-major arrays
            paths[(variable, sector)] = np.stack(
                [values[:, SECTORS.index(sector)] for values in yearly] if sector else yearly)
    return paths


def write_netcdf(dataset: xr.Dataset, path: Path) -> Path:
    """Write ``dataset`` to ``path`` (NetCDF4 via h5netcdf) atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        dataset.to_netcdf(tmp, engine="h5netcdf")
    return path


def long_table(dataset: xr.Dataset) -> pd.DataFrame:
    """A Monte Carlo summary as rows of (variable, [scenario,] sector or target, year, quantile,
    [direction,] value, units); a comparison's paired counts (``discordant``) have a
    ``direction``, "gained" or "lost"."""
    import pandas as pd

    frames = []
    for name, da in dataset.data_vars.items():
        frame = da.to_dataframe(name="value").reset_index()
        frame.insert(0, "variable", str(name))
        frame["units"] = str(da.attrs.get("units", ""))
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    columns = [c for c in ("variable", "scenario", "sector", "target", "year", "quantile",
                           "direction", "value", "units") if c in table.columns]
    return table[columns].set_index("variable")


def wide_table(dataset: xr.Dataset) -> pd.DataFrame:
    """One row per (draw, year) (and scenario, when compared), one column per variable and
    sector, destination or parameter, named with its units: ``grdp_nominal [VND trillion]``.

    A variable without a year, such as a Monte Carlo draw's ``parameters``, repeats the draw's
    value in every year of it.
    """
    import itertools

    import pandas as pd

    rows = [d for d in ("scenario", "draw", "year") if d in dataset.dims]
    index = pd.MultiIndex.from_product([dataset[d].values for d in rows], names=rows)
    columns: dict[str, FloatArray] = {}
    for name, da in dataset.data_vars.items():
        missing = {d: dataset[d].values for d in rows if d not in da.dims}
        da = da.expand_dims(missing) if missing else da
        extra = [str(d) for d in da.dims if d not in rows]
        values = da.transpose(*rows, *extra).values.reshape(len(index), -1)
        labels = itertools.product(*(da[d].values for d in extra)) if extra else [()]
        for column, label in enumerate(labels):
            units = _column_units(da, extra, label)
            columns["_".join((str(name), *map(str, label))) + (f" [{units}]" if units else "")] \
                = values[:, column]
    return pd.DataFrame(columns, index=index)


def _column_units(da: xr.DataArray, dims: Sequence[str], label: tuple[object, ...]) -> str:
    """A column's units: the variable's, or for a draw's parameter value the registry's."""
    if "parameter" in dims:
        from nmmsim.parameters import REGISTRY

        name = str(label[list(dims).index("parameter")])
        if name in REGISTRY:
            return REGISTRY[name].unit
    return str(da.attrs.get("units", ""))
