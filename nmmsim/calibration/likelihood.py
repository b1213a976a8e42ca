"""The likelihood of the history: how probable the observed 2021-2024 figures are under a draw
of the parameters (docs/uncertainty.md §1).

Every observed figure of `nmmsim.calibration.series` is one observation, counted once: the
region's nominal GRDP, population, urban share, certified share and employment enter through
their provinces' figures (the region's are their sums), the other regional series as they are,
but for real growth. An observation is the history run's value, on the series' compared scale
with its level offsets removed (`gaps`), plus an independent normal error. The error has two
parts:

* the **measurement error** of the figure, the series' ``sigma`` (docs/calibration.md §3; for
  provincial GRDP `PROVINCIAL_MEASUREMENT_SD`);
* a **model discrepancy**: what the model cannot represent. Four scales carry it, sampled with
  the parameters (`nmmsim.discrepancy`): one for the provincial GRDP figures (an sd on the log
  scale), one for the provincial real growth figures (an sd in growth points), one for the
  regional series and one for the other provincial series, each of the last two as a multiple
  of their measurement error.

Where only changes count (a survey segment whose level offset is removed), the offset is
integrated out under a flat prior: a segment of ``k`` figures carries ``k - 1`` degrees of
freedom (`Held.log_density`).

**Real growth** is published for the region and, in some years, for some of its provinces.
The region's figure is the mean of its provinces' growth weighted by their shares of the
region's GRDP the year before (`HistoryData.growth_weights`), so it holds the provinces'
published figures, errors included. It enters as what it adds to them: the growth of the
*rest of the region*, the provinces without a published figure. For a regional span of ``n``
years with regional gap ``G`` (model minus observed), and the published provincial figures
inside it, each with gap ``d`` and coefficient ``c = w / n`` (`published_within`), the rest's
gap is ``(G - sum(c * d)) / s`` with ``s = 1 - sum(c)`` the rest's share, and its standard
deviation the regional figure's divided by ``s``. That is the joint normal density of the
regional and provincial figures when the regional figure's error is its own plus the weighted
errors of the published provincial figures (a constant apart; tested).

The least-squares fit (`nmmsim.calibration.fit`) weights series by ``1 / sqrt(k)`` so that none
swamps the others; a likelihood counts each figure once, so it does not.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from nmmsim._types import FloatArray
from nmmsim.calibration.history import HISTORY_END, HISTORY_START, PROVINCIAL_GRDP, HistoryRun
from nmmsim.calibration.series import (
    ALL_SERIES,
    PROVINCIAL_SERIES,
    HistoryData,
    Series,
    degrees_of_freedom,
    gaps,
)
from nmmsim.errors import CalibrationError
from nmmsim.provinces import PROVINCES

__all__ = [
    "LIKELIHOOD_SERIES",
    "LIKELIHOOD_YEARS",
    "PROVINCIAL_MEASUREMENT_SD",
    "REAL_GROWTH",
    "Held",
    "figure_sd",
    "held_figures",
    "log_likelihood",
    "log_likelihood_by_year",
    "observed_through",
    "observed_without",
    "published_within",
]

#: Provincial nominal GRDP is derived (productivity x employment) and differs from the published
#: provincial figures by 2.4% on average (calibration/SOURCES.md, Provinces): 3% a figure.
PROVINCIAL_MEASUREMENT_SD = 0.03


#: The years the observed figures end in: the history the likelihood sees, year by year.
LIKELIHOOD_YEARS: tuple[int, ...] = tuple(range(HISTORY_START + 1, HISTORY_END + 1))

#: The regional real growth, held as the growth of the provinces without a published figure;
#: ``REAL_GROWTH:<province>`` are the provinces' own figures.
REAL_GROWTH = "grdp_real_growth"

#: The regional series whose figures are the sums of provincial ones the likelihood holds.
_COUNTED_BY_PROVINCE = ("grdp_nominal", *(
    indicator for indicator in dict.fromkeys(name.partition(":")[0] for name in PROVINCIAL_SERIES)
    if indicator != REAL_GROWTH))

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
    if series.name.startswith(f"{REAL_GROWTH}:"):
        scale = discrepancy["provincial_growth_discrepancy"]
        growth_sd: FloatArray = np.sqrt(series.sigma**2 + scale * scale)
        return growth_sd
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
    by_year = np.zeros((run.grdp_nominal.shape[0], len(LIKELIHOOD_YEARS)))
    for held in held_figures(run, data, discrepancy, through=through,
                             leave_out=leave_out).values():
        terms = held.log_density()
        for k, (_, year_to) in enumerate(held.series.spans):
            by_year[:, LIKELIHOOD_YEARS.index(year_to)] += terms[:, k]
    return by_year


@dataclass(frozen=True, slots=True)
class Held:
    """One series' figures as the likelihood holds them."""

    series: Series  # with the spans held
    gap: FloatArray  # (n, spans): model minus observed, compared scale, level offsets removed
    sd: FloatArray  # (n, spans) or (n, 1): each figure's error, measurement and discrepancy
    dof: FloatArray  # (spans,): each figure's share of the degrees of freedom (`degrees_of_freedom`)

    def log_density(self) -> FloatArray:
        """Normal log density of each figure, ``(n, spans)``; constants dropped. Where a
        segment's level offset is removed, this is the density with the offset integrated out
        under a flat prior: its normaliser counts ``k - 1`` of the segment's ``k`` figures."""
        standardized = self.gap / self.sd
        density: FloatArray = -0.5 * standardized * standardized - self.dof * np.log(self.sd)
        return density


def held_figures(run: HistoryRun, data: HistoryData, discrepancy: Mapping[str, FloatArray],
                 *, through: int = HISTORY_END, leave_out: int | None = None) -> dict[str, Held]:
    """Every series of the likelihood with the figures it holds: up to ``through``, without
    those that end in ``leave_out``, the region's real growth as the rest of the region's
    (module docstring). A series with no figure left is left out."""
    _check_leave_out(leave_out)
    held = {}
    for name in LIKELIHOOD_SERIES:
        series, observed = observed_through(data.series[name], data.observations[name], through)
        if leave_out is not None:
            series, observed = observed_without(series, observed, leave_out)
        if series.spans:
            held[name] = Held(series, gaps(series, run, observed),
                              figure_sd(series, discrepancy)[:, None], degrees_of_freedom(series))
    if REAL_GROWTH in held:
        held[REAL_GROWTH] = _rest_of_region(held[REAL_GROWTH], held, data.growth_weights)
        if not held[REAL_GROWTH].series.spans:
            del held[REAL_GROWTH]
    return held


def published_within(span: tuple[int, int], series: Mapping[str, Series],
                     weights: Mapping[int, FloatArray]) -> dict[tuple[str, int], float]:
    """The provincial real growth figures of ``series`` (name -> series) inside the regional
    ``span``, by (series name, year), each with its coefficient in the span's mean regional
    growth: the province's weight that year over the span's years."""
    first, last = span
    coefficients = {}
    for name, provincial in series.items():
        indicator, _, province = name.partition(":")
        if indicator != REAL_GROWTH or not province:
            continue
        for year in range(first, last + 1):
            weight = float(weights[year][PROVINCES.index(province)])
            if (year, year) in provincial.spans and weight > 0.0:
                coefficients[(name, year)] = weight / (last - first + 1)
    return coefficients


def _rest_of_region(region: Held, held: Mapping[str, Held],
                    weights: Mapping[int, FloatArray]) -> Held:
    """The region's real growth held as the growth of its provinces without a published figure
    (module docstring). A span whose provinces all published adds nothing to their figures and
    is left out."""
    provincial = {name: figures.series for name, figures in held.items()}
    kept, columns, shares = [], [], []
    for j, span in enumerate(region.series.spans):
        coefficients = published_within(span, provincial, weights)
        share = 1.0 - sum(coefficients.values())
        if share <= 1e-9:
            continue
        rest = region.gap[:, j].copy()
        for (name, year), coefficient in coefficients.items():
            province = held[name]
            rest -= coefficient * province.gap[:, province.series.spans.index((year, year))]
        kept.append(j)
        columns.append(rest / share)
        shares.append(share)
    n = region.gap.shape[0]
    return Held(dataclasses.replace(region.series, spans=tuple(region.series.spans[j] for j in kept)),
                np.stack(columns, axis=1) if columns else np.empty((n, 0)),
                region.sd / np.asarray(shares), region.dof[kept])
