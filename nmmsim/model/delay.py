"""Third-order material delay in discrete yearly steps (Vensim's DELAY3, exponential form)."""

from __future__ import annotations

import numpy as np

from nmmsim._types import FloatArray

__all__ = ["delay3_outflow_fraction", "delay3_step"]


def delay3_outflow_fraction(mean_delay: FloatArray) -> FloatArray:
    """Share of each stage that moves on in one year: ``1 - exp(-3 / mean_delay)``.

    The exponential form keeps every stage non-negative for any delay, even under one year.
    """
    return -np.expm1(-3.0 / mean_delay)


def delay3_step(
    stages: FloatArray, inflow: FloatArray, outflow_fraction: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Advance a three-stage pipeline ``(3, n)`` (stage first) by one year.

    ``outflow_fraction`` is `delay3_outflow_fraction` of the mean delay (fixed over a run, so it
    is computed once, in the run's constants). Returns the new stages and the outflow of the last
    stage (what completes this year). Material is conserved:
    ``sum(new) + outflow == sum(old) + inflow``.
    """
    moving = stages * outflow_fraction
    new = stages - moving
    new[0] += inflow
    new[1:] += moving[:-1]
    return new, moving[-1]
