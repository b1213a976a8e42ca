"""Chart panels one figure each, for a report page that reflows them (issue 12.14)."""

from __future__ import annotations

import nmmsim
from nmmsim.analysis import quantiles, target_measures
from nmmsim.plot import fan_grid, fan_panels, province_panels, pyplot
from nmmsim.targets import load_targets

SHIPPED = nmmsim.shipped_scenarios()


def test_fan_panels_are_the_grids_panels_one_figure_each_on_the_same_years():
    targets = load_targets()
    summary = quantiles(target_measures(nmmsim.simulate(SHIPPED["baseline"]), targets))
    grid = fan_grid(summary, targets, bands=(), label="deterministic path")
    panels = fan_panels(summary, targets, bands=(), label="deterministic path")
    grid_titles = [ax.get_title() for ax in grid.axes if ax.get_visible()]
    assert [figure.axes[0].get_title() for figure in panels] == grid_titles
    assert len({figure.axes[0].get_xlim() for figure in panels}) == 1
    assert panels[0].legends and not any(figure.legends for figure in panels[1:])
    for figure in (grid, *panels):
        pyplot().close(figure)


def test_province_panels_one_per_area():
    summary = quantiles(nmmsim.simulate(SHIPPED["baseline"]))
    da = summary["grdp_nominal_by_area"]
    panels = province_panels(summary, bands=(), label="deterministic path")
    assert [figure.axes[0].get_title() for figure in panels] == [str(a) for a in da.area.values]
    for figure in panels:
        pyplot().close(figure)
