"""Plain-text tables of a result for the terminal."""

from __future__ import annotations

import xarray as xr

from nmmsim.observed import load_observed
from nmmsim.targets import Target, load_targets, met, target_value

__all__ = ["target_table"]


def target_table(result: xr.Dataset, targets: tuple[Target, ...] | None = None) -> str:
    """The target year's indicators against their Resolution 96 targets, as aligned text.

    With several draws the median is shown and "met" is the share of draws attaining the target.
    Targets the model does not cover are listed as "not modelled".
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
        values = target_value(result, target, observed)
        attained = met(target, values)
        if values.sizes["draw"] == 1:
            verdict = "yes" if attained.item() else "no"
        else:
            verdict = f"{100 * attained.mean():.0f}% of draws"
        rows.append((target.description, f"{float(values.median()):,.2f}",
                     target.describe_bounds(), target.unit, verdict))
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
    lines = ["  ".join(f"{cell:<{w}}" if i in (0, 3, 4) else f"{cell:>{w}}"
                       for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
             for row in (header, *rows)]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
