"""Monte Carlo throughput and peak memory through the public API, against a scalar reference.

Run from the repository root::

    python benchmarks/bench_montecarlo.py                  # 10^4 .. 10^7 draws, 1 and 2 workers
    python benchmarks/bench_montecarlo.py --draws 100000000 --workers 2   # the 10^8 memory check
    python benchmarks/bench_montecarlo.py --draws 10000000 --chunk-size 32768   # another chunk size
    python benchmarks/bench_montecarlo.py --draws 10000000 --repeats 3   # best of 3, and the range
    python benchmarks/bench_montecarlo.py --draws 1000000 --workers 2 --end-year 2050   # long horizon

Each size runs in a fresh process (so peak memory is that run's), as ``nmmsim.simulate(baseline,
draws=N, seed=1, workers=W, chunk_size=C)`` with the default summary and sampler (and the default
chunk size unless ``--chunk-size`` is given); wall time includes starting the worker processes.
Peak memory is the largest proportional set size (PSS: resident memory, with pages shared between
processes split among them) of the run's process and all its descendants together (the worker
processes fork from a server process and share its pages), sampled every 50 ms from ``/proc``
(Linux). The reference is the project's own scalar pure-Python loop: the same `nmmsim.model.step`
called once per draw (n = 1), history years and projection, as a one-run-at-a-time simulator
would; its rate is measured on 2,000 draws.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time

import numpy as np

SIZES = (10**4, 10**5, 10**6, 10**7)


def _tree_pss_kib(root: int) -> int:
    """Proportional set size of ``root`` and every process descending from it, in KiB."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):  # the process ended meanwhile
                continue
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                total += next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
        except (OSError, StopIteration):
            continue
    return total


def _one_run(draws: int, workers: int, chunk_size: int | None, end_year: int) -> dict[str, float]:
    import nmmsim

    scenario = nmmsim.load_scenario(nmmsim.shipped_scenarios()["baseline"])
    peak = [_tree_pss_kib(os.getpid())]
    running = threading.Event()
    running.set()

    def watch() -> None:
        while running.is_set():
            peak[0] = max(peak[0], _tree_pss_kib(os.getpid()))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    start = time.perf_counter()
    sizing = {} if chunk_size is None else {"chunk_size": chunk_size}
    nmmsim.simulate(scenario, draws=draws, seed=1, workers=workers, end_year=end_year, **sizing)
    seconds = time.perf_counter() - start
    running.clear()
    watcher.join()
    return {"seconds": seconds, "peak_mib": peak[0] / 1024}


def _scalar_reference(draws: int = 2000) -> float:
    """Draws/s of the same model stepped one draw at a time in a Python loop."""
    import nmmsim
    from nmmsim.base_year import BaseYear
    from nmmsim.engine import project
    from nmmsim.engine.sampling import unit_sample
    from nmmsim.engine.uncertainty import Uncertainty
    from nmmsim.observed import load_observed
    from nmmsim.past import Past
    from nmmsim.posterior import load_posterior

    scenario = nmmsim.load_scenario(nmmsim.shipped_scenarios()["baseline"])
    observed = load_observed()
    base = BaseYear.from_observed(observed, 2024)
    past = Past.before(2024, observed)
    schedule = scenario.schedule(range(2025, 2031))
    uncertainty = Uncertainty.default(load_posterior())
    params = uncertainty.parameters(unit_sample("mc", 1, 0, draws, uncertainty.dimension))
    disasters = np.zeros((1, 6))
    start = time.perf_counter()
    for draw in range(draws):
        project(base, params.take(slice(draw, draw + 1)), schedule, disasters, past=past)
    return draws / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--draws", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--chunk-size", type=int, default=None,
                        help="draws per chunk (default: nmmsim's choice for the horizon)")
    parser.add_argument("--end-year", type=int, default=2030)
    parser.add_argument("--repeats", type=int, default=1,
                        help="runs of each row; the fastest is shown, with the range of draws/s")
    parser.add_argument("--one", nargs=4, type=int, help=argparse.SUPPRESS)  # child process
    args = parser.parse_args()
    if args.one:
        draws, workers, chunk_size, end_year = args.one
        print(json.dumps(_one_run(draws, workers, chunk_size or None, end_year)))
        return

    reference = _scalar_reference()
    print(f"scalar pure-Python loop (same step, one draw at a time): {reference:,.0f} draws/s\n")
    print(f"{'draws':>12}  {'workers':>7}  {'seconds':>8}  {'draws/s':>12}  {'x scalar':>9}  "
          f"{'peak MiB':>9}" + ("  draws/s range" if args.repeats > 1 else ""))
    for draws in args.draws:
        for workers in args.workers:
            runs = [_child_run(draws, workers, args.chunk_size, args.end_year)
                    for _ in range(args.repeats)]
            best = min(runs, key=lambda run: run["seconds"])
            rate = draws / best["seconds"]
            spread = (f"  {draws / max(r['seconds'] for r in runs):,.0f}-{rate:,.0f}"
                      if args.repeats > 1 else "")
            print(f"{draws:>12,}  {workers:>7}  {best['seconds']:>8.2f}  {rate:>12,.0f}  "
                  f"{rate / reference:>9,.0f}  {best['peak_mib']:>9.0f}{spread}", flush=True)


def _child_run(draws: int, workers: int, chunk_size: int | None, end_year: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--one", str(draws), str(workers),
                          str(chunk_size or 0), str(end_year)], check=True, capture_output=True,
                         text=True).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


if __name__ == "__main__":
    main()
