"""Conditioning every uncertain parameter on the 2020-2024 history: the joint posterior
(docs/uncertainty.md).

`condition` runs `nmmsim.calibration.smc.temper` over every quantity of the registry and the discrepancy
scales of `nmmsim.calibration.likelihood`, starting from their priors. Every particle runs the
history (`run_history`) as one batch of draws, cut into chunks; a draw does not depend on
its chunk, so the posterior is the same for any ``chunk_size``. The result is a
`PosteriorSample`: equally weighted particles with their provenance.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import numpy as np

from nmmsim import __version__
from nmmsim._types import FloatArray
from nmmsim.calibration.history import HISTORY_END, run_history
from nmmsim.calibration.likelihood import log_likelihood
from nmmsim.calibration.series import HistoryData, load_history_data
from nmmsim.calibration.smc import temper
from nmmsim.discrepancy import DISCREPANCIES
from nmmsim.errors import CalibrationError
from nmmsim.levers import LeverSchedule
from nmmsim.parameters import QUANTITIES, Parameters
from nmmsim.past import history_schedule
from nmmsim.posterior import PosteriorSample, StageRecord
from nmmsim.priors import Prior

__all__ = ["DEFAULT_PARTICLES", "KEPT_PARTICLES", "POSTERIOR_NAMES", "condition",
           "particle_values"]

#: Particles of the shipped posterior's conditioning (docs/uncertainty.md §3).
DEFAULT_PARTICLES = 2**17
#: Particles kept in the committed sample: a random subset of the equally weighted final ones.
KEPT_PARTICLES = 8192
#: Particle columns: every quantity (registry parameters, provincial ones per province), then
#: the discrepancy scales.
POSTERIOR_NAMES: tuple[str, ...] = (*QUANTITIES, *DISCREPANCIES)
_CHUNK = 8192  # particles per history batch: the model's arrays stay in cache-friendly sizes


def _priors() -> list[Prior]:
    return [*(spec.prior for spec in QUANTITIES.values()), *(d.prior for d in DISCREPANCIES.values())]


def particle_values(particles: FloatArray, fixed: Mapping[str, float] | None = None
                    ) -> dict[str, FloatArray]:
    """Map standard-normal particles ``(n, d)`` to each name's value, ``F^-1(Phi(z))``; the
    columns are the names of `POSTERIOR_NAMES` not in ``fixed``, which keep their value."""
    from scipy.special import ndtr

    fixed = fixed or {}
    free = [(name, prior) for name, prior in zip(POSTERIOR_NAMES, _priors(), strict=True)
            if name not in fixed]
    values = {name: prior.ppf(ndtr(particles[:, j])) for j, (name, prior) in enumerate(free)}
    values.update({name: np.full(particles.shape[0], value) for name, value in fixed.items()})
    return values


class _History:
    """The log likelihood of a batch of particles: one history run per chunk of draws."""

    def __init__(self, data: HistoryData, schedule: LeverSchedule, fixed: Mapping[str, float],
                 through: int, leave_out: int | None = None) -> None:
        self.data, self.schedule, self.fixed, self.through = data, schedule, fixed, through
        self.leave_out = leave_out

    def __call__(self, particles: FloatArray) -> FloatArray:
        values = particle_values(particles, self.fixed)
        params = Parameters.trusted({name: values[name] for name in QUANTITIES})
        discrepancy = {name: values[name] for name in DISCREPANCIES}
        with np.errstate(all="ignore"):  # a far-out particle may overflow: its likelihood is -inf
            run = run_history(self.data.base, params, self.schedule)
            return log_likelihood(run, self.data, discrepancy, through=self.through,
                                  leave_out=self.leave_out)


class _Batches:
    """Evaluates a batch of particles in chunks of ``chunk_size`` draws."""

    def __init__(self, history: _History, chunk_size: int) -> None:
        self.history, self.chunk_size = history, chunk_size

    def __call__(self, particles: FloatArray) -> FloatArray:
        return np.concatenate([self.history(particles[i : i + self.chunk_size])
                               for i in range(0, particles.shape[0], self.chunk_size)])


def condition(
    data: HistoryData | None = None,
    *,
    particles: int = DEFAULT_PARTICLES,
    keep: int = KEPT_PARTICLES,
    seed: int = 2024,
    chunk_size: int = _CHUNK,
    through: int = HISTORY_END,
    fixed: Mapping[str, float] | None = None,
    report: Callable[[str], None] | None = None,
    leave_out: int | None = None,
) -> PosteriorSample:
    """The joint posterior of every uncertain parameter given the history.

    Parameters
    ----------
    data : HistoryData, optional
        The start state and observed figures (default: the shipped ``calibration/`` files).
    particles : int
        Particles of the sequential Monte Carlo.
    keep : int
        Particles kept in the returned sample (a seeded random subset of the final ones; all if
        ``keep >= particles``).
    seed : int
        Seeds the whole conditioning: the same seed gives the same sample for any
        ``chunk_size``.
    chunk_size : int
        Particles per history batch; does not change the result.
    through : int
        Last year of the history the likelihood sees (backtests condition on less).
    fixed : mapping, optional
        Names of `POSTERIOR_NAMES` held at these values instead of sampled (their columns in
        the sample are constant).
    report : callable, optional
        Called with a line per tempering stage.
    leave_out : int, optional
        A year of `LIKELIHOOD_YEARS` whose figures the likelihood drops, as if unobserved: a
        leave-one-year-out sub-posterior (`nmmsim.history_range`). Everything else, the seed
        included, is unchanged.
    """
    if data is None:
        data = load_history_data()
    schedule, levers_sha256 = history_schedule()
    fixed = dict(fixed or {})
    unknown = set(fixed) - set(POSTERIOR_NAMES)
    if unknown:
        raise CalibrationError(f"fixed: unknown names {sorted(unknown)}")
    history = _History(data, schedule, fixed, through, leave_out)
    started = time.perf_counter()
    result = temper(_Batches(history, chunk_size), len(POSTERIOR_NAMES) - len(fixed), particles,
                    seed, report=report)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1,)))
    chosen = np.sort(rng.choice(particles, size=keep, replace=False)) if keep < particles \
        else np.arange(particles)
    values = particle_values(result.particles[chosen], fixed)
    return PosteriorSample(
        names=POSTERIOR_NAMES,
        values=np.stack([values[name] for name in POSTERIOR_NAMES], axis=1),
        weights=np.full(chosen.size, 1.0 / chosen.size),
        log_likelihood=result.log_likelihood[chosen],
        stages=tuple(StageRecord(s.temperature, s.ess, s.moves, s.acceptance)
                     for s in result.stages),
        particles=particles,
        evaluations=result.evaluations,
        seed=seed,
        seconds=time.perf_counter() - started,
        data_sha256=data.data_sha256,
        levers_sha256=levers_sha256,
        version=__version__,
        left_out=leave_out,
    )

