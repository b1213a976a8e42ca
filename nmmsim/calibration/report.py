"""The calibration report: parameter and residual tables as text, fitted-versus-observed chart."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from nmmsim.calibrated import CalibrationResult
from nmmsim.calibration.series import SERIES, Series

__all__ = ["plot_fit", "text_report"]


def _display(series: Series) -> tuple[float, str]:
    """Scale and unit to show a series in: fractions as percent."""
    if series.unit.startswith("fraction"):
        return 100.0, series.unit.replace("fraction", "percent")
    return 1.0, series.unit


def _figure(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def text_report(result: CalibrationResult) -> str:
    """Fit status, the fitted parameters and every residual, as fixed-width text."""
    lines = [
        f"Fit: {'converged' if result.success else 'DID NOT CONVERGE'} ({result.message}); "
        f"{result.nfev} evaluations, cost {result.cost:.4g} "
        f"({len(result.residuals)} figures, {len(result.names)} parameters)",
        "",
        f"{'Parameter':<28} {'default':>9} {'fitted':>10} {'se':>9} {'narrowed':>9} "
        f"{'se (data only)':>15}",
    ]
    table = result.parameter_table()
    for name, row in table.iterrows():
        data_only = "inf" if math.isinf(row.se_data_only) else f"{row.se_data_only:.3g}"
        lines.append(f"{name!s:<28} {row.default:>9.4g} {row.fitted:>10.4g} {row.se:>9.2g} "
                     f"{max(row.narrowed, 0.0):>9.0%} {data_only:>15}")
    lines += ["", f"{'Series':<26} {'years':<10} {'observed':>11} {'fitted':>11} "
              f"{'unit':<14} {'weighted':>9}"]
    for r in result.residuals:
        scale, unit = _display(SERIES[r.series])
        years = str(r.year_from) if r.year_from == r.year_to else f"{r.year_from}-{r.year_to}"
        lines.append(f"{r.series:<26} {years:<10} {_figure(r.observed * scale):>11} "
                     f"{_figure(r.fitted * scale):>11} {unit:<14} {r.weighted:>+9.2f}")
    if result.warnings:
        lines += ["", "Identifiability and fit warnings:"]
        lines += [f"  - {message}" for message in result.warnings]
    return "\n".join(lines)


def plot_fit(result: CalibrationResult, path: str | Path) -> Path:
    """Draw fitted versus observed history, one panel per series, and write it as PNG.

    Observed figures carry error bars of one ``sigma`` (the uncertainty the fit assumes); a
    figure over several years is drawn across them. After a survey break only changes are fitted,
    so the fitted line is drawn at the observed level of that segment.
    """
    from nmmsim.plot import pyplot, write_png

    plt = pyplot()

    path = Path(path)
    names = list(SERIES)
    columns = 4
    rows = math.ceil(len(names) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.0 * rows),
                                layout="constrained")
    for axis, name in zip(axes.flat, names, strict=False):
        series = SERIES[name]
        scale, unit = _display(series)
        records = [r for r in result.residuals if r.series == name]
        middle = np.array([(r.year_from + r.year_to) / 2.0 for r in records])
        half_width = np.array([(r.year_to - r.year_from) / 2.0 for r in records])
        observed = np.array([r.observed for r in records]) * scale
        fitted = np.array([r.fitted for r in records]) * scale
        error = observed * series.sigma if series.log else np.full_like(observed, series.sigma * scale)
        axis.errorbar(middle, observed, yerr=error, xerr=half_width, fmt="o", color="black",
                      capsize=3, label="observed ± sigma")
        axis.plot(middle, fitted, "s-", color="tab:blue", label="fitted")
        note = ("\n(changes only: survey break)" if series.breaks
                else "" if series.level_at_start else "\n(changes only: no 2020 figure)")
        axis.set_title(series.label + note, fontsize=9)
        axis.set_ylabel(unit, fontsize=8)
        axis.tick_params(labelsize=8)
        axis.set_xlim(2020.5, 2024.5)
        axis.set_xticks(range(2021, 2025))
    for axis in list(axes.flat)[len(names):]:
        axis.set_visible(False)
    axes.flat[0].legend(fontsize=7, loc="upper left")
    figure.suptitle("nmmsim calibration: fitted history 2021-2024 against observed figures",
                    fontsize=11)
    return write_png(figure, path, dpi=110)
