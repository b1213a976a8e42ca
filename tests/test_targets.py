"""Targets tables: the shipped one loads; each kind of bad file is one clean DataError line."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nmmsim.errors import DataError
from nmmsim.targets import COLUMNS, load_targets

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


ROW = 'forest,"Forest",forest_cover,,level,,2030,at_least,54,,,percent,user,\n'


@pytest.mark.parametrize(("content", "message"), [
    ("", r"targets\.csv: empty; a targets table needs a header"),
    (HEADER, r"targets\.csv: no targets, only a header"),
    (HEADER + 'forest,"Forest",forest_cover,,level,,2030,at_least,54\n',
     r"targets\.csv:2: 9 fields; the header has 14"),
    (HEADER + ROW.replace("\n", ",extra\n"), r"targets\.csv:2: 15 fields; the header has 14"),
    (HEADER + ROW + ROW, r"targets\.csv:3: target 'forest' repeats line 2; each target id must "
     r"be unique"),
    (HEADER.replace(",note", "") + ROW.replace("user,\n", "user\n"),
     r"targets\.csv:1: missing column\(s\) note; the columns are target,"),
    (HEADER.replace("sector", "sectr") + ROW,
     r"missing column\(s\) sector; unknown column 'sectr' \(did you mean 'sector'\?\)"),
    (HEADER + ROW.replace(",,level", ",industry,level"),
     r"targets\.csv:2: sector = 'industry'; allowed: empty \(the whole region\) or agriculture, "
     r"industry_construction, services"),
    (HEADER + ROW.replace("2030", "2030.5"), r"targets\.csv:2: year = '2030\.5' must be a whole "
     r"year 2000-2100"),
    (HEADER + ROW.replace("forest,", ",", 1), r"targets\.csv:2: 'target' \(the target's id\) is "
     r"required"),
])
def test_bad_targets_table_is_one_clean_error(tmp_path, content, message):
    path = tmp_path / "targets.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=message) as error:
        load_targets(path)
    assert "\n" not in str(error.value)


def test_targets_file_with_a_byte_order_mark_says_so(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text(HEADER + ROW, encoding="utf-8-sig")
    with pytest.raises(DataError, match=r"starts with a UTF-8 byte-order mark \(BOM\); save it as "
                       r"UTF-8 without BOM"):
        load_targets(path)


def test_targets_file_not_utf8(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_bytes((HEADER + ROW.replace("Forest", "Forêt")).encode("latin-1"))
    with pytest.raises(DataError, match=r"targets\.csv: not UTF-8 text \(byte 0x[0-9a-f]{2} on "
                       r"line 2\); save it as UTF-8"):
        load_targets(path)


def test_targets_device_and_directory_are_refused(tmp_path):
    with pytest.raises(DataError, match=r"/dev/zero: not a regular file"):
        load_targets("/dev/zero")
    with pytest.raises(DataError, match=r"not a regular file \(a directory, device or pipe\)"):
        load_targets(tmp_path)
    with pytest.raises(DataError, match=r"missing\.csv: no such targets file"):
        load_targets(tmp_path / "missing.csv")


def test_user_table_with_one_good_row_loads(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text(HEADER + ROW + "\n", encoding="utf-8")
    (target,) = load_targets(path)
    assert target.target == "forest" and target.year == 2030 and target.lower == 54


CELLS = st.one_of(st.text(st.characters(exclude_categories=("Cs",)), max_size=8),
                  st.sampled_from(["", "2030", "2021", "at_least", "within", "approximately",
                                   "at_most", "level", "average_growth", "not_modelled", "12",
                                   "1e999", "nan", "services", "x,y", '"']))


@settings(max_examples=300, deadline=None)
@given(header=st.lists(st.sampled_from([*COLUMNS, "extra", ""]), max_size=16),
       rows=st.lists(st.one_of(st.lists(CELLS, min_size=14, max_size=14),
                               st.lists(CELLS, max_size=16)), max_size=4),
       full_header=st.booleans())
def test_generated_targets_table_loads_or_raises_data_error(header, rows, full_header):
    header = list(COLUMNS) if full_header else header
    text = "\n".join(",".join(line) for line in [header, *rows])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "targets.csv"
        path.write_text(text, encoding="utf-8")
        with contextlib.suppress(DataError):  # any other exception fails the test
            load_targets(path)
