"""Targets tables: the shipped one loads; each kind of bad file is one clean DataError line."""

from __future__ import annotations

import pytest

from nmmsim.errors import DataError
from nmmsim.targets import load_targets

HEADER = ("target,description,variable,sector,measure,from_year,year,kind,lower,upper,tolerance,"
          "unit,source,note\n")


def test_shipped_targets_load():
    targets = load_targets()
    assert len(targets) == 14 and targets[0].target == "grdp_growth"


def write(tmp_path, body: str, header: str = HEADER):
    path = tmp_path / "targets.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def test_within_with_lower_above_upper_is_refused(tmp_path):
    # issue 13.12: used to be accepted, so no draw could ever attain the target
    path = write(tmp_path, 'share,"Share",sector_share,services,level,,2030,within,38,37,,%,u,\n')
    with pytest.raises(DataError, match=r"targets\.csv:2: lower = 38 is above upper = 37; a "
                       r"within target needs lower <= upper"):
        load_targets(path)
