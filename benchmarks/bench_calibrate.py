"""Time a full calibration (``nmmsim.calibration.calibrate``) on the shipped data.

Run: ``python benchmarks/bench_calibrate.py [--repeat 5]``. Prints the median wall time, the number
of residual evaluations and of history runs (each Jacobian is one batch of 2p runs).
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

from nmmsim.calibration import CalibrationWarning, calibrate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    calibrate_quietly()  # warm-up: imports, scipy.stats priors
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = calibrate_quietly()
        times.append(time.perf_counter() - start)
    print(f"calibrate(): median {statistics.median(times):.3f} s over {args.repeat} runs "
          f"(min {min(times):.3f} s); {result.nfev} residual evaluations, "
          f"{len(result.names)} parameters, {len(result.residuals)} observed figures")


def calibrate_quietly():  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CalibrationWarning)
        return calibrate()


if __name__ == "__main__":
    main()
