"""Documentation stays in step with the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from nmmsim import REGISTRY

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.mark.parametrize("name", list(REGISTRY))
def test_model_doc_lists_every_parameter_with_default_and_range(name):
    spec = REGISTRY[name]
    low, high = spec.bounds
    row = (f"| `{name}` | {spec.group} | {spec.unit} | {spec.default:g} | [{low:g}, {high:g}] "
           f"| {spec.source} |")
    assert row in (DOCS / "model.md").read_text()
