"""The quantile sketch keeps only the buckets its series' values reach, with the dense table's
results (`nmmsim.engine.sketch`)."""

from __future__ import annotations

import pickle
import tracemalloc

import numpy as np

from nmmsim.engine.sketch import LARGEST, SMALLEST, WIDTH, QuantileSketch

LEVELS = np.array([0.0, 0.001, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 0.999, 1.0])


def _awkward_series(rng: np.random.Generator, n: int) -> np.ndarray:
    """Series of every kind a run files: levels, growth rates around zero, constants, undefined
    years (NaN), values beyond the sketch's range, tiny and negative values."""
    return np.stack([
        rng.normal(2000, 300, n), rng.normal(0.5, 3, n), rng.lognormal(0, 2, n), np.zeros(n),
        -rng.uniform(1, 2, n), np.full(n, np.nan), np.r_[np.nan, rng.normal(0, 1, n - 1)],
        rng.lognormal(10, 8, n), -rng.lognormal(0, 10, n), rng.uniform(0, SMALLEST, n),
        np.r_[np.inf, -np.inf, LARGEST, rng.normal(0, 1e9, n - 3)],
    ])


def test_windows_grown_by_any_pieces_and_merges_count_as_one_sketch_of_everything():
    rng = np.random.default_rng(5)
    data = _awkward_series(rng, 6000)
    whole = QuantileSketch.empty(len(data))
    whole.add(data)
    # pieces of growing spread, so windows widen in later adds and merges, both ways
    merged = QuantileSketch.empty(len(data))
    for start, stop in [(0, 7), (7, 700), (700, 3000), (3000, 6000)]:
        part = QuantileSketch.empty(len(data))
        part.add([data[:4, start:stop], data[4:, start:stop]])
        merged.merge(pickle.loads(pickle.dumps(part)))
    assert np.array_equal(merged.counts, whole.counts)
    assert np.array_equal(merged.n_values, np.full(len(data), 6000))
    np.testing.assert_array_equal(merged.quantiles(LEVELS), whole.quantiles(LEVELS))


def test_a_sketch_holds_the_buckets_its_values_reach_not_every_bucket():
    """4,000 series (an indicator x year each) of values within a factor of two: the dense
    table would take 4,000 x 68 KiB = 266 MiB; the windows about 128 + 64 buckets a series."""
    values = np.random.default_rng(0).uniform(1000, 2000, (4000, 1024))
    tracemalloc.start()
    try:
        sketch = QuantileSketch.empty(len(values))
        sketch.add(values)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4000 * WIDTH * 8 / 10
    assert sketch.filled.nbytes <= 4000 * 200 * 8


def test_a_task_sketch_pickles_small_and_unpickles_exact():
    values = np.random.default_rng(1).normal(100, 5, (200, 2048))
    sketch = QuantileSketch.empty(len(values))
    sketch.add(values)
    pickled = pickle.dumps(sketch)
    assert len(pickled) < sketch.filled.nbytes / 3  # counts under 2^16: two bytes each
    back = pickle.loads(pickled)
    assert back.filled.dtype == np.int64
    np.testing.assert_array_equal(back.counts, sketch.counts)
