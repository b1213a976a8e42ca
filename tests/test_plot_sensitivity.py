"""Sensitivity charts: titles that fit their panels, and Sobol' indices above 1 called what they
are, estimation noise (issue 12.13)."""

from __future__ import annotations

import pytest

import nmmsim
from nmmsim.plot import pyplot, sensitivity_grid
from nmmsim.sensitivity import sensitivity


@pytest.fixture(scope="module")
def found():
    return sensitivity(nmmsim.shipped_scenarios()["baseline"], draws=16, seed=1)


@pytest.mark.parametrize("over_time", [False, True])
def test_every_panel_title_fits_inside_its_panel(found, over_time):
    figure = sensitivity_grid(found, over_time=over_time)
    renderer = figure.canvas.get_renderer()
    figure.draw(renderer)
    panels = [ax for ax in figure.axes if ax.get_visible()]
    for ax in panels:
        title = ax.title.get_window_extent(renderer)
        # the panel: the axes with its tick labels, up to where its neighbours' begin
        frame = ax.get_window_extent(renderer)
        assert title.width <= frame.width + 1, ax.get_title()
    pyplot().close(figure)


def test_an_index_above_one_is_labelled_estimation_noise(found):
    year = int(found.year.max())
    noisy = found.copy(deep=True)
    noisy["ST_group"].loc[{"target": "forest_cover", "quantity": "value", "year": year}] = 0.5
    noisy["ST_group"].loc[{"target": "forest_cover", "quantity": "value", "year": year,
                           "group": "forest"}] = 1.3
    noisy["ST_group"].loc[{"target": "grdp_scale", "quantity": "value", "year": year}] = 0.4
    figure = sensitivity_grid(noisy)
    labels = {ax.get_title().replace("\n", " "): ax.get_xlabel() for ax in figure.axes
              if ax.get_visible()}
    assert labels["Forest cover 2030: value, 2030"] == "Sobol' index (above 1: estimation noise)"
    assert labels["GRDP 2030, current prices: value, 2030"] == "Sobol' index"
    pyplot().close(figure)


def test_table_and_report_say_that_indices_above_one_are_noise(found, tmp_path):
    from nmmsim.report import write_report
    from nmmsim.report_text import sensitivity_table

    assert sensitivity_table(found).endswith(
        "an index above 1 (or below 0) is estimation noise, not a share of variance above 100%; "
        "the 95% half-widths say how large it is, and more draws (--draws) shrink it.")
    result = nmmsim.simulate(nmmsim.shipped_scenarios()["baseline"])
    text = write_report(result, tmp_path / "r.html", sensitivity=found).read_text("utf-8")
    assert "an index above 1 (or below 0) is estimation noise" in text
