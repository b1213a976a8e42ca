"""What varies across Monte Carlo draws: the posterior, each parameter's prior, or fixed values.

By default (`Uncertainty.default` with a posterior sample) the parameters are drawn jointly from
the posterior conditioned on the 2020-2024 history (docs/uncertainty.md): a draw picks one particle
of `nmmsim.posterior.PosteriorSample` with probability its weight, and takes every parameter from
it. A scenario's ``[priors]`` table replaces a parameter's distribution (that parameter is then
drawn from its own prior, the others still from the particle); its ``[parameters]`` table fixes a
value. Without a posterior every parameter is drawn independently from its registry prior
(``uncertainty="prior"``).

Everything here is per quantity (`nmmsim.parameters.QUANTITIES`: a shared parameter, or one
province's value of a provincial parameter); a provincial parameter's name in ``fixed`` or
``priors`` stands for all its provinces. Column ``j`` of the unit sample always drives the
``j``-th quantity, fixed or not, and the last column picks the particle, so two scenarios run
with one seed see the same draws of every quantity they share.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from nmmsim._types import FloatArray
from nmmsim.calibrated import CalibrationResult
from nmmsim.errors import ParameterError, did_you_mean
from nmmsim.parameters import QUANTITIES, Parameters, check_in_bounds, expand_quantities
from nmmsim.posterior import PosteriorSample
from nmmsim.priors import Prior, TruncatedNormal

__all__ = ["NAMES", "Uncertainty"]

#: Quantity names in unit-sample column order.
NAMES: tuple[str, ...] = tuple(QUANTITIES)


@dataclass(frozen=True, slots=True)
class Uncertainty:
    """The posterior or prior of every sampled quantity and the value of every fixed one.

    Build it with `Uncertainty.default`; `Uncertainty.certain` fixes everything.
    """

    priors: Mapping[str, Prior]
    fixed: Mapping[str, float]
    posterior: PosteriorSample | None = None
    conditioned: tuple[str, ...] = ()  # drawn from the posterior's particle, in `NAMES` order

    def __post_init__(self) -> None:
        for name in (*self.priors, *self.fixed, *self.conditioned):
            if name not in QUANTITIES:
                raise ParameterError(f"unknown parameter '{name}'{did_you_mean(name, QUANTITIES)}")
        chosen = [*self.priors, *self.fixed, *self.conditioned]
        missing = set(NAMES) - set(chosen)
        twice = {name for name in chosen if chosen.count(name) > 1}
        if missing or twice:
            raise ParameterError(f"every parameter needs exactly one of a posterior, a prior or a "
                                 f"fixed value (missing: {sorted(missing)}, twice: {sorted(twice)})")
        if self.conditioned and self.posterior is None:
            raise ParameterError("parameters drawn from a posterior need its sample")
        for name, value in self.fixed.items():
            check_in_bounds(name, np.asarray(value, dtype=np.float64))
        for name, prior in self.priors.items():
            low, high = QUANTITIES[name].bounds
            if not low <= prior.support[0] < prior.support[1] <= high:
                raise ParameterError(f"prior of '{name}', {prior.describe()}, must lie inside the "
                                     f"bounds [{low}, {high}]")

    @classmethod
    def default(
        cls,
        posterior: PosteriorSample | None = None,
        fixed: Mapping[str, float] | None = None,
        priors: Mapping[str, Prior] | None = None,
    ) -> Uncertainty:
        """The posterior's joint draws (or registry priors without one), then overrides.

        Parameters
        ----------
        posterior : PosteriorSample, optional
            Its parameters are drawn jointly, a particle per draw. Without it every parameter
            keeps its registry prior.
        fixed, priors : mapping, optional
            A scenario's ``[parameters]`` and ``[priors]``: they take precedence.
        """
        fixed = expand_quantities(fixed or {})
        priors = expand_quantities(priors or {})
        overridden = set(fixed) | set(priors)
        conditioned = tuple(name for name in NAMES if posterior is not None
                            and name in posterior.names and name not in overridden)
        chosen: dict[str, Prior] = {name: QUANTITIES[name].prior for name in NAMES
                                    if name not in conditioned and name not in fixed}
        chosen.update(priors)
        for name in fixed:  # a fixed value wins over any prior, given or fitted (`from_fit`)
            chosen.pop(name, None)
        return cls(priors=chosen, fixed=fixed, posterior=posterior if conditioned else None,
                   conditioned=conditioned)

    @classmethod
    def from_fit(
        cls,
        calibration: CalibrationResult,
        fixed: Mapping[str, float] | None = None,
        priors: Mapping[str, Prior] | None = None,
    ) -> Uncertainty:
        """Independent draws: the least-squares fit's parameters from truncated normals around
        their fitted values (standard error as sd), the others from their registry priors.
        Sobol' indices need independent inputs (`nmmsim.sensitivity`)."""
        fitted = {name: TruncatedNormal(float(value), float(se), *QUANTITIES[name].bounds)
                  for name, value, se in zip(calibration.names, calibration.values,
                                             calibration.standard_errors, strict=True)}
        return cls.default(None, fixed, {**fitted, **expand_quantities(priors or {})})

    @classmethod
    def certain(cls, values: Mapping[str, float]) -> Uncertainty:
        """Every quantity fixed: at ``values`` where given, else at its default."""
        given = expand_quantities(values)
        fixed = {name: float(given.get(name, QUANTITIES[name].default)) for name in NAMES}
        return cls(priors={}, fixed=fixed)

    @property
    def dimension(self) -> int:
        """Columns of the unit sample: one per quantity, then the particle's."""
        return len(NAMES) + 1

    def parameters(self, unit: FloatArray) -> Parameters:
        """Map a unit sample ``(dimension, n)`` to parameter draws: the particle its last column
        picks (inverse CDF of the weights), then the priors' ``ppf`` of their own columns."""
        n_draws = unit.shape[1]
        rows = {name: j for j, name in enumerate(NAMES)}
        values = {name: prior.ppf(unit[rows[name]]) for name, prior in self.priors.items()}
        values.update({name: np.full(n_draws, value) for name, value in self.fixed.items()})
        if self.posterior is not None:
            cumulative = np.cumsum(self.posterior.weights)
            particle = np.searchsorted(cumulative, unit[-1] * cumulative[-1], side="right")
            particle = np.minimum(particle, self.posterior.size - 1)
            for name in self.conditioned:
                values[name] = self.posterior.column(name)[particle]
        # every value lies in its prior's support or the posterior's checked bounds
        return Parameters.trusted(values)

    def describe(self) -> dict[str, str]:
        """One line per quantity: its distribution or fixed value, for a result's attrs."""
        lines = {name: f"fixed at {value:g}" for name, value in self.fixed.items()}
        lines.update({name: prior.describe() for name, prior in self.priors.items()})
        lines.update({name: "posterior (conditioned on the 2020-2024 history)"
                      for name in self.conditioned})
        return {name: lines[name] for name in NAMES}
