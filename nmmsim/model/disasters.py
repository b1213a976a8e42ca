"""Severe typhoon and flood years as random events."""

from __future__ import annotations

import numpy as np

from nmmsim._types import FloatArray

__all__ = ["draw_disaster_years"]


def draw_disaster_years(
    probability: FloatArray, n_years: int, rng: np.random.Generator | int | None
) -> FloatArray:
    """Draw which projection years are severe-disaster years, independently per draw and year.

    Parameters
    ----------
    probability : (n,) array
        Yearly probability of a severe year for each draw (``disaster_probability``).
    n_years : int
        Number of projection years.
    rng : numpy Generator or seed

    Returns
    -------
    (n, n_years) array of 0.0 and 1.0, to pass as ``disasters`` to `nmmsim.simulate`.

    Examples
    --------
    >>> draw_disaster_years(np.array([0.0, 1.0]), 3, rng=1)
    array([[0., 0., 0.],
           [1., 1., 1.]])
    """
    generator = np.random.default_rng(rng)
    uniform = generator.random((probability.shape[0], n_years))
    return (uniform < probability[:, None]).astype(np.float64)
