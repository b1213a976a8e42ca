"""The HTML reports read on a phone and on a wide screen (issue 12.14): no table or chart makes
the page scroll sideways, and the chart panels reflow with the width of the window."""

from __future__ import annotations

import pytest

import nmmsim
from nmmsim.analysis import deterministic_comparison
from nmmsim.report import write_comparison_report, write_report
from nmmsim.sensitivity import sensitivity
from tests.test_report import _browser

SHIPPED = nmmsim.shipped_scenarios()
WIDTHS = (400, 1400)


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """A deterministic and a Monte Carlo report (with sensitivity charts), and a Monte Carlo and
    a deterministic comparison of three scenarios."""
    out = tmp_path_factory.mktemp("layout")
    baseline = nmmsim.load_scenario(SHIPPED["baseline"])
    compared = [baseline, nmmsim.load_scenario(SHIPPED["resolution_96"]),
                nmmsim.load_scenario(SHIPPED["infrastructure_push"])]
    return {
        "deterministic": write_report(nmmsim.simulate(baseline), out / "deterministic.html",
                                      scenario=baseline),
        "monte carlo": write_report(nmmsim.simulate(baseline, draws=512, seed=3),
                                    out / "monte_carlo.html", scenario=baseline,
                                    sensitivity=sensitivity(baseline, draws=16, seed=1)),
        "compare": write_comparison_report(nmmsim.compare(compared, draws=512, seed=3),
                                           out / "compare.html", scenarios=compared),
        "deterministic compare": write_comparison_report(
            deterministic_comparison([nmmsim.simulate(s) for s in compared]),
            out / "deterministic_compare.html", scenarios=compared),
    }


@pytest.fixture(scope="module")
def browser():
    driver = _browser()
    yield driver
    driver.quit()


_OVERFLOW = """
const width = document.documentElement.clientWidth;
const outside = Array.from(document.querySelectorAll('body *'))
    .filter(e => e.getBoundingClientRect().right > width + 0.5 && !e.closest('.scroll'))
    .map(e => e.tagName + ' ' + e.textContent.slice(0, 40));
return [width, document.documentElement.scrollWidth, outside.slice(0, 5)];
"""


@pytest.mark.parametrize("width", WIDTHS)
def test_no_report_scrolls_sideways(reports, browser, width):
    browser.set_window_size(width, 1000)
    for kind, path in reports.items():
        browser.get(path.as_uri())
        client, scrolled, outside = browser.execute_script(_OVERFLOW)
        assert scrolled <= client and outside == [], (kind, width, scrolled, outside)
        assert browser.execute_script(
            "return Array.from(document.querySelectorAll('table'))"
            ".every(t => t.parentElement.classList.contains('scroll'))"), kind


def _rows_of_panel_grids(browser) -> list[tuple[int, int]]:
    """(panels, rows) of every grid of chart panels on the page."""
    return [(len(tops), len(set(tops))) for tops in browser.execute_script(
        "return Array.from(document.querySelectorAll('.charts')).map(g => "
        "Array.from(g.querySelectorAll('img')).map(i => Math.round(i.getBoundingClientRect().top)))")]


def test_chart_panels_reflow_with_the_window(reports, browser):
    for kind, path in reports.items():
        browser.set_window_size(400, 1000)
        browser.get(path.as_uri())
        # every chart of several panels is a grid of them; only the attainment chart is one image
        assert browser.execute_script(
            "return Array.from(document.images).filter(i => !i.closest('.charts')).length") \
            <= (1 if kind == "monte carlo" else 0), kind
        narrow = _rows_of_panel_grids(browser)
        assert narrow and all(rows == panels for panels, rows in narrow), kind  # one a row
        browser.set_window_size(1400, 1000)
        browser.get(path.as_uri())
        wide = _rows_of_panel_grids(browser)
        assert all(rows <= (panels + 2) // 3 for panels, rows in wide), kind  # 3 or more a row
