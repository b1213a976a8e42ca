"""Targets measured on a province or on the 2025 region (the table's ``area`` column)."""

from __future__ import annotations

import numpy as np
import pytest

import nmmsim
from nmmsim.analysis import attainment, target_median
from nmmsim.errors import DataError
from nmmsim.targets import load_targets

HEADER = ("target,description,variable,sector,measure,from_year,year,kind,lower,upper,tolerance,"
          "unit,source,note,area\n")
ROWS = ('bac_giang_grdp,"Bac Giang GRDP 2030",grdp_nominal,,level,,2030,at_least,330,,,'
        "VND trillion,user,,Bac Giang\n"
        'region_2025_industry,"Industry share 2030, 2025 region",sector_share,industry_construction,'
        "level,,2030,at_least,47,,,percent,user,,region_2025\n"
        'region_growth,"Average growth 2021-2030",grdp_growth,,average_growth,2021,2030,at_least,'
        "8,,,percent per year,user,,\n")


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    return path


def test_the_shipped_table_is_measured_on_region_2022():
    assert {t.area for t in load_targets()} == {"region_2022"}


def test_area_defaults_to_region_2022_and_is_checked(table, tmp_path):
    targets = {t.target: t for t in load_targets(table)}
    assert targets["bac_giang_grdp"].area == "Bac Giang"
    assert targets["region_growth"].area == "region_2022"
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + ROWS.replace(",Bac Giang\n", ",Bac Gaing\n"), encoding="utf-8")
    with pytest.raises(DataError, match=r"bad.csv:2: area = 'Bac Gaing' \(did you mean 'Bac Giang'"):
        load_targets(bad)
    average = tmp_path / "average.csv"
    average.write_text(HEADER + ROWS.replace("8,,,percent per year,user,,\n",
                                             "8,,,percent per year,user,,Son La\n"),
                       encoding="utf-8")
    with pytest.raises(DataError, match="only the 14-province region"):
        load_targets(average)


def test_monte_carlo_counts_targets_on_their_area_exactly(table):
    baseline = nmmsim.shipped_scenarios()["baseline"]
    summary = nmmsim.simulate(baseline, draws=2048, seed=5, targets=table)
    full = nmmsim.simulate(baseline, draws=2048, seed=5, keep="trajectories", targets=table)
    bac_giang = full.grdp_nominal_by_area.sel(area="Bac Giang", year=2030)
    industry = full.sector_share_by_area.sel(area="region_2025", year=2030,
                                             sector="industry_construction")
    counts = summary.attained.sel(year=2030)
    assert int(counts.sel(target="bac_giang_grdp")) == int((bac_giang >= 330).sum())
    assert int(counts.sel(target="region_2025_industry")) == int((industry >= 47).sum())
    # the table's median is the area's, not region_2022's
    target = {t.target: t for t in load_targets(table)}["bac_giang_grdp"]
    exact = np.quantile(bac_giang.values, 0.5, method="inverted_cdf")
    assert target_median(summary, target) == pytest.approx(exact, rel=0.004)


def test_deterministic_attainment_reads_the_area(table):
    result = nmmsim.simulate(nmmsim.shipped_scenarios()["baseline"])
    attained = attainment(result, targets=table).sel(year=2030)
    value = float(attained.value.sel(target="bac_giang_grdp").squeeze())
    expected = float(result.grdp_nominal_by_area.sel(area="Bac Giang", year=2030).squeeze())
    assert value == pytest.approx(expected, rel=1e-12)
