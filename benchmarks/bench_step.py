"""Throughput of the model through the engine loop (one batch, no chunking yet).

Run: ``python benchmarks/bench_step.py``. Prints draws/s for 2024-2030 and the peak of traced
memory; figures go to docs/performance.md when the Monte Carlo engine lands.
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np

from nmmsim.engine import project
from nmmsim.observed import BaseYear, load_observed
from nmmsim.parameters import Parameters
from nmmsim.scenario import load_scenario, shipped_scenarios


def main() -> None:
    base = BaseYear.from_observed(load_observed(), 2024)
    scenario = load_scenario(shipped_scenarios()["baseline"])
    schedule = scenario.schedule(range(2025, 2031))
    print(f"{'draws':>10}  {'seconds':>8}  {'draws/s':>12}  {'peak MiB':>9}")
    for n_draws in (1_000, 10_000, 100_000):
        params = Parameters.defaults(n_draws)
        disasters = np.zeros((n_draws, len(schedule.years)))
        project(base, params, schedule, disasters)  # warm-up
        tracemalloc.start()
        start = time.perf_counter()
        project(base, params, schedule, disasters)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        print(f"{n_draws:>10,}  {seconds:>8.3f}  {n_draws / seconds:>12,.0f}  {peak:>9.1f}")


if __name__ == "__main__":
    main()
