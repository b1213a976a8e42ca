"""The HTML reports read on a phone and on a wide screen (issue 12.14): no table or chart makes
the page scroll sideways, and the chart panels reflow with the width of the window."""

from __future__ import annotations

import pytest

import nmmsim
from nmmsim.analysis import deterministic_comparison
from nmmsim.report import write_comparison_report, write_report
from tests.test_report import _browser

SHIPPED = nmmsim.shipped_scenarios()
WIDTHS = (400, 1400)


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """A deterministic and a Monte Carlo report, and a Monte Carlo and a deterministic
    comparison of three scenarios."""
    out = tmp_path_factory.mktemp("layout")
    baseline = nmmsim.load_scenario(SHIPPED["baseline"])
    compared = [baseline, nmmsim.load_scenario(SHIPPED["resolution_96"]),
                nmmsim.load_scenario(SHIPPED["infrastructure_push"])]
    return {
        "deterministic": write_report(nmmsim.simulate(baseline), out / "deterministic.html",
                                      scenario=baseline),
        "monte carlo": write_report(nmmsim.simulate(baseline, draws=512, seed=3),
                                    out / "monte_carlo.html", scenario=baseline),
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


def _rows_of_first_panel_grid(browser) -> tuple[int, int]:
    """(panels, rows) of the first grid of chart panels on the page."""
    tops = browser.execute_script(
        "return Array.from(document.querySelector('.charts').querySelectorAll('img'))"
        ".map(i => Math.round(i.getBoundingClientRect().top))")
    return len(tops), len(set(tops))


def test_chart_panels_reflow_with_the_window(reports, browser):
    for kind, path in reports.items():
        browser.set_window_size(400, 1000)
        browser.get(path.as_uri())
        panels, rows = _rows_of_first_panel_grid(browser)
        assert panels > 3 and rows == panels, kind  # one panel a row on a phone
        browser.set_window_size(1400, 1000)
        browser.get(path.as_uri())
        panels, rows = _rows_of_first_panel_grid(browser)
        assert rows <= (panels + 2) // 3, kind  # three or more side by side
