"""Where a Monte Carlo chunk's time goes: nanoseconds per draw for each stage, on one core.

Run from the repository root::

    python benchmarks/bench_stages.py                      # chunks of 16,384 draws
    python benchmarks/bench_stages.py --chunk-size 32768 --repeats 20

Times the engine's own functions on one chunk of the baseline scenario (default sampler, random
disaster years and TFP shocks, posterior draws), each the best of ``--repeats`` runs: a shared machine's
timings vary by 10-20%, and the best run is the least disturbed. ``summaries`` is the whole of
filing a chunk (indicators, targets measured in every year, attainment counts, quantile sketch);
``targets`` is the rest: each target measured in every year (and its quantiles), attainment
counts. ``model`` includes each draw's run of the history, 2021-2024, that the projection starts
from (`nmmsim.past`). ``chunk`` runs everything in
one call (`nmmsim.engine.chunks.run_draws`), as a worker does.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from nmmsim.base_year import BaseYear
from nmmsim.engine.allocator import keep_freed_memory
from nmmsim.engine.chunks import SUMMARISED, Arm, ArmSummary, RunSpec, _file, run_draws
from nmmsim.engine.projection import project
from nmmsim.engine.sampling import disaster_uniforms, shock_normals, unit_sample
from nmmsim.engine.simulation import DEFAULT_CHUNK_SIZE, _counted_targets
from nmmsim.engine.sketch import QuantileSketch
from nmmsim.engine.uncertainty import Uncertainty
from nmmsim.model.regions import region_paths
from nmmsim.observed import load_observed
from nmmsim.past import Past, observed_disasters
from nmmsim.posterior import load_posterior
from nmmsim.results import TARGET_REGION, indicator_paths
from nmmsim.scenario import load_scenario, shipped_scenarios
from nmmsim.targets import TargetHistory


def _spec() -> RunSpec:
    scenario = load_scenario(shipped_scenarios()["baseline"])
    uncertainty = Uncertainty.default(load_posterior(), fixed=scenario.parameter_overrides,
                                      priors=scenario.prior_overrides)
    arm = Arm(scenario.name, scenario.schedule(range(2025, 2031)), uncertainty)
    observed = load_observed()
    return RunSpec(base=BaseYear.from_observed(observed, 2024), arms=(arm,),
                   targets=_counted_targets(None, 2030), history=TargetHistory.from_observed(None),
                   sampler="mc", seed=1, disasters="random", keep="summary",
                   past=Past.before(2024, observed))


def _best(function: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    result = function()  # warm-up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    n, repeats = args.chunk_size, args.repeats
    keep_freed_memory()  # as run_draws does
    spec = _spec()
    arm = spec.arms[0]
    n_years = len(spec.years) - 1
    seconds: dict[str, float] = {}

    seconds["unit sample"], unit = _best(
        lambda: unit_sample(spec.sampler, spec.seed, 0, n, arm.uncertainty.dimension), repeats)
    seconds["disaster numbers"], uniforms = _best(
        lambda: disaster_uniforms(spec.seed, 0, n, n_years), repeats)
    seconds["shock numbers"], shocks = _best(
        lambda: shock_normals(spec.seed, 0, n, n_years, spec.base.grdp.size), repeats)
    seconds["parameters (posterior particle)"], params = _best(
        lambda: arm.uncertainty.parameters(unit), repeats)
    disasters = (uniforms < params.disaster_probability[:, None]).astype(np.float64)
    seconds["model (project, 6 years)"], (states, constants) = _best(
        lambda: project(spec.base, params, arm.schedule, disasters, shocks, spec.past), repeats)
    past = spec.past
    assert past is not None
    seconds["  of which the history 2021-2024"], _ = _best(
        lambda: project(past.base, params, past.schedule,
                        observed_disasters(past.schedule.years, n)),
        repeats)
    keys = set(SUMMARISED) | {(t.variable, t.sector) for t in spec.targets}
    # summaries accumulate across repeats, as across a worker's chunks: allocate them once
    summary = ArmSummary.empty(spec)
    seconds["summaries"], _ = _best(lambda: _file(spec, states, constants, summary), repeats)
    seconds["  of which region aggregate"], (region_states, accounts) = _best(
        lambda: region_paths(states, constants, TARGET_REGION), repeats)
    seconds["  of which indicators"], paths = _best(
        lambda: indicator_paths(region_states, accounts, spec.base.grdp_growth, keys), repeats)
    sketch = QuantileSketch.empty(len(SUMMARISED) * len(spec.years))
    seconds["  of which indicator sketch"], _ = _best(
        lambda: sketch.add([paths[key] for key in SUMMARISED]), repeats)
    seconds["  of which targets"] = (seconds["summaries"] - seconds["  of which region aggregate"]
                                     - seconds["  of which indicators"]
                                     - seconds["  of which indicator sketch"])
    seconds["chunk (run_draws)"], _ = _best(lambda: run_draws(spec, 0, n, n), repeats)

    print(f"one core, chunks of {n:,} draws, best of {repeats}\n")
    print(f"{'stage':<32}  {'ns per draw':>11}")
    for stage, value in seconds.items():
        print(f"{stage:<32}  {value / n * 1e9:>11,.0f}")
    print(f"\n{'draws/s a core (chunk)':<32}  {n / seconds['chunk (run_draws)']:>11,.0f}")


if __name__ == "__main__":
    main()
