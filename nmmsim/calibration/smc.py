"""Adaptive tempered sequential Monte Carlo with resample-move steps (docs/uncertainty.md §3).

The particles live in a standard-normal space: coordinate ``j`` of a particle is
``Phi^-1(F_j(theta_j))`` with ``F_j`` the prior CDF of parameter ``j``, so the prior is a standard
normal and every move is a Gaussian random walk there. The target is the tempered posterior
``prior(z) L(z)^beta``; ``beta`` climbs from 0 to 1 in steps chosen so that each reweighting keeps
an effective sample size of `TARGET_ESS` times the particles (Jasra et al. 2011). After each
reweighting the particles are resampled (systematic) and moved by random-walk Metropolis steps
whose proposal is the particles' own covariance scaled by ``2.38^2 / d`` and adapted to the
acceptance rate, repeated until nearly every particle has moved (Chopin and Papaspiliopoulos 2020,
ch. 17).

The likelihood is evaluated for all particles as one batch (a callable). Everything random comes
from one ``numpy.random.Generator`` owned here, so a seed gives the same particles however the
callable splits the batch.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nmmsim._types import FloatArray

__all__ = ["SmcResult", "Stage", "temper"]

#: Each reweighting keeps this fraction of the particles as effective sample size.
TARGET_ESS = 0.5
#: Moves stop once the chance that a particle never moved falls below this.
_UNMOVED = 0.01
_MIN_MOVES, _MAX_MOVES = 2, 12
_OPTIMAL_ACCEPTANCE = 0.234  # random-walk Metropolis in many dimensions (Roberts et al. 1997)

LogLikelihood = Callable[[FloatArray], FloatArray]
Report = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Stage:
    """One tempering step: its inverse temperature, the ESS of its reweighting (before
    resampling), and the Metropolis moves that followed."""

    temperature: float
    ess: float
    moves: int
    acceptance: float
    scale: float


@dataclass(frozen=True, slots=True)
class SmcResult:
    """The final particles (equally weighted after the last resample-move), their log
    likelihoods, and the stages. ``evaluations`` counts likelihood calls of the whole batch."""

    particles: FloatArray  # (n, d), standard-normal space
    log_likelihood: FloatArray  # (n,)
    stages: tuple[Stage, ...]
    evaluations: int

    @property
    def final_ess(self) -> float:
        """ESS of the last reweighting, before its resampling."""
        return self.stages[-1].ess if self.stages else float(self.particles.shape[0])


def temper(
    log_likelihood: LogLikelihood,
    dimension: int,
    n_particles: int,
    seed: int,
    *,
    report: Report | None = None,
) -> SmcResult:
    """Sample the posterior ``N(0, I) x L`` of a ``dimension``-dimensional standard-normal prior.

    Parameters
    ----------
    log_likelihood : callable
        Maps particles ``(m, dimension)`` to log likelihoods ``(m,)``, ``-inf`` where impossible.
    dimension, n_particles : int
    seed : int
        Seeds every random choice: the same seed gives the same particles.
    report : callable, optional
        Called with one line per stage.

    Raises
    ------
    ValueError
        If no particle of the prior has a finite likelihood.
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    particles = rng.standard_normal((n_particles, dimension))
    loglik = log_likelihood(particles)
    evaluations = 1
    if not np.any(np.isfinite(loglik)):
        raise ValueError("no particle drawn from the prior has a finite likelihood")
    temperature, scale = 0.0, 2.38 / math.sqrt(dimension)
    stages: list[Stage] = []
    while temperature < 1.0:
        following = _next_temperature(loglik, temperature)
        weights = _normalized(np.where(np.isfinite(loglik), (following - temperature) * loglik,
                                       -math.inf))
        ess = 1.0 / float(np.sum(weights * weights))
        temperature = following
        chosen = _systematic(weights, rng)
        particles, loglik = particles[chosen], loglik[chosen]
        particles, loglik, moves, acceptance, scale = _move(
            log_likelihood, particles, loglik, temperature, scale, rng)
        evaluations += moves
        stages.append(Stage(temperature, ess, moves, acceptance, scale))
        if report is not None:
            report(f"stage {len(stages)}: temperature {temperature:.4g}, ESS {ess:,.0f} of "
                   f"{n_particles:,}, {moves} moves, acceptance {acceptance:.2f}")
    return SmcResult(particles, loglik, tuple(stages), evaluations)


def _next_temperature(loglik: FloatArray, current: float) -> float:
    """The largest temperature up to 1 whose reweighting keeps ESS >= TARGET_ESS x n."""
    finite = loglik[np.isfinite(loglik)]
    if finite.size == loglik.size and _ess_fraction(finite, 1.0 - current, loglik.size) \
            >= TARGET_ESS:
        return 1.0
    low, high = 0.0, 1.0 - current
    for _ in range(60):  # bisection on the step: ESS falls as the step grows
        middle = 0.5 * (low + high)
        if _ess_fraction(finite, middle, loglik.size) >= TARGET_ESS:
            low = middle
        else:
            high = middle
    return min(1.0, current + max(low, 1e-12))


def _ess_fraction(finite: FloatArray, step: float, n: int) -> float:
    """ESS / n of weights ``exp(step x loglik)`` over the finite log likelihoods."""
    log_weights = step * finite
    log_weights -= log_weights.max()
    weights = np.exp(log_weights)
    return float(weights.sum() ** 2 / np.sum(weights * weights)) / n


def _normalized(log_weights: FloatArray) -> FloatArray:
    shifted = np.exp(log_weights - np.max(log_weights))
    normalized: FloatArray = shifted / shifted.sum()
    return normalized


def _systematic(weights: FloatArray, rng: np.random.Generator) -> np.ndarray:
    """Systematic resampling: indices of ``len(weights)`` particles, lowest variance of the
    standard schemes (Douc and Cappé 2005)."""
    n = weights.size
    positions = (rng.random() + np.arange(n)) / n
    cumulative = np.cumsum(weights)
    cumulative[-1] = 1.0  # rounding must not leave the last position unmatched
    indices: np.ndarray = np.searchsorted(cumulative, positions)
    return indices


def _move(
    log_likelihood: LogLikelihood,
    particles: FloatArray,
    loglik: FloatArray,
    temperature: float,
    scale: float,
    rng: np.random.Generator,
) -> tuple[FloatArray, FloatArray, int, float, float]:
    """Random-walk Metropolis moves at ``temperature`` until nearly every particle has moved."""
    n, d = particles.shape
    covariance = np.atleast_2d(np.cov(particles, rowvar=False)) + 1e-10 * np.eye(d)
    cholesky = np.linalg.cholesky(covariance)
    particles, loglik = particles.copy(), loglik.copy()
    accepted_total, moves = 0.0, 0
    unmoved = np.ones(n, dtype=bool)
    while moves < _MAX_MOVES:
        proposal = particles + scale * (rng.standard_normal((n, d)) @ cholesky.T)
        proposed = log_likelihood(proposal)
        with np.errstate(invalid="ignore"):  # -inf - -inf: both impossible, reject
            log_ratio = temperature * (proposed - loglik) - 0.5 * (
                np.sum(proposal * proposal, axis=1) - np.sum(particles * particles, axis=1))
        accept = np.log(rng.random(n)) < np.nan_to_num(log_ratio, nan=-math.inf)
        particles[accept], loglik[accept] = proposal[accept], proposed[accept]
        unmoved &= ~accept
        rate = float(accept.mean())
        accepted_total += rate
        moves += 1
        scale *= math.exp(rate - _OPTIMAL_ACCEPTANCE)  # toward the optimal acceptance
        if moves >= _MIN_MOVES and unmoved.mean() < _UNMOVED:
            break
    return particles, loglik, moves, accepted_total / moves, scale
