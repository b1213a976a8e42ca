"""Prior distributions of uncertain parameters.

Each prior is a small frozen description that turns into a frozen ``scipy.stats`` distribution on
demand (`Prior.frozen`). scipy.stats is imported only then, so ``import nmmsim`` and the CLI start
quickly. Monte Carlo sampling maps the unit cube through `Prior.ppf`, a closed form that equals the
frozen distribution's ``ppf`` (tested) without scipy.stats' per-call overhead, which would cost
more than the model on small chunks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from nmmsim._types import FloatArray

__all__ = ["Prior", "Triangular", "TruncatedNormal", "Uniform"]


class Prior(Protocol):
    """What the registry needs of a prior: its support and a frozen scipy.stats distribution."""

    @property
    def support(self) -> tuple[float, float]: ...

    def frozen(self) -> Any: ...

    def ppf(self, u: FloatArray) -> FloatArray: ...

    def describe(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Uniform:
    """Uniform on ``[low, high]``: nothing is known beyond the range."""

    low: float
    high: float

    @property
    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def frozen(self) -> Any:
        from scipy import stats

        return stats.uniform(loc=self.low, scale=self.high - self.low)

    def ppf(self, u: FloatArray) -> FloatArray:
        """Quantile function at ``u`` in [0, 1]."""
        result: FloatArray = self.low + (self.high - self.low) * u
        return result

    def describe(self) -> str:
        return f"uniform [{self.low:g}, {self.high:g}]"


@dataclass(frozen=True, slots=True)
class Triangular:
    """Triangular on ``[low, high]`` peaking at ``mode``: an expert range with a best guess."""

    low: float
    mode: float
    high: float

    @property
    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def frozen(self) -> Any:
        from scipy import stats

        width = self.high - self.low
        return stats.triang(c=(self.mode - self.low) / width, loc=self.low, scale=width)

    def ppf(self, u: FloatArray) -> FloatArray:
        """Quantile function at ``u`` in [0, 1]."""
        width = self.high - self.low
        rising = u <= (self.mode - self.low) / width  # left of the mode
        # distance from the nearer end: sqrt(u w (mode - low)) or sqrt((1 - u) w (high - mode))
        distance = np.where(rising, u * (width * (self.mode - self.low)),
                            (1.0 - u) * (width * (self.high - self.mode)))
        np.sqrt(distance, out=distance)
        result: FloatArray = np.where(rising, self.low + distance, self.high - distance)
        return result

    def describe(self) -> str:
        return f"triangular [{self.low:g}, {self.high:g}], mode {self.mode:g}"


@dataclass(frozen=True, slots=True)
class TruncatedNormal:
    """Normal(``mean``, ``sd``) truncated to ``[low, high]``: a figure with a known error."""

    mean: float
    sd: float
    low: float
    high: float

    @property
    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def frozen(self) -> Any:
        from scipy import stats

        a, b = (self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd
        return stats.truncnorm(a, b, loc=self.mean, scale=self.sd)

    def ppf(self, u: FloatArray) -> FloatArray:
        """Quantile function at ``u`` in [0, 1]: the normal's, between the truncation points.

        Accurate while the truncation keeps a noticeable part of the normal (here it always does:
        bounds lie within a few sd of the mean); clipped so rounding never leaves the support.
        """
        from scipy.special import ndtr, ndtri

        lower = ndtr((self.low - self.mean) / self.sd)
        upper = ndtr((self.high - self.mean) / self.sd)
        result: FloatArray = np.clip(
            self.mean + self.sd * ndtri(lower + u * (upper - lower)), self.low, self.high)
        return result

    def describe(self) -> str:
        return f"normal({self.mean:g}, sd {self.sd:g}) truncated to [{self.low:g}, {self.high:g}]"
