"""The likelihood of the history: how probable the observed 2021-2024 figures are under a draw
of the parameters (docs/uncertainty.md §1).

Every observed figure of `nmmsim.calibration.series` is one observation, counted once: the
region's nominal GRDP, population, urban share, certified share and employment enter through
their provinces' figures (the region's are their sums), the other regional series as they are.
An observation is the history run's value, on the series' compared scale with its level
offsets removed (`gaps`), plus an independent normal error. The error has two parts:

* the **measurement error** of the figure, the series' ``sigma`` (docs/calibration.md §3; for
  provincial GRDP `PROVINCIAL_MEASUREMENT_SD`);
* a **model discrepancy**: what the model cannot represent. Three scales carry it, sampled with
  the parameters (`nmmsim.discrepancy`): one for the provincial GRDP figures (an sd on the log
  scale), one for the regional series and one for the other provincial series, each as a
  multiple of their measurement error.

The least-squares fit (`nmmsim.calibration.fit`) weights series by ``1 / sqrt(k)`` so that none
swamps the others; a likelihood counts each figure once, so it does not.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

import numpy as np

from nmmsim._types import FloatArray
from nmmsim.calibration.history import HISTORY_END, HISTORY_START, PROVINCIAL_GRDP, HistoryRun
from nmmsim.calibration.series import ALL_SERIES, PROVINCIAL_SERIES, HistoryData, Series, gaps
from nmmsim.errors import CalibrationError

__all__ = [
    "LIKELIHOOD_SERIES",
    "LIKELIHOOD_YEARS",
    "PROVINCIAL_MEASUREMENT_SD",
    "figure_sd",
    "log_likelihood",
    "log_likelihood_by_year",
    "observed_through",
    "observed_without",
]

#: Provincial nominal GRDP is derived (productivity x employment) and differs from the published
#: provincial figures by 2.4% on average (calibration/SOURCES.md, Provinces): 3% a figure.
PROVINCIAL_MEASUREMENT_SD = 0.03


#: The years the observed figures end in: the history the likelihood sees, year by year.
LIKELIHOOD_YEARS: tuple[int, ...] = tuple(range(HISTORY_START + 1, HISTORY_END + 1))

#: The regional series whose figures are the sums of provincial ones the likelihood holds.
_COUNTED_BY_PROVINCE = ("grdp_nominal", *(name.partition(":")[0] for name in PROVINCIAL_SERIES))

#: The series the likelihood holds, in `ALL_SERIES` order: all but the regional ones that the
#: provinces' figures count already.
LIKELIHOOD_SERIES: tuple[str, ...] = tuple(
    name for name in ALL_SERIES if name not in _COUNTED_BY_PROVINCE)


def figure_sd(series: Series, discrepancy: Mapping[str, FloatArray]) -> FloatArray:
    """Standard deviation of each of ``series``' figures, measurement and discrepancy, ``(n,)``."""
    if series.name.startswith(PROVINCIAL_GRDP):
        scale = discrepancy["provincial_grdp_discrepancy"]
        sd: FloatArray = np.sqrt(PROVINCIAL_MEASUREMENT_SD**2 + scale * scale)
        return sd
    ratio = discrepancy["provincial_discrepancy_ratio" if series.name in PROVINCIAL_SERIES
                        else "regional_discrepancy_ratio"]
    scaled: FloatArray = series.sigma * np.sqrt(1.0 + ratio * ratio)
    return scaled


def observed_through(series: Series, observed: tuple[float, ...], through: int
                     ) -> tuple[Series, tuple[float, ...]]:
    """``series`` and its figures cut to the spans that end by ``through``: what a forecaster
    standing in ``through`` knew (level offsets are then taken over those figures only)."""
    kept = [k for k, (_, year_to) in enumerate(series.spans) if year_to <= through]
    return (dataclasses.replace(series, spans=tuple(series.spans[k] for k in kept)),
            tuple(observed[k] for k in kept))


def observed_without(series: Series, observed: tuple[float, ...], year: int
                     ) -> tuple[Series, tuple[float, ...]]:
    """``series`` and its figures without those whose span ends in ``year``: the history as if
    that year's figures had not been observed (level offsets are then taken over the others)."""
    kept = [k for k, (_, year_to) in enumerate(series.spans) if year_to != year]
    return (dataclasses.replace(series, spans=tuple(series.spans[k] for k in kept)),
            tuple(observed[k] for k in kept))


def _check_leave_out(leave_out: int | None) -> None:
    if leave_out is not None and leave_out not in LIKELIHOOD_YEARS:
        raise CalibrationError(f"leave_out = {leave_out!r}: the history's years are "
                               f"{', '.join(map(str, LIKELIHOOD_YEARS))}")


def log_likelihood(run: HistoryRun, data: HistoryData, discrepancy: Mapping[str, FloatArray],
                   *, through: int = HISTORY_END, leave_out: int | None = None) -> FloatArray:
    """Log density of the observed figures up to ``through`` under every draw of ``run``,
    ``(n,)``; constants dropped. A draw whose history is not finite gets ``-inf``.

    ``discrepancy`` maps each name of `DISCREPANCIES` to its value per draw. ``leave_out``, a
    year of `LIKELIHOOD_YEARS`, drops every figure whose span ends in that year, as if it had
    not been observed (the leave-one-year-out sub-posteriors, `nmmsim.history_range`).
    """
    total: FloatArray = log_likelihood_by_year(run, data, discrepancy, through=through,
                                               leave_out=leave_out).sum(axis=1)
    total[~np.isfinite(total)] = -math.inf
    return total


def log_likelihood_by_year(run: HistoryRun, data: HistoryData,
                           discrepancy: Mapping[str, FloatArray], *, through: int = HISTORY_END,
                           leave_out: int | None = None) -> FloatArray:
    """The log likelihood split by the year each figure ends in, ``(n, len(LIKELIHOOD_YEARS))``
    (years after ``through``, and ``leave_out``, hold 0). Reweighting the posterior by
    ``exp(-column)`` leaves a year out approximately; it fails for 2024 (docs/uncertainty.md
    §6), hence ``leave_out``, which also drops the year's figures from the level offsets of
    change-only segments."""
    _check_leave_out(leave_out)
    by_year = np.zeros((run.grdp_nominal.shape[0], len(LIKELIHOOD_YEARS)))
    for name in LIKELIHOOD_SERIES:
        series, observed = observed_through(ALL_SERIES[name], data.observations[name], through)
        if leave_out is not None:
            series, observed = observed_without(series, observed, leave_out)
        if not series.spans:
            continue
        gap = gaps(series, run, observed)
        sd = figure_sd(series, discrepancy)
        standardized = gap / sd[:, None]
        terms = -0.5 * standardized * standardized - np.log(sd)[:, None]
        for k, (_, year_to) in enumerate(series.spans):
            by_year[:, LIKELIHOOD_YEARS.index(year_to)] += terms[:, k]
    return by_year
