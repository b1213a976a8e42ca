"""A Monte Carlo run: the run spec, the backend, and the result as an `xarray.Dataset`.

``keep="summary"`` gives quantiles of every indicator in `nmmsim.engine.chunks.SUMMARISED` by
year (region_2022), of those in ``BY_AREA`` for every province and both regions
(``<name>_by_area``), and exact counts of draws attaining each target (``attained``) and all of them
(``attained_all``) if measured in each year. ``keep="trajectories"`` gives every draw's full
paths, as a deterministic run does. Compared scenarios add a ``scenario`` dimension and the
paired ``discordant`` counts.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from nmmsim._types import FloatArray
from nmmsim._version import __version__
from nmmsim.engine.chunks import BY_AREA, SUMMARISED, ArmSummary, ChunkSummary, RunSpec
from nmmsim.engine.executor import Progress, execute
from nmmsim.engine.sampling import BLOCK_SIZE
from nmmsim.engine.sketch import LARGEST, RELATIVE_ERROR, SMALLEST
from nmmsim.levers import SECTORS
from nmmsim.results import AREAS, GROWTH_ATTRS, VARIABLES

__all__ = ["QUANTILES", "run_monte_carlo"]

#: Quantile levels a summary reports (fan-chart bands 1-99, 2.5-97.5, 5-95, 10-90, 25-75, median).
QUANTILES = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975, 0.99)


def run_monte_carlo(
    spec: RunSpec,
    draws: int,
    *,
    chunk_size: int,
    workers: int,
    scheduler: Any,
    progress: Progress | None,
) -> xr.Dataset:
    """Run ``draws`` draws of ``spec`` on the chosen backend and build the result Dataset.

    One arm gives the Dataset of that scenario; several give a ``scenario`` dimension and the
    ``discordant`` counts of paired disagreements with the first scenario.
    """
    summary = execute(spec, draws, chunk_size=chunk_size, workers=workers, scheduler=scheduler,
                      progress=progress)
    attrs = {
        "draws": draws,
        "seed": spec.seed,
        "sampler": spec.sampler,
        "disasters": "random severe years" if spec.disasters == "random"
        else "expected intensity",
        "shocks": "random yearly TFP shocks by province" if spec.shocks == "random" else "none",
        "block_size": BLOCK_SIZE,
        "nmmsim_version": __version__,
    }
    datasets = []
    for arm, arm_summary in zip(spec.arms, summary.arms, strict=True):
        arm_attrs = {**attrs, **arm.attrs,
                     "priors": "\n".join(f"{k}: {v}" for k, v in arm.uncertainty.describe().items())}
        if spec.keep == "trajectories":
            datasets.append(_trajectories(arm_summary, arm_attrs))
        else:
            datasets.append(_summary_dataset(spec, arm_summary, arm_attrs))
    if len(datasets) == 1:
        return datasets[0]
    return _compared(spec, summary, datasets, attrs)


def _compared(spec: RunSpec, summary: ChunkSummary, datasets: list[xr.Dataset],
              attrs: dict[str, Any]) -> xr.Dataset:
    names = [arm.name for arm in spec.arms]
    combined = xr.concat([d.drop_attrs() for d in datasets], dim="scenario", data_vars="all",
                         coords="minimal", compat="override", join="exact",
                         combine_attrs="drop")
    combined = combined.assign_coords(scenario=names)
    for name in combined.data_vars:
        combined[name].attrs = datasets[0][name].attrs
    direction = ["gained", "lost"]
    combined["discordant"] = xr.DataArray(
        summary.discordant[:, :-1], dims=("scenario", "target", "year", "direction"),
        coords={"direction": direction, "target": [t.target for t in spec.targets]},
        attrs={"long_name": f"Draws attaining the target in this scenario but not in {names[0]} "
               f"(gained) or in {names[0]} but not here (lost), same draws",
               "units": "draws"})
    combined["discordant_all"] = xr.DataArray(
        summary.discordant[:, -1], dims=("scenario", "year", "direction"),
        attrs={"long_name": f"As discordant, for attaining every modelled target; against "
               f"{names[0]}", "units": "draws"})
    combined.attrs.update({**attrs, "reference_scenario": names[0]})
    for key in ("scenario_file", "scenario_sha256"):
        combined.attrs[key] = "; ".join(str(d.attrs.get(key, "")) for d in datasets)
    # the same for every scenario of a comparison: years, prices and the input files
    shared = {key: value for key, value in datasets[0].attrs.items()
              if key not in combined.attrs and key not in ("scenario", "scenario_file",
                                                           "scenario_sha256", "priors")
              and all(d.attrs.get(key) == value for d in datasets)}
    combined.attrs.update(shared)
    combined.attrs["scenario"] = ", ".join(names)
    return combined


def _trajectories(summary: ArmSummary, attrs: dict[str, Any]) -> xr.Dataset:
    parts = [dataset for _, dataset in sorted(summary.trajectories, key=lambda item: item[0])]
    combined = xr.concat(parts, dim="draw", data_vars="all", coords="minimal", compat="override",
                         join="exact", combine_attrs="override")
    combined = combined.assign_coords(draw=np.arange(combined.sizes["draw"]))
    combined.attrs.update(attrs)
    return combined


def _summary_dataset(spec: RunSpec, summary: ArmSummary, attrs: dict[str, Any]) -> xr.Dataset:
    years = spec.years
    n_years = len(years)
    quantiles = summary.sketch.quantiles(np.asarray(QUANTILES))
    blocks = quantiles.reshape(-1, n_years, len(QUANTILES)).transpose(0, 2, 1)  # series, q, year
    statistic = (f"quantiles (inverted CDF) from a log-bucket sketch: within {RELATIVE_ERROR:.2%} "
                 f"of the exact sample quantile for magnitudes in [{SMALLEST:g}, {LARGEST:g})")
    data_vars: dict[str, Any] = {}
    for (variable, sector), block in zip(SUMMARISED, blocks, strict=False):
        meta = VARIABLES.get(variable)
        long_name = meta.long_name if meta else GROWTH_ATTRS["long_name"]
        units = meta.units if meta else GROWTH_ATTRS["units"]
        if sector:
            data_vars.setdefault(variable, np.full((len(QUANTILES), n_years, len(SECTORS)), np.nan))
            data_vars[variable][:, :, SECTORS.index(sector)] = block
        else:
            data_vars[variable] = (("quantile", "year"), block,
                                   {"long_name": long_name, "units": units, "statistic": statistic})
    data_vars["sector_share"] = (("quantile", "year", "sector"), data_vars["sector_share"],
                                 {"long_name": VARIABLES["sector_share"].long_name,
                                  "units": VARIABLES["sector_share"].units, "statistic": statistic})
    first_area = len(SUMMARISED) + len(spec.target_measures)
    for target, block in zip(spec.target_measures, blocks[len(SUMMARISED):first_area], strict=True):
        data_vars[f"target_{target.target}"] = (
            ("quantile", "year"), block,
            {"long_name": f"{target.description}, measured up to each year", "units": target.unit,
             "statistic": statistic})
    for k, variable in enumerate(BY_AREA):
        meta = VARIABLES.get(variable)
        start = first_area + k * len(AREAS)
        data_vars[f"{variable}_by_area"] = (
            ("quantile", "year", "area"), blocks[start:start + len(AREAS)].transpose(1, 2, 0),
            {"long_name": meta.long_name if meta else GROWTH_ATTRS["long_name"],
             "units": meta.units if meta else GROWTH_ATTRS["units"], "statistic": statistic})
    data_vars.update(_means(spec, summary.sums.means().reshape(-1, n_years), data_vars))
    data_vars["attained"] = (
        ("target", "year"), summary.attained,
        {"long_name": "Draws attaining the target if it were measured in that year",
         "units": "draws"})
    data_vars["attained_all"] = (
        ("year",), summary.attained_all,
        {"long_name": "Draws attaining every modelled target if measured in that year",
         "units": "draws"})
    dataset = xr.Dataset(
        data_vars,
        coords={"quantile": list(QUANTILES), "year": years, "sector": list(SECTORS),
                "target": [t.target for t in spec.targets], "area": list(AREAS)},
    )
    dataset.attrs.update(attrs)
    return dataset


def _means(spec: RunSpec, means: FloatArray, quantiled: dict[str, Any]) -> dict[str, Any]:
    """``<variable>_mean`` beside every variable the summary keeps quantiles of: the exact mean
    of the draws by year (`nmmsim.engine.sums`), in the same series order as the sketch."""
    note = "mean of the draws: block sums added exactly, so the same for any chunking or workers"
    variables: dict[str, Any] = {}

    def add(name: str, dims: tuple[str, ...], values: FloatArray) -> None:
        attrs = dict(quantiled[name][2])  # (dims, values, attrs) of its quantiles
        attrs.update({"long_name": f"{attrs['long_name']}: mean of the draws", "statistic": note})
        variables[f"{name}_mean"] = (dims, values, attrs)

    sector_share = np.full((means.shape[1], len(SECTORS)), np.nan)
    for (variable, sector), row in zip(SUMMARISED, means, strict=False):
        if sector:
            sector_share[:, SECTORS.index(sector)] = row
        else:
            add(variable, ("year",), row)
    add("sector_share", ("year", "sector"), sector_share)
    first_area = len(SUMMARISED) + len(spec.target_measures)
    for target, row in zip(spec.target_measures, means[len(SUMMARISED):first_area], strict=True):
        add(f"target_{target.target}", ("year",), row)
    for k, variable in enumerate(BY_AREA):
        start = first_area + k * len(AREAS)
        add(f"{variable}_by_area", ("year", "area"), means[start:start + len(AREAS)].T)
    return variables
