"""A mergeable quantile sketch: counts in logarithmic buckets read off the floating-point bits.

Each series (one indicator in one year) keeps integer counts in buckets whose edges are the
float64 numbers with the last ``52 - MANTISSA_BITS`` mantissa bits zero: `MANTISSA_BITS` = 7 gives
128 buckets per power of two, each at most 2^-7 = 0.78% wide relative to its lower edge. A value's
bucket is its bit pattern shifted right, so filing a chunk costs a few integer operations per value
and no logarithm. Negative values mirror positive ones; magnitudes below `SMALLEST` share one bucket
read as 0, magnitudes at or above `LARGEST` share the top bucket.

Error: a quantile lies in the bucket holding the exact (inverted-CDF) sample quantile, placed by
its rank among the bucket's values (linear between the bucket's edges), so it is within
``RELATIVE_ERROR`` = 2^-7 = 0.78% of it, the bucket's width (or within `SMALLEST` of it near
zero), and in practice far closer; provided the magnitude lies in [`SMALLEST`, `LARGEST`); beyond
`LARGEST` it is reported as NaN, never as the capped value. Counts are integers, so
merging sketches in any order gives the same result: that is what makes Monte Carlo results
independent of chunking and workers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nmmsim._types import FloatArray

__all__ = ["LARGEST", "RELATIVE_ERROR", "SMALLEST", "QuantileSketch"]

MANTISSA_BITS = 7
SMALLEST = 2.0**-10  # about 0.001
LARGEST = 2.0**24  # about 16.8 million
RELATIVE_ERROR = 2.0**-MANTISSA_BITS  # a bucket's width relative to its lower edge

_SHIFT = 52 - MANTISSA_BITS
_LOW_KEY = int(np.array(SMALLEST).view(np.int64)) >> _SHIFT
_HIGH_KEY = int(np.array(LARGEST).view(np.int64)) >> _SHIFT
_KEYS = _HIGH_KEY - _LOW_KEY + 1  # magnitude buckets, the last one open-ended
_ZERO = _KEYS  # index of the zero bucket: negatives below it, positives above
_WIDTH = 2 * _KEYS + 1
_CACHE_VALUES = 1 << 17  # values filed per pass (1 MiB of float64): measured fastest, 1<<15 to 1<<17
_MAGNITUDE_BITS = np.int64(0x7FFF_FFFF_FFFF_FFFF)


def _edge(key: np.ndarray) -> FloatArray:
    """Lower edge of magnitude bucket ``key``."""
    edge: FloatArray = ((key + _LOW_KEY) << _SHIFT).astype(np.int64).view(np.float64)
    return edge


@dataclass(slots=True)
class QuantileSketch:
    """Bucket counts of ``n_series`` series; add chunks of values, merge, read quantiles."""

    counts: np.ndarray  # (n_series, _WIDTH) int64
    minimum: FloatArray  # (n_series,) exact smallest value filed
    maximum: FloatArray  # (n_series,) exact largest value filed

    @classmethod
    def empty(cls, n_series: int) -> QuantileSketch:
        return cls(np.zeros((n_series, _WIDTH), dtype=np.int64), np.full(n_series, np.inf),
                   np.full(n_series, -np.inf))

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # most buckets are empty: pickle (e.g. to a worker's parent) only the filled ones
        filled = np.flatnonzero(self.counts)
        return (_from_filled, (self.counts.shape, filled, self.counts.flat[filled], self.minimum,
                               self.maximum))

    @property
    def n_series(self) -> int:
        return int(self.counts.shape[0])

    @property
    def n_values(self) -> np.ndarray:
        """Values filed per series."""
        total: np.ndarray = self.counts.sum(axis=1)
        return total

    def add(self, values: FloatArray | Sequence[FloatArray]) -> None:
        """File values: an array ``(n_series, n)``, or a sequence of ``(rows, n)`` arrays whose rows
        are the series in order (saves stacking them)."""
        blocks = [values] if isinstance(values, np.ndarray) else list(values)
        row = 0
        for block in blocks:
            block = np.ascontiguousarray(block, dtype=np.float64)
            # a few rows at a time, so the temporaries stay in the CPU cache
            step = max(1, _CACHE_VALUES // max(block.shape[1], 1))
            for first in range(0, block.shape[0], step):
                self._add_rows(row + first, block[first : first + step])
            row += block.shape[0]
        if row != self.n_series:
            raise ValueError(f"filed {row} series into a sketch of {self.n_series}")

    def _add_rows(self, first_row: int, values: FloatArray) -> None:
        rows = slice(first_row, first_row + values.shape[0])
        low, high = values.min(axis=1), values.max(axis=1)
        np.minimum(self.minimum[rows], low, out=self.minimum[rows])
        np.maximum(self.maximum[rows], high, out=self.maximum[rows])
        key = values.view(np.int64) >> _SHIFT  # the sign bit makes negative values' keys negative
        if low.min() >= SMALLEST and high.max() < LARGEST:  # usual: nothing to clip or negate
            key -= _LOW_KEY - 1  # 1..: magnitude buckets (0 is the zero bucket)
        else:
            # "not >= 0" rather than "< 0": a NaN row (a measure undefined that year) makes
            # low.min() NaN, and the block may still hold negative values
            _bucket_keys(key, signed=not low.min() >= 0.0)
        key += (_ZERO + np.arange(key.shape[0]) * _WIDTH)[:, None]
        counts = self.counts[rows]
        counts += np.bincount(key.ravel(), minlength=counts.size).reshape(counts.shape)

    def merge(self, other: QuantileSketch) -> None:
        """Add ``other``'s counts to this sketch."""
        self.counts += other.counts
        np.minimum(self.minimum, other.minimum, out=self.minimum)
        np.maximum(self.maximum, other.maximum, out=self.maximum)

    def quantiles(self, levels: FloatArray) -> FloatArray:
        """Inverted-CDF quantiles at ``levels`` (in [0, 1]) of every series, ``(n_series, k)``.

        Estimates are clipped to the exact smallest and largest value filed, so a series whose
        draws all agree reports that value exactly. NaN for a series with no values, and where
        the quantile lies in an open-ended bucket (magnitude at or above `LARGEST`): the sketch
        does not know where in it, and a capped number must not pass for a quantile.
        """
        levels = np.asarray(levels, dtype=np.float64)
        cumulative = np.cumsum(self.counts, axis=1)
        total = cumulative[:, -1]
        # the smallest bucket whose cumulative count reaches ceil(q N) (at least 1)
        rank = np.maximum(np.ceil(levels[None, :] * total[:, None]), 1)
        index = np.array([np.searchsorted(cumulative[i], rank[i]) for i in range(self.n_series)])
        index = np.minimum(index, _WIDTH - 1)
        rows = np.arange(self.n_series)[:, None]
        before = np.where(index > 0, cumulative[rows, np.maximum(index - 1, 0)], 0)
        inside = self.counts[rows, index]
        # the rank's place among the bucket's values, spread evenly across the bucket
        fraction = (rank - before - 0.5) / np.maximum(inside, 1)
        result = np.clip(_interpolated(index, fraction), self.minimum[:, None],
                         self.maximum[:, None])
        beyond = (index == 0) | (index == _WIDTH - 1)
        result[beyond & (self.minimum != self.maximum)[:, None]] = np.nan
        result[total == 0] = np.nan
        return result


def _bucket_keys(key: np.ndarray, signed: bool) -> None:
    """Turn shifted float bits into bucket keys relative to the zero bucket, in place: clipped to
    the zero and top buckets, negated for negative values (handled only when ``signed``, as the
    sign costs time)."""
    sign = key >> 63 if signed else None  # -1 for negative values, 0 otherwise
    if sign is not None:
        key &= _MAGNITUDE_BITS >> _SHIFT
    key -= _LOW_KEY - 1  # 0: below SMALLEST (the zero bucket), 1..: magnitude buckets
    np.clip(key, 0, _KEYS, out=key)
    if sign is not None:
        key ^= sign  # negate where negative (two's complement: (k ^ -1) - (-1) = -k)
        key -= sign


def _from_filled(shape: tuple[int, int], filled: np.ndarray, counts: np.ndarray,
                 minimum: FloatArray, maximum: FloatArray) -> QuantileSketch:
    sketch = QuantileSketch(np.zeros(shape, dtype=np.int64), minimum, maximum)
    sketch.counts.flat[filled] = counts
    return sketch


def _interpolated(index: np.ndarray, fraction: FloatArray) -> FloatArray:
    """A value ``fraction`` of the way through bucket ``index`` in increasing order (0 for the
    zero bucket): linear between the bucket's edges."""
    key = np.maximum(np.abs(index - _ZERO) - 1, 0)
    low, high = _edge(key), _edge(key + 1)
    positive = low + fraction * (high - low)
    negative = -high + fraction * (high - low)
    value: FloatArray = np.where(index > _ZERO, positive, np.where(index < _ZERO, negative, 0.0))
    return value
