"""Observed data files: each bad figure is one clear error (issue 13.12)."""

from __future__ import annotations

import re

import pytest

import nmmsim
import nmmsim.cli
from nmmsim.errors import DataError, NmmsimError
from nmmsim.observed import load_observed


def _copy_with(tmp_path, edit):
    text = load_observed().path.read_text(encoding="utf-8")
    path = tmp_path / "observed_region.csv"
    path.write_text(edit(text), encoding="utf-8")
    return path


def test_a_second_figure_for_the_same_year_is_refused(tmp_path):
    row = "population,2024,2024,13338.9,thousand,sourced,G1,\n"
    path = _copy_with(tmp_path, lambda text: text + row)
    with pytest.raises(DataError, match=r"a second 'population' figure for 2024-2024 \(the first "
                                        r"is on line \d+\); keep one"):
        load_observed(path)


def test_an_absurdly_large_figure_is_refused(tmp_path):
    path = _copy_with(tmp_path, lambda text: text.replace(
        "population,2024,2024,13338.9", "population,2024,2024,1e308"))
    with pytest.raises(DataError, match=r"value '1e308' is beyond 1e\+09"):
        load_observed(path)


def test_a_run_must_start_in_the_base_year():
    with pytest.raises(NmmsimError, match="start_year = 2023: runs start from the base year 2024"):
        nmmsim.simulate(nmmsim.shipped_scenarios()["baseline"], start_year=2023)


@pytest.mark.parametrize(("figure", "written"), [("13338900", "1.33389e+07"), ("13.3389", "13.3389")])
def test_a_population_implausible_for_the_region_is_refused_naming_file_year_value_and_range(
        tmp_path, figure, written):
    """People, or millions, where the file counts thousands: within 1e9, but not the region."""
    path = _copy_with(tmp_path, lambda text: text.replace(
        "population,2024,2024,13338.9", f"population,2024,2024,{figure}"))
    with pytest.raises(DataError, match=rf"{path}:\d+ \(population\): {re.escape(written)} thousand in 2024 "
                                        r"is outside \[5,000, 30,000\] thousand, the range "
                                        r"plausible for the region"):
        load_observed(path)


def test_calibrate_refuses_an_implausible_population_in_one_line(tmp_path, capsys):
    path = _copy_with(tmp_path, lambda text: text.replace(
        "population,2024,2024,13338.9", "population,2024,2024,13338900"))
    assert nmmsim.cli.main(["calibrate", "--observed", str(path), "--out",
                            str(tmp_path / "fit.toml")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "population): 1.33389e+07 thousand in 2024" in error
