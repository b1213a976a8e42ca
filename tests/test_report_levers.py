"""The reports show the scenario's levers, and a comparison highlights where they differ
(issue 12.12)."""

from __future__ import annotations

import re

import numpy as np
import pytest

import nmmsim
from nmmsim.report import write_comparison_report, write_report
from nmmsim.report_text import format_figure, lever_rows

SHIPPED = nmmsim.shipped_scenarios()


@pytest.fixture(scope="module")
def resolution():
    scenario = nmmsim.load_scenario(SHIPPED["resolution_96"])
    return scenario, nmmsim.simulate(scenario)


def _row(text: str, lever: str) -> str:
    found = re.search(rf"<tr[^>]*><td>{re.escape(lever)}</td>.*?</tr>", text)
    assert found, lever
    return found.group(0)


def test_lever_amounts_and_programme_spending_add_up_to_the_runs_investment(resolution):
    scenario, result = resolution
    rows = {(r.group, r.lever): r for r in lever_rows(scenario, result)}
    invested = result.investment.isel(draw=0).sel(year=slice(2025, None))
    registered = rows["Investment", "fdi registered, amount"].values
    assert np.allclose(registered, result.fdi_registered.isel(draw=0).sel(year=slice(2025, None)))
    domestic = np.subtract(rows["Investment", "total, amount"].values, registered)
    assert np.allclose(domestic + result.fdi_invested.isel(draw=0).sel(year=slice(2025, None)),
                       invested.sum("destination"))
    for programme in ("infrastructure", "training", "forest"):
        assert np.allclose(rows["Programme spending", programme].values,
                           invested.sel(destination=programme))
    share = rows["Investment", "public, share of GRDP"]
    assert share.set_in_file and share.values == pytest.approx((11, 12, 13, 13, 13, 12.5))
    assert not rows["Investment", "public, amount"].set_in_file
    assert rows["Revenue", "hydropower reform"].values == pytest.approx((0, 3, 7, 10, 10, 10))


def test_report_shows_the_levers_year_by_year(resolution, tmp_path):
    scenario, result = resolution
    text = write_report(result, tmp_path / "r.html", scenario=scenario).read_text("utf-8")
    assert "<h3>Levers</h3>" in text
    public = _row(text, "Investment: public, share of GRDP")
    assert [re.sub("<.*?>", "", c) for c in re.findall(r'<td class="num">(.*?)</td>', public)] \
        == ["11", "12", "13", "13", "13", "12.5"]
    spending = _row(text, "Programme spending: infrastructure")
    assert format_figure(float(result.investment.sel(destination="infrastructure", year=2030)
                               .squeeze())) in spending
    assert "66 (every year)" in _row(text, "Split: public to infrastructure")


def test_comparison_report_highlights_the_levers_that_differ(tmp_path):
    compared = [nmmsim.load_scenario(SHIPPED["baseline"]),
                nmmsim.load_scenario(SHIPPED["resolution_96"])]
    result = nmmsim.compare(compared, draws=256, seed=2)
    text = write_comparison_report(result, tmp_path / "c.html", scenarios=compared
                                   ).read_text("utf-8")
    section = re.search(r"<h2>Levers side by side</h2>(.*?)<h2>", text, re.S).group(1)
    split = _row(section, "Split: public to infrastructure")
    assert split.startswith('<tr class="differs">') and "<td><b>66</b></td>" in split
    assert "<td>58</td>" in split
    private = _row(section, "Investment: private, share of GRDP")
    assert private.startswith("<tr><td>")
