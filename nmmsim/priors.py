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

_LOG_TINY = -700.0  # exp() of less is near or below the smallest normal float, 2.2e-308


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

        Notes
        -----
        With ``a``, ``b`` the standardized truncation points, the quantile ``x`` solves
        ``Phi(x) = (1 - u) Phi(a) + u Phi(b)``. Written that way it loses every digit once the
        window lies a few sd out on the right (``Phi`` rounds to 1), so it is evaluated where
        ``Phi`` is small:

        * a window right of the mean (``a >= 0``) is mirrored to ``[-b, -a]`` with ``1 - u``;
        * a window left of the mean then gives ``log Phi(x) = log Phi(b) + log(r + u (1 - r))``
          with ``r = Phi(a) / Phi(b)`` from ``log_ndtr`` (summed in log space where ``r`` is
          below 1e-304), and ``x = ndtri_exp(log Phi(x))``, which stays exact 40 sd and more
          from the mean, where ``Phi`` underflows;
        * a window around the mean solves ``Phi(x) = p`` for ``p <= 1/2`` and
          ``Phi(-x) = 1 - p`` otherwise, both from the window's mass ``(erf(b/sqrt 2) -
          erf(a/sqrt 2)) / 2``, a sum of two positive terms.

        Agrees with ``scipy.stats.truncnorm.ppf`` as stated in docs/montecarlo.md (tested).
        Clipped so rounding never leaves the support.
        """
        from scipy.special import erf, log_ndtr, ndtr, ndtri, ndtri_exp

        a, b = (self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd
        if a < 0.0 < b:
            mass = 0.5 * (erf(b / np.sqrt(2.0)) - erf(a / np.sqrt(2.0)))
            below = ndtr(a) + u * mass  # Phi(x)
            above = ndtr(-b) + (1.0 - u) * mass  # Phi(-x), exact where below is near 1
            standard = ndtri(np.minimum(below, above))
            standard = np.where(below > above, -standard, standard)
        else:
            mirrored = a >= 0.0
            if mirrored:
                a, b, u = -b, -a, 1.0 - u
            log_ratio = log_ndtr(a) - log_ndtr(b)  # log(Phi(a) / Phi(b))
            with np.errstate(divide="ignore"):  # log(0) = -inf at u = 0 is meant
                if log_ratio > _LOG_TINY:
                    log_phi = np.log(np.exp(log_ratio) - np.expm1(log_ratio) * u)
                else:  # the ratio would be subnormal: add in log space
                    log_phi = np.logaddexp(log_ratio, np.log(u) + np.log(-np.expm1(log_ratio)))
            log_phi += log_ndtr(b)
            standard = -ndtri_exp(log_phi) if mirrored else ndtri_exp(log_phi)
        result: FloatArray = np.clip(self.mean + self.sd * standard, self.low, self.high)
        return result

    def describe(self) -> str:
        return f"normal({self.mean:g}, sd {self.sd:g}) truncated to [{self.low:g}, {self.high:g}]"
