"""A chunk's draws run in pieces at long horizons: the same statistics, memory within budget
(`nmmsim.engine.chunks`; docs/performance.md, Memory at long horizons)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
import xarray as xr

import nmmsim
from nmmsim.base_year import BaseYear
from nmmsim.engine.chunks import (
    CHUNK_BUDGET_BYTES,
    Arm,
    ChunkSummary,
    RunSpec,
    piece_size_for,
    run_draws,
)
from nmmsim.engine.sampling import BLOCK_SIZE
from nmmsim.engine.simulation import MAX_END_YEAR, _counted_targets
from nmmsim.engine.uncertainty import Uncertainty
from nmmsim.observed import load_observed
from nmmsim.posterior import load_posterior
from nmmsim.scenario import load_scenario, shipped_scenarios
from nmmsim.targets import TargetHistory

#: A worker's task at any horizon up to MAX_END_YEAR: its traced memory stays under this
#: (docs/performance.md, Memory at long horizons).
TASK_BUDGET_BYTES = 192 * 2**20


def _spec(end_year: int, *, scenarios: tuple[str, ...] = ("baseline",), sampler: str = "mc",
          keep: str = "summary") -> RunSpec:
    posterior = load_posterior()
    arms = []
    for name in scenarios:
        scenario = load_scenario(shipped_scenarios()[name])
        uncertainty = Uncertainty.default(posterior, fixed=scenario.parameter_overrides,
                                          priors=scenario.prior_overrides)
        arms.append(Arm(scenario.name, scenario.schedule(range(2025, end_year + 1)), uncertainty))
    return RunSpec(base=BaseYear.from_observed(load_observed(), 2024), arms=tuple(arms),
                   targets=_counted_targets(None, end_year),
                   history=TargetHistory.from_observed(None), sampler=sampler,  # type: ignore[arg-type]
                   seed=7, disasters="random", keep=keep)  # type: ignore[arg-type]


def _assert_same(a: ChunkSummary, b: ChunkSummary) -> None:
    assert a.draws == b.draws
    np.testing.assert_array_equal(a.discordant, b.discordant)
    for mine, theirs in zip(a.arms, b.arms, strict=True):
        np.testing.assert_array_equal(mine.sketch.counts, theirs.sketch.counts)
        np.testing.assert_array_equal(mine.sketch.minimum, theirs.sketch.minimum)
        np.testing.assert_array_equal(mine.sketch.maximum, theirs.sketch.maximum)
        assert mine.sums.totals == theirs.sums.totals
        np.testing.assert_array_equal(mine.sums.finite, theirs.sums.finite)
        np.testing.assert_array_equal(mine.attained, theirs.attained)
        np.testing.assert_array_equal(mine.attained_all, theirs.attained_all)


@pytest.mark.parametrize("sampler", ["mc", "lhs", "sobol"])
def test_pieces_of_a_block_give_the_statistics_of_the_whole_chunk(sampler):
    """Two scenarios (paired counts), a last chunk that ends inside a block."""
    spec = _spec(2036, scenarios=("baseline", "green_forest"), sampler=sampler)
    whole = run_draws(spec, 0, 2500, 2048, piece_size=2048)
    for piece_size in (BLOCK_SIZE, 256, 64):
        _assert_same(run_draws(spec, 0, 2500, 2048, piece_size=piece_size), whole)


def test_pieces_give_the_trajectories_of_the_whole_chunk():
    spec = _spec(2032, keep="trajectories")
    whole = run_draws(spec, 1024, 1500, 2048, piece_size=2048).arms[0].trajectories
    pieces = run_draws(spec, 1024, 1500, 2048, piece_size=128).arms[0].trajectories
    assert [first for first, _ in pieces] == list(range(1024, 2524, 128))
    joined = xr.concat([d for _, d in pieces], dim="draw")  # renumbered as the run renumbers them
    xr.testing.assert_identical(joined.assign_coords(draw=np.arange(1500)),
                                whole[0][1].assign_coords(draw=np.arange(1500)))


def test_pieces_are_the_chunk_while_it_fits_and_shrink_with_the_horizon():
    assert piece_size_for(_spec(2030), 2048) == 2048
    sizes = [piece_size_for(_spec(year), BLOCK_SIZE) for year in (2040, 2050, 2075, MAX_END_YEAR)]
    assert sizes == sorted(sizes, reverse=True) and sizes[-1] < BLOCK_SIZE
    assert all(BLOCK_SIZE % size == 0 for size in sizes)
    # whatever the chunk given, its pieces are those of a block
    assert piece_size_for(_spec(MAX_END_YEAR), 16 * BLOCK_SIZE) == sizes[-1]
    assert CHUNK_BUDGET_BYTES >= 2**20


@pytest.mark.parametrize(("end_year", "chunk_size"), [(2050, 4096), (MAX_END_YEAR, 2048)])
def test_a_run_keeps_to_the_task_memory_budget_at_long_horizons(baseline_path, end_year,
                                                                  chunk_size):
    """Before the pieces and the sketch's windows, one task to 2100 traced 770 MiB (a chunk's
    arrays 440 MB, the dense sketch 343 MiB) and to 2050 270-420 MiB."""
    nmmsim.simulate(baseline_path, draws=1024, seed=1, end_year=2026)  # imports, caches
    tracemalloc.start()
    try:
        nmmsim.simulate(baseline_path, draws=chunk_size, seed=1, end_year=end_year,
                        chunk_size=chunk_size)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < TASK_BUDGET_BYTES
