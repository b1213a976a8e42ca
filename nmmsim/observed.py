"""Observed figures for the region (``calibration/observed_region.csv``) and the base year built on them.

Each row of the CSV holds one figure with its unit, status and source id (see
``calibration/SOURCES.md``). The model reads its base-year state from here, so the 2024 identities
in ``docs/model.md`` are checked against the same file the economists edit.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from nmmsim.errors import DataError, did_you_mean
from nmmsim.resources import shipped_dir

__all__ = ["BaseYear", "Observation", "ObservedData", "load_observed"]

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
    except OSError as exc:
        raise DataError(f"{path}: cannot read observed data ({exc.strerror})") from exc
    return ObservedData(path=path, rows=rows)


def _parse_row(path: Path, line: int, record: dict[str, str]) -> Observation:
    where = f"{path}:{line} ({record.get('indicator')})"
    try:
        year_from, year_to = int(record["year_from"]), int(record["year_to"])
        value = float(record["value"])
    except (TypeError, ValueError) as exc:
        raise DataError(f"{where}: year and value must be numbers ({exc})") from exc
    if not math.isfinite(value):
        raise DataError(f"{where}: value {record['value']!r} is not a finite number")
    return Observation(
        indicator=record["indicator"],
        year_from=year_from,
        year_to=year_to,
        value=value,
        unit=record["unit"],
        source=record["source"],
    )


@dataclass(frozen=True, slots=True)
class BaseYear:
    """The observed state of the region in the base year, in model units.

    Money in VND trillion (current prices of the base year, which are the real prices of the model),
    people in thousands, shares as fractions, areas in thousand hectares.
    """

    year: int
    grdp: float
    sector_share: tuple[float, float, float]  # agriculture, industry-construction, services
    product_tax_share: float
    grdp_growth: float
    budget_revenue: float
    employment: float
    unemployment_rate: float
    certified_share: float
    population: float
    urban_share: float
    poverty_rate: float
    land_area: float
    forest_established: float
    forest_young: float

    @classmethod
    def from_observed(cls, data: ObservedData, year: int = 2024) -> BaseYear:
        """Build the base year from observed figures (see ``docs/model.md``, "Base year").

        Forest status is published for 2023 only (F1); it is carried to the base year unchanged,
        since national cover moved by 0.01 points from 2023 to 2024 (F1, F4).
        """
        shares = tuple(
            data.value(name, year) / 100.0
            for name in ("share_agriculture", "share_industry_construction", "share_services")
        )
        land_area_kha = data.value("land_area", year) / 10.0  # km2 -> thousand ha
        cover = data.value("forest_cover", 2023) / 100.0
        established = cover * land_area_kha
        return cls(
            year=year,
            grdp=data.value("grdp_nominal", year),
            sector_share=(shares[0], shares[1], shares[2]),
            product_tax_share=data.value("share_product_taxes", year) / 100.0,
            grdp_growth=data.value("grdp_real_growth", year) / 100.0,
            budget_revenue=data.value("budget_revenue_total", year),
            employment=data.value("employed_persons", year),
            unemployment_rate=data.value("unemployment_rate", year) / 100.0,
            certified_share=data.value("certified_labour_share", year) / 100.0,
            population=data.value("population", year),
            urban_share=data.value("urban_population", year) / data.value("population", year),
            poverty_rate=data.value("multidimensional_poverty_rate", year) / 100.0,
            land_area=land_area_kha,
            forest_established=established,
            forest_young=data.value("forest_area", 2023) / 1000.0 - established,
        )
