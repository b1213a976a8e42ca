"""Rolling-origin backtests of the conditioned model against two naive forecasters
(docs/uncertainty.md §7).

For each origin ``T`` the parameters are conditioned on the history up to ``T`` only
(`condition` with ``through=T``), every posterior particle runs the history, and each observed
figure whose span ends after ``T`` is forecast. Three forecasters predict the same figures on
each series' compared scale (logarithms for ``log`` series, levels otherwise), each as a sample:

``model``
    The posterior predictive: the particle's model value plus a normal error with the
    likelihood's standard deviation (`figure_sd`: measurement and discrepancy). In a survey
    segment whose level offset is removed (`Series.offset_free`), the offset is the mean gap of
    the segment's figures up to ``T``; its own error widens the sd by ``sqrt(1 + 1/k)`` (``k``
    such figures). A segment with no figure up to ``T`` would need its offset from the figures
    it forecasts: those figures are skipped.
``past_growth``
    Levels: the last figure plus the mean yearly change of the series' figures up to ``T``
    (average growth, on the log scale for ``log`` series). Rates (`RATE_SERIES`): the mean of
    the past figures.
``random_walk``
    The last figure up to ``T``.

The naive forecasters read the yearly figures of the series' own survey segment, back to
`EARLIEST_YEAR` (`HistoryData.yearly`), the longest unbroken run of years ending in ``T``.
Their spread comes from their own past errors: the root mean square of the one-year-ahead errors
they would have made at each earlier year of that run, times ``sqrt(h)`` at horizon ``h`` for
levels (errors accumulate as in a random walk) and constant for rates; never below the figure's
measurement error. A naive forecaster without one past error (fewer than two figures for the
random walk and the mean of rates, three for past growth) makes no forecast of that figure.

Every forecast is scored by `pit`, `crps` and its central intervals (`summary`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

import numpy as np

from nmmsim._types import FloatArray
from nmmsim.calibration.condition import condition
from nmmsim.calibration.history import PROVINCIAL_GRDP, HistoryRun, run_history
from nmmsim.calibration.likelihood import figure_sd
from nmmsim.calibration.series import SERIES, HistoryData, Series, model_values
from nmmsim.discrepancy import DISCREPANCIES
from nmmsim.levers import LeverSchedule
from nmmsim.parameters import QUANTITIES, Parameters
from nmmsim.past import history_schedule
from nmmsim.posterior import PosteriorSample

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FORECASTERS",
    "ORIGINS",
    "QUANTILES",
    "RATE_SERIES",
    "Backtest",
    "Forecaster",
    "Skipped",
    "backtest",
    "common_figures",
    "crps",
    "pit",
    "summary",
]

#: Forecast origins: the last year of the history each backtest conditions on.
ORIGINS: tuple[int, ...] = (2021, 2022, 2023)
Forecaster = Literal["model", "past_growth", "random_walk"]
#: The forecasters compared, in table order.
FORECASTERS: tuple[Forecaster, ...] = ("model", "past_growth", "random_walk")
#: Quantiles written for every forecast, by column; the 50% and 90% central intervals come
#: from them.
QUANTILES: Mapping[str, float] = MappingProxyType(
    {"q05": 0.05, "q25": 0.25, "median": 0.5, "q75": 0.75, "q95": 0.95})
#: Series that are rates, not levels: their naive forecasts are their past mean (or last value)
#: with a spread that does not grow with the horizon.
RATE_SERIES = frozenset({"grdp_real_growth", "deflator_growth"})
_CHUNK = 8192  # particles per history batch, as in the conditioning


@dataclass(frozen=True, slots=True)
class Skipped:
    """A figure after the origin that is not scored, and why."""

    origin: int
    series: str
    year: int
    forecaster: Forecaster | Literal["all"]  # "all": no forecaster is scored on it
    reason: str


@dataclass(frozen=True, slots=True)
class Backtest:
    """Every forecast of a rolling-origin backtest and how it scored.

    ``forecasts`` is tidy, one row per origin, figure and forecaster: ``origin``, ``series``
    (the `SERIES` name, provinces' GRDP as ``grdp_nominal``), ``province`` (``region`` for the
    regional series), ``year_from``, ``year`` (the span's last year), ``forecaster``,
    ``observed``, ``median``, ``q05``, ``q25``, ``q75``, ``q95`` (in the figure's units),
    ``pit``, ``crps`` (on the compared scale, ``scale``: ``log`` or ``level``) and
    ``measurement_sd`` (the figure's measurement error on that scale).
    """

    forecasts: pd.DataFrame
    skipped: tuple[Skipped, ...]
    particles: int
    seed: int
    seconds: float
    data_sha256: str


def crps(samples: FloatArray, observed: FloatArray) -> FloatArray:
    """Continuous ranked probability score of sampled forecasts, ``(k,)``.

    Parameters
    ----------
    samples : ndarray, shape (m, k)
        ``m`` draws of each of ``k`` forecasts.
    observed : ndarray, shape (k,)
        What each forecast is scored against.

    Notes
    -----
    The energy form ``E|X - y| - E|X - X'| / 2`` with the sample's empirical distribution; for
    sorted draws ``x_(1) <= ... <= x_(m)``, ``E|X - X'| = 2 / m^2 sum_i (2 i - m - 1) x_(i)``
    (Gneiting and Raftery 2007). Lower is better; its unit is the forecast's.

    Examples
    --------
    >>> float(crps(np.array([[0.0], [1.0]]), np.array([0.0]))[0])
    0.25
    """
    ordered = np.sort(samples, axis=0)
    m = ordered.shape[0]
    rank_weights = 2.0 * np.arange(1, m + 1) - m - 1.0
    spread = 2.0 / (m * m) * (rank_weights @ ordered)
    score: FloatArray = np.mean(np.abs(ordered - observed), axis=0) - 0.5 * spread
    return score


def pit(samples: FloatArray, observed: FloatArray) -> FloatArray:
    """Probability integral transform: the forecast probability below what was observed, ``(k,)``.

    ``samples`` is ``(m, k)``, ``observed`` ``(k,)``; a draw equal to the observation counts
    half. Uniform on [0, 1] for calibrated forecasts.

    Examples
    --------
    >>> pit(np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([1.5])).tolist()
    [0.5]
    """
    below = np.mean(samples < observed, axis=0)
    equal = np.mean(samples == observed, axis=0)
    result: FloatArray = below + 0.5 * equal
    return result


@dataclass(frozen=True, slots=True)
class _Target:
    """The figures of one series forecast from one origin, on the compared scale."""

    series: Series
    spans: list[int]  # indices into series.spans
    figures: FloatArray  # the observed figures, (k,)
    observed: FloatArray  # the same on the compared scale
    measurement_sd: float


def _compared(series: Series, values: FloatArray) -> FloatArray:
    compared: FloatArray = np.log(values) if series.log else np.asarray(values, dtype=float)
    return compared


def _measurement_sd(series: Series) -> float:
    """The figure's measurement error alone: `figure_sd` with no model discrepancy."""
    nothing = {name: np.zeros(1) for name in DISCREPANCIES}
    return float(figure_sd(series, nothing)[0])


def _model_forecast(target: _Target, modelled: FloatArray, data: HistoryData, origin: int,
                    sd: FloatArray, rng: np.random.Generator) -> FloatArray:
    """Posterior predictive draws of the target's figures, ``(n, k)``: model value, less the
    segment's pre-origin offset where only changes count, plus normal error."""
    series = target.series
    model = _compared(series, modelled)
    observed = _compared(series, np.asarray(data.observations[series.name]))
    centre = model[:, target.spans]
    widen = np.ones(len(target.spans))
    for segment in filter(series.offset_free, series.segments()):
        columns = [c for c, j in enumerate(target.spans) if j in segment]
        if not columns:
            continue
        known = [j for j in segment if series.spans[j][1] <= origin]  # some: see `_target`
        offset = np.mean(model[:, known] - observed[known], axis=1, keepdims=True)
        centre[:, columns] -= offset
        widen[columns] = math.sqrt(1.0 + 1.0 / len(known))
    noise = rng.standard_normal(centre.shape) * (sd[:, None] * widen)
    forecast: FloatArray = centre + noise
    return forecast


def _past_run(series: Series, data: HistoryData, origin: int, year: int) -> FloatArray:
    """The yearly figures a naive forecaster of ``year`` knows at ``origin``, compared scale:
    the unbroken run of years ending in ``origin``, within ``year``'s survey segment."""
    yearly = data.yearly.get(series.name, {})

    def segment(y: int) -> int:
        return sum(y >= b for b in series.breaks)

    run: list[float] = []
    known = origin
    while known in yearly and segment(known) == segment(year):
        run.insert(0, yearly[known])
        known -= 1
    return _compared(series, np.asarray(run, dtype=float))


def _naive_point(forecaster: Forecaster, past: FloatArray, horizon: int, rate: bool) -> float:
    """Point forecast ``horizon`` years after the last of ``past`` (compared scale)."""
    if forecaster == "random_walk":
        return float(past[-1])
    if rate:
        return float(np.mean(past))
    return float(past[-1] + horizon * np.mean(np.diff(past)))


def _naive_errors(forecaster: Forecaster, past: FloatArray, rate: bool) -> FloatArray:
    """One-year-ahead errors the forecaster would have made at each earlier year of ``past``
    (where it had enough figures to forecast)."""
    first = 1 if forecaster == "random_walk" or rate else 2
    errors = [past[s] - _naive_point(forecaster, past[:s], 1, rate)
              for s in range(first, past.size)]
    return np.asarray(errors, dtype=float)


def _naive_forecast(forecaster: Forecaster, target: _Target, data: HistoryData, origin: int,
                    n_samples: int, rng: np.random.Generator) -> FloatArray | None:
    """Normal draws of a naive forecaster for the target's figures, ``(n, k)``; ``None`` if it
    has no past error to size its spread from."""
    series = target.series
    rate = series.name in RATE_SERIES
    centres, sds = [], []
    for index in target.spans:
        year = series.spans[index][1]
        past = _past_run(series, data, origin, year)
        errors = _naive_errors(forecaster, past, rate)
        if errors.size == 0:
            return None
        horizon = year - origin
        spread = math.sqrt(float(np.mean(errors * errors))) * (1.0 if rate else math.sqrt(horizon))
        centres.append(_naive_point(forecaster, past, horizon, rate))
        sds.append(max(spread, target.measurement_sd))
    draws: FloatArray = np.asarray(centres) + rng.standard_normal((n_samples, len(centres))) \
        * np.asarray(sds)
    return draws


def _target(series: Series, data: HistoryData, origin: int, skipped: list[Skipped]
            ) -> _Target | None:
    """The figures of ``series`` after ``origin`` the model can forecast; the others go to
    ``skipped``."""
    spans = []
    for segment in series.segments():
        after = [j for j in segment if series.spans[j][1] > origin]
        known = [j for j in segment if series.spans[j][1] <= origin]
        if series.offset_free(segment) and not known:
            skipped += [Skipped(origin, series.name, series.spans[j][1], "all",
                                "only changes count in its survey segment, and the segment has "
                                "no figure up to the origin to fix its level") for j in after]
            continue
        spans += after
    if not spans:
        return None
    figures = np.asarray(data.observations[series.name])[sorted(spans)]
    return _Target(series, sorted(spans), figures, _compared(series, figures),
                   _measurement_sd(series))


def _history_values(data: HistoryData, sample: PosteriorSample, schedule: LeverSchedule,
                    chunk_size: int) -> dict[str, FloatArray]:
    """`model_values` of every series for every particle of ``sample``, run in chunks."""
    parts: dict[str, list[FloatArray]] = {name: [] for name in SERIES}
    for start in range(0, sample.size, chunk_size):
        rows = slice(start, start + chunk_size)
        params = Parameters.trusted({name: sample.column(name)[rows] for name in QUANTITIES})
        run: HistoryRun = run_history(data.base, params, schedule)
        for name in SERIES:
            parts[name].append(model_values(data.series[name], run))
    return {name: np.concatenate(values) for name, values in parts.items()}


def _rows(origin: int, target: _Target, forecaster: Forecaster, draws: FloatArray
          ) -> list[dict[str, object]]:
    """Tidy rows of one forecaster's draws of ``target``: quantiles in the figure's units."""
    series = target.series
    quantiles = np.quantile(draws, list(QUANTILES.values()), axis=0)
    if series.log:
        quantiles = np.exp(quantiles)
    scores = {"pit": pit(draws, target.observed), "crps": crps(draws, target.observed)}
    province = series.name.removeprefix(PROVINCIAL_GRDP) \
        if series.name.startswith(PROVINCIAL_GRDP) else "region"
    rows: list[dict[str, object]] = []
    for column, index in enumerate(target.spans):
        year_from, year = series.spans[index]
        rows.append({
            "origin": origin, "series": series.name.split(":")[0], "province": province,
            "year_from": year_from, "year": year, "forecaster": forecaster,
            "observed": float(target.figures[column]),
            **{name: float(quantiles[k, column]) for k, name in enumerate(QUANTILES)},
            "pit": float(scores["pit"][column]), "crps": float(scores["crps"][column]),
            "scale": "log" if series.log else "level",
            "measurement_sd": target.measurement_sd,
        })
    return rows


def _origin_rows(origin: int, data: HistoryData, sample: PosteriorSample,
                 schedule: LeverSchedule, chunk_size: int, seed: int,
                 skipped: list[Skipped]) -> list[dict[str, object]]:
    """Forecasts of every series from one origin, by every forecaster."""
    modelled = _history_values(data, sample, schedule, chunk_size)
    discrepancy = {name: sample.column(name) for name in DISCREPANCIES}
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2, origin)))
    rows: list[dict[str, object]] = []
    for name in SERIES:
        series = data.series[name]
        target = _target(series, data, origin, skipped)
        if target is None:
            continue
        sd = figure_sd(series, discrepancy)
        draws = _model_forecast(target, modelled[series.name], data, origin, sd, rng)
        rows += _rows(origin, target, "model", draws)
        for forecaster in FORECASTERS[1:]:
            naive = _naive_forecast(forecaster, target, data, origin, sample.size, rng)
            if naive is None:
                skipped += [Skipped(origin, series.name, series.spans[j][1], forecaster,
                                    "fewer yearly figures up to the origin than one past error "
                                    "needs") for j in target.spans]
                continue
            rows += _rows(origin, target, forecaster, naive)
    return rows


def backtest(
    data: HistoryData,
    *,
    particles: int,
    seed: int,
    origins: tuple[int, ...] = ORIGINS,
    chunk_size: int = _CHUNK,
    report: Callable[[str], None] | None = None,
) -> Backtest:
    """Condition on the history up to each origin and forecast every later figure.

    Parameters
    ----------
    data : HistoryData
        The start state and observed figures (`load_history_data`).
    particles : int
        Particles of each origin's conditioning; all are kept, and each naive forecaster draws
        as many samples.
    seed : int
        Seeds the conditioning and the predictive draws: the same seed gives the same result.
    origins : tuple of int
        Last year of the history each backtest conditions on.
    chunk_size : int
        Particles per history batch; does not change the result.
    report : callable, optional
        Called with a line per origin and per tempering stage.

    Returns
    -------
    Backtest
        The tidy forecasts and scores, and the figures skipped with the reason.
    """
    import pandas as pd

    schedule, _ = history_schedule()
    started = time.perf_counter()
    rows: list[dict[str, object]] = []
    skipped: list[Skipped] = []
    for origin in origins:
        if report is not None:
            report(f"origin {origin}: conditioning {particles:,} particles on 2020-{origin}")
        sample = condition(data, particles=particles, keep=particles, seed=seed,
                           chunk_size=chunk_size, through=origin, report=report)
        rows += _origin_rows(origin, data, sample, schedule, chunk_size, seed, skipped)
    columns = ["origin", "series", "province", "year_from", "year", "forecaster", "observed",
               "median", "q05", "q25", "q75", "q95", "pit", "crps", "scale", "measurement_sd"]
    return Backtest(forecasts=pd.DataFrame(rows, columns=columns), skipped=tuple(skipped),
                    particles=particles, seed=seed, seconds=time.perf_counter() - started,
                    data_sha256=data.data_sha256)


def summary(forecasts: pd.DataFrame) -> pd.DataFrame:
    """Scores per series, province and forecaster, and an overall row per forecaster.

    Columns: ``n`` (figures), ``coverage_50`` and ``coverage_90`` (share of figures inside the
    central interval), ``crps`` and ``bias`` (mean predictive median minus observed), both on
    the compared scale: for ``log`` series a relative error, for the others the figure's unit.
    The overall rows (``series`` = ``all``) hold only the figures every forecaster forecast, and
    their ``crps`` and ``bias`` are in units of each figure's measurement error, so that series
    of different units can be pooled: ``province`` = ``region`` pools the regional series,
    ``provinces`` the provinces' GRDP, ``all`` both.
    """
    import pandas as pd

    frame = forecasts.copy()
    logged = frame["scale"] == "log"
    frame["inside_50"] = (frame["q25"] <= frame["observed"]) & (frame["observed"] <= frame["q75"])
    frame["inside_90"] = (frame["q05"] <= frame["observed"]) & (frame["observed"] <= frame["q95"])
    frame["error"] = np.where(logged, np.log(frame["median"].where(logged, 1.0))
                              - np.log(frame["observed"].where(logged, 1.0)),
                              frame["median"] - frame["observed"])
    per_series = _scores(frame, ["series", "province", "forecaster"], "crps", "error")
    common = common_figures(frame).assign(
        scaled_crps=lambda f: f["crps"] / f["measurement_sd"],
        scaled_error=lambda f: f["error"] / f["measurement_sd"],
        series="all", province=lambda f: np.where(f["province"] == "region", "region",
                                                  "provinces"))
    pools = [common, common.assign(province="all")]
    overall = _scores(pd.concat(pools, ignore_index=True), ["series", "province", "forecaster"],
                      "scaled_crps", "scaled_error")
    return pd.concat([per_series, overall], ignore_index=True)


def common_figures(forecasts: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``forecasts`` whose figure every forecaster of `FORECASTERS` forecast."""
    figure = ["origin", "series", "province", "year"]
    covered = forecasts.groupby(figure)["forecaster"].transform("nunique") == len(FORECASTERS)
    return forecasts[covered]


def _scores(frame: pd.DataFrame, by: list[str], crps_column: str, error_column: str
            ) -> pd.DataFrame:
    order = {name: k for k, name in enumerate(FORECASTERS)}
    scores = frame.groupby(by, sort=False).agg(
        n=("observed", "size"), coverage_50=("inside_50", "mean"),
        coverage_90=("inside_90", "mean"), crps=(crps_column, "mean"),
        bias=(error_column, "mean")).reset_index()
    # series in the order they were forecast, forecasters in `FORECASTERS` order within each
    scores["_group"] = scores.groupby(["series", "province"], sort=False).ngroup()
    scores["_order"] = scores["forecaster"].map(order)
    return scores.sort_values(["_group", "_order"], kind="stable") \
        .drop(columns=["_group", "_order"]).reset_index(drop=True)
