"""Prior distributions of uncertain parameters.

Each prior is a small frozen description that turns into a frozen ``scipy.stats`` distribution on
demand (`Prior.frozen`). scipy.stats is imported only then, so ``import nmmsim`` and the CLI start
quickly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["Prior", "Triangular", "TruncatedNormal", "Uniform"]


class Prior(Protocol):
    """What the registry needs of a prior: its support and a frozen scipy.stats distribution."""

    @property
    def support(self) -> tuple[float, float]: ...

    def frozen(self) -> Any: ...


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
