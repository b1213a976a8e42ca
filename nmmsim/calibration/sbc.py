"""Simulation-based calibration of the conditioning (docs/uncertainty.md §5; Talts et al. 2018).

If the conditioning is right, then for parameters drawn from the prior and a history generated from
them by the likelihood, the rank of each true value among the posterior's draws is uniform. `sbc`
repeats that: draw a truth from the priors, generate the observed figures (`synthetic_history`),
run the full conditioning on them, and record the ranks. A rank histogram that is not flat shows a
posterior too narrow (U shape), too wide (hump) or biased (slope).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np

from nmmsim._types import FloatArray
from nmmsim.calibration.condition import POSTERIOR_NAMES, condition, particle_values
from nmmsim.calibration.history import run_history
from nmmsim.calibration.likelihood import (
    LIKELIHOOD_SERIES,
    REAL_GROWTH,
    figure_sd,
    published_within,
)
from nmmsim.calibration.series import HistoryData, Series, load_history_data, model_values
from nmmsim.discrepancy import DISCREPANCIES
from nmmsim.parameters import QUANTITIES, Parameters
from nmmsim.past import history_schedule

__all__ = ["SbcResult", "sbc", "synthetic_history"]


def synthetic_history(truth: Mapping[str, float], data: HistoryData,
                      rng: np.random.Generator, *, noise_scale: float = 1.0) -> HistoryData:
    """``data`` with every figure of the likelihood replaced by the history run at ``truth``
    plus an error drawn as the likelihood assumes it (measurement and discrepancy at
    ``truth``'s scales), on each series' compared scale. ``noise_scale`` multiplies the error:
    anything but 1 breaks the likelihood's assumption (a control that SBC must detect)."""
    params = Parameters.defaults().with_values({n: v for n, v in truth.items() if n in QUANTITIES})
    run = run_history(data.base, params, history_schedule()[0])
    discrepancy = {name: np.array([truth[name]]) for name in DISCREPANCIES}
    observations = dict(data.observations)
    errors: dict[str, FloatArray] = {}
    for name in sorted(LIKELIHOOD_SERIES, key=lambda name: name == REAL_GROWTH):  # region last
        series = data.series[name]
        value = model_values(series, run)[0]
        error = noise_scale * rng.standard_normal(value.size) * figure_sd(series, discrepancy)[0]
        if name == REAL_GROWTH:  # the region's figure holds its published provinces' errors
            error = error + _published_errors(series, data, errors)
        errors[name] = error
        noisy = value * np.exp(error) if series.log else value + error
        observations[name] = tuple(float(v) for v in noisy)
    return replace(data, observations=MappingProxyType(observations),
                   data_sha256=f"synthetic:{rng.bit_generator.state['state']['state']}")


def _published_errors(series: Series, data: HistoryData,
                      errors: Mapping[str, FloatArray]) -> FloatArray:
    """The weighted errors of the provincial real growth figures inside each of the regional
    ``series``' spans (`published_within`), ``(spans,)``."""
    return np.array([
        sum(coefficient * errors[name][data.series[name].spans.index((year, year))]
            for (name, year), coefficient in published_within(
                span, data.series, data.growth_weights).items())
        for span in series.spans], dtype=float)


@dataclass(frozen=True, slots=True)
class SbcResult:
    """Ranks of the truth among ``draws`` posterior draws, ``(replications, len(names))``,
    each in ``0 .. draws``."""

    names: tuple[str, ...]
    ranks: np.ndarray
    draws: int

    def histogram(self, bins: int) -> np.ndarray:
        """Rank counts in ``bins`` equal bins of ``0 .. draws``, ``(len(names), bins)``."""
        edges = np.linspace(0, self.draws + 1, bins + 1)
        return np.stack([np.histogram(self.ranks[:, j], edges)[0]
                         for j in range(len(self.names))])

    def uniformity_p_values(self, bins: int = 8) -> dict[str, float]:
        """Chi-square p-value of each name's rank histogram against the uniform."""
        from scipy.stats import chisquare

        return {name: float(chisquare(counts).pvalue)
                for name, counts in zip(self.names, self.histogram(bins), strict=True)}

    def pooled_p_value(self, bins: int = 8) -> float:
        """Chi-square p-value of all names' rank histograms together (independent under the
        null only approximately: the names share their replications)."""
        from scipy.stats import chi2

        counts = self.histogram(bins)
        expected = counts.sum(axis=1, keepdims=True) / bins
        statistic = float(np.sum((counts - expected) ** 2 / expected))
        return float(chi2.sf(statistic, counts.shape[0] * (bins - 1)))


def sbc(
    replications: int,
    *,
    particles: int,
    draws: int,
    seed: int,
    fixed: Mapping[str, float] | None = None,
    noise_scale: float = 1.0,
    report: Callable[[str], None] | None = None,
) -> SbcResult:
    """Run simulation-based calibration: ``replications`` truths, each conditioned with
    ``particles`` particles and ranked among ``draws`` posterior draws (kept particles).

    ``fixed`` holds names at values in the truths and the conditioning alike, so a small check
    can condition a few parameters only. ``noise_scale`` is passed to `synthetic_history`.
    """
    fixed = dict(fixed or {})
    free = tuple(name for name in POSTERIOR_NAMES if name not in fixed)
    data = load_history_data()
    ranks = np.empty((replications, len(free)), dtype=np.int64)
    for r in range(replications):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(r,)))
        values = particle_values(rng.standard_normal((1, len(free))), fixed)
        truth = {name: float(values[name][0]) for name in POSTERIOR_NAMES}
        synthetic = synthetic_history(truth, data, rng, noise_scale=noise_scale)
        posterior = condition(synthetic, particles=particles, keep=draws, seed=seed + 1 + r,
                              fixed=fixed)
        ranks[r] = [int(np.sum(posterior.column(name) < truth[name])) for name in free]
        if report is not None:
            report(f"replication {r + 1}/{replications}")
    return SbcResult(free, ranks, draws)

