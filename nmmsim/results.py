"""Model trajectories as an `xarray.Dataset`, and writing it atomically to NetCDF and CSV."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from nmmsim._types import FloatArray
from nmmsim._version import __version__
from nmmsim.atomic import atomic_path, staged_directory, written_in_child
from nmmsim.base_year import BaseYear
from nmmsim.levers import DESTINATIONS, SECTORS
from nmmsim.model.regions import Accounts, province, province_accounts, region_paths
from nmmsim.model.state import Constants, State, real_grdp, sum_sectors
from nmmsim.provinces import PROVINCES, REGIONS

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "AREAS",
    "GROWTH_ATTRS",
    "TARGET_REGION",
    "VARIABLES",
    "area_paths",
    "build_dataset",
    "growth_path",
    "indicator_paths",
    "long_table",
    "wide_table",
    "with_provenance",
    "write_netcdf",
    "write_provenance",
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
    "fdi_registered": Variable("FDI registered in the year (attracted and named projects), "
                               "2024 prices", "VND trillion", (), lambda s, c: s.fdi_registered),
    "fdi_invested": Variable("FDI disbursed and absorbed in the year, 2024 prices (NaN in the "
                             "base year)", "VND trillion", (), lambda s, c: s.fdi_invested),
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


def with_provenance(dataset: xr.Dataset, inputs: Mapping[str, str | int]) -> xr.Dataset:
    """``dataset`` with the package version and the input files it was computed from in attrs.

    ``inputs`` are the attrs of `nmmsim.resources.provenance` (every file's path and sha256, the
    data directory, the targets' title) and anything else the output must carry, such as the
    years of a comparison.
    """
    return dataset.assign_attrs({"nmmsim_version": __version__, **inputs})


def write_provenance(dataset: xr.Dataset, path: str | Path) -> Path:
    """Write the attrs of ``dataset`` as a two-column CSV (``attribute``, ``value``) atomically:
    the side file that says which files, version, seed and scenario a run's CSVs come from."""
    import csv

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp, tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("attribute", "value"))
        writer.writerows((str(key), str(value)) for key, value in dataset.attrs.items())
    return path


def write_results(dataset: xr.Dataset, directory: str | Path, stem: str) -> tuple[Path, Path]:
    """Write ``<stem>.nc`` (NetCDF4) and ``<stem>.csv`` atomically.

    The CSV has one row per draw and year (trajectories, a deterministic run; `wide_table`,
    units in the column names) or, for a Monte Carlo summary, one row per variable, sector or
    target, year and quantile (`long_table`, with a ``units`` column; the attainment counts
    have no quantile). It holds the variables of ``region_2022``; the ``*_by_area`` variables
    (provinces and both regions) are in the NetCDF file only.

    Both files are written to a temporary directory inside ``directory`` and moved into it
    together, so a reader never sees a half-written file and a failed or interrupted write leaves
    neither behind.
    """
    directory = Path(directory)
    # the CSV holds region_2022, as printed; provinces and both regions are in the NetCDF
    regional = dataset.drop_vars([name for name, da in dataset.data_vars.items() if "area" in da.dims])
    table = wide_table(regional) if "draw" in dataset.dims else long_table(regional)
    # NetCDF about the Dataset's size, the CSV text up to about twice that
    with staged_directory(directory, needed_bytes=3 * dataset.nbytes) as staging:  # both or neither
        write_netcdf(dataset, staging / f"{stem}.nc")
        table.to_csv(staging / f"{stem}.csv", float_format="%.10g")
    return directory / f"{stem}.nc", directory / f"{stem}.csv"


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


def area_paths(
    states: Sequence[State], constants: Constants, base: BaseYear, variables: Sequence[str],
    region_2022: Mapping[tuple[str, str], FloatArray] | None = None,
) -> dict[tuple[str, str], FloatArray]:
    """``variables`` (without a sector axis) of every area of `AREAS` over the years, as
    ``(n_years, n_draws)`` arrays keyed by (variable, area).

    ``region_2022`` may pass that region's paths already computed by `indicator_paths`.
    """
    provincial = province_accounts(constants)
    paths: dict[tuple[str, str], FloatArray] = {}
    wanted = {v for v in variables if v != "grdp_growth"} | ({"grdp"} if "grdp_growth" in variables
                                                             else set())
    for variable in sorted(wanted):
        by_province = np.stack([np.broadcast_to(VARIABLES[variable].compute(s, provincial),
                                                s.population.shape) for s in states])
        if variable == "grdp" and "grdp_growth" in variables:
            provincial_growth = growth_path(by_province, base.province_grdp_growth[:, None])
            paths.update({("grdp_growth", p): provincial_growth[:, i]
                          for i, p in enumerate(PROVINCES)})
        if variable in variables:
            paths.update({(variable, p): by_province[:, i] for i, p in enumerate(PROVINCES)})
    keys = [(variable, "") for variable in variables]
    for region in REGIONS:
        found = region_2022 if region == TARGET_REGION and region_2022 is not None \
            else area_indicator_paths(states, constants, base, region, keys)
        paths.update({(variable, region): found[(variable, "")] for variable in variables})
    return paths


def area_indicator_paths(
    states: Sequence[State], constants: Constants, base: BaseYear, area: str,
    keys: Iterable[tuple[str, str]],
) -> dict[tuple[str, str], FloatArray]:
    """As `indicator_paths`, for one area of `AREAS` (a province or a region)."""
    if area in REGIONS:
        r_states, r_accounts = region_paths(states, constants, area)
        growth = base.grdp_growth if area == TARGET_REGION else math.nan
        return indicator_paths(r_states, r_accounts, growth, keys)
    index = PROVINCES.index(area)
    pairs = [province(state, constants, index) for state in states]
    return indicator_paths([s for s, _ in pairs], [a for _, a in pairs],
                           float(base.province_grdp_growth[index]), keys)


#: Datasets up to this size are encoded in memory and written by Python: a disk that fills
#: during the write is then an ordinary OSError (ENOSPC), where h5py writing the file itself
#: crashes the process. Larger ones (trajectories), which would double the memory, are written
#: by h5py in a child process (`nmmsim.atomic.written_in_child`): its crash is an OSError here.
_IN_MEMORY_BYTES = 256 * 2**20


def write_netcdf(dataset: xr.Dataset, path: Path) -> Path:
    """Write ``dataset`` to ``path`` (NetCDF4 via h5netcdf) atomically.

    Raises
    ------
    OSError
        If the file cannot be written (ENOSPC: the disk is full); nothing is left at ``path``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        if dataset.nbytes <= _IN_MEMORY_BYTES:
            tmp.write_bytes(bytes(dataset.to_netcdf(engine="h5netcdf")))
        else:
            written_in_child(lambda: dataset.to_netcdf(tmp, engine="h5netcdf"), tmp)
    return path


def long_table(dataset: xr.Dataset) -> pd.DataFrame:
    """A Monte Carlo summary as rows of (variable, [scenario,] sector or target,
    [left_out_year,] year, quantile, [direction,] value, units); a comparison's paired counts
    (``discordant``) have a ``direction``, "gained" or "lost"; the history range's counts
    (``attained_history``) the ``left_out_year`` of their sub-posterior."""
    import pandas as pd

    frames = []
    for name, da in dataset.data_vars.items():
        frame = da.to_dataframe(name="value").reset_index()
        frame.insert(0, "variable", str(name))
        frame["units"] = str(da.attrs.get("units", ""))
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    columns = [c for c in ("variable", "scenario", "sector", "target", "left_out_year", "year",
                           "quantile", "direction", "value", "units") if c in table.columns]
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
        from nmmsim.parameters import QUANTITIES

        name = str(label[list(dims).index("parameter")])
        if name in QUANTITIES:
            return QUANTITIES[name].unit
    return str(da.attrs.get("units", ""))
