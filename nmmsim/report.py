"""Self-contained HTML reports of a run or a comparison: tables and charts in one file.

The page needs no server and no network: charts are PNGs embedded as data URIs, styles are
inline, there is no script. It holds the scenario's description and grounding, how the run was
made (draws, seed, sampler, versions, file hashes), the attainment table, the targets the model
does not cover, the fan charts of every modelled target, attainment over time, the parameters
and their priors, and the data sources (``calibration/SOURCES.md``).
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import xarray as xr

from nmmsim.analysis import attainment as compute_attainment
from nmmsim.analysis import (
    observed_history,
    parameter_differences,
    quantiles,
    target_measures,
)
from nmmsim.atomic import atomic_path
from nmmsim.history_range import HISTORY_MEANING
from nmmsim.observed import ObservedData, load_observed
from nmmsim.report_text import (
    DETERMINISTIC_MEANING,
    NOT_REACHED,
    PROBABILITY_MEANING,
    SOBOL_NOISE,
    compact_path,
    comparison_note,
    comparison_rows,
    format_figure,
    format_lever,
    history_interval,
    lever_rows,
    parameter_difference_lines,
    percent_interval,
    province_frame,
    province_overrides,
    target_rows,
    targets_not_on,
)
from nmmsim.resources import packaged_dir, shipped_dir
from nmmsim.scenario import Scenario
from nmmsim.targets import Target, load_targets

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["write_comparison_report", "write_report"]

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 76em; color: #222;
       line-height: 1.45; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.met td { background: #eef8ee; } tr.short td { background: #fdf1ee; }
tr.differs td { background: #fff4cc; } td.derived { color: #666; font-style: italic; }
h1, h2, h3, p, li { overflow-wrap: break-word; }
img { max-width: 100%; height: auto; border: 1px solid #ddd; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; font-size: 0.8em; }
.note { color: #555; font-size: 0.9em; }
.scroll { overflow-x: auto; max-width: 100%; margin: 0.6em 0; }
.scroll table { margin: 0; }
.charts { display: grid; gap: 0.6em; margin: 0.6em 0;
          grid-template-columns: repeat(auto-fill, minmax(min(100%, 24em), 1fr)); }
.charts img { width: 100%; display: block; }
"""


def write_report(
    result: xr.Dataset,
    path: str | Path,
    *,
    scenario: Scenario | None = None,
    targets: Sequence[Target] | None = None,
    sensitivity: xr.Dataset | None = None,
    spread: pd.DataFrame | None = None,
) -> Path:
    """Write the HTML report of one scenario's result (Monte Carlo or deterministic), with the
    sensitivity indices of `nmmsim.sensitivity.sensitivity` and the sources of the spread
    (`nmmsim.spread.spread_by_source`) when given."""
    from nmmsim.plot import attainment_chart, fan_panels, sensitivity_panels

    targets_given = targets is not None
    targets = tuple(targets) if targets is not None else load_targets()
    attained = compute_attainment(result, targets)
    summary = quantiles(target_measures(result, targets))
    history = observed_history(_observed(result))
    name = str(result.attrs.get("scenario", "scenario"))
    monte_carlo = "probability" in attained
    if monte_carlo:
        panels = fan_panels(summary, targets, attainment=attained, history=history)
        chart_note = ("Shaded: 5-95%, 10-90% and 25-75% of the draws; line: median; black: "
                      "observed; green: the target.")
    else:
        panels = fan_panels(summary, targets, history=history, bands=(),
                            label="deterministic path")
        chart_note = ("Line: the deterministic path (expected-damage path at the posterior's "
                      "median parameters); black: observed; green: the target. Averages are "
                      "drawn as measured up to each year.")
    parts = [
        _header(f"nmmsim report: {name}"),
        _scenario_section(result, scenario),
        _levers_section(result, scenario),
        _run_section(result),
        f"<h2>{html.escape(_targets_heading(result, custom=targets_given))}</h2>",
        _attainment_table(result, targets),
        _not_modelled(attained),
        "<h2>Fan charts</h2>",
        f'<p class="note">{chart_note}</p>',
        _panels(panels, [f"{t.description}, {name}" for t in targets if t.modelled]),
    ]
    if monte_carlo and attained.sizes["target"]:
        chart = attainment_chart(attained, legend="below")
        parts += ["<h2>Attainment over time</h2>",
                  f'<p class="note">{html.escape(attained.attrs["definition"])}.</p>',
                  _image(chart.figure, f"Probability of attaining each target by year, {name}")]
    if spread is not None:
        parts.append(_spread_section(spread, result))
    if "grdp_nominal_by_area" in summary:
        parts.append(_provinces_section(result, summary, monte_carlo=monte_carlo))
    if sensitivity is not None:
        method = str(sensitivity.attrs.get("method", ""))
        descriptions = [str(d) for d in sensitivity.description.values]
        parts += ["<h2>Which uncertainties decide each target</h2>",
                  f'<p class="note">{html.escape(method)} sensitivity, N = '
                  f'{sensitivity.attrs.get("draws")}, seed {sensitivity.attrs.get("seed")}; '
                  f'{html.escape(str(sensitivity.attrs.get("inputs", "")))}. Bars: total index '
                  "of each parameter group, first-order index inside, 95% intervals. "
                  f"{html.escape(SOBOL_NOISE)}</p>",
                  _panels(sensitivity_panels(sensitivity),
                          [f"Sensitivity of {d}, last year" for d in descriptions])]
        if "ST_group" in sensitivity:
            parts.append(_panels(sensitivity_panels(sensitivity, over_time=True),
                                 [f"Total Sobol' index of each parameter group by year, {d}"
                                  for d in descriptions]))
    parts += [_parameters_section(result, scenario), _sources_section(result), "</body></html>"]
    return _write("\n".join(parts), path)


def write_comparison_report(
    compared: xr.Dataset,
    path: str | Path,
    *,
    scenarios: Sequence[Scenario] = (),
    targets: Sequence[Target] | None = None,
) -> Path:
    """Write the HTML report of `nmmsim.compare`: side-by-side attainment, paired differences,
    overlaid fan charts."""
    from nmmsim.plot import compare_panels

    targets = tuple(targets) if targets is not None else load_targets()
    attained = compute_attainment(compared, targets)
    monte_carlo = "discordant" in compared
    summary = compared if monte_carlo else quantiles(target_measures(compared, targets))
    panels = compare_panels(summary, targets, attainment=attained,
                            history=observed_history(_observed(compared)))
    names = [str(s) for s in compared.scenario.values]
    parts = [
        _header(f"nmmsim comparison: {', '.join(names)}"),
        *(_scenario_section(compared.sel(scenario=s.name), s) for s in scenarios),
        _levers_comparison(compared, scenarios),
        _run_section(compared),
        *(["<h2>Attainment side by side, and paired differences</h2>",
           '<p class="note">Every scenario ran on the same draws (common random numbers): the '
           f"differences against {html.escape(names[0])} are paired, with their standard "
           "errors; where a policy moves a target's indicator the same way in most draws, they "
           "are far more precise than the probabilities themselves.</p>"] if monte_carlo else
          ["<h2>Deterministic paths side by side</h2>",
           '<p class="note">Each scenario\'s expected-damage path at the posterior\'s median parameters; '
           "for the probability of attaining the targets and paired differences with their "
           "standard errors, compare with --draws.</p>"]),
        _comparison_table(compared, targets),
        _parameter_differences(compared, scenarios),
        _not_modelled(attained),
        "<h2>Each indicator, scenario by scenario</h2>",
        f'<p class="note">{_COMPARE_CHART_NOTE if monte_carlo else _COMPARE_PATH_NOTE}</p>',
        _panels(panels, [f"{t.description}, {' and '.join(names)}"
                         for t in targets if t.modelled]),
        _sources_section(compared),
        "</body></html>",
    ]
    return _write("\n".join(parts), path)


_COMPARE_CHART_NOTE = ("One colour per scenario: its median by year and the 10-90% range of "
                       "its draws in the target year, as a bar next to that year; the legend "
                       "gives each scenario's probability of attaining the target. Black: "
                       "observed; green: the target.")
_COMPARE_PATH_NOTE = ("One colour per scenario: its deterministic path; the legend says whether "
                      "it meets the target. Black: observed; green: the target.")


def _provinces_section(result: xr.Dataset, summary: xr.Dataset, *, monte_carlo: bool) -> str:
    """The province table (`nmmsim.report_text.province_frame`) and the provincial fan grid."""
    from nmmsim.plot import province_panels, province_title

    frame = province_frame(result)
    year = int(frame.year.iloc[0])
    bands = ("<th>5-95%</th>" if monte_carlo else "")
    head = (f"<tr><th>Area</th><th>GRDP {year}, VND trillion"
            f"{' (median)' if monte_carlo else ''}</th>{bands}<th>Real growth {year}, %</th>"
            f"{bands}<th>GRDP per capita {year}, VND million</th>{bands}"
            f"<th>Share of region_2022's increase since {int(result['year'].min())}</th></tr>")
    rows = []
    for record in frame.to_dict("records"):
        row = {str(k): v for k, v in record.items()}
        cells = []
        for name, shown in (("grdp_nominal", format_figure), ("grdp_growth", _one_decimal),
                            ("grdp_per_capita", format_figure)):
            cells.append(f'<td class="num">{shown(row[name])}</td>')
            if monte_carlo:
                cells.append(f'<td class="num">{shown(row[name + "_p05"])}&ndash;'
                             f'{shown(row[name + "_p95"])}</td>')
        share = float(row["share_of_increase"])
        cells.append(f'<td class="num">{"" if share != share else f"{100 * share:.1f}%"}</td>')
        area = str(row["area"])
        label = f"<b>{html.escape(area)}</b>" if area.startswith("region_") else html.escape(area)
        rows.append(f"<tr><td>{label}</td>{''.join(cells)}</tr>")
    if monte_carlo:
        panels = province_panels(summary)
        chart_note = ("Shaded: 5-95%, 10-90% and 25-75% of the draws; line: median. Each panel "
                      "has its own scale.")
    else:
        panels = province_panels(summary, bands=(), label="deterministic path")
        chart_note = "Line: the deterministic path. Each panel has its own scale."
    parts = ["<h2>Provinces and regions</h2>",
             '<p class="note">The 15 provinces on their boundaries before 1 July 2025; '
             "region_2022: the 14 provinces of Resolution 96, on which its targets are defined; "
             "region_2025: the 14 minus Bac Giang plus Vinh Phuc, the boundary of the regional "
             "statistics from 2025.</p>"]
    shown_region = str(result.attrs.get("table_region", "region_2022"))
    if shown_region != "region_2022":
        parts.append(f"<p>{html.escape(targets_not_on(result, shown_region))}</p>")
    parts += [_table(head + "".join(rows)),
              f'<p class="note">{html.escape(str(frame.attrs["note"]))}</p>',
              f"<h3>{html.escape(province_title(summary['grdp_nominal_by_area']))}</h3>",
              f'<p class="note">{chart_note}</p>',
              _panels(panels, [f"GRDP at current prices, {area}"
                               for area in summary["grdp_nominal_by_area"]["area"].values])]
    return "\n".join(parts)


def _one_decimal(value: float) -> str:
    return "-" if value != value else f"{value:.1f}"


def _targets_heading(result: xr.Dataset, *, custom: bool) -> str:
    """"Targets of Resolution 96/NQ-CP" only for the released table (`targets_title` in the
    result's attrs); a user's table is named by its file."""
    title = str(result.attrs.get("targets_title", "" if custom else "Resolution 96/NQ-CP"))
    if title == "Resolution 96/NQ-CP":
        return f"Targets of {title}"
    return title[:1].upper() + title[1:] if title else "Targets"


def _observed(result: xr.Dataset) -> ObservedData | None:
    """The observed data the run read (None: the data directory's)."""
    path = result.attrs.get("observed_region_file")
    return load_observed(path) if path is not None else None


def _write(text: str, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


def _header(title: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
            f"<h1>{html.escape(title)}</h1>")


def _spread_section(spread: pd.DataFrame, result: xr.Dataset) -> str:
    """The 5-95% bands as each source of uncertainty is added, and each source's share."""
    from nmmsim.report_text import SPREAD_MEANING
    from nmmsim.spread import STEPS

    steps = [name for name, _, _ in STEPS]
    head = "".join(f"<th>band: {html.escape(s) if k == 0 else '+ ' + html.escape(s)}</th>"
                   for k, s in enumerate(steps))
    head += "".join(f"<th>share: {html.escape(s)}</th>" for s in steps)
    rows = "".join(
        f"<tr><td>{html.escape(str(label))}</td>"
        + "".join(f'<td class="num">{format_figure(row[f"band_{s}"])}</td>' for s in steps)
        + "".join(f'<td class="num">{row[f"share_{s}"]:.0%}</td>' for s in steps) + "</tr>"
        for label, row in spread.iterrows())
    note = SPREAD_MEANING.format(year=int(spread.attrs.get("year", 2030)),
                                 draws=int(spread.attrs.get("draws", 0)))
    return ("<h2>Where the spread comes from</h2>"
            f'<p class="note">{html.escape(note)}</p>'
            + _table(f"<tr><th>Indicator</th>{head}</tr>{rows}"))


def _table(rows: str) -> str:
    """A table of ``rows`` (HTML ``<tr>`` elements) in a box that scrolls sideways by itself
    when the table is wider than the page."""
    return f'<div class="scroll"><table>{rows}</table></div>'


def _image(figure: Any, alt: str) -> str:
    return f"<p>{_img(figure, alt)}</p>"


def _panels(figures: Sequence[Any], alts: Sequence[str]) -> str:
    """Charts of one panel each, in a grid that puts as many side by side as the page fits."""
    images = "".join(_img(figure, alt) for figure, alt in zip(figures, alts, strict=True))
    return f'<div class="charts">{images}</div>'


def _img(figure: Any, alt: str) -> str:
    """``figure`` as an embedded PNG (the figure is closed)."""
    from nmmsim.plot import pyplot

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    pyplot().close(figure)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'


def _scenario_section(result: xr.Dataset, scenario: Scenario | None) -> str:
    name = html.escape(str(result.attrs.get("scenario", "")))
    if scenario is None:
        return f"<h2>Scenario {name}</h2>"
    return (f"<h2>Scenario {html.escape(scenario.name)}</h2>"
            f"<p>{html.escape(' '.join(scenario.description.split()))}</p>"
            f'<p class="note"><b>Grounding.</b> {html.escape(" ".join(scenario.grounding.split()))}'
            "</p>")


_LEVERS_NOTE = ("Regional levers; grey italics: derived from the levers the file sets (an amount "
                "given as a share of the previous year's real GRDP in VND at 2024 prices, and "
                "the reverse, at the {grdp} GRDP; a programme's spending: the sum over sources "
                "of amount times split). FDI is the FDI registered in the year, which is "
                "disbursed over about two years and only partly absorbed, so the totals are not "
                "the investment made in the year.")


def _levers_section(result: xr.Dataset, scenario: Scenario | None) -> str:
    """The scenario's levers year by year (`nmmsim.report_text.lever_rows`); a lever that
    never changes shows its one value across the years."""
    if scenario is None:
        return ""
    years = [int(y) for y in result["year"].values][1:]
    head = ("<tr><th>Lever</th><th>Unit</th>"
            + "".join(f'<th class="num">{year}</th>' for year in years) + "</tr>")
    rows = []
    for row in lever_rows(scenario, result):
        shown = [format_lever(v, row.unit) for v in row.values]
        derived = "" if row.set_in_file else " derived"
        if len(set(shown)) == 1:  # left-aligned: on a narrow screen the years run off the box
            cells = (f'<td class="every{derived}" colspan="{len(years)}">{shown[0]} (every year)'
                     "</td>")
        else:
            cells = "".join(f'<td class="num{derived}">{value}</td>' for value in shown)
        rows.append(f"<tr><td>{html.escape(row.group)}: {html.escape(row.lever)}</td>"
                    f"<td>{html.escape(row.unit)}</td>{cells}</tr>")
    return ("<h3>Levers</h3>" + _table(head + "".join(rows))
            + f'<p class="note">{html.escape(_levers_note(result, scenario))}</p>')


def _levers_note(result: xr.Dataset, scenarios: Scenario | Sequence[Scenario]) -> str:
    grdp = "median" if "quantile" in result["grdp"].dims else "run's"
    notes = [_LEVERS_NOTE.format(grdp=grdp)]
    for scenario in [scenarios] if isinstance(scenarios, Scenario) else scenarios:
        overrides = province_overrides(scenario)
        if overrides:
            notes.append(f"{scenario.name} sets levers of its own for some provinces, which the "
                         f"regional figures do not show: {'; '.join(overrides)}.")
    return " ".join(notes)


def _levers_comparison(compared: xr.Dataset, scenarios: Sequence[Scenario]) -> str:
    """The levers of the compared scenarios side by side, the rows where they differ
    highlighted and the values that differ from the reference's in bold."""
    if not scenarios:
        return ""
    years = [int(y) for y in compared["year"].values][1:]
    cells: dict[tuple[str, str, str], dict[str, tuple[str, bool]]] = {}
    for scenario in scenarios:
        for row in lever_rows(scenario, compared.sel(scenario=scenario.name)):
            path = compact_path(years, [format_lever(v, row.unit) for v in row.values])
            cells.setdefault((row.group, row.lever, row.unit), {})[scenario.name] = (
                path, row.set_in_file)
    names = [s.name for s in scenarios]
    head = ("<tr><th>Lever</th><th>Unit</th>"
            + "".join(f"<th>{html.escape(n)}</th>" for n in names) + "</tr>")
    rows = []
    for (group, lever, unit), by_scenario in cells.items():
        # a split a scenario does not fund is 0
        shown = [by_scenario.get(n, ("0", True)) for n in names]
        reference = shown[0][0]
        differs = any(set_in_file and text != reference for text, set_in_file in shown)
        row_cells = "".join(
            f'<td class="derived">{html.escape(text)}</td>' if not set_in_file else
            f"<td><b>{html.escape(text)}</b></td>" if text != reference else
            f"<td>{html.escape(text)}</td>" for text, set_in_file in shown)
        css = ' class="differs"' if differs else ""
        rows.append(f"<tr{css}><td>{html.escape(group)}: {html.escape(lever)}</td>"
                    f"<td>{html.escape(unit)}</td>{row_cells}</tr>")
    note = (f"Highlighted: the levers the scenario files set differently; bold: a value that "
            f"differs from {names[0]}'s. The derived figures differ also because the scenarios' "
            f"GRDP differs. {_levers_note(compared, scenarios)}")
    return ("<h2>Levers side by side</h2>" + _table(head + "".join(rows))
            + f'<p class="note">{html.escape(note)}</p>')


def _run_section(result: xr.Dataset) -> str:
    keys = ("scenario_file", "scenario_sha256", "draws", "seed", "sampler", "disasters",
            "start_year", "end_year", "prices", "nmmsim_version", "reference_scenario")
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(result.attrs[k]))}</td></tr>"
                   for k in keys if k in result.attrs)
    kind = "Monte Carlo" if "draws" in result.attrs else "Deterministic (expected-damage path)"
    return (f"<h2>How this run was made</h2><p>{kind}.</p>{_table(rows)}"
            + _inputs_table(result.attrs))


def _inputs_table(attrs: dict[Any, Any]) -> str:
    """The input files the run read (`nmmsim.resources.provenance`), with their sha256."""
    roles = [str(k).removesuffix("_file") for k in attrs
             if str(k).endswith("_file") and f"{str(k).removesuffix('_file')}_sha256" in attrs]
    if not roles:
        return ""
    rows = "".join(f"<tr><td>{html.escape(role)}</td><td>{html.escape(str(attrs[role + '_file']))}"
                   f"</td><td><code>{html.escape(str(attrs[role + '_sha256']))}</code></td></tr>"
                   for role in roles)
    notes = []
    if "data_directory" in attrs:
        notes.append(f"Data directory: {attrs['data_directory']} "
                     f"({attrs['data_directory_origin']})")
    if "data_sha256" in attrs:
        notes.append(f"Observed data sha256 {attrs['data_sha256']}")
    if "targets_title" in attrs:
        notes.append(f"Targets: {attrs['targets_title']}")
    if "calibration_data_sha256" in attrs:
        notes.append(f"The calibration was fitted to observed data with sha256 "
                     f"{attrs['calibration_data_sha256']}")
    return ("<h3>Input files</h3>"
            + _table(f"<tr><th>Role</th><th>File</th><th>sha256</th></tr>{rows}")
            + "".join(f'<p class="note">{html.escape(n)}.</p>' for n in notes))


def _attainment_table(result: xr.Dataset, targets: Sequence[Target]) -> str:
    monte_carlo = "draw" not in result.dims or result.sizes["draw"] > 1
    table = target_rows(result, targets)
    with_history = any(history_interval(row) for row in table)
    head = ("<tr><th>Target</th><th>Required</th><th>Unit</th><th>Model"
            + (" (median)</th><th>P(attained)</th><th>95% interval</th><th>MC s.e.</th>"
               + ("<th>History range</th>" if with_history else "") + "</tr>"
               if monte_carlo else "</th><th>Met</th><th>Margin</th></tr>"))
    horizon = int(result["year"].max())
    rows = []
    for row in (r for r in table if r.status != "not modelled"):
        if row.status == NOT_REACHED:
            rows.append(f'<tr><td>{html.escape(row.description)}</td>'
                        f"<td>{html.escape(row.required)}</td><td>{html.escape(row.unit)}</td>"
                        f'<td colspan="{(5 if with_history else 4) if monte_carlo else 3}">'
                        f"{NOT_REACHED} (the run ends "
                        f"{horizon}, the target year is {row.year})</td></tr>")
            continue
        if monte_carlo:
            css = "met" if row.probability >= 0.5 else "short"
            p, low, high = percent_interval(row.probability, row.lower, row.upper)
            cells = (f'<td class="num">{p}%</td><td class="num">{low}-{high}%</td>'
                     f'<td class="num">{100 * row.standard_error:.2f}</td>')
            if with_history:
                cells += f'<td class="num">{history_interval(row)}%</td>'

        else:
            css = "met" if row.met else "short"
            cells = (f"<td>{'yes' if row.met else 'no'}</td>"
                     f'<td class="num">{row.margin:+,.2f}</td>')
        if row.target == "all":
            rows.append(f'<tr><td colspan="4"><b>{html.escape(row.description)}</b></td>'
                        f"{cells}</tr>")
            continue
        rows.append(f'<tr class="{css}"><td>{html.escape(row.description)}</td>'
                    f"<td>{html.escape(row.required)}</td>"
                    f"<td>{html.escape(row.unit)}</td>"
                    f'<td class="num">{format_figure(row.model_value)}</td>{cells}</tr>')
    note = ("Margin: how far inside the target (+) or short of it (-), in its unit. "
            + DETERMINISTIC_MEANING if not monte_carlo else
            "Interval: Wilson 95%; s.e.: Monte Carlo standard error in percentage points. "
            + PROBABILITY_MEANING + (" " + HISTORY_MEANING if with_history else ""))
    return f'{_table(head + "".join(rows))}<p class="note">{html.escape(note)}</p>'


def _comparison_table(compared: xr.Dataset, targets: Sequence[Target]) -> str:
    """`nmmsim.report_text.comparison_rows` as HTML: a row per target and scenario."""
    header, rows = comparison_rows(compared, targets)
    head = "<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>"
    body = []
    for index, (label, scenario, *figures) in enumerate(rows):
        cells = f"<td>{html.escape(scenario)}</td>" + "".join(
            f'<td class="num">{html.escape(figure)}</td>' for figure in figures)
        if label:  # the target spans its scenarios' rows
            span = next((n for n, row in enumerate(rows[index + 1:], start=1) if row[0]),
                        len(rows) - index)
            cells = f'<td rowspan="{span}">{html.escape(label)}</td>' + cells
        body.append(f"<tr>{cells}</tr>")
    return (_table(head + "".join(body))
            + f'<p class="note">{html.escape(comparison_note(compared, targets))}</p>')


def _parameter_differences(compared: xr.Dataset, scenarios: Sequence[Scenario]) -> str:
    """The model parameters the scenarios set differently, with a warning, or nothing."""
    if scenarios:
        lines = parameter_difference_lines(parameter_differences(scenarios))
    else:
        recorded = str(compared.attrs.get("parameter_differences", "none"))
        lines = [] if recorded == "none" else recorded.splitlines()
    if not lines:
        return ('<p class="note">The scenarios differ only in levers: every model parameter and '
                "prior is the same in all of them.</p>")
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    return ("<h3>Model parameters set differently</h3><p><b>Warning:</b> these scenarios change "
            "model parameters ([parameters] or [priors]), not only policy levers; the "
            f"differences above include the effect of these changes.</p><ul>{items}</ul>")


def _not_modelled(attained: xr.Dataset) -> str:
    listed = [item for item in attained.attrs.get("not_modelled", "").split("; ") if item]
    if not listed:
        return ""
    items = "".join(f"<li>{html.escape(item)}</li>" for item in listed)
    return f"<p><b>Not modelled</b> (no attainment can be reported):</p><ul>{items}</ul>"


def _parameters_section(result: xr.Dataset, scenario: Scenario | None) -> str:
    priors = str(result.attrs.get("priors", ""))
    if priors:
        rows = "".join(
            f"<tr><td>{html.escape(name)}</td><td>{html.escape(text)}</td></tr>"
            for name, _, text in (line.partition(": ") for line in priors.splitlines()))
        return ("<h2>Parameters and their priors</h2>"
                + _table(f"<tr><th>Parameter</th><th>Prior</th></tr>{rows}"))
    from nmmsim.parameters import QUANTITIES

    values = dict(line.partition(": ")[::2] for line in
                  str(result.attrs.get("parameter_values", "")).splitlines())
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td>"
        f'<td class="num">{html.escape(values.get(name, "?"))}</td>'
        f"<td>{html.escape(spec.unit)}</td></tr>" for name, spec in QUANTITIES.items())
    where = html.escape(str(result.attrs.get("parameters", "")))
    return ("<h2>Parameters</h2><p class=\"note\">Values: "
            f"{where}, with the scenario's own settings.</p>"
            + _table(f"<tr><th>Parameter</th><th>Value</th><th>Unit</th></tr>{rows}"))


def _sources_section(result: xr.Dataset) -> str:
    """SOURCES.md of the run's data directory (else the shipped one) as HTML: its paragraphs,
    and its table of source ids as a table."""
    directory = Path(str(result.attrs.get("data_directory", shipped_dir("calibration"))))
    sources = directory / "SOURCES.md"
    if not sources.is_file():
        sources = packaged_dir("calibration") / "SOURCES.md"
    text = sources.read_text(encoding="utf-8")
    parts = ["<h2>Data sources</h2>"]
    for block in text.strip().split("\n\n"):
        lines = block.strip().splitlines()
        if lines and lines[0].startswith("|"):
            rows = [[cell.strip() for cell in line.strip().strip("|").split("|")]
                    for line in lines if not set(line.strip()) <= set("|-: ")]
            head, *body = rows
            parts.append(_table("<tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in head)
                                + "</tr>" + "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>"
                                                                    for c in row) + "</tr>"
                                                    for row in body)))
        elif lines and lines[0].startswith("#"):
            parts.append(f'<p class="note">{html.escape(lines[0].lstrip("# "))} '
                         f"({html.escape(str(sources))})</p>")
        else:
            parts.append(f"<p>{html.escape(' '.join(lines))}</p>")
    return "\n".join(parts)
