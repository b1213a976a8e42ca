"""What varies across Monte Carlo draws: each parameter's prior, or its fixed value.

By default every parameter in the registry is uncertain with its registry prior
(`nmmsim.parameters`), except the calibrated ones: those take the fit's posterior, a truncated
normal around the fitted value with the fit's standard error, tied together by a Gaussian copula
with the fit's correlation (docs/calibration.md §4). A scenario's ``[priors]`` table replaces a
prior (its parameter then leaves the copula); its ``[parameters]`` table fixes a value.

Column ``j`` of the unit sample always drives the ``j``-th registry parameter, fixed or not, so two
scenarios run with one seed see the same draws of every parameter they share.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from nmmsim._types import FloatArray
from nmmsim.calibrated import CalibrationResult
from nmmsim.errors import ParameterError, did_you_mean
from nmmsim.parameters import REGISTRY, Parameters, check_in_bounds
from nmmsim.priors import Prior, TruncatedNormal

__all__ = ["NAMES", "Uncertainty"]

#: Parameter names in unit-sample column order.
NAMES: tuple[str, ...] = tuple(REGISTRY)

_EDGE = 1e-12  # keeps copula uniforms off 0 and 1, where the normal quantile is infinite


@dataclass(frozen=True, slots=True)
class Uncertainty:
    """The prior of every sampled parameter and the value of every fixed one.

    Build it with `Uncertainty.default`; `Uncertainty.certain` fixes everything.
    """

    priors: Mapping[str, Prior]
    fixed: Mapping[str, float]
    correlated: tuple[str, ...] = ()  # the copula's members, in `cholesky` order
    cholesky: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))
    untied: frozenset[str] = frozenset()  # copula members whose prior or value was overridden

    def __post_init__(self) -> None:
        for name in (*self.priors, *self.fixed):
            if name not in REGISTRY:
                raise ParameterError(f"unknown parameter '{name}'{did_you_mean(name, REGISTRY)}")
        missing = set(NAMES) - set(self.priors) - set(self.fixed)
        both = set(self.priors) & set(self.fixed)
        if missing or both:
            raise ParameterError(f"every parameter needs exactly one of a prior or a fixed value "
                                 f"(missing: {sorted(missing)}, both: {sorted(both)})")
        for name, value in self.fixed.items():
            check_in_bounds(name, np.asarray(value, dtype=np.float64))
        for name, prior in self.priors.items():
            low, high = REGISTRY[name].bounds
            if not low <= prior.support[0] < prior.support[1] <= high:
                raise ParameterError(f"prior of '{name}', {prior.describe()}, must lie inside the "
                                     f"bounds [{low}, {high}]")

    @classmethod
    def default(
        cls,
        calibration: CalibrationResult | None = None,
        fixed: Mapping[str, float] | None = None,
        priors: Mapping[str, Prior] | None = None,
    ) -> Uncertainty:
        """Registry priors, the calibration's posterior for the fitted parameters, then overrides.

        Parameters
        ----------
        calibration : CalibrationResult, optional
            Its parameters get truncated-normal priors (fitted value, standard error) with a
            Gaussian copula of its correlation. Without it every parameter keeps its registry prior.
        fixed, priors : mapping, optional
            A scenario's ``[parameters]`` and ``[priors]``.
        """
        fixed = dict(fixed or {})
        chosen: dict[str, Prior] = {name: REGISTRY[name].prior for name in NAMES}
        correlated: list[str] = []
        cholesky = np.zeros((0, 0))
        if calibration is not None:
            for name, value, se in zip(calibration.names, calibration.values,
                                       calibration.standard_errors, strict=True):
                chosen[name] = TruncatedNormal(float(value), float(se), *REGISTRY[name].bounds)
            # a parameter uncorrelated with all others is independent: no copula needed
            correlation = calibration.correlation
            tied = np.any((correlation != 0.0) & ~np.eye(len(calibration.names), dtype=bool),
                          axis=1)
            correlated = [n for n, t in zip(calibration.names, tied, strict=True) if t]
            cholesky = np.linalg.cholesky(correlation[np.ix_(tied, tied)]) if correlated \
                else cholesky
        chosen.update(priors or {})
        for name in fixed:
            chosen.pop(name, None)
        # overriding one copula member leaves the others' draws as they were (common random
        # numbers across scenarios); the overridden one is drawn from its own column
        untied = frozenset(correlated) & (set(fixed) | set(priors or {}))
        return cls(priors=chosen, fixed=fixed, correlated=tuple(correlated), cholesky=cholesky,
                   untied=untied)

    @classmethod
    def certain(cls, values: Mapping[str, float]) -> Uncertainty:
        """Every parameter fixed: at ``values`` where given, else at its default."""
        fixed = {name: float(values.get(name, REGISTRY[name].default)) for name in NAMES}
        return cls(priors={}, fixed=fixed)

    def independent(self) -> Uncertainty:
        """The same priors with the calibration copula removed: every parameter independent."""
        return Uncertainty(priors=self.priors, fixed=self.fixed)

    @property
    def dimension(self) -> int:
        """Columns of the unit sample: one per registry parameter."""
        return len(NAMES)

    def parameters(self, unit: FloatArray) -> Parameters:
        """Map a unit sample ``(dimension, n)`` to parameter draws through the priors' ``ppf``."""
        n_draws = unit.shape[1]
        rows = {name: j for j, name in enumerate(NAMES)}
        uniforms = {name: unit[rows[name]] for name in self.priors}
        if self.correlated:
            from scipy.special import ndtr, ndtri

            normal = ndtri(np.clip(unit[[rows[n] for n in self.correlated]], _EDGE, 1 - _EDGE))
            # L z written out, not a BLAS matmul, so a draw never depends on the chunk size
            term = np.empty(n_draws)
            for i, name in enumerate(self.correlated):
                tied = self.cholesky[i, 0] * normal[0]
                for k in range(1, i + 1):
                    tied += np.multiply(self.cholesky[i, k], normal[k], out=term)
                if name not in self.untied:
                    uniforms[name] = ndtr(tied, out=tied)
        values = {name: prior.ppf(uniforms[name]) for name, prior in self.priors.items()}
        values.update({name: np.full(n_draws, value) for name, value in self.fixed.items()})
        # every value lies in its prior's support, checked against the bounds on construction
        return Parameters.trusted(values)

    def describe(self) -> dict[str, str]:
        """One line per parameter: its prior or fixed value, for a result's attrs and reports."""
        lines = {name: f"fixed at {value:g}" for name, value in self.fixed.items()}
        for name, prior in self.priors.items():
            tied = ", calibration copula" if name in self.correlated and name not in self.untied \
                else ""
            lines[name] = prior.describe() + tied
        return {name: lines[name] for name in NAMES}
