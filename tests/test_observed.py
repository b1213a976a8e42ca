"""Observed data files: each bad figure is one clear error (issue 13.12)."""

from __future__ import annotations

import pytest

import nmmsim
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
