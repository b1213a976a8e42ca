"""Charts of results: fan charts, a grid of the main indicators, attainment over time, comparisons.

Plots compute nothing: quantiles come from `nmmsim.analysis.quantiles` (or a Monte Carlo
summary), probabilities from `nmmsim.analysis.attainment`, history from
`nmmsim.analysis.observed_history`. Titles and units come from the data's attrs. matplotlib is
imported only here, inside the functions, so ``import nmmsim`` never loads it.

Every artist a test or a reader may look for has a ``gid``: ``band`` (quantile bands),
``median``, ``target`` (the target band), ``history`` (observed values), ``probability`` (text).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import xarray as xr

from nmmsim.targets import Target

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "BANDS",
    "attainment_chart",
    "compare_fan_chart",
    "compare_grid",
    "compare_panels",
    "fan_chart",
    "fan_grid",
    "fan_panels",
    "indices_over_time",
    "province_grid",
    "province_panels",
    "province_title",
    "pyplot",
    "sensitivity_grid",
    "sensitivity_panels",
    "tornado_chart",
    "write_png",
]

#: Quantile bands drawn by default, widest first.
BANDS: tuple[tuple[float, float], ...] = ((0.05, 0.95), (0.1, 0.9), (0.25, 0.75))
_TARGET_COLOUR = "tab:green"


def pyplot() -> Any:
    """matplotlib.pyplot with the file-only Agg backend (imported on first use)."""
    import matplotlib

    matplotlib.use("Agg")  # files only; no display is assumed
    import matplotlib.pyplot as plt

    return plt


def write_png(figure: Any, path: str | Path, dpi: int = 100) -> Path:
    """Write ``figure`` to ``path`` as PNG atomically (temporary file, then rename), creating
    the directory, and close it."""
    from nmmsim.atomic import atomic_path

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        figure.savefig(tmp, format="png", dpi=dpi)
    pyplot().close(figure)
    return path


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    _, created = pyplot().subplots(figsize=(6.0, 4.0), layout="constrained")
    axes: Axes = created
    return axes


def fan_chart(
    da: xr.DataArray,
    *,
    bands: Sequence[tuple[float, float]] = BANDS,
    target: Target | None = None,
    probability: tuple[float, float, float] | None = None,
    history: Mapping[int, float] | None = None,
    ax: Axes | None = None,
    color: str = "tab:blue",
    label: str | None = None,
    title: str | None = None,
) -> Axes:
    """Draw quantile bands of one indicator's path, its median, the target and observed history.

    Parameters
    ----------
    da : DataArray (quantile, year)
        Quantiles by year of one indicator (sector already selected), with ``long_name`` and
        ``units`` attrs. A deterministic run (quantiles all equal) draws a line.
    bands : sequence of (low, high) quantile levels
        Each must be among ``da.quantile``; drawn widest first, darker inward.
    target : Target, optional
        Its band is shaded: ``within`` between its bounds, ``at_least`` above, ``at_most``
        below, ``approximately`` within the tolerance; a marker shows the target year.
    probability : (p, low, high), optional
        Attainment probability and its interval, written on the chart.
    history : {year: value}, optional
        Observed values, drawn as black points joined by a line.
    ax : Axes, optional
        Where to draw (default: a new figure).
    """
    ax = _axes(ax)
    years = da["year"].values
    levels = [float(q) for q in da["quantile"].values]

    def at(level: float) -> np.ndarray:
        index = int(np.argmin(np.abs(np.asarray(levels) - level)))
        if abs(levels[index] - level) > 1e-9:
            raise ValueError(f"quantile {level} is not in the data (has {levels})")
        return np.asarray(da.isel(quantile=index).values, dtype=np.float64)

    for depth, (low, high) in enumerate(sorted(bands, key=lambda b: b[0] - b[1])):
        ax.fill_between(years, at(low), at(high), color=color, alpha=0.18 + 0.12 * depth,
                        linewidth=0, gid="band",
                        label=f"{100 * low:g}-{100 * high:g}%" if label is None else None)
    ax.plot(years, at(0.5), color=color, linewidth=2, gid="median",
            label="median" if label is None else label)
    if history:
        observed_years = sorted(history)
        ax.plot(observed_years, [history[y] for y in observed_years], "o-", color="black",
                markersize=3.5, linewidth=1, gid="history", label="observed")
    if target is not None:
        _target_band(ax, target)
    if probability is not None:
        from nmmsim.report_text import percent_interval

        shown, shown_low, shown_high = percent_interval(*probability)
        ax.text(0.02, 0.97, f"P(attained {target.year if target else ''}) = {shown}%\n"
                f"[{shown_low}-{shown_high}%]", transform=ax.transAxes, va="top",
                ha="left", fontsize=8, gid="probability",
                bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.85, "linewidth": 0.5})
    ax.set_title(title or da.attrs.get("long_name", str(da.name)), fontsize=9)
    ax.set_ylabel(da.attrs.get("units", ""), fontsize=8)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # years, never 2024.5
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3, linewidth=0.5)
    return ax


def _target_band(ax: Axes, target: Target) -> None:
    """Shade the target: a level target only at its year (it says nothing about other years),
    a target measured over several years (an average to date) across the years."""
    bottom, top = ax.get_ylim()
    if target.kind == "approximately":
        assert target.tolerance is not None
        low, high = (target.lower * (1 - target.tolerance), target.lower * (1 + target.tolerance))
    elif target.kind == "at_least":
        low, high = target.lower, max(top, target.lower * 1.05)
    elif target.kind == "at_most":
        assert target.upper is not None
        low, high = min(bottom, target.upper * 0.95), target.upper
    else:
        assert target.upper is not None
        low, high = target.lower, target.upper
    if target.measure == "level":
        ax.fill_between([target.year - 0.35, target.year + 0.35], low, high,
                        color=_TARGET_COLOUR, alpha=0.3, linewidth=0, gid="target",
                        label="target")
    else:
        ax.axhspan(low, high, color=_TARGET_COLOUR, alpha=0.15, linewidth=0, gid="target",
                   label="target")
    middle = target.lower if math.isfinite(target.lower) else high
    ax.plot([target.year], [middle], marker="D", color=_TARGET_COLOUR, markersize=5)
    ax.set_ylim(min(bottom, low if math.isfinite(low) else bottom),
                max(top, high if target.kind != "at_least" else target.lower * 1.03))


def _grid(panels: int, columns: int, width: float = 4.3, height: float = 3.1) -> tuple[Any, Any]:
    """A figure with ``panels`` axes in rows of ``columns``; unused axes hidden."""
    rows = math.ceil(panels / columns)
    figure, axes = pyplot().subplots(rows, columns, figsize=(width * columns, height * rows),
                                     layout="constrained", squeeze=False)
    for ax in list(axes.flat)[panels:]:
        ax.set_visible(False)
    return figure, list(axes.flat)[:panels]


def _panels(count: int, width: float = 4.4, height: float = 3.2) -> tuple[list[Figure], list[Axes]]:
    """``count`` figures of one axes each, for a page that lays them out itself (an HTML grid
    that reflows with the width of the screen)."""
    created = [pyplot().subplots(figsize=(width, height), layout="constrained")
               for _ in range(count)]
    return [figure for figure, _ in created], [ax for _, ax in created]


def _same_years(axes: Sequence[Axes]) -> None:
    """One span of years in every panel, from the earliest observed year drawn in any."""
    left = min(ax.get_xlim()[0] for ax in axes)
    right = max(ax.get_xlim()[1] for ax in axes)
    for ax in axes:
        ax.set_xlim(left, right)


def _legend_below(figure: Any, ax: Axes, columns: int | None = None) -> None:
    """The legend of ``ax`` below the figure, in rows of ``columns`` entries (default: one row)."""
    handles, labels = ax.get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center",
                  ncols=min(len(labels), columns or len(labels)), fontsize=8)


def _history_key(name: str, target: Target) -> str:
    """Key of `nmmsim.analysis.observed_history` for the indicator ``name`` of ``target``."""
    return f"{name}/{target.sector}" if target.sector and name == target.variable else name


def fan_grid(
    quantiles: xr.Dataset,
    targets: Sequence[Target],
    *,
    attainment: xr.Dataset | None = None,
    history: Mapping[str, Mapping[int, float]] | None = None,
    columns: int = 3,
    title: str | None = None,
    bands: Sequence[tuple[float, float]] = BANDS,
    label: str | None = None,
) -> Figure:
    """One fan chart per modelled target on one page.

    ``quantiles`` is a summary or `nmmsim.analysis.quantiles` of a result; a target measured
    over several years (average growth, poverty reduction) plots ``target_<name>``, which
    `nmmsim.analysis.target_measures` adds to trajectories and deterministic runs (without it
    the panel shows the variable itself, titled by its own name). A deterministic run passes
    ``bands=()`` and a ``label`` for its single line, so the legend lists only what is drawn.
    """
    modelled = [t for t in targets if t.modelled]
    figure, axes = _grid(len(modelled), columns)
    _draw_targets(axes, quantiles, modelled, attainment=attainment, history=history,
                  bands=bands, label=label)
    _legend_below(figure, axes[0])
    if title:
        figure.suptitle(title, fontsize=11)
    fig: Figure = figure
    return fig


def _heading(target: Target, name: str, da: xr.DataArray, horizon: int) -> str:
    """The title of the panel that plots ``da`` (named ``name``) for ``target``: what is drawn,
    over a horizon that may end before or after the target year."""
    heading = target.description
    if target.measure != "level" and name == target.variable:
        # the variable itself, not the target's measure: say what is drawn
        heading = str(da.attrs.get("long_name", name))
    elif target.measure != "level" and horizon != target.year:
        # the description names the target's period; the line is the average to each year
        heading += f"\n(average from {target.from_year} to each year)"
    if target.year > horizon:  # no band: the run ends before the target year
        heading += f"\n(target year {target.year}: not reached by this horizon)"
    return heading


def fan_panels(
    quantiles: xr.Dataset,
    targets: Sequence[Target],
    *,
    attainment: xr.Dataset | None = None,
    history: Mapping[str, Mapping[int, float]] | None = None,
    bands: Sequence[tuple[float, float]] = BANDS,
    label: str | None = None,
) -> list[Figure]:
    """The panels of `fan_grid`, each its own figure (for a page that reflows them), on the same
    years; the first holds the legend."""
    modelled = [t for t in targets if t.modelled]
    figures, axes = _panels(len(modelled))
    _draw_targets(axes, quantiles, modelled, attainment=attainment, history=history,
                  bands=bands, label=label)
    _legend_below(figures[0], axes[0], columns=3)
    return figures


def _draw_targets(
    axes: Sequence[Axes],
    quantiles: xr.Dataset,
    modelled: Sequence[Target],
    *,
    attainment: xr.Dataset | None,
    history: Mapping[str, Mapping[int, float]] | None,
    bands: Sequence[tuple[float, float]],
    label: str | None,
) -> None:
    """One fan chart per target on ``axes``, titled by what it plots, on the same years."""
    horizon = int(quantiles["year"].max())
    for ax, target in zip(axes, modelled, strict=True):
        name, da = _indicator_quantiles(quantiles, target)
        reached = target.year <= horizon
        probability = None
        if reached and attainment is not None and "probability" in attainment:
            point = attainment.sel(target=target.target, year=target.year)
            probability = (float(point.probability), float(point.lower), float(point.upper))
        heading = _heading(target, name, da, horizon)
        unmeasured = target.measure != "level" and name == target.variable
        fan_chart(da, bands=bands, label=label,
                  target=target if reached and not unmeasured else None,
                  probability=probability,
                  history=(history or {}).get(_history_key(name, target)), ax=ax,
                  title=heading)
    _same_years(axes)


def compare_grid(
    compared: xr.Dataset,
    targets: Sequence[Target],
    *,
    history: Mapping[str, Mapping[int, float]] | None = None,
    columns: int = 3,
) -> Figure:
    """One overlaid comparison chart (`compare_fan_chart`) per modelled target on one page."""
    modelled = [t for t in targets if t.modelled]
    figure, axes = _grid(len(modelled), columns)
    _draw_comparisons(axes, compared, modelled, history=history)
    _legend_below(figure, axes[0])
    fig: Figure = figure
    return fig


def compare_panels(
    compared: xr.Dataset,
    targets: Sequence[Target],
    *,
    attainment: xr.Dataset | None = None,
    history: Mapping[str, Mapping[int, float]] | None = None,
) -> list[Figure]:
    """Small multiples of a comparison: one figure per modelled target (for a page that
    reflows them), each scenario in its colour (`compare_fan_chart`), on the same years; each
    panel has its legend, with the scenarios' attainment of its target when ``attainment`` is
    given. ``compared`` is a Monte Carlo comparison or the quantiles of a deterministic one
    (`nmmsim.analysis.quantiles`), whose panels draw the paths without bands."""
    modelled = [t for t in targets if t.modelled]
    figures, axes = _panels(len(modelled), height=3.2 + 0.18 * compared.sizes["scenario"])
    _draw_comparisons(axes, compared, modelled, attainment=attainment, history=history)
    for figure, ax in zip(figures, axes, strict=True):
        _legend_below(figure, ax, columns=1)
    return figures


def _draw_comparisons(axes: Sequence[Axes], compared: xr.Dataset, modelled: Sequence[Target], *,
                      history: Mapping[str, Mapping[int, float]] | None,
                      attainment: xr.Dataset | None = None) -> None:
    band = (0.1, 0.9) if "discordant" in compared else None
    for ax, target in zip(axes, modelled, strict=True):
        name, _ = _indicator_quantiles(compared.isel(scenario=0), target)
        compare_fan_chart(compared, target, band=band, attainment=attainment,
                          history=(history or {}).get(_history_key(name, target)), ax=ax)
    _same_years(axes)


def _indicator_quantiles(quantiles: xr.Dataset, target: Target) -> tuple[str, xr.DataArray]:
    name = f"target_{target.target}"
    if target.measure == "level" or name not in quantiles:
        name = target.variable
    da = quantiles[name]
    if target.sector and "sector" in da.dims:
        da = da.sel(sector=target.sector)
    if target.measure != "level" and name == target.variable:  # no measured quantiles kept
        da = da.copy()
    return name, da


def attainment_chart(attainment: xr.Dataset, ax: Axes | None = None,
                     title: str = "Probability of attainment, measured in each year",
                     legend: Literal["right", "below"] = "right") -> Axes:
    """Probability of attaining each target (and all at once) if measured in each year.

    The legend goes to the right of the chart (a wide figure, the default) or below it (a
    narrow one, which a phone shows at a readable size).
    """
    if ax is None:
        size = (10.0, 4.5) if legend == "right" else (4.6, 6.4)
        _, ax = pyplot().subplots(figsize=size, layout="constrained")
    assert ax is not None
    years = attainment["year"].values
    for index, target in enumerate(attainment["target"].values):
        point = attainment.sel(target=target)
        ax.plot(years, 100 * point.probability.values, marker="o", markersize=3, linewidth=1.2,
                color=_colour(index), label=str(point.description.values))
    ax.plot(years, 100 * attainment.probability_all.values, color="black", linewidth=2.5,
            label="all modelled targets at once")
    ax.set_ylim(-3, 103)
    ax.set_ylabel("percent of draws", fontsize=8)
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3, linewidth=0.5)
    ax.tick_params(labelsize=7)
    if legend == "right":
        ax.legend(fontsize=6.5, loc="center left", bbox_to_anchor=(1.01, 0.5))
    else:
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncols=1)
    return ax


def compare_fan_chart(
    quantiles: xr.Dataset,
    target: Target,
    *,
    band: tuple[float, float] | None = (0.1, 0.9),
    attainment: xr.Dataset | None = None,
    history: Mapping[int, float] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """One indicator of a comparison, each scenario in its own colour: its median by year and,
    at the target year, its ``band`` of quantiles as a vertical bar (side by side, so the
    scenarios stay apart where overlaid fans would blur). ``band=None`` draws the lines only (a
    deterministic comparison).

    With ``attainment`` (`nmmsim.analysis.attainment` of the comparison) each scenario's
    legend entry gives its probability of attaining the target, or whether its deterministic
    path meets it.
    """
    ax = _axes(ax)
    names = [str(s) for s in quantiles["scenario"].values]
    horizon = int(quantiles["year"].max())
    year = min(target.year, horizon)
    for index, scenario in enumerate(names):
        name, da = _indicator_quantiles(quantiles.sel(scenario=scenario), target)
        colour = _colour(index)
        last = index == len(names) - 1  # observed history after the scenarios in the legend
        fan_chart(da, bands=(), ax=ax, color=colour,
                  label=_scenario_label(scenario, target, attainment, horizon),
                  history=history if last else None,
                  title="\n".join(_wrapped(line)
                                   for line in _heading(target, name, da, horizon).split("\n")))
        if band is not None:
            point = da.sel(year=year)
            ax.vlines(_bar_position(year, horizon, index, len(names)),
                      float(point.sel(quantile=band[0])), float(point.sel(quantile=band[1])),
                      color=colour, linewidth=3, alpha=0.7, gid="band")
    if target.year <= horizon:
        _target_band(ax, target)
    return ax


def _bar_position(year: int, horizon: int, index: int, count: int) -> float:
    """Where scenario ``index`` of ``count`` draws its range at ``year``: in a row after the
    last year when the range is the last year's, else side by side around ``year``."""
    if year == horizon:
        return year + 0.4 + 0.3 * index
    return year + 0.9 * (index - (count - 1) / 2) / count


def _scenario_label(scenario: str, target: Target, attainment: xr.Dataset | None,
                    horizon: int) -> str:
    """A scenario's legend entry: its name, with its attainment of ``target`` when known."""
    if attainment is None or target.year > horizon or target.target not in attainment.target:
        return scenario
    point = attainment.sel(target=target.target, year=target.year, scenario=scenario)
    if "probability" in point:
        from nmmsim.report_text import percent_interval

        shown, low, high = percent_interval(float(point.probability), float(point.lower),
                                            float(point.upper))
        return f"{scenario}: P = {shown}% [{low}-{high}%]"
    return f"{scenario}: {'meets' if bool(point.met) else 'misses'} the target"


def _colour(index: int) -> str:
    palette = ("tab:blue", "tab:orange", "tab:purple", "tab:red", "tab:brown", "tab:pink",
               "tab:olive", "tab:cyan", "tab:gray", "tab:green", "navy", "maroon")
    return palette[index % len(palette)]


def tornado_chart(indices: xr.Dataset, target: str, *, year: int | None = None,
                  quantity: str = "value", grouped: bool = False, top: int = 12,
                  ax: Axes | None = None) -> Axes:
    """Bars of each parameter's (or group's) sensitivity index for one target, largest on top.

    Sobol' results draw the total index ``ST`` with the first-order ``S1`` inside it and their
    confidence intervals; Morris results draw ``mu_star``.
    """
    ax = _axes(ax)
    year = int(indices["year"].max()) if year is None else year
    point = indices.sel(target=target, quantity=quantity, year=year)
    dim, suffix = ("group", "_group") if grouped else ("parameter", "")
    sobol = f"ST{suffix}" in point
    main = point[f"ST{suffix}" if sobol else "mu_star"].fillna(0.0)
    order = np.argsort(main.values)[::-1][:top][::-1]
    labels = [str(v) for v in point[dim].values[order]]
    positions = np.arange(len(order))
    ax.barh(positions, main.values[order], xerr=point[f"ST_conf{suffix}" if sobol else
                                                       "mu_star_conf"].fillna(0.0).values[order],
            color="tab:blue", alpha=0.45, label="total (ST)" if sobol else "mu*", gid="bar")
    if sobol:
        ax.barh(positions, point[f"S1{suffix}"].fillna(0.0).values[order], height=0.45,
                color="tab:blue", label="first order (S1)", gid="bar")
    ax.set_yticks(positions, labels, fontsize=7)
    ax.set_xlabel(_sobol_label("Sobol' index", point[f"ST{suffix}"]) if sobol
                  else "mean |elementary effect|", fontsize=8)
    description = str(indices.description.sel(target=target).values)
    ax.set_title(_wrapped(f"{description}: {'attained' if quantity == 'attained' else 'value'}, "
                          f"{year}"), fontsize=9)
    ax.tick_params(labelsize=7)
    ax.grid(axis="x", alpha=0.3, linewidth=0.5)
    ax.legend(fontsize=7, loc="lower right")
    return ax


def indices_over_time(indices: xr.Dataset, target: str, *, quantity: str = "value",
                      ax: Axes | None = None) -> Axes:
    """Total Sobol' index of each parameter group over the projection years, for one target."""
    ax = _axes(ax)
    point = indices.sel(target=target, quantity=quantity)
    years = point["year"].values
    for index, group in enumerate(point["group"].values):
        series = point.ST_group.sel(group=group)
        ax.plot(years, series.values, marker="o", markersize=3, color=_colour(index),
                label=str(group))
    ax.set_ylim(bottom=0)
    ax.set_ylabel(_sobol_label("total Sobol' index", point.ST_group), fontsize=8)
    ax.set_title(_wrapped(f"{indices.description.sel(target=target).values}: {quantity} by year"),
                 fontsize=9)
    ax.grid(alpha=0.3, linewidth=0.5)
    ax.tick_params(labelsize=7)
    return ax


#: Characters a panel title holds on one line at fontsize 9 in a 4.4-inch panel.
_TITLE_WIDTH = 48


def _wrapped(title: str) -> str:
    """``title`` in lines that fit a panel (a long title would run over its neighbours)."""
    import textwrap

    return textwrap.fill(title, _TITLE_WIDTH)


def _sobol_label(label: str, index: xr.DataArray) -> str:
    """An axis label for Sobol' indices that says, when one exceeds 1, what that means."""
    if float(index.max(skipna=True).fillna(0.0)) > 1.0:
        return f"{label} (above 1: estimation noise)"
    return label


def sensitivity_grid(indices: xr.Dataset, *, over_time: bool = False,
                     quantity: str = "value", columns: int = 3) -> Figure:
    """One chart per target: grouped tornado bars for the last year, or indices over time."""
    targets = [str(t) for t in indices["target"].values]
    figure, axes = _grid(len(targets), columns, width=4.6, height=3.0)
    _draw_sensitivities(axes, indices, targets, over_time=over_time, quantity=quantity)
    if over_time and "ST_group" in indices:
        _legend_below(figure, axes[0])
    fig: Figure = figure
    return fig


def sensitivity_panels(indices: xr.Dataset, *, over_time: bool = False,
                       quantity: str = "value") -> list[Figure]:
    """The panels of `sensitivity_grid`, each its own figure (for a page that reflows them);
    over time, the first holds the legend of the parameter groups."""
    targets = [str(t) for t in indices["target"].values]
    figures, axes = _panels(len(targets), width=4.6, height=3.2)
    _draw_sensitivities(axes, indices, targets, over_time=over_time, quantity=quantity)
    if over_time and "ST_group" in indices:
        _legend_below(figures[0], axes[0], columns=3)
    return figures


def _draw_sensitivities(axes: Sequence[Axes], indices: xr.Dataset, targets: Sequence[str], *,
                        over_time: bool, quantity: str) -> None:
    grouped = "ST_group" in indices
    for ax, target in zip(axes, targets, strict=True):
        if over_time and grouped:
            indices_over_time(indices, target, quantity=quantity, ax=ax)
        else:
            tornado_chart(indices, target, quantity=quantity, grouped=grouped, ax=ax, top=8)


def province_grid(
    quantiles: xr.Dataset,
    *,
    variable: str = "grdp_nominal_by_area",
    bands: Sequence[tuple[float, float]] = BANDS,
    label: str | None = None,
    columns: int = 6,
    title: str | None = None,
) -> Figure:
    """Small multiples: one fan chart of ``variable`` per area (every province, then the two
    regions), on the same years; each panel has its own y scale, as the provinces differ
    tenfold in size.

    ``quantiles`` is a Monte Carlo summary or `nmmsim.analysis.quantiles` of a result, with
    ``variable`` of dims (quantile, year, area). A deterministic run passes ``bands=()`` and a
    ``label`` for its single line. Panel titles are the area names.
    """
    da = quantiles[variable]
    areas = [str(a) for a in da["area"].values]
    figure, axes = _grid(len(areas), columns, width=2.6, height=2.0)
    _draw_areas(axes, da, areas, bands=bands, label=label)
    for index, ax in enumerate(axes):
        if index % columns:
            ax.set_ylabel("")
    _legend_below(figure, axes[0])
    figure.suptitle(title or province_title(da), fontsize=10)
    fig: Figure = figure
    return fig


def province_panels(
    quantiles: xr.Dataset,
    *,
    variable: str = "grdp_nominal_by_area",
    bands: Sequence[tuple[float, float]] = BANDS,
    label: str | None = None,
) -> list[Figure]:
    """The panels of `province_grid`, each its own figure (for a page that reflows them), on
    the same years; the first holds the legend. `province_title` says what they plot."""
    da = quantiles[variable]
    areas = [str(a) for a in da["area"].values]
    figures, axes = _panels(len(areas), width=4.2, height=2.9)
    _draw_areas(axes, da, areas, bands=bands, label=label)
    _legend_below(figures[0], axes[0], columns=3)
    return figures


def province_title(da: xr.DataArray) -> str:
    """What the provincial panels of ``da`` plot, from its attrs."""
    return (f"{da.attrs.get('long_name', da.name)} ({da.attrs.get('units', '')}), by province "
            "and region")


def _draw_areas(axes: Sequence[Axes], da: xr.DataArray, areas: Sequence[str], *,
                bands: Sequence[tuple[float, float]], label: str | None) -> None:
    for ax, area in zip(axes, areas, strict=True):
        fan_chart(da.sel(area=area), bands=bands, label=label, ax=ax, title=area,
                  color="tab:purple" if area.startswith("region_") else "tab:blue")
    _same_years(axes)
