"""HTML reports: they render for every shipped scenario and load cleanly in a real browser."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

import nmmsim
from nmmsim.report import write_comparison_report, write_report

SHIPPED = nmmsim.shipped_scenarios()


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """A report for every shipped scenario (Monte Carlo, few draws), a deterministic one and a
    comparison."""
    out = tmp_path_factory.mktemp("reports")
    paths = []
    for name, path in SHIPPED.items():
        scenario = nmmsim.load_scenario(path)
        result = nmmsim.simulate(scenario, draws=1024, seed=7)
        paths.append(write_report(result, out / f"{name}.html", scenario=scenario))
    baseline = nmmsim.load_scenario(SHIPPED["baseline"])
    paths.append(write_report(nmmsim.simulate(baseline), out / "deterministic.html",
                              scenario=baseline))
    compared = [baseline, nmmsim.load_scenario(SHIPPED["resolution_96"])]
    paths.append(write_comparison_report(nmmsim.compare(compared, draws=1024, seed=7),
                                         out / "compare.html", scenarios=compared))
    return paths


def test_every_report_is_self_contained_and_complete(reports):
    for path in reports:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
        assert not re.search(r'(src|href)="(?!data:)', text), f"{path.name}: external resource"
        assert "<script" not in text
        assert "Not modelled" in text and "Digital economy share" in text
        assert "Data sources" in text and "General Statistics Office" in text
        assert len(re.findall(r'<img src="data:image/png;base64,', text)) >= 1
    baseline = reports[list(SHIPPED).index("baseline")].read_text(encoding="utf-8")
    assert "seed</th><td>7" in baseline and "Parameters and their priors" in baseline
    assert "Trends continue" in baseline  # the scenario's description
    assert "P(attained)" in baseline and "All modelled targets at once" in baseline
    deterministic = reports[-2].read_text(encoding="utf-8")
    assert "Margin" in deterministic and "medians, with the scenario" in deterministic


def test_nothing_half_written_on_error(tmp_path):
    result = nmmsim.simulate(SHIPPED["baseline"])
    with pytest.raises(nmmsim.NmmsimError, match="no variable 'forest_cover'"):
        write_report(result.drop_vars("forest_cover"), tmp_path / "broken.html")
    assert list(tmp_path.iterdir()) == []


def test_import_does_not_load_matplotlib():
    code = "import sys, nmmsim; sys.exit('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def _browser():
    """A headless Chromium through Selenium, or a skip (a failure where CI requires it)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        webdriver = None
    if webdriver is None or chromium is None or driver_path is None:
        reason = ("needs selenium and Debian's chromium and chromium-driver "
                  "(apt-get install chromium chromium-driver)")
        if os.environ.get("NMMSIM_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.binary_location = chromium
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver_path), options=options)


def test_reports_load_in_headless_chromium_with_charts_and_no_console_errors(reports):
    driver = _browser()
    try:
        for path in reports:
            driver.get(path.as_uri())
            assert driver.execute_script("return document.readyState") == "complete"
            assert driver.title.startswith("nmmsim")
            images = driver.execute_script(
                "return Array.from(document.images).map(i => [i.complete, i.naturalWidth, "
                "i.getBoundingClientRect().width])")
            assert images, f"{path.name}: no charts"
            for complete, natural_width, shown_width in images:
                assert complete and natural_width > 400 and shown_width > 200, path.name
            problems = [entry for entry in driver.get_log("browser")
                        if entry["level"] in ("SEVERE", "WARNING")]
            assert problems == [], f"{path.name}: {problems}"
    finally:
        driver.quit()


def test_deterministic_report_table_shows_the_measured_averages(tmp_path):
    from nmmsim.analysis import target_measures
    from nmmsim.report_text import format_figure

    baseline = nmmsim.load_scenario(SHIPPED["baseline"])
    result = nmmsim.simulate(baseline)
    measured = target_measures(result).sel(draw=0, year=2030)
    text = write_report(result, tmp_path / "d.html", scenario=baseline).read_text(encoding="utf-8")
    for description, name in (("Average real GRDP growth 2021-2030", "grdp_growth"),
                              ("Average fall of the multidimensional poverty rate",
                               "poverty_reduction")):
        value = format_figure(float(measured[f"target_{name}"]))
        row = re.search(rf"<tr[^>]*><td>{description}</td>.*?</tr>", text).group(0)
        assert f'<td class="num">{value}</td>' in row
    assert "5-95%" not in re.search(r"<h2>Fan charts</h2>.*?</p>", text, re.S).group(0)


def test_reports_hold_the_province_table_and_grid(reports):
    from nmmsim.results import AREAS

    for path in (reports[list(SHIPPED).index("baseline")], reports[-2]):
        text = path.read_text(encoding="utf-8")
        section = re.search(r"<h2>Provinces and regions</h2>(.*?)(<h2>|</body>)", text, re.S)
        assert section, path.name
        body = section.group(1)
        table = re.search(r'<div class="scroll"><table>(.*?)</table></div>', body, re.S).group(1)
        assert [re.sub("<.*?>", "", a) for a in re.findall(r"<tr><td>(.*?)</td>", table)] \
            == list(AREAS)
        assert all(f'alt="GRDP at current prices, {area}"' in body for area in AREAS)
        assert ("5-95%" in table) == (path != reports[-2])  # bands only for Monte Carlo


def test_report_province_table_shows_the_runs_figures(tmp_path):
    from nmmsim.report_text import format_figure

    baseline = nmmsim.load_scenario(SHIPPED["baseline"])
    result = nmmsim.simulate(baseline)
    text = write_report(result, tmp_path / "d.html", scenario=baseline).read_text(encoding="utf-8")
    row = re.search(r"<tr><td><b>region_2022</b></td>(.*?)</tr>", text).group(1)
    assert f'<td class="num">{format_figure(float(result.grdp_nominal.sel(year=2030)[0]))}</td>' \
        in row and "100.0%" in row
