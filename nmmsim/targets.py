"""The 2030 targets of Resolution 96/NQ-CP (Appendix I) as data, and the model's value of each.

The shipped table is ``nmmsim/data/targets_2030.csv``; a user file with the same columns replaces
it. A target's ``measure`` says how its indicator is read from a result: ``level`` (the variable in
``year``), ``average_growth`` (compound average from ``from_year`` to ``year``, observed years
included) or ``average_reduction`` (percentage points per year from the observed ``from_year``).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

import numpy as np
import xarray as xr

from nmmsim._input import read_input
from nmmsim._types import FloatArray
from nmmsim.errors import DataError, did_you_mean
from nmmsim.levers import SECTORS
from nmmsim.observed import ObservedData, load_observed
from nmmsim.provinces import PROVINCES, REGIONS

__all__ = ["COLUMNS", "OPTIONAL_COLUMNS", "Target", "TargetHistory", "load_targets", "met",
           "target_paths", "target_series", "target_value"]

Kind = Literal["at_least", "at_most", "within", "approximately"]
Measure = Literal["level", "average_growth", "average_reduction", "not_modelled"]


@dataclass(frozen=True, slots=True)
class Target:
    """One target. ``kind`` says how ``lower``/``upper`` bound it: ``at_least`` lower,
    ``at_most`` upper (lower may be left empty), ``within`` both; ``approximately`` means within
    ``tolerance`` (a fraction of the target value) of ``lower``."""

    target: str
    description: str
    variable: str
    sector: str
    measure: Measure
    from_year: int | None
    year: int
    kind: Kind
    lower: float
    upper: float | None
    tolerance: float | None
    unit: str
    source: str
    note: str
    area: str = "region_2022"  # the province or region the target is measured on

    @property
    def modelled(self) -> bool:
        return self.measure != "not_modelled"

    def describe_bounds(self) -> str:
        """The target as text, e.g. ``>= 8``, ``12-13``, ``~2100 (+-5%)``."""
        if self.kind == "at_least":
            return f">= {self.lower:g}"
        if self.kind == "at_most":
            return f"<= {self.upper:g}"
        if self.kind == "within":
            return f"{self.lower:g}-{self.upper:g}"
        return f"~{self.lower:g} (+-{100 * (self.tolerance or 0):g}%)"


COLUMNS = ("target", "description", "variable", "sector", "measure", "from_year", "year", "kind",
           "lower", "upper", "tolerance", "unit", "source", "note")
#: Columns a table may leave out: ``area`` (default ``region_2022``, the Resolution 96 region).
OPTIONAL_COLUMNS = ("area",)
_AREAS = (*PROVINCES, *REGIONS)
_YEARS = (2000, 2100)


def load_targets(path: str | Path | None = None) -> tuple[Target, ...]:
    """Read a targets table (default: the data directory's, else the shipped Resolution 96 table;
    `nmmsim.resources`).

    Raises
    ------
    DataError
        One line naming the file (and line) for a file that is not a regular UTF-8 file, an
        empty or header-only table, a missing or unknown column, a row with too many or too few
        fields, a duplicate target id, an unknown kind, measure or sector, a bound that is not a
        number, ``lower`` above ``upper``, or a year that is not a whole year 2000-2100.
    """
    if path is None:  # the data directory's table (nmmsim.resources), else the packaged one
        from nmmsim.resources import data_directory, input_files

        path = input_files(data_directory()).targets
    text = read_input(Path(path), "targets", DataError)
    where = str(path)
    try:
        rows = list(csv.reader(text.splitlines()))
    except csv.Error as exc:
        raise DataError(f"{where}: not a valid CSV table ({exc})") from None
    if not rows:
        raise DataError(f"{where}: empty; a targets table needs a header ({','.join(COLUMNS)}) "
                        "and a row per target")
    header = rows[0]
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in (*COLUMNS, *OPTIONAL_COLUMNS)]
    if missing or unknown or len(set(header)) != len(header):
        problems = ([f"missing column(s) {', '.join(missing)}"] if missing else []) + [
            f"unknown column '{c}'{did_you_mean(c, (*COLUMNS, *OPTIONAL_COLUMNS))}"
            for c in unknown] + (
            ["a repeated column"] if len(set(header)) != len(header) else [])
        raise DataError(f"{where}:1: {'; '.join(problems)}; the columns are {','.join(COLUMNS)} "
                        "(and optionally area)")
    targets: list[Target] = []
    seen: dict[str, int] = {}
    for line, fields in enumerate(rows[1:], 2):
        if not fields:
            continue  # a blank line
        if len(fields) != len(header):
            raise DataError(f"{where}:{line}: {len(fields)} fields; the header has {len(header)}")
        target = _parse(where, line, dict(zip(header, fields, strict=True)))
        if target.target in seen:
            raise DataError(f"{where}:{line}: target '{target.target}' repeats line "
                            f"{seen[target.target]}; each target id must be unique")
        seen[target.target] = line
        targets.append(target)
    if not targets:
        raise DataError(f"{where}: no targets, only a header; add a row per target")
    return tuple(targets)


def _parse(where: str, line: int, row: dict[str, str]) -> Target:
    at = f"{where}:{line}"

    def number(key: str, required: bool) -> float | None:
        text = (row.get(key) or "").strip()
        if not text:
            if required:
                raise DataError(f"{at}: '{key}' is required")
            return None
        try:
            value = float(text)
        except ValueError:
            raise DataError(f"{at}: {key} = {text!r} is not a number") from None
        if not math.isfinite(value):
            raise DataError(f"{at}: {key} = {text!r} is not finite")
        return value

    kind, measure = row.get("kind", ""), row.get("measure", "")
    if kind not in get_args(Kind):
        raise DataError(f"{at}: kind = {kind!r}; allowed: {', '.join(get_args(Kind))}")
    if measure not in get_args(Measure):
        raise DataError(f"{at}: measure = {measure!r}; allowed: {', '.join(get_args(Measure))}")
    def required(key: str) -> float:
        value = number(key, required=True)
        assert value is not None
        return value

    def year(key: str, required: bool) -> int | None:
        value = number(key, required)
        if value is not None and not (value.is_integer() and _YEARS[0] <= value <= _YEARS[1]):
            raise DataError(f"{at}: {key} = {row[key].strip()!r} must be a whole year "
                            f"{_YEARS[0]}-{_YEARS[1]}")
        return None if value is None else int(value)

    if not row["target"].strip():
        raise DataError(f"{at}: 'target' (the target's id) is required")
    if row["sector"] not in ("", *SECTORS):
        raise DataError(f"{at}: sector = {row['sector']!r}{did_you_mean(row['sector'], SECTORS)};"
                        f" allowed: empty (the whole region) or {', '.join(SECTORS)}")
    from_year = year("from_year", required=measure in ("average_growth", "average_reduction"))
    lower = -math.inf if kind == "at_most" and not (row.get("lower") or "").strip() \
        else required("lower")
    upper = number("upper", required=kind in ("within", "at_most"))
    target_year = year("year", required=True)
    assert target_year is not None
    area = (row.get("area") or "").strip() or "region_2022"
    if area not in _AREAS:
        raise DataError(f"{at}: area = {area!r}{did_you_mean(area, _AREAS)}; allowed: a province "
                        f"({', '.join(PROVINCES)}) or a region ({', '.join(REGIONS)})")
    if area != "region_2022" and measure in ("average_growth", "average_reduction"):
        raise DataError(f"{at}: a {measure} target counts observed years, which only the "
                        f"14-province region (region_2022) has; on area = {area!r} give a level "
                        "target")
    if upper is not None and lower > upper:
        raise DataError(f"{at}: lower = {lower:g} is above upper = {upper:g}; a {kind} target "
                        "needs lower <= upper")
    return Target(
        target=row["target"], description=row["description"], variable=row["variable"],
        sector=row["sector"], measure=measure,  # type: ignore[arg-type]
        from_year=from_year, year=target_year,
        kind=kind,  # type: ignore[arg-type]
        lower=lower, upper=upper,
        tolerance=number("tolerance", required=kind == "approximately"),
        unit=row["unit"], source=row["source"], note=row["note"], area=area,
    )


@dataclass(frozen=True, slots=True)
class TargetHistory:
    """Observed figures from before a run that targets measured over several years need.

    ``growth`` is real GRDP growth by year (a published multi-year average fills its years, C3);
    ``poverty`` the poverty rate by year, in percent.
    """

    growth: Mapping[int, float]
    poverty: Mapping[int, float]

    @classmethod
    def from_observed(cls, observed: ObservedData | None = None) -> TargetHistory:
        observed = observed if observed is not None else load_observed()
        growth: dict[int, float] = {}
        for row in sorted(observed.rows, key=lambda r: r.year_to - r.year_from):
            if row.indicator in ("grdp_real_growth", "grdp_real_growth_avg"):
                for year in range(row.year_from, row.year_to + 1):
                    growth.setdefault(year, row.value)
        return cls(growth=growth, poverty=observed.series("multidimensional_poverty_rate"))


def target_paths(
    target: Target, paths: FloatArray, years: Sequence[int], history: TargetHistory
) -> FloatArray:
    """The target's indicator as it would be measured in each of ``years``, ``(len(years), n)``.

    ``paths`` holds the target's variable (its sector already selected), one row per year of
    ``years`` and one column per draw. A ``level`` is the variable itself; an
    ``average_growth`` compounds the observed growth from ``from_year`` up to the first of
    ``years`` with the modelled growth from then on; an ``average_reduction`` is the fall from
    the observed ``from_year`` figure per year. Years where the measure is not defined (before
    ``from_year``) are NaN.
    """
    if not target.modelled:
        raise DataError(f"target '{target.target}' is not modelled")
    if target.measure == "level":
        return paths
    assert target.from_year is not None
    years = list(years)
    result = np.full_like(paths, np.nan)
    if target.measure == "average_growth":
        observed_years = range(target.from_year, years[0])
        missing = [y for y in observed_years if y not in history.growth]
        if missing:
            raise DataError(f"no observed GRDP growth for {missing} (needed from "
                            f"{target.from_year} by target '{target.target}')")
        log_observed = sum(math.log1p(history.growth[y] / 100.0) for y in observed_years)
        log_total = np.log1p(paths / 100.0)
        for row in range(1, len(log_total)):  # running sum over years; np.cumsum(axis=0) on a
            log_total[row] += log_total[row - 1]  # (years, draws) array is 15x slower
        log_total += log_observed
        counted = len(observed_years) + np.arange(1, len(years) + 1)
        valid = np.asarray(years) >= target.from_year
        result[valid] = 100.0 * np.expm1(log_total[valid] / counted[valid, None])
        return result
    if target.from_year not in history.poverty:
        raise DataError(f"no observed poverty rate for {target.from_year} (needed by target "
                        f"'{target.target}')")
    first = history.poverty[target.from_year]
    elapsed = np.asarray(years) - target.from_year
    valid = elapsed > 0
    result[valid] = (first - paths[valid]) / elapsed[valid, None]
    return result


def target_series(result: xr.Dataset, target: Target) -> xr.DataArray:
    """The target's variable on its area: the plain variable for region_2022, else the
    ``<variable>_by_area`` variable at the target's province or region.

    Raises
    ------
    DataError
        If the result does not hold the variable for that area.
    """
    if target.area == "region_2022":
        return result[target.variable]
    name = f"{target.variable}_by_area"
    if name not in result:
        raise DataError(f"target '{target.target}' is measured on {target.area}, and this result "
                        f"has no '{name}' (a Monte Carlo summary keeps only GRDP, growth and GRDP "
                        "per capita by area)")
    return result[name].sel(area=target.area, drop=True)


def target_value(result: xr.Dataset, target: Target,
                 observed: ObservedData | None = None) -> xr.DataArray:
    """The model's value of ``target``'s indicator for each draw, in the target year.

    ``average_growth`` compounds observed growth for years before the result's start (the
    2021-2023 average, C3) with the result's ``grdp_growth`` from its base year on.
    """
    if not target.modelled:
        raise DataError(f"target '{target.target}' is not modelled")
    series = target_series(result, target)
    if target.sector:
        series = series.sel(sector=target.sector)
    series = series.transpose("year", "draw")
    years = [int(y) for y in series.year.values]
    history = TargetHistory.from_observed(observed)
    values = target_paths(target, series.values, years, history)[years.index(target.year)]
    return xr.DataArray(values, coords={"draw": series.draw}, dims=("draw",))


def met(target: Target, value: np.ndarray | xr.DataArray) -> np.ndarray:
    """Whether each value attains the target (see `Target` for ``approximately``)."""
    value = np.asarray(value)
    if target.kind == "at_least":
        return value >= target.lower
    if target.kind == "at_most":
        assert target.upper is not None
        return value <= target.upper
    if target.kind == "within":
        assert target.upper is not None
        return (value >= target.lower) & (value <= target.upper)
    assert target.tolerance is not None
    return np.abs(value - target.lower) <= target.tolerance * abs(target.lower)
