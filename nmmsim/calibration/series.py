"""The observed series calibration fits, their weights and how each is compared (docs/calibration.md §3).

Each `Series` names the observed figures (from ``calibration/observed_region.csv`` and
``observed_national.csv``), the matching path of the history run, its measurement uncertainty
``sigma`` and how residuals are formed:

* ``log``: compare logarithms (relative errors) instead of levels;
* ``breaks``: survey breaks. Levels are not comparable across a break, so within every segment
  that does not hold the start year, only the changes count: the mean gap between model and
  observation over the segment (its level offset) is removed;
* ``level_at_start``: ``False`` when the start year's figure was not observed (a fallback), so
  every segment is compared on its changes;
* ``published_only``: a figure published for some years only (provincial real growth): the
  spans are the candidate years, and the data keep those that have a figure. Every other series
  must have a figure in each of its spans.

What the data hold decides a series' spans: `HistoryData.series` is each series with the spans
its figures cover, and everything that compares the model with the data reads it from there.

A residual is ``(model - observed - offset) / (sigma * sqrt(k))`` with ``k`` the number of figures
of the series, so each series carries the same weight whatever its length and no series can swamp
the others.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np

from nmmsim._types import FloatArray
from nmmsim.base_year import BaseYear
from nmmsim.calibration.history import HISTORY_END, HISTORY_START, PROVINCIAL_GRDP, HistoryRun
from nmmsim.errors import DataError
from nmmsim.observed import ObservedData, load_observed
from nmmsim.past import history_base_year
from nmmsim.provinces import PROVINCES, ProvincialData, load_provincial, region_mask
from nmmsim.resources import shipped_dir

__all__ = [
    "ALL_SERIES",
    "EARLIEST_YEAR",
    "PROVINCIAL_SERIES",
    "SERIES",
    "HistoryData",
    "Series",
    "degrees_of_freedom",
    "gaps",
    "load_history_data",
    "model_values",
    "residuals",
]

Span = tuple[int, int]
_Reader = Callable[[ObservedData, ObservedData, ProvincialData, Span], float]


@dataclass(frozen=True, slots=True)
class Series:
    """One observed series and how the history run is compared with it."""

    name: str  # also the `HistoryRun` path it is compared with
    label: str
    unit: str  # of the observed figures as printed (model units: fractions, thousands, trillions)
    source: str
    spans: tuple[Span, ...]  # observed years (year_from, year_to); a span compares its mean
    sigma: float  # measurement uncertainty on the compared scale (log: relative)
    read: _Reader
    log: bool = False
    breaks: tuple[int, ...] = ()
    level_at_start: bool = True
    published_only: bool = False

    def segments(self) -> list[list[int]]:
        """Indices of ``spans`` grouped by survey segment."""
        groups: dict[int, list[int]] = {}
        for index, (year_from, _) in enumerate(self.spans):
            segment = sum(year_from >= b for b in self.breaks)
            groups.setdefault(segment, []).append(index)
        return list(groups.values())

    def offset_free(self, segment: list[int]) -> bool:
        """Whether the level offset of ``segment`` is removed (only changes count)."""
        start_segment = sum(b <= HISTORY_START for b in self.breaks)
        first = sum(self.spans[segment[0]][0] >= b for b in self.breaks)
        return not self.level_at_start or first != start_segment


def _region(indicator: str, scale: float = 1.0) -> _Reader:
    def read(region: ObservedData, national: ObservedData, panel: ProvincialData,
             span: Span) -> float:
        return _single(region, indicator, span) * scale

    return read


def _national(indicator: str, scale: float = 1.0) -> _Reader:
    def read(region: ObservedData, national: ObservedData, panel: ProvincialData,
             span: Span) -> float:
        return _single(national, indicator, span) * scale

    return read


def _single(data: ObservedData, indicator: str, span: Span) -> float:
    year_from, year_to = span
    if year_from == year_to:
        return data.value(indicator, year_from)
    for row in data.rows:
        if row.indicator == indicator and (row.year_from, row.year_to) == span:
            return row.value
    raise DataError(f"{data.path}: '{indicator}' has no figure for {year_from}-{year_to}")


def _real_growth(region: ObservedData, national: ObservedData, panel: ProvincialData,
                 span: Span) -> float:
    indicator = "grdp_real_growth" if span[0] == span[1] else "grdp_real_growth_avg"
    return _single(region, indicator, span) / 100.0


def _urban_share(region: ObservedData, national: ObservedData, panel: ProvincialData,
                 span: Span) -> float:
    return _single(region, "urban_population", span) / _single(region, "population", span)


def _province(indicator: str, province: str, scale: float = 1.0,
              per: str | None = None) -> _Reader:
    """A province's figure of ``indicator`` (times ``scale``, or divided by its ``per``)."""
    def figure(panel: ProvincialData, name: str, year: int) -> float:
        value = float(panel.get(name, year)[PROVINCES.index(province)])
        if math.isnan(value):
            raise DataError(f"{panel.path}: '{name}' has no {year} figure for {province}")
        return value

    def read(region: ObservedData, national: ObservedData, panel: ProvincialData,
             span: Span) -> float:
        value = figure(panel, indicator, span[0]) * scale
        return value / figure(panel, per, span[0]) if per is not None else value

    return read


#: Provincial nominal GRDP (derived: productivity x employment, NSO-E02.58/E02.45) differs from
#: published provincial figures by 2.4% on average (provinces SOURCES.md), hence 3%; the 15
#: provinces are scaled by sqrt(15) so that together they weigh as much as one regional series:
#: the region's GRDP is their sum and is fitted already.
PROVINCIAL_SIGMA = 0.03 * math.sqrt(len(PROVINCES))


def _years(first: int, last: int = HISTORY_END) -> tuple[Span, ...]:
    return tuple((year, year) for year in range(first, last + 1))


#: The fitted series, in report order.
SERIES: Mapping[str, Series] = MappingProxyType({s.name: s for s in (
    Series("grdp_nominal", "GRDP, current prices", "VND trillion", "G2;G3",
           _years(2021), 0.03, _region("grdp_nominal"), log=True),
    Series("grdp_real_growth", "Real GRDP growth (2021-2023 average, 2024)", "fraction/yr",
           "C3;C1;C5", ((2021, 2023), (2024, 2024)), 0.005, _real_growth),
    Series("deflator_growth", "GDP deflator growth, national", "fraction/yr", "G4",
           _years(2021), 0.015, _national("gdp_deflator_growth", 0.01)),
    Series("population", "Average population", "thousand", "G1",
           _years(2021), 0.003, _region("population"), log=True),
    Series("urban_share", "Urban population share", "fraction", "G1",
           _years(2021), 0.005, _urban_share),
    Series("certified_share", "Labour force with a degree or certificate", "fraction", "G6",
           _years(2021), 0.005, _region("certified_labour_share", 0.01), breaks=(2021,)),
    Series("employment", "Employed persons", "thousand", "G3",
           _years(2021), 0.01, _region("employed_persons"), log=True, breaks=(2021,)),
    Series("poverty_rate", "Multidimensional poverty rate", "fraction", "V1;V2;C5",
           _years(2022), 0.01, _region("multidimensional_poverty_rate", 0.01),
           level_at_start=False),
    Series("budget_revenue", "State budget revenue", "VND trillion", "C2;C5;MPI2024;N4",
           ((2024, 2024),), 0.10, _region("budget_revenue_total"), log=True),
    *(Series(f"{PROVINCIAL_GRDP}{province}", f"GRDP, current prices, {province}", "VND trillion",
             "NSO-E02.58;NSO-E02.45", _years(2021), PROVINCIAL_SIGMA,
             _province("grdp_nominal_trillion", province), log=True)
      for province in PROVINCES),
)})


#: Measurement error of a province's published real growth (an assumption, range 0.5-1.5
#: points, docs/uncertainty.md §1): most figures are the statistics office's December estimate
#: or an earlier projection; where the panel holds two versions of one figure they differ by up
#: to 0.5 points (Bac Giang 2022: 19.8 estimated, 19.3 later), and one projection (Lai Chau 2024,
#: 9.0) sits a point or more under a later report (above 10%).
PROVINCIAL_GROWTH_SIGMA = 0.01


#: Each province's population, urban share, certified share, employment and, where published,
#: real growth (the provincial panel, calibration/provinces.csv with its source ids): the
#: likelihood's figures for these indicators. The region's population, shares and employment
#: are the sums of their provinces' and leave the likelihood; its real growth stays, as the
#: growth of the provinces without a published figure (`nmmsim.calibration.likelihood`,
#: docs/uncertainty.md §1). Not in `SERIES`:
#: the least-squares fit weighs each series equally and keeps the regional ones. ``sigma`` is
#: the measurement error of one provincial figure, larger than the region's (an assumption,
#: docs/uncertainty.md §1): provincial population estimates are revised by more than the
#: region's (0.5% against 0.3%); urban boundaries are redrawn province by province (1 point);
#: the labour force survey's provincial samples are small (certified share 1.5 points,
#: employment 2%); real growth `PROVINCIAL_GROWTH_SIGMA`. The survey break of 2021 cuts
#: certified share and employment as it cuts the region's.
PROVINCIAL_SERIES: Mapping[str, Series] = MappingProxyType({s.name: s for s in (
    *(Series(f"population:{p}", f"Average population, {p}", "thousand", "NSO-E02.03-07",
             _years(2021), 0.005, _province("population_thousand", p), log=True)
      for p in PROVINCES),
    *(Series(f"urban_share:{p}", f"Urban population share, {p}", "fraction", "NSO-E02.03-07",
             _years(2021), 0.01, _province("urban_population_thousand", p,
                                           per="population_thousand"))
      for p in PROVINCES),
    *(Series(f"certified_share:{p}", f"Labour force with a degree or certificate, {p}",
             "fraction", "NSO-E02.55", _years(2021), 0.015,
             _province("certified_labour_share_pct", p, 0.01), breaks=(2021,))
      for p in PROVINCES),
    *(Series(f"employment:{p}", f"Employed persons, {p}", "thousand", "NSO-E02.45",
             _years(2021), 0.02, _province("employed_thousand", p), log=True, breaks=(2021,))
      for p in PROVINCES),
    *(Series(f"grdp_real_growth:{p}", f"Real GRDP growth, {p}", "fraction/yr",
             "each figure's source_id in provinces.csv", _years(2021), PROVINCIAL_GROWTH_SIGMA,
             _province("real_growth_pct", p, 0.01), published_only=True)
      for p in PROVINCES),
)})

#: Every series the data are read for: `SERIES`, then `PROVINCIAL_SERIES`.
ALL_SERIES: Mapping[str, Series] = MappingProxyType({**SERIES, **PROVINCIAL_SERIES})


@dataclass(frozen=True, slots=True)
class HistoryData:
    """What calibration fits to: the start state and the observed figures of every series."""

    base: BaseYear
    #: series name -> the series with the spans the data hold figures for (those of `ALL_SERIES`
    #: but for a `Series.published_only` one, which keeps its published years only)
    series: Mapping[str, Series]
    observations: Mapping[str, tuple[float, ...]]  # series name -> one figure per span
    data_sha256: str
    #: year -> each province's share of ``region_2022``'s nominal GRDP the year before, ``(15,)``
    #: (0 outside the region), for every year of the history after its start: the weights that
    #: sum provinces' real growth to the region's (`nmmsim.calibration.likelihood`)
    growth_weights: Mapping[int, FloatArray]
    #: series name -> {year: figure} for every single year from `EARLIEST_YEAR` to the history's
    #: end that the data hold, before 2020 too: what the backtests' naive forecasters extrapolate
    yearly: Mapping[str, Mapping[int, float]] = field(
        default_factory=lambda: MappingProxyType({}))


#: First year `HistoryData.yearly` reads.
EARLIEST_YEAR = 2010


def load_history_data(
    region: str | Path | ObservedData | None = None,
    national: str | Path | ObservedData | None = None,
    provinces: str | Path | ProvincialData | None = None,
) -> HistoryData:
    """Read the start state and the fitted series (default: the shipped ``calibration/`` files).

    Raises
    ------
    DataError
        If a file is unreadable, a figure is missing (the message names the file, the indicator
        and the years it has) or a figure fitted on a log scale is not positive.
    """
    region = _as_data(region, "observed_region.csv")
    national = _as_data(national, "observed_national.csv")
    panel = provinces if isinstance(provinces, ProvincialData) else load_provincial(provinces)
    observed_series, observations = {}, {}
    for series in ALL_SERIES.values():
        figures = _figures(series, region, national, panel)
        if series.log and figures and min(figures.values()) <= 0.0:
            raise DataError(f"{region.path}: '{series.name}' must be positive to fit, "
                            f"got {tuple(figures.values())}")
        observed_series[series.name] = dataclasses.replace(series, spans=tuple(figures))
        observations[series.name] = tuple(figures.values())
    return HistoryData(
        base=history_base_year(region, provinces=panel),
        series=MappingProxyType(observed_series),
        observations=MappingProxyType(observations),
        data_sha256=_sha256(region.path, national.path, panel.path),
        growth_weights=MappingProxyType({year: _growth_weights(panel, year)
                                         for year in range(HISTORY_START + 1, HISTORY_END + 1)}),
        yearly=MappingProxyType({series.name: _yearly(series, region, national, panel)
                                 for series in ALL_SERIES.values()}),
    )


def _figures(series: Series, region: ObservedData, national: ObservedData,
             panel: ProvincialData) -> dict[Span, float]:
    """The figure of each span of ``series``; a `Series.published_only` one keeps the spans
    that have a finite figure, any other must have one in every span."""
    if not series.published_only:
        return {span: series.read(region, national, panel, span) for span in series.spans}
    figures = {}
    for span in series.spans:
        try:
            figure = series.read(region, national, panel, span)
        except DataError:  # not published that year
            continue
        if math.isfinite(figure):
            figures[span] = figure
    return figures


def _growth_weights(panel: ProvincialData, year: int) -> FloatArray:
    """Each province's share of ``region_2022``'s nominal GRDP in ``year - 1`` (0 outside)."""
    members = region_mask("region_2022")
    grdp = np.where(members, panel.require("grdp_nominal_trillion", year - 1), 0.0)
    weights: FloatArray = grdp / grdp.sum()
    return weights


def _yearly(series: Series, region: ObservedData, national: ObservedData,
            panel: ProvincialData) -> Mapping[int, float]:
    """Every single-year figure of ``series`` the data hold, `EARLIEST_YEAR` to the history's
    end (a year without one is left out; a log series keeps positive figures only)."""
    figures = {}
    for year in range(EARLIEST_YEAR, HISTORY_END + 1):
        try:
            figure = series.read(region, national, panel, (year, year))
        except DataError:
            continue
        if math.isfinite(figure) and (figure > 0.0 or not series.log):
            figures[year] = figure
    return MappingProxyType(figures)


def _as_data(data: str | Path | ObservedData | None, default_name: str) -> ObservedData:
    if isinstance(data, ObservedData):
        return data
    return load_observed(data if data is not None else shipped_dir("calibration") / default_name)


def _sha256(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        try:
            digest.update(path.read_bytes())
        except OSError:  # data built in memory (tests): hash the name only
            digest.update(str(path).encode())
    return digest.hexdigest()


def model_values(series: Series, run: HistoryRun) -> FloatArray:
    """The history run's value for every span of ``series``, ``(n_draws, n_spans)``."""
    path = run.path(series.name)
    columns = []
    for year_from, year_to in series.spans:
        first, last = run.years.index(year_from), run.years.index(year_to)
        columns.append(path[:, first : last + 1].mean(axis=1))
    return np.stack(columns, axis=1) if columns else np.empty((path.shape[0], 0))


def gaps(series: Series, run: HistoryRun, observed: tuple[float, ...]) -> FloatArray:
    """Model minus observed on the compared scale, level offsets removed, ``(n_draws, n_spans)``."""
    model = model_values(series, run)
    target = np.asarray(observed)
    gap: FloatArray = np.log(model) - np.log(target) if series.log else model - target
    for segment in series.segments():
        if series.offset_free(segment):
            gap[:, segment] -= gap[:, segment].mean(axis=1, keepdims=True)
    return gap


def degrees_of_freedom(series: Series) -> FloatArray:
    """Each figure's share of the degrees of freedom its figures carry, ``(n_spans,)``: in a
    segment of ``k`` figures whose level offset is removed (`Series.offset_free`), the offset
    takes one of them, so each figure carries ``(k - 1) / k``; elsewhere 1."""
    shares = np.ones(len(series.spans))
    for segment in filter(series.offset_free, series.segments()):
        shares[segment] = (len(segment) - 1) / len(segment)
    return shares


def residuals(run: HistoryRun, data: HistoryData) -> FloatArray:
    """Weighted residuals of every series, concatenated in `SERIES` order, ``(n_draws, m)``."""
    parts = []
    for name in SERIES:
        series = data.series[name]
        gap = gaps(series, run, data.observations[name])
        parts.append(gap / (series.sigma * math.sqrt(len(series.spans))))
    return np.concatenate(parts, axis=1)
