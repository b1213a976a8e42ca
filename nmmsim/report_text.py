"""Tables of a result: aligned plain text for the terminal, and the rows behind the target and
comparison CSVs."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import xarray as xr

from nmmsim.analysis import (
    attainment,
    paired_differences,
    quantiles,
    target_measures,
    target_median,
)
from nmmsim.history_range import HISTORY_MEANING
from nmmsim.targets import Target, load_targets

if TYPE_CHECKING:
    import pandas as pd

    from nmmsim.scenario import Scenario

__all__ = [
    "AREA_INDICATORS",
    "NOT_REACHED",
    "PROVINCE_COLUMNS",
    "SOBOL_NOISE",
    "SPREAD_MEANING",
    "TARGETS_NOT_ON",
    "LeverRow",
    "TargetRow",
    "area_frame",
    "area_table",
    "compact_path",
    "comparison_frame",
    "comparison_note",
    "comparison_rows",
    "comparison_table",
    "deterministic_comparison_frame",
    "format_figure",
    "format_lever",
    "lever_rows",
    "parameter_difference_lines",
    "percent_interval",
    "province_frame",
    "province_overrides",
    "province_table",
    "province_year",
    "sensitivity_table",
    "spread_table",
    "target_frame",
    "target_rows",
    "target_table",
    "targets_not_on",
]


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
    history_lower: float = math.nan
    history_upper: float = math.nan


def target_rows(result: xr.Dataset, targets: Sequence[Target] | None = None) -> list[TargetRow]:
    """One row per target (and one for all modelled targets at once) in its target year.

    ``status`` is "modelled", "not modelled" or "not reached by this horizon" (the run ends
    before the target year); ``model_value`` is a deterministic run's value or a Monte Carlo
    run's median, in ``unit``; ``met`` and ``margin`` are filled for deterministic runs,
    ``probability``, ``lower``, ``upper`` (Wilson interval) and ``standard_error`` (fractions of
    1) for Monte Carlo runs, and with a history range its lowest and highest probability over
    the leave-one-year-out sub-posteriors, ``history_lower`` and ``history_upper``
    (`nmmsim.history_range`). `target_frame` makes it a table.
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
                upper=float(point.upper), standard_error=float(point.standard_error),
                history_lower=_history(point, "lower"), history_upper=_history(point, "upper"))
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
            standard_error=float(final.standard_error_all),
            history_lower=_history(final, "lower_all"),
            history_upper=_history(final, "upper_all")))
    return rows


def _history(point: xr.Dataset, end: str) -> float:
    """One end of a probability's history range (NaN if the run has none)."""
    name = f"history_{end}"
    return float(point[name]) if name in point else math.nan


def history_interval(row: TargetRow) -> str:
    """A row's history range as percentages, with as many decimals as its Monte Carlo interval
    (`percent_interval`); empty without one.

    >>> history_interval(TargetRow("t", "d", 2030, ">= 8", "%", "modelled", probability=0.196,
    ...                            lower=0.17, upper=0.22, history_lower=0.15,
    ...                            history_upper=0.243))
    '15.0-24.3'
    """
    if row.history_lower != row.history_lower:  # NaN: no history range
        return ""
    width = 100.0 * (row.upper - row.lower)
    decimals = 2 if not width > 0 else min(2, max(0, math.ceil(-math.log10(width / 10.0))))
    return f"{100.0 * row.history_lower:.{decimals}f}-{100.0 * row.history_upper:.{decimals}f}"


def target_frame(rows: Sequence[TargetRow]) -> pd.DataFrame:
    """`target_rows` as a DataFrame, one column per field (the ``<name>_targets.csv`` file)."""
    import pandas as pd

    return pd.DataFrame([dataclasses.asdict(row) for row in rows],
                        columns=[f.name for f in dataclasses.fields(TargetRow)])


def _all_description(attained: xr.Dataset) -> str:
    if attained.attrs.get("beyond_horizon"):
        return f"All modelled targets up to {attained.attrs['horizon']} at once"
    return "All modelled targets at once"


#: What a probability of attainment means, said wherever one is shown (CLI, report, docs).
PROBABILITY_MEANING = (
    "P(attained) is the share of Monte Carlo draws in which the target is met, given the model's "
    "structure, its parameters drawn from the posterior conditioned on the 2020-2024 history "
    "(docs/uncertainty.md; with --uncertainty prior, from the documented priors instead), the "
    "scenario's levers, random severe-disaster years and yearly TFP shocks by province. It "
    "leaves out other model structures, demand, FDI-timing and hydrology shocks, data revisions "
    "and events outside the model. The interval covers Monte Carlo sampling noise only.")
#: What a deterministic run's "met" means.
DETERMINISTIC_MEANING = (
    "A deterministic run is one path, at the posterior's median parameters with disasters at "
    "their expected damage: 'yes' says that this path reaches the target, not how likely it is.")


def meaning(monte_carlo: bool, width: int = 100, *, history: bool = False) -> str:
    """The plain-words meaning of the attainment column, wrapped to ``width``; with
    ``history``, also that of the history range (`HISTORY_MEANING`)."""
    import textwrap

    text = PROBABILITY_MEANING if monte_carlo else DETERMINISTIC_MEANING
    if history:
        text += " " + HISTORY_MEANING
    return textwrap.fill(text, width)


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
    with_history = any(history_interval(row) for row in table)
    header = ("Indicator", "Model" + (" (median)" if monte_carlo else ""), "Target", "Unit",
              "Attained" + (" (95% interval)" if monte_carlo else " (margin)")
              + ("; history range" if with_history else ""))
    rows = []
    for row in table:
        if row.status == "not modelled":
            verdict = "not modelled"
        elif row.status == NOT_REACHED:
            verdict = f"{NOT_REACHED} (ends {horizon})"
        elif row.probability == row.probability:  # not NaN: Monte Carlo
            p, low, high = percent_interval(row.probability, row.lower, row.upper)
            verdict = f"{p}% [{low}-{high}]"
            if history_interval(row):
                verdict += f"; {history_interval(row)}%"
        else:
            verdict = f"{'yes' if row.met else 'no'} ({row.margin:+,.2f})"
        if row.target == "all":
            rows.append((row.description, "", "", "", verdict))
            continue
        rows.append((row.description, format_figure(row.model_value), row.required, row.unit,
                     verdict))
    return _aligned(header, rows, left=(0, 3, 4)) + "\n\n" + meaning(monte_carlo, history=with_history)


def comparison_table(compared: xr.Dataset, targets: Sequence[Target] | None = None,
                     width: int = 100) -> str:
    """The scenarios of a comparison, target by target, as aligned text at most ``width``
    characters wide (long target names wrap, long scenario names are shortened).

    One row per target and scenario. A Monte Carlo comparison shows the median of the target's
    indicator in its year, its difference from the reference's median, the probability of
    attaining the target and its paired difference from the reference's in percentage points
    with its standard error; then every modelled target at once. A deterministic comparison
    shows each scenario's value, its difference from the reference's, and whether the target
    is met (by what margin).
    """
    import textwrap

    header, rows = comparison_rows(compared, targets)
    table = _fitted(header, rows, left=(0, 1), width=width)
    note = comparison_note(compared, targets)
    return f"{table}\n\n{textwrap.fill(note, min(width, 100))}"


def comparison_note(compared: xr.Dataset, targets: Sequence[Target] | None = None) -> str:
    """What the columns of `comparison_rows` mean, and which targets the run ends before."""
    reference = str(compared.scenario.values[0])
    beyond = str(attainment(compared, targets).attrs["beyond_horizon"])
    unreached = (f" {NOT_REACHED.capitalize()} (the run ends {int(compared['year'].max())}): "
                 f"{beyond}." if beyond else "")
    if "discordant" in compared:
        return (f"Diff: the scenario minus {reference}, the reference; probabilities in "
                "percentage points +- one standard error, on the same draws. "
                + PROBABILITY_MEANING + unreached)
    return (f"Diff: the scenario minus {reference}, the reference. {DETERMINISTIC_MEANING}"
            + unreached)


def comparison_rows(compared: xr.Dataset, targets: Sequence[Target] | None = None
                    ) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The header and rows of `comparison_table`, one row per target and scenario, the
    target's description (with its requirement) on its first scenario's row."""
    targets = tuple(targets) if targets is not None else load_targets()
    names = [str(n) for n in compared.scenario.values]
    monte_carlo = "discordant" in compared
    header = (("Target", "Scenario", "Median", "Diff", "P(attained)", "Diff (points)")
              if monte_carlo else ("Target", "Scenario", "Value", "Diff", "Met (margin)"))
    return header, _comparison_rows(compared, targets, names, monte_carlo=monte_carlo)


def _comparison_rows(compared: xr.Dataset, targets: Sequence[Target], names: Sequence[str], *,
                     monte_carlo: bool) -> list[tuple[str, ...]]:
    attained = attainment(compared, targets)
    counted = {t.target: t for t in targets if t.modelled}
    summary = compared if monte_carlo else quantiles(target_measures(compared, targets))
    changes = paired_differences(compared) if monte_carlo else None
    rows: list[tuple[str, ...]] = []
    for name in (str(t) for t in attained.target.values):
        target = counted[name]
        point = attained.sel(target=name, year=target.year)
        central = {n: _target_quantiles(summary.sel(scenario=n), target)[0.5] for n in names}
        for index, scenario in enumerate(names):
            label = f"{target.description} ({target.describe_bounds()} {target.unit})"
            shift = "" if index == 0 else _signed_like(central[scenario] - central[names[0]],
                                                       format_figure(central[names[0]]))
            if changes is None:
                margin_ = float(point.margin.sel(scenario=scenario))
                verdict = f"{'yes' if bool(point.met.sel(scenario=scenario)) else 'no'} " \
                          f"({margin_:+,.2f})"
                rows.append((label if index == 0 else "", scenario,
                             format_figure(central[scenario]), shift, verdict))
                continue
            change = changes.sel(target=name, year=target.year, scenario=scenario)
            rows.append((label if index == 0 else "", scenario, format_figure(central[scenario]),
                         shift, f"{100 * float(point.probability.sel(scenario=scenario)):.1f}%",
                         "" if index == 0 else _points(change, "")))
    if changes is None and len(attained.target):
        year = max(counted[str(t)].year for t in attained.target.values)
        for index, scenario in enumerate(names):
            met_all = bool(attained.met_all.sel(year=year, scenario=scenario))
            rows.append(("All modelled targets at once" if index == 0 else "", scenario, "", "",
                         "yes" if met_all else "no"))
    if changes is not None and len(attained.target):
        year = max(counted[str(t)].year for t in attained.target.values)
        for index, scenario in enumerate(names):
            probability = float(attained.probability_all.sel(year=year, scenario=scenario))
            rows.append(("All modelled targets at once" if index == 0 else "", scenario, "", "",
                         f"{100 * probability:.1f}%",
                         "" if index == 0 else
                         _points(changes.sel(year=year, scenario=scenario), "_all")))
    return rows


def _signed_like(difference: float, shown: str) -> str:
    """``difference`` with a sign and the decimals of the figure ``shown`` beside it.

    Examples
    --------
    >>> _signed_like(0.0853, "7.744"), _signed_like(75.2, "1,783")
    ('+0.085', '+75')
    """
    decimals = len(shown.partition(".")[2]) if "." in shown else 0
    return f"{difference:+,.{decimals}f}"


def _points(change: xr.Dataset, suffix: str) -> str:
    """A paired difference and its standard error in percentage points."""
    return (f"{100 * float(change[f'difference{suffix}']):+.1f} +- "
            f"{100 * float(change[f'standard_error{suffix}']):.1f}")


#: Narrowest a wrapped or shortened text column gets in `_fitted`.
_NARROWEST = 12


def _fitted(header: Sequence[str], rows: Sequence[Sequence[str]], left: tuple[int, ...],
            width: int) -> str:
    """`_aligned`, at most ``width`` characters wide where it can be: the first column wraps
    and the second is shortened (with "~" at the end) down to `_NARROWEST` characters."""
    import textwrap

    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
    others = sum(widths[2:]) + 2 * (len(header) - 1)  # the fixed columns and the gaps
    first = min(widths[0], max(_NARROWEST, width - others - widths[1]))
    second = min(widths[1], max(_NARROWEST, width - others - first))
    lines: list[tuple[str, ...]] = []
    pending: list[str] = []  # wrapped lines of the last label, shown beside the rows below it
    for row in rows:
        if row[0]:
            lines += [(more, *("" for _ in row[1:])) for more in pending]
            pending = textwrap.wrap(row[0], first)
        name = row[1] if len(row[1]) <= second else row[1][:second - 1] + "~"
        lines.append((pending.pop(0) if pending else "", name, *row[2:]))
    lines += [(more, *("" for _ in header[1:])) for more in pending]
    return _aligned(header, lines, left)


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


def deterministic_comparison_frame(compared: xr.Dataset,
                                   targets: Sequence[Target] | None = None) -> pd.DataFrame:
    """A deterministic comparison (`nmmsim.analysis.deterministic_comparison`) in the target
    year as a tidy table: one row per scenario and target, and one per scenario for all
    modelled targets at once (``target`` = "all").

    Columns: ``scenario``, ``target``, ``description``, ``year``, ``required``, ``unit``; the
    indicator's ``value`` and its ``difference`` from the reference (first) scenario's value
    (in ``unit``; empty for "all" and in the reference's own rows); ``met`` and the ``margin``
    by which it is met (+) or missed (-), in ``unit``.
    """
    import pandas as pd

    targets = tuple(targets) if targets is not None else load_targets()
    attained = attainment(compared, targets)
    names = [str(s) for s in compared.scenario.values]
    counted = {t.target: t for t in targets if t.modelled}
    rows: list[dict[str, object]] = []
    for scenario in names:
        for name in (str(t) for t in attained.target.values):
            target = counted[name]
            point = attained.sel(target=name, year=target.year)
            value = float(point.value.sel(scenario=scenario))
            rows.append({
                "scenario": scenario, "target": name, "description": target.description,
                "year": target.year, "required": target.describe_bounds(), "unit": target.unit,
                "value": value,
                "difference": (math.nan if scenario == names[0]
                               else value - float(point.value.sel(scenario=names[0]))),
                "met": bool(point.met.sel(scenario=scenario)),
                "margin": float(point.margin.sel(scenario=scenario))})
        if attained.sizes["target"]:
            year = max(counted[str(t)].year for t in attained.target.values)
            rows.append({"scenario": scenario, "target": "all",
                         "description": "All modelled targets at once", "year": year,
                         "met": bool(attained.met_all.sel(year=year, scenario=scenario))})
    columns = ["scenario", "target", "description", "year", "required", "unit", "value",
               "difference", "met", "margin"]
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
    table = _aligned(header, rows, left=(0, 1))
    return f"{table}\n\n{SOBOL_NOISE}" if name != "mu_star" else table


#: What a Sobol' index outside [0, 1] means.
SOBOL_NOISE = ("Sobol' indices are estimates from a finite sample: an index above 1 (or below 0) "
               "is estimation noise, not a share of variance above 100%; the 95% half-widths "
               "say how large it is, and more draws (--draws) shrink it.")


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
    >>> parameter_difference_lines({"tfp_growth_industry": {"baseline": "posterior",
    ...                                                     "push": "fixed at 0.015"}})
    ['tfp_growth_industry: baseline posterior; push fixed at 0.015']
    """
    return [f"{name}: " + "; ".join(f"{scenario} {text}" for scenario, text in settings.items())
            for name, settings in differences.items()]


#: The indicators a Monte Carlo summary keeps for every area (`nmmsim.engine.chunks.BY_AREA`),
#: which the province table shows.
AREA_INDICATORS: tuple[str, ...] = ("grdp_nominal", "grdp_growth", "grdp_per_capita")

#: Columns of `province_frame` and their units (the ``<name>_provinces.csv`` file names each
#: column with its units, as the other CSVs do).
PROVINCE_COLUMNS: Mapping[str, str] = MappingProxyType({
    "area": "", "year": "",
    **{f"{name}{suffix}": unit
       for name, unit in (("grdp_nominal", "VND trillion"), ("grdp_growth", "percent"),
                          ("grdp_per_capita", "VND million"))
       for suffix in ("", "_p05", "_p95")},
    "share_of_increase": "fraction of 1",
})

#: The year the province table shows by default (the Resolution 96 horizon).
_PROVINCE_YEAR = 2030


def _is_monte_carlo(result: xr.Dataset) -> bool:
    return "draw" not in result.dims or result.sizes["draw"] > 1


def _area_quantiles(result: xr.Dataset, names: Sequence[str]) -> xr.Dataset:
    """Quantiles (0.05, 0.5, 0.95 at least) of the ``<name>_by_area`` variables ``names``."""
    kept = result[[f"{name}_by_area" for name in names]]
    return kept if "quantile" in kept.dims else quantiles(kept)


def province_year(result: xr.Dataset) -> int:
    """The year the province table shows: 2030, or the run's last year if it ends earlier (its
    first year if it starts later)."""
    years = [int(y) for y in result["year"].values]
    if _PROVINCE_YEAR in years:
        return _PROVINCE_YEAR
    return max(years) if max(years) < _PROVINCE_YEAR else min(years)


def province_frame(result: xr.Dataset, year: int | None = None) -> pd.DataFrame:
    """One row per area (the 15 provinces, then ``region_2022`` and ``region_2025``) in ``year``.

    Parameters
    ----------
    result : xarray.Dataset
        A result of `nmmsim.simulate` with the ``*_by_area`` variables: a Monte Carlo summary,
        trajectories or a deterministic run.
    year : int, optional
        Default: `province_year` (2030, or the run's last year if it ends earlier).

    Returns
    -------
    pandas.DataFrame
        Columns `PROVINCE_COLUMNS`: ``area``, ``year``; GRDP at current prices
        (``grdp_nominal``, VND trillion), real GRDP growth in the year (``grdp_growth``,
        percent) and GRDP per capita (``grdp_per_capita``, VND million): a deterministic run's
        value or a Monte Carlo run's median, with the 5% and 95% quantiles in ``<name>_p05``,
        ``<name>_p95`` (empty for a deterministic run); ``share_of_increase``: the area's
        increase of GRDP at current prices from the run's first year to ``year``, as a fraction
        of ``region_2022``'s (1 for ``region_2022``; empty for Vinh Phuc and ``region_2025``,
        which are not inside it). For Monte Carlo runs the shares are ratios of medians, so the
        14 provinces' shares need not sum to exactly 1 (``attrs["note"]`` says so).

    Notes
    -----
    ``share_of_increase_i = (Y_i(year) - Y_i(first)) / (Y_R(year) - Y_R(first))``, with
    ``Y`` the GRDP at current prices and ``R`` = ``region_2022``. The deflator is common to the
    provinces of a draw, so this is also each province's share of the real increase.

    Examples
    --------
    >>> import nmmsim
    >>> frame = province_frame(nmmsim.simulate(nmmsim.shipped_scenarios()["baseline"]))
    >>> list(frame.area[-2:]), int(frame.year[0]), float(frame.share_of_increase.iloc[-2])
    (['region_2022', 'region_2025'], 2030, 1.0)
    """
    import pandas as pd

    from nmmsim.provinces import REGIONS

    year = province_year(result) if year is None else year
    first = int(result["year"].min())
    summary = _area_quantiles(result, AREA_INDICATORS)
    monte_carlo = _is_monte_carlo(result)
    areas = [str(a) for a in summary["area"].values]
    columns: dict[str, object] = {"area": areas, "year": year}
    for name in AREA_INDICATORS:
        da = summary[f"{name}_by_area"].sel(year=year)
        columns[name] = da.sel(quantile=0.5).values
        for level, suffix in ((0.05, "_p05"), (0.95, "_p95")):
            columns[f"{name}{suffix}"] = (da.sel(quantile=level).values if monte_carlo
                                          else math.nan)
    nominal = summary["grdp_nominal_by_area"].sel(quantile=0.5)
    increase = (nominal.sel(year=year) - nominal.sel(year=first)).to_series()
    inside = set(REGIONS["region_2022"]) | {"region_2022"}
    columns["share_of_increase"] = [float(increase[a] / increase["region_2022"]) if a in inside
                                    else math.nan for a in areas]
    frame = pd.DataFrame(columns, columns=list(PROVINCE_COLUMNS))
    what = "median" if monte_carlo else "value"
    frame.attrs["note"] = (
        f"GRDP and GRDP per capita at current prices, real growth in {year}: "
        + ("median and 5-95% of the draws, each area's own aggregate draw by draw. "
           if monte_carlo else "the deterministic path. ")
        + f"Share of increase: the province's increase of GRDP from {first} to {year} as a share "
        f"of region_2022's (the 14-province region of 2022; Vinh Phuc is outside it)"
        + (", computed from the medians, so the shares need not sum to exactly 100%."
           if monte_carlo else "."))
    frame.attrs["statistic"] = what
    return frame


def province_table(frame: pd.DataFrame) -> str:
    """`province_frame` as aligned text, under 110 characters wide, with its note below."""
    year = int(frame.year.iloc[0]) if len(frame) else _PROVINCE_YEAR
    monte_carlo = bool(frame.grdp_nominal_p05.notna().any())
    header = ("Area", f"GRDP {year}" + (" median" if monte_carlo else ""),
              *(("5-95%",) if monte_carlo else ()), "Growth %",
              *(("5-95%",) if monte_carlo else ()), "GRDP/cap", "Share of increase")
    rows = []
    for record in frame.to_dict("records"):
        row: dict[str, Any] = {str(k): v for k, v in record.items()}
        band = (f"{format_figure(row['grdp_nominal_p05'])} to "
                f"{format_figure(row['grdp_nominal_p95'])}",)
        growth_band = (f"{row['grdp_growth_p05']:.1f} to {row['grdp_growth_p95']:.1f}",)
        share = float(row["share_of_increase"])
        rows.append((str(row["area"]), format_figure(row["grdp_nominal"]),
                     *(band if monte_carlo else ()), _one_decimal(row["grdp_growth"]),
                     *(growth_band if monte_carlo else ()), format_figure(row["grdp_per_capita"]),
                     "" if math.isnan(share) else f"{100 * share:.1f}%"))
    import textwrap

    units = "GRDP: VND trillion, current prices; GRDP/cap: VND million; growth: real, percent."
    note = textwrap.fill(str(frame.attrs.get("note", "")), width=100)
    return "\n".join((_aligned(header, rows, left=(0,)), units, note))


def _one_decimal(value: float) -> str:
    return "-" if value != value else f"{value:.1f}"


def area_frame(result: xr.Dataset, area: str, years: Sequence[int] | None = None
               ) -> pd.DataFrame:
    """Every ``<name>_by_area`` variable of one area, one row per variable (and sector or
    destination) and year: ``variable``, ``sector`` (the sector or destination, or ""),
    ``long_name``, ``unit``, ``year``, ``value`` (a deterministic run's value, a Monte Carlo
    run's median), ``p05`` and ``p95`` (empty for a deterministic run).

    ``years``: default, every year of the run. A Monte Carlo summary keeps only the indicators
    of `AREA_INDICATORS` by area.
    """
    import pandas as pd

    names = [str(n).removesuffix("_by_area") for n in result.data_vars
             if str(n).endswith("_by_area")]
    if area not in [str(a) for a in result["area"].values]:
        from nmmsim.errors import NmmsimError, did_you_mean

        raise NmmsimError(f"no area '{area}'{did_you_mean(area, result['area'].values)}")
    summary = _area_quantiles(result, names)
    monte_carlo = _is_monte_carlo(result)
    years = [int(y) for y in result["year"].values] if years is None else list(years)
    rows: list[dict[str, object]] = []
    for name in names:
        da = summary[f"{name}_by_area"].sel(area=area, year=years)
        extra = [d for d in da.dims if d not in ("quantile", "year")]
        labels = [str(v) for v in da[extra[0]].values] if extra else [""]
        for label in labels:
            one = da.sel({extra[0]: label}) if extra else da
            for y in years:
                point = one.sel(year=y)
                rows.append({"variable": name, "sector": label,
                             "long_name": str(da.attrs.get("long_name", name)),
                             "unit": str(da.attrs.get("units", "")), "year": y,
                             "value": float(point.sel(quantile=0.5)),
                             "p05": float(point.sel(quantile=0.05)) if monte_carlo else math.nan,
                             "p95": float(point.sel(quantile=0.95)) if monte_carlo else math.nan})
    return pd.DataFrame(rows, columns=["variable", "sector", "long_name", "unit", "year", "value",
                                       "p05", "p95"])


#: What the terminal and the report say when they show a region other than the one the targets
#: are defined on; `targets_not_on` fills it in.
TARGETS_NOT_ON = ("The {targets} and their attainment are defined on the 14-province region of "
                  "2022 (region_2022) and are not computed on the {area} boundary.")


def targets_not_on(result: xr.Dataset, area: str) -> str:
    """`TARGETS_NOT_ON` for ``area``, naming the targets by the result's ``targets_title``.

    Examples
    --------
    >>> targets_not_on(xr.Dataset(), "region_2025")[:50]
    'The Resolution 96 targets and their attainment are'
    """
    title = str(result.attrs.get("targets_title", "Resolution 96/NQ-CP"))
    targets = "Resolution 96 targets" if title == "Resolution 96/NQ-CP" else title
    return TARGETS_NOT_ON.format(targets=targets, area=area)


def area_table(result: xr.Dataset, area: str) -> str:
    """One area's indicators as aligned text.

    A Monte Carlo result shows, year by year, the indicators a summary keeps for every area
    (`AREA_INDICATORS`: GRDP at current prices, real growth, GRDP per capita), each as median
    [5%-95%]; a deterministic run shows every ``*_by_area`` variable in its first year and in
    `province_year`.
    """
    if _is_monte_carlo(result):
        frame = area_frame(result[[f"{n}_by_area" for n in AREA_INDICATORS]], area)
        cells: dict[tuple[int, str], str] = {}
        for record in frame.to_dict("records"):
            row: dict[str, Any] = {str(k): v for k, v in record.items()}
            figure = format_figure if row["variable"] != "grdp_growth" else _one_decimal
            cells[(int(row["year"]), str(row["variable"]))] = (
                f"{figure(row['value'])} [{figure(row['p05'])} to {figure(row['p95'])}]"
                if row["p05"] != row["p95"] and not math.isnan(row["value"])
                else figure(row["value"]))
        header = ("Year", "GRDP, VND trillion", "Real growth, %", "GRDP per capita, VND million")
        rows = [(str(y), *(cells[(int(y), n)] for n in AREA_INDICATORS))
                for y in result["year"].values]
        return (f"{area}: median [5% to 95%] of the draws, each year ('-': not published for "
                "the base year)\n" + _aligned(header, rows, left=(0,)))
    first, year = int(result["year"].min()), province_year(result)
    frame = area_frame(result, area, years=sorted({first, year}))
    header = ("Indicator", "Unit", str(first), str(year))
    points: dict[tuple[str, str, int], dict[str, Any]] = {
        (str(r["variable"]), str(r["sector"]), int(r["year"])): {str(k): v for k, v in r.items()}
        for r in frame.to_dict("records")}
    table = []
    for name, sector in dict.fromkeys((n, s) for n, s, _ in points):
        start, end = points[(name, sector, first)], points[(name, sector, year)]
        table.append((f"{name} {sector}".strip(), str(end["unit"]),
                      format_figure(start["value"]) if first != year else "",
                      format_figure(end["value"])))
    return f"{area}: deterministic path\n" + _aligned(header, table, left=(0, 1))


@dataclass(frozen=True, slots=True)
class LeverRow:
    """One regional lever of a scenario, year by year (see `lever_rows`).

    ``values`` are in ``unit`` (percent for shares, VND trillion at 2024 prices for amounts),
    one per projection year; ``set_in_file`` is False for a figure derived from the file's
    levers (an amount's other form, a programme's spending).
    """

    group: str
    lever: str
    unit: str
    values: tuple[float, ...]
    set_in_file: bool = True


def lever_rows(scenario: Scenario, result: xr.Dataset) -> list[LeverRow]:
    """The scenario's regional levers in every projection year of ``result``.

    Investment by source both as a share of the previous year's real GRDP and in VND trillion
    (2024 prices): the form the file gives is the lever, the other follows from the run's real
    GRDP (its median in a Monte Carlo run). Then the splits of each source over destinations
    (only those it funds), the spending on the three programmes (sum over sources of amount x
    split), efficiencies, the short-course share, the revenue reforms and named FDI projects.
    ``[provinces.<name>]`` tables override these levers for one province; `province_overrides`
    lists them.

    The FDI lever is the region's FDI *registered* in the year (``fdi_registered`` before named
    projects), which the model disburses over about two years and of which the provinces absorb
    a part (``fdi_invested``); the totals add the registrations to the domestic amounts.
    """
    import warnings

    from nmmsim.errors import ScenarioWarning
    from nmmsim.levers import DESTINATIONS, SOURCES

    years = [int(y) for y in result["year"].values][1:]
    with warnings.catch_warnings():  # the run has shown them already
        warnings.simplefilter("ignore", ScenarioWarning)
        schedule = scenario.schedule(range(years[0], years[-1] + 1))
    column = _regional_column(scenario)
    levers = [schedule.at(year) for year in years]
    grdp = _central(result["grdp"])
    before = [float(grdp.sel(year=year - 1)) for year in years]
    rows: list[LeverRow] = []
    amounts = []
    for i, source in enumerate(SOURCES):
        given_share = bool(levers[0].amount_is_share[i, column])
        given = [float(year.investment_amount[i, column]) for year in levers]
        vnd = [g * b for g, b in zip(given, before, strict=True)] if given_share else given
        amounts.append(vnd)
        name = "fdi registered" if source == "fdi" else source
        rows += [LeverRow("Investment", f"{name}, share of GRDP", "% of previous year's GRDP",
                          tuple(100 * v / b for v, b in zip(vnd, before, strict=True)),
                          set_in_file=given_share),
                 LeverRow("Investment", f"{name}, amount", "VND trillion, 2024 prices",
                          tuple(vnd), set_in_file=not given_share)]
    total = [sum(parts) for parts in zip(*amounts, strict=True)]
    rows += [LeverRow("Investment", "total, share of GRDP", "% of previous year's GRDP",
                      tuple(100 * v / b for v, b in zip(total, before, strict=True)), False),
             LeverRow("Investment", "total, amount", "VND trillion, 2024 prices", tuple(total),
                      False)]
    for i, source in enumerate(SOURCES):
        for j, destination in enumerate(DESTINATIONS):
            shares = tuple(100 * float(year.split[i, j, column]) for year in levers)
            if any(shares):
                rows.append(LeverRow("Split", f"{source} to {destination}", "% of the source",
                                     shares))
    for j, programme in enumerate(DESTINATIONS[3:], start=3):
        spent = tuple(sum(amounts[i][k] * float(levers[k].split[i, j, column])
                          for i in range(len(SOURCES))) for k in range(len(years)))
        rows.append(LeverRow("Programme spending", programme, "VND trillion, 2024 prices",
                             spent, False))
    for group, lever, unit, field in _OTHER_LEVERS:
        rows.append(LeverRow(group, lever, unit,
                             tuple(100 * float(getattr(year, field)[column]) for year in levers)))
    projects = tuple(float(year.fdi_projects.sum()) for year in levers)
    if any(projects):
        rows.append(LeverRow("FDI projects", "named projects, all provinces",
                             "VND trillion, 2024 prices", projects))
    return rows


#: Levers of one number per province and year, as (group, label, unit, `YearLevers` field);
#: all fractions, shown in percent.
_OTHER_LEVERS: tuple[tuple[str, str, str, str], ...] = (
    ("Efficiency", "capital", "% becoming capital", "capital_efficiency"),
    ("Efficiency", "infrastructure", "% of spending delivered", "infrastructure_efficiency"),
    ("Efficiency", "training", "% yielding trainees", "training_efficiency"),
    ("Efficiency", "forest", "% yielding planted forest", "forest_efficiency"),
    ("Training", "short-course share", "% of training spending", "short_course_share"),
    ("Revenue", "hydropower reform", "% rise of industry revenue", "hydropower_revenue_uplift"),
    ("Revenue", "border-gate reform", "% rise of product-tax revenue",
     "border_gate_revenue_uplift"),
)


def province_overrides(scenario: Scenario) -> list[str]:
    """The provinces whose ``[provinces.<name>]`` tables override regional levers, with the
    tables they set: ``["Son La: revenue", ...]``."""
    return [f"{province}: {', '.join(sorted(tables))}"
            for province, tables in scenario.levers.get("provinces", {}).items()]


def _regional_column(scenario: Scenario) -> int:
    """Index of a province that follows the regional levers (no table of its own)."""
    from nmmsim.provinces import PROVINCES

    own = scenario.levers.get("provinces", {})
    return next((i for i, province in enumerate(PROVINCES) if province not in own), 0)


def _central(da: xr.DataArray) -> xr.DataArray:
    """The median of a Monte Carlo summary, or a deterministic run's one path."""
    if "quantile" in da.dims:
        return da.sel(quantile=0.5)
    return da.median("draw") if "draw" in da.dims else da


def format_lever(value: float, unit: str) -> str:
    """A lever's value: amounts as model figures, shares in percent with at most 2 decimals.

    Examples
    --------
    >>> format_lever(10.4, "% of the source"), format_lever(1234.5, "VND trillion")
    ('10.4', '1,234')
    """
    if unit.startswith("VND"):
        return format_figure(value)
    return f"{round(value, 2):g}"


def compact_path(years: Sequence[int], values: Sequence[str]) -> str:
    """A lever's yearly values in few words: one value when it never changes, else each run
    of equal values with its years.

    Examples
    --------
    >>> compact_path([2025, 2026, 2027, 2028], ["11", "12", "13", "13"])
    '2025: 11; 2026: 12; 2027-2028: 13'
    >>> compact_path([2025, 2026], ["8.5", "8.5"])
    '8.5'
    """
    runs: list[tuple[int, int, str]] = []
    for year, value in zip(years, values, strict=True):
        if runs and runs[-1][2] == value:
            runs[-1] = (runs[-1][0], year, value)
        else:
            runs.append((year, year, value))
    if len(runs) == 1:
        return runs[0][2]
    return "; ".join(f"{first}: {value}" if first == last else f"{first}-{last}: {value}"
                     for first, last, value in runs)


#: What the spread table says, printed under it and in the report.
SPREAD_MEANING = (
    "5-95% band of each indicator in {year} as each source of uncertainty is added, on the "
    "same draws: the parameters drawn from the posterior (disasters at their expected "
    "intensity, no shocks), then random severe-disaster years, then the provinces' yearly TFP "
    "shocks. Each source's share is the variance it adds, taking variance as (band / 3.29)^2; "
    "{draws:,} draws a run, so shares within a few points of 0 are noise.")


def spread_table(sources: pd.DataFrame, year: int, draws: int) -> str:
    """`nmmsim.spread.spread_by_source` as aligned text: bands and shares."""
    import textwrap

    from nmmsim.spread import STEPS

    steps = [name for name, _, _ in STEPS]
    width = max(map(len, sources.index))
    lines = [f"{'Where the spread comes from':<{width}}  " + "  ".join(
        f"{'band + ' + s if k else 'band: ' + s:>18}" for k, s in enumerate(steps))
        + "  " + "  ".join(f"{s:>10}" for s in steps)]
    for label, row in sources.iterrows():
        bands = "  ".join(f"{format_figure(row[f'band_{s}']):>18}" for s in steps)
        shares = "  ".join(f"{row[f'share_{s}']:>10.0%}" for s in steps)
        lines.append(f"{label:<{width}}  {bands}  {shares}")
    lines.append(textwrap.fill(SPREAD_MEANING.format(year=year, draws=draws), 100))
    return "\n".join(lines)
