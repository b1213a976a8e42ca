"""Simulation-based calibration of the conditioning at full scale: every parameter and every
discrepancy scale conditioned together (docs/uncertainty.md §5).

Run: ``python benchmarks/bench_sbc.py [--replications 100] [--particles 2048] [--draws 127]``.
Prints the wall time, each name's rank histogram and chi-square p-value, and the names whose
histogram departs from uniform at the 1% level (Talts et al. 2018).
"""

from __future__ import annotations

import argparse
import time

from nmmsim.calibration.sbc import sbc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replications", type=int, default=100)
    parser.add_argument("--particles", type=int, default=2048)
    parser.add_argument("--draws", type=int, default=127, help="posterior draws ranked against")
    parser.add_argument("--bins", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    result = sbc(args.replications, particles=args.particles, draws=args.draws, seed=args.seed)
    seconds = time.perf_counter() - started
    print(f"SBC: {args.replications} replications x {args.particles:,} particles, ranks among "
          f"{args.draws} draws, seed {args.seed}: {seconds:.0f} s")
    p_values = result.uniformity_p_values(args.bins)
    histograms = result.histogram(args.bins)
    print(f"{'name':<38} {'p-value':>8}  rank histogram ({args.bins} bins)")
    for name, counts in zip(result.names, histograms, strict=True):
        print(f"{name:<38} {p_values[name]:>8.3f}  {' '.join(f'{c:3d}' for c in counts)}")
    failing = [name for name, p in p_values.items() if p < 0.01]
    print(f"pooled p-value {result.pooled_p_value(args.bins):.3g}; below 1%: "
          f"{', '.join(failing) if failing else 'none'} ({len(result.names)} names, about "
          f"{0.01 * len(result.names):.1f} expected by chance)")


if __name__ == "__main__":
    main()
