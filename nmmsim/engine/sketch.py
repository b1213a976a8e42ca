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

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from nmmsim._types import FloatArray

__all__ = ["LARGEST", "RELATIVE_ERROR", "SMALLEST", "WIDTH", "QuantileSketch"]

MANTISSA_BITS = 7
SMALLEST = 2.0**-10  # about 0.001
LARGEST = 2.0**24  # about 16.8 million
RELATIVE_ERROR = 2.0**-MANTISSA_BITS  # a bucket's width relative to its lower edge

_SHIFT = 52 - MANTISSA_BITS
_LOW_KEY = int(np.array(SMALLEST).view(np.int64)) >> _SHIFT
_HIGH_KEY = int(np.array(LARGEST).view(np.int64)) >> _SHIFT
_KEYS = _HIGH_KEY - _LOW_KEY + 1  # magnitude buckets, the last one open-ended
_ZERO = _KEYS  # index of the zero bucket: negatives below it, positives above
WIDTH = 2 * _KEYS + 1
_MARGIN = 32  # buckets a window is widened by beyond the values that widen it: a quarter octave
_MOVE_SERIES = 256  # series whose windows are moved or merged at once
_CACHE_VALUES = 1 << 17  # values filed per pass (1 MiB of float64): measured fastest, 1<<15 to 1<<17
_MAGNITUDE_BITS = np.int64(0x7FFF_FFFF_FFFF_FFFF)


def _edge(key: np.ndarray) -> FloatArray:
    """Lower edge of magnitude bucket ``key``."""
    edge: FloatArray = ((key + _LOW_KEY) << _SHIFT).astype(np.int64).view(np.float64)
    return edge


@dataclass(slots=True)
class QuantileSketch:
    """Bucket counts of ``n_series`` series; add chunks of values, merge, read quantiles.

    A series keeps only a window of its `WIDTH` buckets: from the lowest to the highest bucket its
    values have reached, with a margin, the windows one after another in ``filled``. A series of
    levels or of growth rates reaches some hundreds of buckets, so the windows take a tenth of the
    dense table or less (docs/performance.md, Memory at long horizons). Windows decide where
    counts are kept, never a count: every result is that of the dense table, `counts`.
    """

    filled: np.ndarray  # (size.sum(),) int64: each series' window of bucket counts, in order
    first: np.ndarray  # (n_series,) int64: the bucket (0 .. WIDTH - 1) each window starts at
    size: np.ndarray  # (n_series,) int64: buckets in each window, 0 until a value is filed
    minimum: FloatArray  # (n_series,) exact smallest value filed
    maximum: FloatArray  # (n_series,) exact largest value filed

    @classmethod
    def empty(cls, n_series: int) -> QuantileSketch:
        return cls(np.zeros(0, dtype=np.int64), np.zeros(n_series, dtype=np.int64),
                   np.zeros(n_series, dtype=np.int64), np.full(n_series, np.inf),
                   np.full(n_series, -np.inf))

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # a task's counts are small: pickled (to the run's process) in the narrowest integer type
        narrow = self.filled.astype(np.min_scalar_type(int(self.filled.max(initial=0))))
        return (_unpickled, (narrow, self.first, self.size, self.minimum, self.maximum))

    @property
    def n_series(self) -> int:
        return int(self.first.shape[0])

    @property
    def offset(self) -> np.ndarray:
        """Where each series' window starts in ``filled``."""
        offset: np.ndarray = np.zeros(self.n_series, dtype=np.int64)
        np.cumsum(self.size[:-1], out=offset[1:])
        return offset

    @property
    def counts(self) -> np.ndarray:
        """The dense table of counts, ``(n_series, WIDTH)``, every bucket of every series (to
        inspect and test; 68 KiB a series)."""
        dense = np.zeros((self.n_series, WIDTH), dtype=np.int64)
        for row, (start, first, size) in enumerate(zip(self.offset, self.first, self.size,
                                                       strict=True)):
            dense[row, first : first + size] = self.filled[start : start + size]
        return dense

    @property
    def n_values(self) -> np.ndarray:
        """Values filed per series."""
        ends = np.concatenate([[0], np.cumsum(self.filled)])
        offset = self.offset
        total: np.ndarray = ends[offset + self.size] - ends[offset]
        return total

    def add(self, values: FloatArray | Sequence[FloatArray]) -> None:
        """File values: an array ``(n_series, n)``, or a sequence of ``(rows, n)`` arrays whose rows
        are the series in order (saves stacking them)."""
        blocks = [np.ascontiguousarray(block, dtype=np.float64)
                  for block in ([values] if isinstance(values, np.ndarray) else values)]
        rows = sum(block.shape[0] for block in blocks)
        if rows != self.n_series:
            raise ValueError(f"filed {rows} series into a sketch of {self.n_series}")
        if not rows or not blocks[0].shape[1]:
            return
        low = np.concatenate([block.min(axis=1) for block in blocks])
        high = np.concatenate([block.max(axis=1) for block in blocks])
        np.minimum(self.minimum, low, out=self.minimum)
        np.maximum(self.maximum, high, out=self.maximum)
        # a row's values lie in the buckets between those of its extremes (a bucket's index grows
        # with the value); a row holding NaN may reach any bucket
        undefined = np.isnan(low) | np.isnan(high)
        self._reach(np.where(undefined, 0, _bucket(np.where(undefined, 0.0, low))),
                    np.where(undefined, WIDTH - 1, _bucket(np.where(undefined, 0.0, high))))
        place = self.offset - self.first  # bucket b of row r is filled[place[r] + b]
        row = 0
        for block in blocks:
            # a few rows at a time, so the temporaries stay in the CPU cache
            step = max(1, _CACHE_VALUES // max(block.shape[1], 1))
            for first in range(0, block.shape[0], step):
                part = slice(row + first, row + first + min(step, block.shape[0] - first))
                self._add_rows(block[first : first + step], place[part], low[part], high[part])
            row += block.shape[0]

    def _add_rows(self, values: FloatArray, place: np.ndarray, low: FloatArray,
                  high: FloatArray) -> None:
        key = values.view(np.int64) >> _SHIFT  # the sign bit makes negative values' keys negative
        if low.min() >= SMALLEST and high.max() < LARGEST:  # usual: nothing to clip or negate
            key -= _LOW_KEY - 1  # 1..: magnitude buckets (0 is the zero bucket)
        else:
            # "not >= 0" rather than "< 0": a NaN row (a measure undefined that year) makes
            # low.min() NaN, and the block may still hold negative values
            _bucket_keys(key, signed=not low.min() >= 0.0)
        key += (place + _ZERO)[:, None]  # the rows' windows are consecutive in `filled`
        start, stop = int(key.min()), int(key.max()) + 1
        key -= start
        self.filled[start:stop] += np.bincount(key.ravel(), minlength=stop - start)

    def _reach(self, lowest: np.ndarray, highest: np.ndarray,
               wanted: np.ndarray | None = None) -> None:
        """Widen the windows (of the ``wanted`` series, default all) to hold buckets ``lowest``
        to ``highest``, with a margin: values a little beyond them later then fit."""
        end = self.first + self.size  # one past each window
        empty = self.size == 0
        below = empty | (lowest < self.first)
        above = empty | (highest >= end)
        grow = below | above
        if wanted is not None:
            grow &= wanted
        if not grow.any():
            return
        first = np.where(grow & below, np.maximum(lowest - _MARGIN, 0), self.first)
        last = np.where(grow & above, np.minimum(highest + _MARGIN, WIDTH - 1), end - 1)
        keep = ~empty
        first = np.where(keep, np.minimum(first, self.first), first)
        last = np.where(keep, np.maximum(last, end - 1), last)
        size = np.where(grow | keep, last - first + 1, 0)
        self._rewindow(np.where(size > 0, first, 0), size)

    def _rewindow(self, first: np.ndarray, size: np.ndarray) -> None:
        """Move the counts into windows starting at bucket ``first`` of ``size`` buckets (each
        holding the series' window before)."""
        offset = np.zeros(self.n_series, dtype=np.int64)
        np.cumsum(size[:-1], out=offset[1:])
        filled = np.zeros(int(size.sum()), dtype=np.int64)
        for source, target in _moves(self, offset - first):
            filled[target] = self.filled[source]
        self.filled, self.first, self.size = filled, first.astype(np.int64), size.astype(np.int64)

    def merge(self, other: QuantileSketch) -> None:
        """Add ``other``'s counts to this sketch."""
        if other.n_series != self.n_series:
            raise ValueError(f"cannot merge a sketch of {other.n_series} series into one of "
                             f"{self.n_series}")
        self._reach(other.first, other.first + other.size - 1, wanted=other.size > 0)
        for source, target in _moves(other, self.offset - self.first):
            self.filled[target] += other.filled[source]
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
        shape = (self.n_series, levels.size)
        index = np.full(shape, WIDTH - 1)  # a series with no values: read as NaN below
        before = np.zeros(shape, dtype=np.int64)
        inside = np.zeros(shape, dtype=np.int64)
        total = np.zeros(self.n_series, dtype=np.int64)
        rank = np.ones(shape)
        for row, (start, first, size) in enumerate(zip(self.offset, self.first, self.size,
                                                       strict=True)):
            if not size:
                continue
            window = self.filled[start : start + size]
            cumulative = np.cumsum(window)
            total[row] = cumulative[-1]
            # the smallest bucket whose cumulative count reaches ceil(q N) (at least 1); the
            # buckets outside the window are empty
            rank[row] = np.maximum(np.ceil(levels * total[row]), 1)
            place = np.minimum(np.searchsorted(cumulative, rank[row]), size - 1)
            index[row] = first + place
            before[row] = np.where(place > 0, cumulative[np.maximum(place - 1, 0)], 0)
            inside[row] = window[place]
        # the rank's place among the bucket's values, spread evenly across the bucket
        fraction = (rank - before - 0.5) / np.maximum(inside, 1)
        result = np.clip(_interpolated(index, fraction), self.minimum[:, None],
                         self.maximum[:, None])
        beyond = (index == 0) | (index == WIDTH - 1)
        result[beyond & (self.minimum != self.maximum)[:, None]] = np.nan
        result[total == 0] = np.nan
        return result


def _moves(sketch: QuantileSketch, place: np.ndarray) -> Iterator[tuple[slice, np.ndarray]]:
    """Where ``sketch``'s counts go in windows where bucket b of series r is at ``place[r] + b``:
    (a slice of ``sketch.filled``, the places of its counts), a group of series at a time (a few
    array operations for all series, with index arrays of a group's size)."""
    offset = sketch.offset
    shift = place + sketch.first - offset  # a count's place, less its place in sketch.filled
    for group in range(0, sketch.n_series, _MOVE_SERIES):
        rows = slice(group, group + _MOVE_SERIES)
        start = int(offset[group])
        stop = int(offset[rows][-1] + sketch.size[rows][-1])
        if stop > start:
            yield slice(start, stop), np.repeat(shift[rows], sketch.size[rows]) + np.arange(
                start, stop)


def _bucket(values: FloatArray) -> np.ndarray:
    """The bucket (0 .. WIDTH - 1, in increasing order of value) of each of ``values``."""
    key = np.ascontiguousarray(values, dtype=np.float64).view(np.int64) >> _SHIFT
    _bucket_keys(key, signed=True)
    bucket: np.ndarray = key + _ZERO
    return bucket


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


def _unpickled(filled: np.ndarray, first: np.ndarray, size: np.ndarray, minimum: FloatArray,
               maximum: FloatArray) -> QuantileSketch:
    return QuantileSketch(filled.astype(np.int64), first, size, minimum, maximum)


def _interpolated(index: np.ndarray, fraction: FloatArray) -> FloatArray:
    """A value ``fraction`` of the way through bucket ``index`` in increasing order (0 for the
    zero bucket): linear between the bucket's edges."""
    key = np.maximum(np.abs(index - _ZERO) - 1, 0)
    low, high = _edge(key), _edge(key + 1)
    positive = low + fraction * (high - low)
    negative = -high + fraction * (high - low)
    value: FloatArray = np.where(index > _ZERO, positive, np.where(index < _ZERO, negative, 0.0))
    return value
