"""Throughput of the model alone: `nmmsim.engine.project` on one batch of draws, 2024-2030.

Run: ``python benchmarks/bench_step.py``. Prints draws/s (best of 5 runs) and the peak of traced
memory for batches of 1,000 draws, one Monte Carlo chunk (2,048) and 16,384 draws, at the
registry defaults without disasters. Memory is set up as Monte Carlo workers have it
(`nmmsim.engine.allocator.keep_freed_memory`): without that, each step's fresh arrays fault their
pages in again and the model runs about 3x slower. `bench_stages.py` puts the model beside the
other stages of a chunk.
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np

from nmmsim.base_year import BaseYear
from nmmsim.engine import project
from nmmsim.engine.allocator import keep_freed_memory
from nmmsim.engine.simulation import DEFAULT_CHUNK_SIZE
from nmmsim.observed import load_observed
from nmmsim.parameters import Parameters
from nmmsim.scenario import load_scenario, shipped_scenarios


def main() -> None:
    keep_freed_memory()
    base = BaseYear.from_observed(load_observed(), 2024)
    scenario = load_scenario(shipped_scenarios()["baseline"])
    schedule = scenario.schedule(range(2025, 2031))
    print(f"{'draws':>10}  {'seconds':>8}  {'draws/s':>12}  {'peak MiB':>9}")
    for n_draws in (1_000, DEFAULT_CHUNK_SIZE, 16_384):
        params = Parameters.defaults(n_draws)
        disasters = np.zeros((n_draws, len(schedule.years)))
        project(base, params, schedule, disasters)  # warm-up
        seconds = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            project(base, params, schedule, disasters)
            seconds = min(seconds, time.perf_counter() - start)
        tracemalloc.start()
        project(base, params, schedule, disasters)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        print(f"{n_draws:>10,}  {seconds:>8.3f}  {n_draws / seconds:>12,.0f}  {peak:>9.1f}")


if __name__ == "__main__":
    main()
