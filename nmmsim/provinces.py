"""The 15 provinces of the model, the two regions built from them, and the provincial panel.

The model's unit is the province on its boundary before the merger of 1 July 2025. Two regions
are aggregates of them (``calibration/boundaries.csv``, docs/model.md §1):

* ``region_2022``: the 14 provinces of Resolution 96/NQ-CP (1 Aug 2022). The Resolution 96 and
  Decision 369/QD-TTg targets and the 2018-2024 statistics are defined on it.
* ``region_2025``: the region of Resolution 306/NQ-CP (5 Oct 2025), counted on the old provinces:
  the 14 minus Bac Giang (merged into Bac Ninh, Red River Delta) plus Vinh Phuc (merged into
  Phu Tho). Regional statistics from 2025 on are published on this boundary.

The panel (``calibration/provinces.csv``) holds rows copied unchanged from the sourced provincial
panel, with their source ids (``calibration/SOURCES.md``, "Provinces").
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np

from nmmsim.errors import DataError, did_you_mean
from nmmsim.resources import shipped_dir

__all__ = [
    "FDI_HUBS",
    "PROVINCES",
    "REGIONS",
    "ProvincialData",
    "load_boundaries",
    "load_provincial",
    "region_mask",
]

#: The model's provinces, in the order of every ``province`` axis (pre-2025 boundaries).
PROVINCES: tuple[str, ...] = (
    "Ha Giang", "Cao Bang", "Bac Kan", "Tuyen Quang", "Lao Cai", "Yen Bai", "Thai Nguyen",
    "Lang Son", "Bac Giang", "Phu Tho", "Dien Bien", "Lai Chau", "Son La", "Hoa Binh", "Vinh Phuc",
)

#: Members of each region. These are legal definitions (Resolutions 96/NQ-CP and 306/NQ-CP), kept
#: in code and checked against ``calibration/boundaries.csv`` by the tests.
REGIONS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "region_2022": tuple(p for p in PROVINCES if p != "Vinh Phuc"),
    "region_2025": tuple(p for p in PROVINCES if p != "Bac Giang"),
})

#: The FDI-industry hubs (electronics and assembly) on the Hanoi corridor, whose FDI attraction
#: `hub_attractiveness` raises (docs/model.md §2, "FDI"): an assumption of the model's design.
FDI_HUBS: tuple[str, ...] = ("Thai Nguyen", "Bac Giang", "Phu Tho", "Vinh Phuc")

_COLUMNS = ("province", "year", "indicator", "value", "unit", "status", "source_id")


def region_mask(region: str) -> np.ndarray:
    """``(15,)`` booleans: which provinces of `PROVINCES` belong to ``region``."""
    if region not in REGIONS:
        raise DataError(f"unknown region '{region}'{did_you_mean(region, REGIONS)}; "
                        f"allowed: {', '.join(REGIONS)}")
    members = set(REGIONS[region])
    return np.array([p in members for p in PROVINCES])


@dataclass(frozen=True, slots=True)
class ProvincialData:
    """The provincial panel: ``values[(indicator, year)]`` is a ``(15,)`` array, NaN where the
    panel has no figure. Where a cell holds two conflicting published figures (``SOURCES.md``,
    "Conflicts"), the first row of the file wins."""

    path: Path
    values: Mapping[tuple[str, int], np.ndarray]

    def get(self, indicator: str, year: int) -> np.ndarray:
        """The figures of ``indicator`` in ``year`` for every province (NaN where missing)."""
        known = {name for name, _ in self.values}
        if indicator not in known:
            raise DataError(f"{self.path}: no indicator '{indicator}'{did_you_mean(indicator, known)}")
        found = self.values.get((indicator, year))
        return found.copy() if found is not None else np.full(len(PROVINCES), np.nan)

    def published(self, indicator: str, year: int) -> np.ndarray:
        """As `get`, for an indicator published for some provinces and years only (real growth,
        budget revenue): a panel without any figure of it gives NaN for every province."""
        if all(name != indicator for name, _ in self.values):
            return np.full(len(PROVINCES), np.nan)
        return self.get(indicator, year)

    def require(self, indicator: str, year: int) -> np.ndarray:
        """As `get`, but every province must have a figure.

        Raises
        ------
        DataError
            Naming the provinces without a figure.
        """
        values = self.get(indicator, year)
        missing = [p for p, v in zip(PROVINCES, values, strict=True) if math.isnan(v)]
        if missing:
            raise DataError(f"{self.path}: '{indicator}' has no {year} figure for {', '.join(missing)}")
        return values

    def latest(self, indicator: str, up_to: int) -> np.ndarray:
        """The most recent figure of ``indicator`` up to year ``up_to`` for every province (NaN
        where the province has none)."""
        values = np.full(len(PROVINCES), np.nan)
        for (name, year), row in sorted(self.values.items(), key=lambda item: item[0][1]):
            if name == indicator and year <= up_to:
                found = ~np.isnan(row)
                values[found] = row[found]
        return values


def load_provincial(path: str | Path | None = None) -> ProvincialData:
    """Read the provincial panel (default: the shipped ``calibration/provinces.csv``).

    Raises
    ------
    DataError
        If the file is unreadable, lacks a column, names an unknown province, or holds a year or
        value that is not a finite number.
    """
    path = Path(path) if path is not None else shipped_dir("calibration") / "provinces.csv"
    values: dict[tuple[str, int], np.ndarray] = {}
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in _COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise DataError(f"{path}: missing column(s) {missing}; need {list(_COLUMNS)}")
            for line, record in enumerate(reader, 2):
                province = record["province"]
                if province not in PROVINCES:
                    raise DataError(f"{path}:{line}: unknown province '{province}'"
                                    f"{did_you_mean(province, PROVINCES)}")
                try:
                    year, value = int(record["year"]), float(record["value"])
                except (TypeError, ValueError) as exc:
                    raise DataError(f"{path}:{line}: year and value must be numbers ({exc})") from exc
                if not math.isfinite(value):
                    raise DataError(f"{path}:{line}: value {record['value']!r} is not finite")
                row = values.setdefault((record["indicator"], year), np.full(len(PROVINCES), np.nan))
                index = PROVINCES.index(province)
                if math.isnan(row[index]):
                    row[index] = value
    except OSError as exc:
        raise DataError(f"{path}: cannot read the provincial panel ({exc.strerror})") from exc
    for row in values.values():
        row.setflags(write=False)
    return ProvincialData(path=path, values=MappingProxyType(values))


def load_boundaries(path: str | Path | None = None) -> dict[str, tuple[str, ...]]:
    """Region members as read from ``boundaries.csv`` (default: the shipped copy)."""
    path = Path(path) if path is not None else shipped_dir("calibration") / "boundaries.csv"
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise DataError(f"{path}: cannot read the boundaries ({exc.strerror})") from exc
    return {region: tuple(r["province"] for r in rows if r.get(region) == "1") for region in REGIONS}
