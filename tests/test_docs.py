"""Documentation stays in step with the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from nmmsim import REGISTRY
from nmmsim.results import GROWTH_ATTRS, VARIABLES

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.mark.parametrize("name", list(REGISTRY))
def test_model_doc_lists_every_parameter_with_default_and_range(name):
    spec = REGISTRY[name]
    low, high = spec.bounds
    row = (f"| `{name}` | {spec.group} | {spec.unit} | {spec.default:g} | [{low:g}, {high:g}] "
           f"| {spec.source} |")
    assert row in (DOCS / "model.md").read_text()


def test_calibration_doc_shows_the_committed_fit():
    import math

    from nmmsim.calibrated import load_calibrated

    text = (DOCS / "calibration.md").read_text()
    table = load_calibrated().parameter_table()
    for name, row in table.iterrows():
        data_only = "inf" if math.isinf(row.se_data_only) else f"{row.se_data_only:.3g}"
        line = (f"| `{name}` | {row.default:g} | {row.fitted:.4g} | {row.se:.2g} | "
                f"{max(row.narrowed, 0.0):.0%} | {data_only} |")
        assert line in text, f"docs/calibration.md: results row out of date: {line}"


@pytest.mark.parametrize("name", [*VARIABLES, "grdp_growth"])
def test_model_doc_lists_every_output_variable_with_its_units(name):
    if name == "grdp_growth":
        units, definition, dims = GROWTH_ATTRS["units"], GROWTH_ATTRS["long_name"], "-"
    else:
        variable = VARIABLES[name]
        units, definition = variable.units, variable.long_name
        dims = ", ".join(variable.dims) or "-"
    assert f"| `{name}` | {dims} | {units} | {definition} |" in (DOCS / "model.md").read_text()
