"""Third-order material delay (Vensim's DELAY3), advanced exactly over each year.

Material entering the pipeline flows through three stages, each emptying at the rate
``k = 3 / T`` a year, so its mean time in the pipeline is ``T``. The year's inflow arrives evenly
over the year. The three linear equations are solved exactly over one year (a matrix
exponential with closed-form terms), so the mean delay is ``T`` for any ``T``, even under a
year, and every stage stays non-negative.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nmmsim._types import FloatArray

__all__ = ["Delay3", "delay3_step"]


@dataclass(frozen=True, slots=True)
class Delay3:
    """One year of a third-order delay with mean ``T``: per-draw coefficients, ``(n,)`` each.

    With ``k = 3 / T`` and ``a = exp(-k)``: the stages ``x`` become
    ``x0' = a x0 + g0 u``, ``x1' = a (k x0 + x1) + g1 u``,
    ``x2' = a (k^2/2 x0 + k x1 + x2) + g2 u`` for an inflow ``u`` spread evenly over the year,
    where ``g_j = (1 - a sum_{i <= j} k^i / i!) / k``. What leaves in the year is what the stages
    lost plus the inflow.
    """

    rate: FloatArray  # k = 3 / T, per year
    decay: FloatArray  # a = exp(-k)
    inflow_share: tuple[FloatArray, FloatArray, FloatArray]  # g0, g1, g2

    @classmethod
    def of(cls, mean_delay: FloatArray) -> Delay3:
        """The coefficients of a delay with mean ``mean_delay`` years."""
        k = 3.0 / np.asarray(mean_delay, dtype=np.float64)
        a = np.exp(-k)
        g0 = -np.expm1(-k) / k
        g1 = (1.0 - a * (1.0 + k)) / k
        g2 = (1.0 - a * (1.0 + k + 0.5 * k * k)) / k
        return cls(rate=k, decay=a, inflow_share=(g0, g1, g2))

    def steady_stage(self, inflow: FloatArray) -> FloatArray:
        """Each stage's content when ``inflow`` a year has flowed for long: ``inflow / k``."""
        stage: FloatArray = inflow / self.rate
        return stage


def delay3_step(stages: FloatArray, inflow: FloatArray, delay: Delay3
                ) -> tuple[FloatArray, FloatArray]:
    """Advance a three-stage pipeline ``(3, ...)`` (stage first) by one year.

    Returns the new stages and what left the last stage during the year (what completes this
    year). Material is conserved: ``sum(new) + outflow == sum(old) + inflow``.
    """
    k, a = delay.rate, delay.decay
    g0, g1, g2 = delay.inflow_share
    x0, x1, x2 = stages[0], stages[1], stages[2]
    new = np.empty_like(stages)
    new[0] = a * x0 + g0 * inflow
    new[1] = a * (k * x0 + x1) + g1 * inflow
    new[2] = a * (0.5 * k * k * x0 + k * x1 + x2) + g2 * inflow
    outflow = (x0 + x1 + x2 + inflow) - (new[0] + new[1] + new[2])
    return new, outflow
