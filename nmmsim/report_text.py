"""Plain-text tables of a result for the terminal."""

from __future__ import annotations

import xarray as xr

from nmmsim.observed import load_observed
from nmmsim.targets import Target, load_targets, met, target_value

__all__ = ["target_table"]


def _summary_median(summary: xr.Dataset, target: Target) -> float:
    """Median of a target's indicator in its year, from a Monte Carlo summary."""
    name = target.variable if target.measure == "level" else f"target_{target.target}"
    series = summary[name].sel(quantile=0.5, year=target.year)
    if target.sector and target.measure == "level":
        series = series.sel(sector=target.sector)
    return float(series)


def target_table(result: xr.Dataset, targets: tuple[Target, ...] | None = None) -> str:
    """The target year's indicators against their Resolution 96 targets, as aligned text.

    With several draws (or a Monte Carlo summary) the median is shown and "met" is the share of
    draws attaining the target. Targets the model does not cover are listed as "not modelled".
    """
    targets = targets if targets is not None else load_targets()
    observed = load_observed()  # read once for every target that needs observed history
    header = ("Indicator", "Model", "Target", "Unit", "Met")
    rows = []
    for target in targets:
        if not target.modelled:
            rows.append((target.description, "-", target.describe_bounds(), target.unit,
                         "not modelled"))
            continue
        if "quantile" in result.dims:  # a Monte Carlo summary
            median = _summary_median(result, target)
            share = result.attained.sel(target=target.target, year=target.year).item()
            verdict = f"{100 * share / result.attrs['draws']:.1f}% of draws"
        else:
            values = target_value(result, target, observed)
            attained = met(target, values)
            median = float(values.median())
            if values.sizes["draw"] == 1:
                verdict = "yes" if attained.item() else "no"
            else:
                verdict = f"{100 * attained.mean():.1f}% of draws"
        rows.append((target.description, f"{median:,.2f}", target.describe_bounds(), target.unit,
                     verdict))
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
    lines = ["  ".join(f"{cell:<{w}}" if i in (0, 3, 4) else f"{cell:>{w}}"
                       for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
             for row in (header, *rows)]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
