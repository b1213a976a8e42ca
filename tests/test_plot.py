"""Every chart function runs on a small result and draws what it should."""

from __future__ import annotations

import io

import pytest

import nmmsim
from nmmsim.analysis import attainment, observed_history, quantiles, target_measures
from nmmsim.plot import BANDS, attainment_chart, compare_fan_chart, fan_chart, fan_grid, pyplot
from nmmsim.targets import load_targets

TARGETS = {t.target: t for t in load_targets()}
SHIPPED = nmmsim.shipped_scenarios()


@pytest.fixture(scope="module")
def summary():
    return nmmsim.simulate(SHIPPED["baseline"], draws=2048, seed=1)


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=60)
    pyplot().close(figure)
    return buffer.getvalue()


def _with_gid(ax, gid):
    return [a for a in (*ax.collections, *ax.patches, *ax.lines, *ax.texts) if a.get_gid() == gid]


def test_fan_chart_draws_bands_median_target_probability_and_history(summary):
    found = attainment(summary).sel(target="grdp_scale", year=2030)
    ax = fan_chart(summary.grdp_nominal, target=TARGETS["grdp_scale"],
                   probability=(float(found.probability), float(found.lower), float(found.upper)),
                   history=observed_history()["grdp_nominal"])
    assert len(_with_gid(ax, "band")) == len(BANDS)
    assert len(_with_gid(ax, "median")) == 1
    assert len(_with_gid(ax, "target")) == 1
    assert len(_with_gid(ax, "history")) == 1
    assert "P(attained 2030)" in _with_gid(ax, "probability")[0].get_text()
    assert ax.get_ylabel() == "VND trillion" and ax.get_title() == "GRDP, current prices"
    assert len(_png(ax.figure)) > 5_000


def test_fan_chart_of_a_deterministic_run(summary):
    result = quantiles(nmmsim.simulate(SHIPPED["baseline"]))
    ax = fan_chart(result.forest_cover, bands=[(0.1, 0.9)], target=TARGETS["forest_cover"])
    assert len(_with_gid(ax, "band")) == 1 and len(_with_gid(ax, "target")) == 1
    assert len(_png(ax.figure)) > 2_000


def test_fan_chart_refuses_a_band_it_has_no_quantiles_for(summary):
    with pytest.raises(ValueError, match=r"quantile 0\.2 is not in the data"):
        fan_chart(summary.grdp, bands=[(0.2, 0.8)])


def test_grid_has_one_chart_per_modelled_target(summary):
    targets = load_targets()
    figure = fan_grid(summary, targets, attainment=attainment(summary),
                      history=observed_history(), title="test")
    visible = [ax for ax in figure.axes if ax.get_visible()]
    assert len(visible) == sum(t.modelled for t in targets)
    assert all(len(_with_gid(ax, "target")) == 1 for ax in visible)
    assert all(len(_with_gid(ax, "band")) == len(BANDS) for ax in visible)
    assert len(_png(figure)) > 20_000


def test_attainment_chart_has_a_line_per_target_and_the_joint(summary):
    found = attainment(summary)
    ax = attainment_chart(found)
    assert len(ax.lines) == found.sizes["target"] + 1
    assert len(_png(ax.figure)) > 5_000


def test_compare_fan_chart_overlays_each_scenario():
    compared = nmmsim.compare([SHIPPED["baseline"], SHIPPED["resolution_96"]], draws=1024, seed=1)
    ax = compare_fan_chart(compared, TARGETS["grdp_growth"],
                           history=observed_history()["target_grdp_growth"])
    assert len(_with_gid(ax, "band")) == 2 and len(_with_gid(ax, "median")) == 2
    assert len(_png(ax.figure)) > 5_000


def test_grid_of_a_run_ending_before_the_target_year_keeps_its_title_and_draws_no_target():
    short = nmmsim.simulate(SHIPPED["baseline"], draws=1024, seed=1, end_year=2027)
    figure = fan_grid(short, load_targets(), attainment=attainment(short), title="short run")
    assert figure.get_suptitle() == "short run"
    visible = [ax for ax in figure.axes if ax.get_visible()]
    assert all("not reached by this horizon" in ax.get_title() for ax in visible)
    assert not any(_with_gid(ax, "target") for ax in visible)
    pyplot().close(figure)


def test_deterministic_grid_draws_each_targets_measure_and_a_legend_of_what_is_drawn():
    targets = load_targets()
    run = nmmsim.simulate(SHIPPED["baseline"])
    figure = fan_grid(quantiles(target_measures(run, targets)), targets, bands=(),
                      label="deterministic path", history=observed_history())
    panels = {ax.get_title(): ax for ax in figure.axes if ax.get_visible()}
    values = attainment(run, targets).value.sel(year=2030)  # what the table and CLI print
    for target in ("grdp_growth", "poverty_reduction"):
        (line,) = _with_gid(panels[TARGETS[target].description], "median")
        assert line.get_ydata()[-1] == pytest.approx(float(values.sel(target=target)))
    assert not any(_with_gid(ax, "band") for ax in panels.values())
    (legend,) = figure.legends
    assert [t.get_text() for t in legend.get_texts()] == ["deterministic path", "observed",
                                                          "target"]
    pyplot().close(figure)


def test_probability_label_has_the_decimals_its_interval_supports(summary):
    ax = fan_chart(summary.grdp_nominal, target=TARGETS["grdp_scale"],
                   probability=(0.052, 0.046, 0.058))
    (text,) = _with_gid(ax, "probability")
    assert text.get_text() == "P(attained 2030) = 5.2%\n[4.6-5.8%]"
    pyplot().close(ax.figure)


def _target_years(ax):
    """The years the target band covers as drawn."""
    ax.figure.canvas.draw()
    (band,) = _with_gid(ax, "target")
    box = band.get_window_extent()
    (low, _), (high, _) = ax.transData.inverted().transform([[box.x0, box.y0], [box.x1, box.y1]])
    return low, high


def test_grid_shades_level_targets_at_their_year_and_shares_the_years_axis():
    targets = load_targets()
    run = nmmsim.simulate(SHIPPED["baseline"])
    figure = fan_grid(quantiles(target_measures(run, targets)), targets, bands=(),
                      label="deterministic path", history=observed_history())
    panels = {ax.get_title(): ax for ax in figure.axes if ax.get_visible()}
    low, high = _target_years(panels["Forest cover 2030"])
    assert 2029.5 < low < 2030 < high < 2030.5  # a level target says nothing about 2025
    low, high = _target_years(panels["Average real GRDP growth 2021-2030"])
    assert low <= 2024 and high >= 2030  # an average to date: on track or not, every year
    assert len({ax.get_xlim() for ax in panels.values()}) == 1
    pyplot().close(figure)


def test_grid_titles_of_averages_say_what_a_longer_horizon_draws():
    targets = load_targets()
    longer = nmmsim.simulate(SHIPPED["baseline"], end_year=2045)
    figure = fan_grid(quantiles(target_measures(longer, targets)), targets, bands=(),
                      label="deterministic path")
    titles = [ax.get_title() for ax in figure.axes if ax.get_visible()]
    assert ("Average real GRDP growth 2021-2030\n(average from 2021 to each year)"
            in titles)
    assert "Forest cover 2030" in titles
    pyplot().close(figure)
