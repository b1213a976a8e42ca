"""One chunk of Monte Carlo draws: sample, project, reduce to mergeable statistics.

A `RunSpec` holds everything a worker needs (it is pickled once per worker). `run_draws` runs a
range of draws chunk by chunk and returns a `ChunkSummary`: integer counts only (quantile-sketch
buckets, target attainment), so summaries merge exactly in any order. With ``keep =
"trajectories"`` it also returns the chunks' full Datasets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import xarray as xr

from nmmsim._types import FloatArray
from nmmsim.engine.allocator import keep_freed_memory
from nmmsim.engine.projection import expected_disasters, project
from nmmsim.engine.sampling import BLOCK_SIZE, Sampler, disaster_uniforms, unit_sample
from nmmsim.engine.sketch import QuantileSketch
from nmmsim.engine.uncertainty import NAMES, Uncertainty
from nmmsim.levers import SECTORS, LeverSchedule
from nmmsim.model import Constants, State
from nmmsim.observed import BaseYear
from nmmsim.results import VARIABLES, build_dataset, growth_path
from nmmsim.targets import Target, TargetHistory, met, target_paths

__all__ = ["SUMMARISED", "ChunkSummary", "Keep", "RunSpec", "run_draws"]

Keep = Literal["summary", "trajectories"]
DisasterMode = Literal["random", "expected"]

#: Indicators whose quantiles a summary keeps, as (variable, sector or ""), every year.
SUMMARISED: tuple[tuple[str, str], ...] = (
    ("grdp", ""),
    ("grdp_nominal", ""),
    ("grdp_growth", ""),
    ("grdp_per_capita", ""),
    *(("sector_share", sector) for sector in SECTORS),
    ("budget_revenue", ""),
    ("certified_share", ""),
    ("trained_share", ""),
    ("forest_cover", ""),
    ("urban_share", ""),
    ("poverty_rate", ""),
    ("population", ""),
)


@dataclass(frozen=True, slots=True)
class RunSpec:
    """A Monte Carlo run's fixed inputs: start state, levers, uncertainty, targets, seed."""

    base: BaseYear
    schedule: LeverSchedule
    uncertainty: Uncertainty
    targets: tuple[Target, ...]  # modelled targets only
    history: TargetHistory
    sampler: Sampler
    seed: int
    disasters: DisasterMode
    keep: Keep
    attrs: dict[str, str | int | float] = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        return [self.base.year, *self.schedule.years]

    @property
    def target_measures(self) -> tuple[Target, ...]:
        """Targets measured over several years, whose indicator's quantiles are kept too."""
        return tuple(t for t in self.targets if t.measure != "level")


@dataclass(slots=True)
class ChunkSummary:
    """Mergeable statistics of some draws."""

    draws: int
    sketch: QuantileSketch  # series: SUMMARISED then target measures, each for every year
    attained: np.ndarray  # (n_targets, n_years) int64: draws attaining each target if measured then
    attained_all: np.ndarray  # (n_years,) int64: draws attaining every modelled target that year
    trajectories: list[tuple[int, xr.Dataset]] = field(default_factory=list)

    @classmethod
    def empty(cls, spec: RunSpec) -> ChunkSummary:
        n_years = len(spec.years)
        n_series = (len(SUMMARISED) + len(spec.target_measures)) * n_years
        return cls(0, QuantileSketch.empty(n_series),
                   np.zeros((len(spec.targets), n_years), dtype=np.int64),
                   np.zeros(n_years, dtype=np.int64))

    def merge(self, other: ChunkSummary) -> None:
        self.draws += other.draws
        self.sketch.merge(other.sketch)
        self.attained += other.attained
        self.attained_all += other.attained_all
        self.trajectories.extend(other.trajectories)


def run_draws(spec: RunSpec, first_draw: int, n_draws: int, chunk_size: int) -> ChunkSummary:
    """Run draws ``first_draw .. first_draw + n_draws`` in chunks of ``chunk_size``, merged."""
    if chunk_size % BLOCK_SIZE:
        raise ValueError(f"chunk_size must be a multiple of {BLOCK_SIZE}, got {chunk_size}")
    keep_freed_memory()
    summary = ChunkSummary.empty(spec)
    for start in range(first_draw, first_draw + n_draws, chunk_size):
        _run_chunk(spec, start, min(chunk_size, first_draw + n_draws - start), summary)
    return summary


def _run_chunk(spec: RunSpec, first_draw: int, n_draws: int, summary: ChunkSummary) -> None:
    """Run one chunk and add its statistics to ``summary`` (no per-chunk sketch to allocate)."""
    unit = unit_sample(spec.sampler, spec.seed, first_draw, n_draws, spec.uncertainty.dimension)
    params = spec.uncertainty.parameters(unit)
    n_years = len(spec.schedule.years)
    if spec.disasters == "random":
        uniforms = disaster_uniforms(spec.seed, first_draw, n_draws, n_years)
        disasters = (uniforms < params.disaster_probability[:, None]).astype(np.float64)
    else:
        disasters = expected_disasters(params, n_years)
    states, constants = project(spec.base, params, spec.schedule, disasters)

    summary.draws += n_draws
    paths = _paths(spec, states, constants)
    measured = []
    all_met = np.ones((len(spec.years), n_draws), dtype=bool)
    for k, target in enumerate(spec.targets):
        indicator = target_paths(target, paths[(target.variable, target.sector)], spec.years,
                                 spec.history)
        attained = met(target, indicator)
        summary.attained[k] += attained.sum(axis=1)
        all_met &= attained
        if target.measure != "level":
            measured.append(indicator)
    summary.attained_all += all_met.sum(axis=1)
    series = [paths[key] for key in SUMMARISED] + measured  # each (n_years, n)
    summary.sketch.add(series)
    if spec.keep == "trajectories":
        dataset = build_dataset(states, constants, spec.years, spec.base, attrs={})
        dataset["parameters"] = xr.DataArray(
            np.stack([getattr(params, name) for name in NAMES], axis=1), dims=("draw", "parameter"),
            coords={"parameter": list(NAMES)},
            attrs={"long_name": "Parameter values of each draw", "units": "registry units"})
        summary.trajectories.append((first_draw, dataset))


def _paths(spec: RunSpec, states: list[State], constants: Constants) -> dict[tuple[str, str],
                                                                           FloatArray]:
    """Every indicator the run summarises or tests, ``(n_years, n_draws)`` each, by (variable,
    sector); each variable is computed once per year."""
    keys = set(SUMMARISED) | {(t.variable, t.sector) for t in spec.targets}
    paths: dict[tuple[str, str], FloatArray] = {}
    for variable in sorted({variable for variable, _ in keys}):
        if variable == "grdp_growth":
            grdp = np.stack([VARIABLES["grdp"].compute(s, constants) for s in states])
            paths[(variable, "")] = growth_path(grdp, spec.base.grdp_growth)
            continue
        values = np.stack([VARIABLES[variable].compute(s, constants) for s in states])
        for _, sector in (key for key in keys if key[0] == variable):
            paths[(variable, sector)] = (
                np.ascontiguousarray(values[:, :, SECTORS.index(sector)]) if sector else values)
    return paths
