"""One chunk of Monte Carlo draws: sample, project, reduce to mergeable statistics.

A `RunSpec` holds everything a worker needs (it is pickled once per worker), with one `Arm` per
scenario: compared scenarios run in the same chunks on the same random numbers. `run_draws` runs a
range of draws chunk by chunk and returns a `ChunkSummary`: integer counts only (quantile-sketch
buckets, target attainment, paired disagreements between scenarios), so summaries merge exactly in
any order. With ``keep = "trajectories"`` it also returns the chunks' full Datasets. At long
horizons a chunk runs block by block, a block in pieces (`piece_size_for`), so that its arrays
keep to `CHUNK_BUDGET_BYTES` at any horizon; the pieces never change a result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import xarray as xr

from nmmsim._types import FloatArray
from nmmsim.base_year import BaseYear
from nmmsim.engine.allocator import keep_freed_memory
from nmmsim.engine.projection import expected_disasters, project
from nmmsim.engine.sampling import (
    BLOCK_SIZE,
    Sampler,
    disaster_uniforms,
    shock_normals,
    unit_sample,
)
from nmmsim.engine.sketch import QuantileSketch
from nmmsim.engine.sums import ExactSums
from nmmsim.engine.uncertainty import NAMES, Uncertainty
from nmmsim.levers import SECTORS, LeverSchedule
from nmmsim.model import Constants, State
from nmmsim.past import Past
from nmmsim.results import (
    AREAS,
    TARGET_REGION,
    area_indicator_paths,
    area_paths,
    build_dataset,
)
from nmmsim.targets import Target, TargetHistory, met, target_paths

__all__ = ["BY_AREA", "CHUNK_BUDGET_BYTES", "DEFAULT_CHUNK_SIZE", "MIN_PIECE_SIZE", "SUMMARISED", "Arm",
           "ArmSummary", "ChunkSummary", "Keep", "RunSpec", "ShockMode", "chunk_size_for",
           "piece_size_for", "run_draws"]

Keep = Literal["summary", "trajectories"]
DisasterMode = Literal["random", "expected"]
#: "random": each province's yearly TFP shock drawn (`tfp_shock_sd`); "none": the shock-free path.
ShockMode = Literal["random", "none"]

#: Indicators of ``region_2022`` whose quantiles a summary keeps, as (variable, sector or ""),
#: every year.
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


#: Draws per chunk at most, by default: 2 blocks. Larger chunks are no faster: with 15 provinces a
#: chunk's arrays are 15 times those of a draw of the aggregate model (docs/performance.md).
DEFAULT_CHUNK_SIZE = 2 * BLOCK_SIZE
#: Memory a chunk's arrays may take in a worker, beside the summary's sketch: the default chunk
#: size is the most blocks (up to 2) that fit it at the run's horizon, and a chunk that does not
#: fit runs in pieces that do (docs/performance.md, Memory at long horizons).
CHUNK_BUDGET_BYTES = 96 * 2**20
#: A draw's states, region aggregates and other temporaries a year, beside the paths of the
#: summarised series (8 bytes each): measured 5.6-6.0 KB a draw and year with 67 series, for
#: horizons 2030-2100.
_DRAW_YEAR_BYTES = 5_200
#: Draws of a piece at least: below, the model's Python overhead per array operation dominates.
MIN_PIECE_SIZE = 64

#: Indicators whose quantiles a summary keeps for every province and both regions, every year.
#: Three, because each series costs a sketch window per year in every worker (docs/performance.md).
BY_AREA: tuple[str, ...] = ("grdp_nominal", "grdp_growth", "grdp_per_capita")


@dataclass(frozen=True, slots=True)
class Arm:
    """One scenario of a run: its levers and what varies across its draws."""

    name: str
    schedule: LeverSchedule
    uncertainty: Uncertainty
    attrs: dict[str, str | int | float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RunSpec:
    """A Monte Carlo run's fixed inputs: start state, scenarios, targets, sampler and seed.

    Every arm (scenario) sees the same unit sample and disaster numbers in each draw (common
    random numbers); the first arm is the reference that paired differences are taken against.
    """

    base: BaseYear
    arms: tuple[Arm, ...]
    targets: tuple[Target, ...]  # modelled targets only
    history: TargetHistory
    sampler: Sampler
    seed: int
    disasters: DisasterMode
    keep: Keep
    shocks: ShockMode = "random"
    #: The history years every draw runs before the base year (`nmmsim.past`); ``None``: the
    #: unobserved base-year stocks come from parameters.
    past: Past | None = None

    @property
    def years(self) -> list[int]:
        return [self.base.year, *self.arms[0].schedule.years]

    @property
    def target_measures(self) -> tuple[Target, ...]:
        """Targets measured over several years or on another area than region_2022, whose
        indicator's quantiles are kept too (as ``target_<name>``)."""
        return tuple(t for t in self.targets if t.measure != "level" or t.area != TARGET_REGION)


@dataclass(slots=True)
class ArmSummary:
    """Mergeable statistics of one scenario's draws."""

    sketch: QuantileSketch  # series: SUMMARISED, target measures, BY_AREA x AREAS; every year
    sums: ExactSums  # the same series, for their means
    attained: np.ndarray  # (n_targets, n_years) int64: draws attaining each target if measured then
    attained_all: np.ndarray  # (n_years,) int64: draws attaining every modelled target that year
    trajectories: list[tuple[int, xr.Dataset]] = field(default_factory=list)

    @staticmethod
    def indicators(spec: RunSpec) -> int:
        """How many indicators' quantiles the summary keeps (each for every year)."""
        return len(SUMMARISED) + len(spec.target_measures) + len(BY_AREA) * len(AREAS)

    @classmethod
    def empty(cls, spec: RunSpec) -> ArmSummary:
        n_years = len(spec.years)
        n_series = cls.indicators(spec) * n_years
        return cls(QuantileSketch.empty(n_series), ExactSums.empty(n_series),
                   np.zeros((len(spec.targets), n_years), dtype=np.int64),
                   np.zeros(n_years, dtype=np.int64))

    def merge(self, other: ArmSummary) -> None:
        self.sketch.merge(other.sketch)
        self.sums.merge(other.sums)
        self.attained += other.attained
        self.attained_all += other.attained_all
        self.trajectories.extend(other.trajectories)


@dataclass(slots=True)
class ChunkSummary:
    """Mergeable statistics of some draws, every arm.

    ``discordant[a, k, y]`` counts draws where arm ``a`` and the reference arm disagree on target
    ``k`` (the last ``k``: all targets at once) measured in year ``y``: ``[..., 0]`` attained in
    arm ``a`` only, ``[..., 1]`` in the reference only. Paired differences come from these.
    """

    draws: int
    arms: list[ArmSummary]
    discordant: np.ndarray  # (n_arms, n_targets + 1, n_years, 2) int64

    @classmethod
    def empty(cls, spec: RunSpec) -> ChunkSummary:
        shape = (len(spec.arms), len(spec.targets) + 1, len(spec.years), 2)
        return cls(0, [ArmSummary.empty(spec) for _ in spec.arms],
                   np.zeros(shape, dtype=np.int64))

    def merge(self, other: ChunkSummary) -> None:
        self.draws += other.draws
        for mine, theirs in zip(self.arms, other.arms, strict=True):
            mine.merge(theirs)
        self.discordant += other.discordant


def chunk_size_for(spec: RunSpec) -> int:
    """The default draws per chunk of ``spec``: the most blocks, up to `DEFAULT_CHUNK_SIZE`, whose
    arrays fit `CHUNK_BUDGET_BYTES` for its years and summarised indicators; at least one block.

    Memory per chunk grows with years x indicators, so long horizons get smaller chunks
    (2030: 2,048 draws; 2050: 1,024), and beyond about 2040 a block is run in pieces
    (`piece_size_for`). The chunk size never changes the results.
    """
    blocks = CHUNK_BUDGET_BYTES // (_draw_bytes(spec) * BLOCK_SIZE)
    return int(max(1, min(DEFAULT_CHUNK_SIZE // BLOCK_SIZE, blocks))) * BLOCK_SIZE


def piece_size_for(spec: RunSpec, chunk_size: int) -> int:
    """Draws of a chunk run through the model at once: the whole chunk if its arrays fit
    `CHUNK_BUDGET_BYTES`, else a block, else the block in equal pieces (a half, a quarter, ... of
    `BLOCK_SIZE`, at least `MIN_PIECE_SIZE` draws), the block's summarised series held for its
    exact sums beside them.

    A piece's draws take their numbers from their block's streams, drawn once for the chunk, and
    every draw's arithmetic is its own: the pieces never change the results.
    """
    draw_bytes = _draw_bytes(spec)
    if chunk_size * draw_bytes <= CHUNK_BUDGET_BYTES or chunk_size <= MIN_PIECE_SIZE:
        return chunk_size
    if BLOCK_SIZE * draw_bytes <= CHUNK_BUDGET_BYTES:
        return BLOCK_SIZE
    held = _series_bytes(spec) * BLOCK_SIZE  # the block's summarised series, for its sums
    piece = BLOCK_SIZE // 2
    while piece > MIN_PIECE_SIZE and held + piece * draw_bytes > CHUNK_BUDGET_BYTES:
        piece //= 2
    return piece


def _series_bytes(spec: RunSpec) -> int:
    """Bytes of a draw's summarised series (every indicator, every year)."""
    return 8 * len(spec.years) * ArmSummary.indicators(spec)


def _draw_bytes(spec: RunSpec) -> int:
    """Bytes of a draw's arrays while its chunk runs: states, aggregates, series."""
    return len(spec.years) * _DRAW_YEAR_BYTES + _series_bytes(spec)


def run_draws(spec: RunSpec, first_draw: int, n_draws: int, chunk_size: int,
              piece_size: int | None = None) -> ChunkSummary:
    """Run draws ``first_draw .. first_draw + n_draws`` in chunks of ``chunk_size``, merged.

    ``piece_size``, draws run through the model at once (default `piece_size_for`), is the
    chunk or a divisor of `BLOCK_SIZE`; it never changes the result.
    """
    if chunk_size % BLOCK_SIZE:
        raise ValueError(f"chunk_size must be a multiple of {BLOCK_SIZE}, got {chunk_size}")
    if piece_size is None:
        piece_size = piece_size_for(spec, chunk_size)
    elif not (piece_size == chunk_size or (0 < piece_size <= BLOCK_SIZE
                                           and BLOCK_SIZE % piece_size == 0)):
        raise ValueError(f"piece_size must be the chunk size or divide {BLOCK_SIZE}, got "
                         f"{piece_size}")
    keep_freed_memory()
    summary = ChunkSummary.empty(spec)
    for start in range(first_draw, first_draw + n_draws, chunk_size):
        _run_chunk(spec, start, min(chunk_size, first_draw + n_draws - start), summary, piece_size)
    return summary


def _run_chunk(spec: RunSpec, first_draw: int, n_draws: int, summary: ChunkSummary,
               piece_size: int) -> None:
    """Run one chunk of every arm and add its statistics to ``summary``: at once, or block by
    block in pieces of ``piece_size`` draws."""
    summary.draws += n_draws
    step = n_draws if piece_size >= n_draws else BLOCK_SIZE
    for first in range(first_draw, first_draw + n_draws, step):
        _run_block(spec, first, min(step, first_draw + n_draws - first), summary, piece_size)


def _run_block(spec: RunSpec, first_draw: int, n_draws: int, summary: ChunkSummary,
               piece_size: int) -> None:
    """Run draws ``first_draw .. first_draw + n_draws`` (whole blocks, or one block in pieces) of
    every arm, on their random numbers drawn at once, and add their statistics to ``summary``."""
    unit = unit_sample(spec.sampler, spec.seed, first_draw, n_draws, spec.arms[0].uncertainty.dimension)
    n_years = len(spec.years) - 1
    uniforms = disaster_uniforms(spec.seed, first_draw, n_draws, n_years) \
        if spec.disasters == "random" else None
    shocks = shock_normals(spec.seed, first_draw, n_draws, n_years, spec.base.grdp.size) \
        if spec.shocks == "random" else None
    reference: np.ndarray | None = None
    for index, (arm, arm_summary) in enumerate(zip(spec.arms, summary.arms, strict=True)):
        attained, series = _run_arm(spec, arm, arm_summary, first_draw, piece_size, unit,
                                    uniforms, shocks)
        arm_summary.sketch.add(series)
        arm_summary.sums.add(series, BLOCK_SIZE)
        if reference is None:  # the reference never disagrees with itself
            reference = attained
        else:
            summary.discordant[index, ..., 0] += (attained & ~reference).sum(axis=-1)
            summary.discordant[index, ..., 1] += (~attained & reference).sum(axis=-1)


def _run_arm(spec: RunSpec, arm: Arm, summary: ArmSummary, first_draw: int, piece_size: int,
             unit: FloatArray, uniforms: FloatArray | None,
             shocks: FloatArray | None) -> tuple[np.ndarray, list[FloatArray]]:
    """Run one arm on the draws of ``unit``'s columns, ``piece_size`` at a time, and count them
    in ``summary``'s attainment counts. Return which draws attain each target in each year (as
    `_file`) and the summarised series (rows in the sketch's order, a column a draw), to file
    in the sketch and the exact sums (which need whole blocks)."""
    n_draws = unit.shape[1]
    attained = np.empty((len(spec.targets) + 1, len(spec.years), n_draws), dtype=bool)
    held: FloatArray | None = None  # the series of a block run in pieces, for its exact sums
    series: list[FloatArray] = []
    n_years = len(spec.years) - 1
    for start in range(0, n_draws, piece_size):
        piece = slice(start, min(start + piece_size, n_draws))
        # contiguous copies of the piece's numbers: its arrays are then laid out as a chunk's
        params = arm.uncertainty.parameters(np.ascontiguousarray(unit[:, piece]))
        if uniforms is not None:
            disasters = (uniforms[piece] < params.disaster_probability[:, None]).astype(np.float64)
        else:
            disasters = expected_disasters(params, n_years)
        piece_shocks = np.ascontiguousarray(shocks[..., piece]) if shocks is not None else None
        states, constants = project(spec.base, params, arm.schedule, disasters, piece_shocks,
                                    spec.past)
        attained[..., piece], series = _file(spec, states, constants, summary)
        if piece.stop - piece.start < n_draws:
            if held is None:
                held = np.empty((sum(s.shape[0] for s in series), n_draws))
            np.concatenate(series, out=held[:, piece])
            series = []
        if spec.keep == "trajectories":
            dataset = build_dataset(states, constants, spec.years, spec.base, attrs={})
            dataset["parameters"] = xr.DataArray(
                np.stack([params.quantity(name) for name in NAMES], axis=1),
                dims=("draw", "parameter"), coords={"parameter": list(NAMES)},
                attrs={"long_name": "Parameter values of each draw", "units": "registry units"})
            summary.trajectories.append((first_draw + start, dataset))
        del states, constants, params  # before the next piece's arrays
    return attained, [held] if held is not None else series


def _file(spec: RunSpec, states: list[State], constants: Constants,
          summary: ArmSummary) -> tuple[np.ndarray, list[FloatArray]]:
    """Add one arm's draws to its summary's attainment counts; return which draws attain each
    target (the last row: all of them) in each year, ``(n_targets + 1, n_years, n_draws)``
    booleans, and the summarised series (``(rows, n_draws)`` arrays, rows in the sketch's
    order)."""
    keys = set(SUMMARISED) | {(t.variable, t.sector) for t in spec.targets
                              if t.area == TARGET_REGION}
    paths = area_indicator_paths(states, constants, spec.base, TARGET_REGION, keys)
    targets_paths = {TARGET_REGION: paths}
    for area in sorted({t.area for t in spec.targets} - {TARGET_REGION}):
        wanted = {(t.variable, t.sector) for t in spec.targets if t.area == area}
        targets_paths[area] = area_indicator_paths(states, constants, spec.base, area, wanted)
    n_draws = states[0].population.shape[-1]
    attained = np.ones((len(spec.targets) + 1, len(spec.years), n_draws), dtype=bool)
    measured = []
    for k, target in enumerate(spec.targets):
        indicator = target_paths(target, targets_paths[target.area][(target.variable, target.sector)],
                                 spec.years, spec.history)
        attained[k] = met(target, indicator)
        attained[-1] &= attained[k]
        if target.measure != "level" or target.area != TARGET_REGION:
            measured.append(indicator)
    counts = attained.sum(axis=-1)
    summary.attained += counts[:-1]
    summary.attained_all += counts[-1]
    areas = area_paths(states, constants, spec.base, BY_AREA, region_2022=paths)
    series = ([paths[key] for key in SUMMARISED] + measured  # each (n_years, n)
              + [areas[(variable, area)] for variable in BY_AREA for area in AREAS])
    return attained, series
