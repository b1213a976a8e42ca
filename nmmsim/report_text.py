"""Plain-text tables of a result for the terminal."""

from __future__ import annotations

from collections.abc import Sequence

import xarray as xr

from nmmsim.analysis import attainment, paired_differences, quantiles, target_median
from nmmsim.targets import Target, load_targets

__all__ = ["comparison_table", "format_figure", "sensitivity_table", "target_table"]


def format_figure(value: float) -> str:
    """A model figure with the digits it can back: whole numbers from 1,000, else 4 significant
    digits (Monte Carlo quantiles are within 0.4% of the sample quantile)."""
    if value != value:  # NaN
        return "-"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def target_table(result: xr.Dataset, targets: Sequence[Target] | None = None) -> str:
    """The target year's indicators against their Resolution 96 targets, as aligned text.

    A Monte Carlo result shows the median and the probability of attaining each target with its
    Wilson 95% interval; a deterministic run shows its value and whether the target is met, by
    how much (the margin, in the target's unit). Targets the model does not cover are listed as
    "not modelled".
    """
    targets = tuple(targets) if targets is not None else load_targets()
    attained = attainment(result, targets)
    summary = quantiles(result)
    monte_carlo = "probability" in attained
    header = ("Indicator", "Model" + (" (median)" if monte_carlo else ""), "Target", "Unit",
              "Attained" + (" (95% interval)" if monte_carlo else " (margin)"))
    rows = []
    for target in targets:
        if not target.modelled:
            rows.append((target.description, "-", target.describe_bounds(), target.unit,
                         "not modelled"))
            continue
        point = attained.sel(target=target.target, year=target.year)
        if monte_carlo:
            verdict = (f"{100 * float(point.probability):.1f}% "
                       f"[{100 * float(point.lower):.1f}-{100 * float(point.upper):.1f}]")
            value = target_median(summary, target)
        else:
            verdict = f"{'yes' if bool(point.met) else 'no'} ({float(point.margin):+,.2f})"
            value = float(point.value)
        rows.append((target.description, format_figure(value), target.describe_bounds(),
                     target.unit, verdict))
    if monte_carlo:
        final = attained.sel(year=max(t.year for t in targets if t.modelled))
        rows.append(("All modelled targets at once", "", "", "",
                     f"{100 * float(final.probability_all):.1f}% "
                     f"[{100 * float(final.lower_all):.1f}-{100 * float(final.upper_all):.1f}]"))
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
