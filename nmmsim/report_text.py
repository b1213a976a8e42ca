"""Tables of a result: aligned plain text for the terminal, and the rows behind the target and
comparison CSVs."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import xarray as xr

from nmmsim.analysis import (
    attainment,
    paired_differences,
    quantiles,
    target_measures,
    target_median,
)
from nmmsim.targets import Target, load_targets

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["NOT_REACHED", "TargetRow", "comparison_frame", "comparison_table", "format_figure",
           "parameter_difference_lines", "percent_interval", "sensitivity_table", "target_frame",
           "target_rows", "target_table"]


def percent_interval(probability: float, low: float, high: float) -> tuple[str, str, str]:
    """A probability and its interval as percentages, with the decimals the interval supports.

    The last digit shown is about a tenth of the interval's width (0 to 2 decimals), so a
    narrow interval is not rounded to "[5-5%]" and a wide one does not show noise.

    Examples
    --------
    >>> percent_interval(0.052, 0.046, 0.058)
    ('5.2', '4.6', '5.8')
    >>> percent_interval(0.4, 0.25, 0.55)
    ('40', '25', '55')
    """
    width = 100.0 * (high - low)
    decimals = 2 if not width > 0 else min(2, max(0, math.ceil(-math.log10(width / 10.0))))
    shown = [f"{100.0 * v:.{decimals}f}" for v in (probability, low, high)]
    return shown[0], shown[1], shown[2]


def format_figure(value: float) -> str:
    """A model figure with the digits it can back: whole numbers from 1,000, else 4 significant
    digits (Monte Carlo quantiles are within 0.4% of the sample quantile)."""
    if value != value:  # NaN
        return "-"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


#: ``status`` of a target whose year is after the run's last year.
NOT_REACHED = "not reached by this horizon"


@dataclass(frozen=True, slots=True)
class TargetRow:
    """One target in its year, as the tables show it (see `target_rows`)."""

    target: str
    description: str
    year: int
    required: str
    unit: str
    status: str
    model_value: float = math.nan
    met: bool | None = None
    margin: float = math.nan
    probability: float = math.nan
    lower: float = math.nan
    upper: float = math.nan
    standard_error: float = math.nan


def target_rows(result: xr.Dataset, targets: Sequence[Target] | None = None) -> list[TargetRow]:
    """One row per target (and one for all modelled targets at once) in its target year.

    ``status`` is "modelled", "not modelled" or "not reached by this horizon" (the run ends
    before the target year); ``model_value`` is a deterministic run's value or a Monte Carlo
    run's median, in ``unit``; ``met`` and ``margin`` are filled for deterministic runs,
    ``probability``, ``lower``, ``upper`` (Wilson interval) and ``standard_error`` (fractions of
    1) for Monte Carlo runs. `target_frame` makes it a table.
    """
    targets = tuple(targets) if targets is not None else load_targets()
    attained = attainment(result, targets)
    summary = quantiles(target_measures(result, targets))  # averages as measured, any result
    horizon = int(attained.attrs["horizon"])
    monte_carlo = "probability" in attained
    rows = []
    for target in targets:
        row = TargetRow(target=target.target, description=target.description,
                        year=target.year, required=target.describe_bounds(), unit=target.unit,
                        status="modelled")
        if not target.modelled:
            row = dataclasses.replace(row, status="not modelled")
        elif target.year > horizon:
            row = dataclasses.replace(row, status=NOT_REACHED)
        elif monte_carlo:
            point = attained.sel(target=target.target, year=target.year)
            row = dataclasses.replace(
                row, model_value=target_median(summary, target),
                probability=float(point.probability), lower=float(point.lower),
                upper=float(point.upper), standard_error=float(point.standard_error))
        else:
            point = attained.sel(target=target.target, year=target.year)
            row = dataclasses.replace(row, model_value=float(point.value), met=bool(point.met),
                                      margin=float(point.margin))
        rows.append(row)
    counted = [t.year for t in targets if t.modelled and t.year <= horizon]
    if monte_carlo and counted:
        final = attained.sel(year=max(counted))
        rows.append(TargetRow(
            target="all", description=_all_description(attained), year=max(counted),
            required="", unit="", status="modelled", probability=float(final.probability_all),
            lower=float(final.lower_all), upper=float(final.upper_all),
            standard_error=float(final.standard_error_all)))
    return rows


def target_frame(rows: Sequence[TargetRow]) -> pd.DataFrame:
    """`target_rows` as a DataFrame, one column per field (the ``<name>_targets.csv`` file)."""
    import pandas as pd

    return pd.DataFrame([dataclasses.asdict(row) for row in rows],
                        columns=[f.name for f in dataclasses.fields(TargetRow)])


def _all_description(attained: xr.Dataset) -> str:
    if attained.attrs.get("beyond_horizon"):
        return f"All modelled targets up to {attained.attrs['horizon']} at once"
    return "All modelled targets at once"


def target_table(result: xr.Dataset, targets: Sequence[Target] | None = None) -> str:
    """The target year's indicators against their Resolution 96 targets, as aligned text.

    A Monte Carlo result shows the median and the probability of attaining each target with its
    Wilson 95% interval; a deterministic run shows its value and whether the target is met, by
    how much (the margin, in the target's unit). Targets the model does not cover are listed as
    "not modelled"; targets after the run's last year as "not reached by this horizon".
    """
    table = target_rows(result, targets)
    monte_carlo = "draw" not in result.dims or result.sizes["draw"] > 1
    horizon = int(result["year"].max())
    header = ("Indicator", "Model" + (" (median)" if monte_carlo else ""), "Target", "Unit",
              "Attained" + (" (95% interval)" if monte_carlo else " (margin)"))
    rows = []
    for row in table:
        if row.status == "not modelled":
            verdict = "not modelled"
        elif row.status == NOT_REACHED:
            verdict = f"{NOT_REACHED} (ends {horizon})"
        elif row.probability == row.probability:  # not NaN: Monte Carlo
            p, low, high = percent_interval(row.probability, row.lower, row.upper)
            verdict = f"{p}% [{low}-{high}]"
        else:
            verdict = f"{'yes' if row.met else 'no'} ({row.margin:+,.2f})"
        if row.target == "all":
            rows.append((row.description, "", "", "", verdict))
            continue
        rows.append((row.description, format_figure(row.model_value), row.required, row.unit,
                     verdict))
    return _aligned(header, rows, left=(0, 3, 4))


def comparison_table(compared: xr.Dataset, targets: Sequence[Target] | None = None) -> str:
    """Attainment of each target in its year, scenario by scenario, and the paired differences
    against the first scenario with their standard errors (percentage points)."""
    attained = attainment(compared, targets)
    differences = paired_differences(compared)
    names = [str(n) for n in compared.scenario.values]
    header = ("Target", *names, *(f"{n} - {names[0]}" for n in names[1:]))
    rows = []
    for target in attained.target.values:
        year = int(attained.target_year.sel(target=target))
        point = attained.sel(target=target, year=year)
        change = differences.sel(target=target, year=year)
        rows.append((
            str(point.description.values),
            *(f"{100 * float(point.probability.sel(scenario=n)):.1f}%" for n in names),
            *(f"{100 * float(change.difference.sel(scenario=n)):+.1f} +- "
              f"{100 * float(change.standard_error.sel(scenario=n)):.1f}" for n in names[1:]),
        ))
    return _aligned(header, rows, left=(0,))


def comparison_frame(compared: xr.Dataset,
                     targets: Sequence[Target] | None = None) -> pd.DataFrame:
    """A comparison in the target year as a tidy table: one row per scenario and target, and
    one per scenario for all modelled targets at once (``target`` = "all").

    Columns: ``scenario``, ``target``, ``description``, ``year``, ``required``, ``unit``; the
    indicator's ``median`` and its 5-95% band ``p05``, ``p95`` (in ``unit``; empty for "all");
    ``probability`` of attaining it with its Wilson interval ``probability_lower``,
    ``probability_upper``; the paired ``difference`` in probability from the reference
    (first) scenario, its ``difference_se`` and its normal interval ``difference_lower``,
    ``difference_upper`` (empty for the reference itself). Probabilities and differences are
    fractions of 1.
    """
    import pandas as pd

    targets = tuple(targets) if targets is not None else load_targets()
    attained = attainment(compared, targets)
    differences = paired_differences(compared)
    reference = str(differences.attrs["reference_scenario"])
    counted = {t.target: t for t in targets if t.modelled}
    rows: list[dict[str, object]] = []
    for scenario in (str(s) for s in compared.scenario.values):
        for name in (str(t) for t in attained.target.values):
            target = counted[name]
            point = attained.sel(target=name, year=target.year, scenario=scenario)
            change = differences.sel(target=name, year=target.year, scenario=scenario)
            band = _target_quantiles(compared.sel(scenario=scenario), target)
            rows.append({
                "scenario": scenario, "target": name, "description": target.description,
                "year": target.year, "required": target.describe_bounds(), "unit": target.unit,
                "median": band[0.5], "p05": band[0.05], "p95": band[0.95],
                **_probability_columns(point, change, "", scenario == reference)})
        if counted and attained.sizes["target"]:
            year = max(counted[str(t)].year for t in attained.target.values)
            rows.append({
                "scenario": scenario, "target": "all",
                "description": _all_description(attained), "year": year,
                **_probability_columns(attained.sel(year=year, scenario=scenario),
                                       differences.sel(year=year, scenario=scenario), "_all",
                                       scenario == reference)})
    columns = ["scenario", "target", "description", "year", "required", "unit", "median", "p05",
               "p95", "probability", "probability_lower", "probability_upper", "difference",
               "difference_se", "difference_lower", "difference_upper"]
    return pd.DataFrame(rows, columns=columns)


def _probability_columns(point: xr.Dataset, change: xr.Dataset, suffix: str,
                         is_reference: bool) -> dict[str, float]:
    columns = {"probability": float(point[f"probability{suffix}"]),
               "probability_lower": float(point[f"lower{suffix}"]),
               "probability_upper": float(point[f"upper{suffix}"])}
    if not is_reference:
        columns.update({"difference": float(change[f"difference{suffix}"]),
                        "difference_se": float(change[f"standard_error{suffix}"]),
                        "difference_lower": float(change[f"lower{suffix}"]),
                        "difference_upper": float(change[f"upper{suffix}"])})
    return columns


def _target_quantiles(summary: xr.Dataset, target: Target) -> dict[float, float]:
    """The 5%, 50% and 95% quantiles of a target's indicator in its year (NaN if not kept)."""
    name = target.variable if target.measure == "level" else f"target_{target.target}"
    levels = (0.05, 0.5, 0.95)
    if name not in summary or "quantile" not in summary[name].dims:
        return dict.fromkeys(levels, math.nan)
    da = summary[name].sel(year=target.year)
    if target.sector and "sector" in da.dims:
        da = da.sel(sector=target.sector)
    return {level: float(da.sel(quantile=level)) for level in levels}


def sensitivity_table(indices: xr.Dataset, top: int = 3) -> str:
    """For each target in the last year: the parameter groups (Sobol') or parameters (Morris)
    that matter most, with their index."""
    year = int(indices["year"].max())
    grouped = "ST_group" in indices
    name = "ST_group" if grouped else ("ST" if "ST" in indices else "mu_star")
    header = ("Target", f"Most influential {'groups' if grouped else 'parameters'} ({name}, "
              f"{year})")
    rows = []
    for target in indices.target.values:
        values = indices[name].sel(target=target, quantity="value", year=year).to_series()
        ranked = values.dropna().sort_values(ascending=False).head(top)
        rows.append((str(indices.description.sel(target=target).values),
                     ", ".join(f"{key} {value:.2f}" for key, value in ranked.items())
                     or "(no variance)"))
    return _aligned(header, rows, left=(0, 1))


def _aligned(header: Sequence[str], rows: Sequence[Sequence[str]], left: tuple[int, ...]) -> str:
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
    lines = ["  ".join(f"{cell:<{w}}" if i in left else f"{cell:>{w}}"
                       for i, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip()
             for row in (header, *rows)]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def parameter_difference_lines(differences: dict[str, dict[str, str]]) -> list[str]:
    """`nmmsim.analysis.parameter_differences` as lines: ``parameter: scenario setting; ...``.

    Examples
    --------
    >>> parameter_difference_lines({"tfp_growth_industry": {"baseline": "calibrated",
    ...                                                     "push": "fixed at 0.015"}})
    ['tfp_growth_industry: baseline calibrated; push fixed at 0.015']
    """
    return [f"{name}: " + "; ".join(f"{scenario} {text}" for scenario, text in settings.items())
            for name, settings in differences.items()]
