"""The province table, the region table on another boundary and the provincial fan grid."""

from __future__ import annotations

import math

import numpy as np
import pytest

import nmmsim
from nmmsim.analysis import quantiles
from nmmsim.plot import province_grid, pyplot
from nmmsim.provinces import PROVINCES, REGIONS
from nmmsim.report_text import (
    PROVINCE_COLUMNS,
    area_frame,
    area_table,
    province_frame,
    province_table,
)
from nmmsim.results import AREAS

SHIPPED = nmmsim.shipped_scenarios()


@pytest.fixture(scope="module")
def deterministic():
    return nmmsim.simulate(SHIPPED["baseline"])


@pytest.fixture(scope="module")
def summary():
    return nmmsim.simulate(SHIPPED["baseline"], draws=2048, seed=5)


def test_deterministic_province_table_holds_the_datasets_numbers(deterministic):
    frame = province_frame(deterministic)
    assert list(frame.columns) == list(PROVINCE_COLUMNS)
    assert list(frame.area) == list(AREAS) and set(frame.year) == {2030}
    at = frame.set_index("area")
    point = deterministic.sel(draw=0, year=2030)
    # the region_2022 row is the plain variables, on which the targets are defined
    for name in ("grdp_nominal", "grdp_growth", "grdp_per_capita"):
        assert at.loc["region_2022", name] == float(point[name])
        for area in AREAS:
            assert at.loc[area, name] == float(point[f"{name}_by_area"].sel(area=area))
        assert at[f"{name}_p05"].isna().all()  # no band for one path
    nominal = deterministic.grdp_nominal_by_area.sel(draw=0)
    increase = nominal.sel(year=2030) - nominal.sel(year=2024)
    for province in REGIONS["region_2022"]:
        assert at.loc[province, "share_of_increase"] == pytest.approx(
            float(increase.sel(area=province) / increase.sel(area="region_2022")), rel=1e-12)
    assert at.share_of_increase[list(REGIONS["region_2022"])].sum() == pytest.approx(1.0)
    assert at.loc["region_2022", "share_of_increase"] == 1.0
    assert math.isnan(at.loc["Vinh Phuc", "share_of_increase"])
    assert math.isnan(at.loc["region_2025", "share_of_increase"])


def test_monte_carlo_province_table_holds_the_summarys_quantiles(summary):
    frame = province_frame(summary)
    at = frame.set_index("area")
    for name in ("grdp_nominal", "grdp_growth", "grdp_per_capita"):
        da = summary[f"{name}_by_area"].sel(year=2030)
        for suffix, level in (("", 0.5), ("_p05", 0.05), ("_p95", 0.95)):
            assert np.array_equal(at[f"{name}{suffix}"].to_numpy(),
                                  da.sel(quantile=level).to_numpy())
        assert at.loc["region_2022", name] == float(summary[name].sel(year=2030, quantile=0.5))
    assert "from the medians" in frame.attrs["note"]
    # ratios of medians: close to, but not exactly, 100% in total
    assert at.share_of_increase[list(REGIONS["region_2022"])].sum() == pytest.approx(1.0, abs=0.02)


def test_province_table_is_narrow_and_names_every_area(summary, deterministic):
    for result in (summary, deterministic):
        text = province_table(province_frame(result))
        assert max(len(line) for line in text.splitlines()) < 110
        for area in AREAS:
            assert f"\n{area} " in text
    assert "from the medians" in province_table(province_frame(summary))


def test_the_table_year_is_the_runs_last_before_2030():
    short = nmmsim.simulate(SHIPPED["baseline"], end_year=2027)
    frame = province_frame(short)
    assert set(frame.year) == {2027}
    assert "GRDP 2027" in province_table(frame)


def test_region_2025_table(summary, deterministic):
    text = area_table(summary, "region_2025")
    median = summary.grdp_nominal_by_area.sel(area="region_2025", year=2030, quantile=0.5)
    assert f"{float(median):,.0f} [" in text and "5% to 95%" in text
    assert text.count("\n") == 2 + summary.sizes["year"]  # title, header, rule, every year
    frame = area_frame(deterministic, "region_2025")
    names = {str(n).removesuffix("_by_area") for n in deterministic.data_vars
             if str(n).endswith("_by_area")}
    assert set(frame.variable) == names
    row = frame[(frame.variable == "poverty_rate") & (frame.year == 2030)]
    assert float(row.value.iloc[0]) == float(
        deterministic.poverty_rate_by_area.sel(area="region_2025", year=2030, draw=0))
    with pytest.raises(nmmsim.NmmsimError, match="did you mean"):
        area_frame(deterministic, "region_2052")


def test_province_grid_has_one_panel_per_area_on_the_same_years(summary, deterministic):
    figure = province_grid(summary)
    axes = [ax for ax in figure.axes if ax.get_visible()]
    assert [ax.get_title() for ax in axes] == list(AREAS)
    assert len({ax.get_xlim() for ax in axes}) == 1
    assert all(len([c for c in ax.collections if c.get_gid() == "band"]) == 3 for ax in axes)
    pyplot().close(figure)
    figure = province_grid(quantiles(deterministic), bands=(), label="deterministic path")
    axes = [ax for ax in figure.axes if ax.get_visible()]
    assert len(axes) == len(PROVINCES) + 2
    assert not [c for ax in axes for c in ax.collections if c.get_gid() == "band"]
    pyplot().close(figure)
