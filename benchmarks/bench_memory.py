"""Peak memory of one Monte Carlo task in one process, by horizon: what a worker holds.

Run from the repository root::

    python benchmarks/bench_memory.py                                # 2030, 2050, 2100
    python benchmarks/bench_memory.py --end-year 2100 --chunk-size 1024 2048

Runs ``nmmsim.engine.chunks.run_draws`` on one chunk of the baseline scenario (default sampler,
random disaster years and TFP shocks, posterior draws) under `tracemalloc` and prints the peak
of memory traced during the task (numpy arrays, the summary's sketch and sums; not the
interpreter and the imported modules), the draws run through the model at once (``piece``), the
counts the summary's sketch holds and the size of the summary pickled (as sent to the run's
process). Each row runs in
a fresh process, so one row's freed memory does not hide in another's. A worker holds one task
at a time; the run's process holds the merged summary and the one it receives.
"""

from __future__ import annotations

import argparse
import json
import pickle
import subprocess
import sys
import tracemalloc

YEARS = (2030, 2050, 2100)


def _one(end_year: int, chunk_size: int) -> dict[str, float]:
    from nmmsim.base_year import BaseYear
    from nmmsim.engine import chunks
    from nmmsim.engine.chunks import Arm, RunSpec, chunk_size_for, run_draws
    from nmmsim.engine.simulation import _counted_targets
    from nmmsim.engine.uncertainty import Uncertainty
    from nmmsim.observed import load_observed
    from nmmsim.posterior import load_posterior
    from nmmsim.scenario import load_scenario, shipped_scenarios
    from nmmsim.targets import TargetHistory

    scenario = load_scenario(shipped_scenarios()["baseline"])
    uncertainty = Uncertainty.default(load_posterior(), fixed=scenario.parameter_overrides,
                                      priors=scenario.prior_overrides)
    arm = Arm(scenario.name, scenario.schedule(range(2025, end_year + 1)), uncertainty)
    spec = RunSpec(base=BaseYear.from_observed(load_observed(), 2024), arms=(arm,),
                   targets=_counted_targets(None, end_year),
                   history=TargetHistory.from_observed(None), sampler="mc", seed=1,
                   disasters="random", keep="summary")
    chunk_size = chunk_size or chunk_size_for(spec)
    piece_size_for = getattr(chunks, "piece_size_for", None)  # absent before pieces
    run_draws(spec, 0, 1024, 1024)  # warm-up: lazy imports and caches are not the task's
    tracemalloc.start()
    summary = run_draws(spec, 0, chunk_size, chunk_size)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    sketch = summary.arms[0].sketch
    held = getattr(sketch, "filled", getattr(sketch, "counts", None))
    return {"chunk": chunk_size, "peak_mib": peak / 2**20, "sketch_mib": held.nbytes / 2**20,
            "pickled_mib": len(pickle.dumps(summary)) / 2**20,
            "piece": piece_size_for(spec, chunk_size) if piece_size_for else chunk_size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--end-year", type=int, nargs="*", default=list(YEARS))
    parser.add_argument("--chunk-size", type=int, nargs="*", default=[0],
                        help="draws per chunk (0, the default: nmmsim's choice for the horizon)")
    parser.add_argument("--one", nargs=2, type=int, help=argparse.SUPPRESS)  # child process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_one(*args.one)))
        return
    print(f"{'end year':>8}  {'chunk':>6}  {'piece':>6}  {'peak MiB':>9}  {'sketch MiB':>10}  "
          f"{'pickled MiB':>11}")
    for end_year in args.end_year:
        for chunk_size in args.chunk_size:
            out = subprocess.run([sys.executable, __file__, "--one", str(end_year),
                                  str(chunk_size)], check=True, capture_output=True,
                                 text=True).stdout
            row = json.loads(out.strip().splitlines()[-1])
            print(f"{end_year:>8}  {row['chunk']:>6,}  {row['piece']:>6,}  {row['peak_mib']:>9.0f}  "
                  f"{row['sketch_mib']:>10.1f}  {row['pickled_mib']:>11.1f}", flush=True)


if __name__ == "__main__":
    main()
