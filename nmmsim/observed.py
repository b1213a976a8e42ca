"""Observed figures for the region (``calibration/observed_region.csv``).

Each row of the CSV holds one figure with its unit, status and source id (see
``calibration/SOURCES.md``). The model's base year (`nmmsim.base_year`) reconciles the provinces
to these figures, so the 2024 identities in ``docs/model.md`` are checked against the same file
the economists edit.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from nmmsim.errors import DataError, did_you_mean
from nmmsim.resources import shipped_dir

__all__ = ["Observation", "ObservedData", "load_observed"]

_REQUIRED_COLUMNS = ("indicator", "year_from", "year_to", "value", "unit", "status", "source")


@dataclass(frozen=True, slots=True)
class Observation:
    """One published or derived figure."""

    indicator: str
    year_from: int
    year_to: int
    value: float
    unit: str
    source: str


@dataclass(frozen=True, slots=True)
class ObservedData:
    """All rows of one observed-data file, looked up by indicator and year."""

    path: Path
    rows: tuple[Observation, ...]

    def value(self, indicator: str, year: int) -> float:
        """The figure of ``indicator`` for the single year ``year``.

        Raises
        ------
        DataError
            If the indicator is unknown or has no single-year figure for ``year``.
        """
        return self.observation(indicator, year).value

    def observation(self, indicator: str, year: int) -> Observation:
        """The row of ``indicator`` for the single year ``year`` (see `value`)."""
        known = {row.indicator for row in self.rows}
        if indicator not in known:
            raise DataError(
                f"{self.path}: no indicator '{indicator}'{did_you_mean(indicator, known)}"
            )
        for row in self.rows:
            if row.indicator == indicator and row.year_from == row.year_to == year:
                return row
        years = sorted(r.year_from for r in self.rows if r.indicator == indicator)
        raise DataError(f"{self.path}: '{indicator}' has no figure for {year} (has: {years})")

    def series(self, indicator: str) -> dict[int, float]:
        """Single-year figures of ``indicator`` as ``{year: value}``, in year order."""
        return {
            row.year_from: row.value
            for row in sorted(self.rows, key=lambda r: r.year_from)
            if row.indicator == indicator and row.year_from == row.year_to
        }


def load_observed(path: str | Path | None = None) -> ObservedData:
    """Read an observed-data CSV (default: the shipped ``calibration/observed_region.csv``).

    Raises
    ------
    DataError
        If the file is missing, lacks a column, or holds a year or value that is not a finite number.
    """
    path = Path(path) if path is not None else shipped_dir("calibration") / "observed_region.csv"
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in _REQUIRED_COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise DataError(f"{path}: missing column(s) {missing}; need {list(_REQUIRED_COLUMNS)}")
            rows = tuple(_parse_row(path, line, record) for line, record in enumerate(reader, 2))
            _check_unique(path, rows)
    except OSError as exc:
        raise DataError(f"{path}: cannot read observed data ({exc.strerror})") from exc
    return ObservedData(path=path, rows=rows)


#: The largest figure an observed file may hold: the region's forest area in ha is about 5e6.
_LARGEST_FIGURE = 1e9


#: Where a head count of the region can lie, in thousands: a figure outside is a slip of unit
#: (people, or millions, for thousands) or of digits. The region counted 12.6-13.3 million
#: people, 2.3-3.0 million of them urban and about 7.6 million employed, in 2019-2024.
_PLAUSIBLE_THOUSANDS = {
    "population": (5_000.0, 30_000.0),
    "urban_population": (500.0, 30_000.0),
    "employed_persons": (2_000.0, 20_000.0),
}


def _check_plausible(where: str, indicator: str, year_from: int, year_to: int,
                     value: float) -> None:
    """A head count of the region outside the range it can have is an error, not a fit."""
    if indicator not in _PLAUSIBLE_THOUSANDS:
        return
    low, high = _PLAUSIBLE_THOUSANDS[indicator]
    if not low <= value <= high:
        years = str(year_from) if year_from == year_to else f"{year_from}-{year_to}"
        raise DataError(f"{where}: {value:g} thousand in {years} is outside "
                        f"[{low:,.0f}, {high:,.0f}] thousand, the range plausible for the region "
                        "(13.3 million people in 2024); is the unit people, or millions?")


def _check_unique(path: Path, rows: tuple[Observation, ...]) -> None:
    """One figure per indicator and period: a second one would be ignored silently."""
    seen: dict[tuple[str, int, int], int] = {}
    for line, row in enumerate(rows, 2):
        key = (row.indicator, row.year_from, row.year_to)
        if key in seen:
            raise DataError(f"{path}:{line}: a second '{row.indicator}' figure for "
                            f"{row.year_from}-{row.year_to} (the first is on line {seen[key]}); "
                            "keep one")
        seen[key] = line


def _parse_row(path: Path, line: int, record: dict[str, str]) -> Observation:
    where = f"{path}:{line} ({record.get('indicator')})"
    try:
        year_from, year_to = int(record["year_from"]), int(record["year_to"])
        value = float(record["value"])
    except (TypeError, ValueError) as exc:
        raise DataError(f"{where}: year and value must be numbers ({exc})") from exc
    if not math.isfinite(value):
        raise DataError(f"{where}: value {record['value']!r} is not a finite number")
    if abs(value) > _LARGEST_FIGURE:
        raise DataError(f"{where}: value {record['value']!r} is beyond {_LARGEST_FIGURE:.0e}; no "
                        "figure of the region is that large in its unit (people in thousands, "
                        "money in VND trillion, areas in km2 or ha)")
    _check_plausible(where, record["indicator"], year_from, year_to, value)
    return Observation(
        indicator=record["indicator"],
        year_from=year_from,
        year_to=year_to,
        value=value,
        unit=record["unit"],
        source=record["source"],
    )
