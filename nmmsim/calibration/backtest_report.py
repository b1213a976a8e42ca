"""The backtest report: the scores of `nmmsim.calibration.backtest` as a text table, a Markdown
table (docs/uncertainty.md §7) and a chart of PIT histograms and CRPS by forecaster."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from nmmsim.calibration.backtest import FORECASTERS, Backtest, common_figures, summary

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["plot_validation", "validate_markdown", "validate_text"]

#: PIT histogram bins: ten, so a calibrated forecaster puts 10% of figures in each.
PIT_BINS = 10


def _unit(row: pd.Series) -> tuple[str, float]:
    """How a summary row's CRPS and bias are shown: percent (log scale), points (fractions) or
    measurement-error units (the overall row), with the factor from the compared scale."""
    if row["series"] == "all":
        return "sd", 1.0
    return ("%", 100.0) if row["scale"] == "log" else ("pt", 100.0)


def _table_rows(result: Backtest) -> Iterator[tuple[str, str, str, dict[str, str]]]:
    """(series, province, unit, {forecaster: cells}) for every summary group, formatted."""
    scores = summary(result.forecasts)
    scales = result.forecasts.groupby("series")["scale"].first()
    scores["scale"] = scores["series"].map(scales)
    for (series, province), group in scores.groupby(["series", "province"], sort=False):
        unit, factor = _unit(group.iloc[0])
        cells = {}
        for _, row in group.iterrows():
            cells[str(row["forecaster"])] = (
                f"{row['n']:>3} {row['coverage_50']:>4.0%} {row['coverage_90']:>4.0%} "
                f"{factor * row['crps']:>6.2f} {factor * row['bias']:>+6.2f}")
        yield str(series), str(province), unit, cells


def validate_text(result: Backtest) -> str:
    """The scores per series, province and forecaster, and the overall rows, as fixed-width
    text, followed by the figures that were not scored and why."""
    missing = f"{'-':>3} {'-':>4} {'-':>4} {'-':>6} {'-':>6}"
    head = " | ".join(f"{name:^28}" for name in FORECASTERS)
    sub = " | ".join(f"{'n':>3} {'50%':>4} {'90%':>4} {'CRPS':>6} {'bias':>6}" for _ in FORECASTERS)
    lines = [
        f"Backtests: origins {', '.join(str(o) for o in sorted(result.forecasts.origin.unique()))}"
        f"; {result.particles:,} particles, seed {result.seed}, {result.seconds:.0f} s",
        "Coverage of the 50% and 90% central predictive intervals; CRPS and bias (median minus "
        "observed) in % (log-scale series), points (fractions) or, overall, measurement-error "
        "sd units over the figures every forecaster forecast",
        "",
        f"{'series':<18} {'province':<12} {'unit':<4} | {head}",
        f"{'':<18} {'':<12} {'':<4} | {sub}",
    ]
    for series, province, unit, cells in _table_rows(result):
        row = " | ".join(cells.get(name, missing) for name in FORECASTERS)
        lines.append(f"{series:<18} {province:<12} {unit:<4} | {row}")
    lines += ["", *_skipped_lines(result)]
    return "\n".join(lines)


def _skipped_lines(result: Backtest) -> list[str]:
    """One line per series, forecaster and reason: the figures not scored, by origin."""
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for skip in result.skipped:
        key = (skip.series, skip.forecaster, skip.reason)
        grouped.setdefault(key, []).append(f"{skip.origin}->{skip.year}")
    if not grouped:
        return ["Every figure after each origin was scored by every forecaster."]
    lines = ["Not scored:"]
    lines += [f"  {series} ({forecaster}): {', '.join(figures)}; {reason}"
              for (series, forecaster, reason), figures in grouped.items()]
    return lines


def validate_markdown(result: Backtest) -> str:
    """The score table as Markdown, as docs/uncertainty.md shows it: per forecaster, the
    figures scored, the 50% and 90% coverage, CRPS and bias."""
    head = " | ".join(f"{name} n / 50% / 90% / CRPS / bias" for name in FORECASTERS)
    rows = [f"| series | province | unit | {head} |",
            "|---|---|---|" + "---:|" * len(FORECASTERS)]
    for series, province, unit, cells in _table_rows(result):
        parts = [" / ".join(cells[name].split()) if name in cells else "-"
                 for name in FORECASTERS]
        rows.append(f"| `{series}` | {province} | {unit} | {' | '.join(parts)} |")
    return "\n".join(rows)


def plot_validation(result: Backtest, path: str | Path) -> Path:
    """PIT histograms of every forecaster and its mean CRPS by origin, as a PNG.

    The overall figures (those every forecaster forecast) are shown, with CRPS in units of each
    figure's measurement error.
    """
    from nmmsim.plot import pyplot, write_png

    plt = pyplot()
    frame = common_figures(result.forecasts)
    path = Path(path)
    figure, axes = plt.subplots(1, len(FORECASTERS) + 1, figsize=(13.0, 3.6),
                                layout="constrained")
    edges = np.linspace(0.0, 1.0, PIT_BINS + 1)
    for axis, name in zip(axes, FORECASTERS, strict=False):
        values = frame.loc[frame.forecaster == name, "pit"].to_numpy()
        axis.hist(values, bins=edges, weights=np.full(values.size, PIT_BINS / max(values.size, 1)),
                  color="tab:blue", edgecolor="white")
        axis.axhline(1.0, color="black", linewidth=0.8, linestyle=":")
        axis.set_title(f"PIT, {name} ({values.size} figures)", fontsize=9)
        axis.set_xlabel("probability below the observed figure")
        axis.set_xlim(0.0, 1.0)
    axes[0].set_ylabel("density (1 = calibrated)")
    crps_axis = axes[-1]
    frame = frame.assign(scaled=frame["crps"] / frame["measurement_sd"])
    by_origin = frame.groupby(["origin", "forecaster"])["scaled"].mean().unstack()
    origins = by_origin.index.to_numpy()
    width = 0.8 / len(FORECASTERS)
    for k, name in enumerate(FORECASTERS):
        shift = (k - (len(FORECASTERS) - 1) / 2) * width
        crps_axis.bar(np.arange(origins.size) + shift, by_origin[name], width, label=name)
    crps_axis.set_xticks(np.arange(origins.size), [str(o) for o in origins])
    crps_axis.set_xlabel("forecast origin")
    crps_axis.set_ylabel("mean CRPS / measurement sd")
    crps_axis.set_title("CRPS (lower is better)", fontsize=9)
    crps_axis.legend(fontsize=8)
    figure.suptitle(f"Backtests of 2021-2024 from origins {', '.join(map(str, origins))}: "
                    f"{result.particles:,} particles, seed {result.seed}", fontsize=10)
    return write_png(figure, path)
