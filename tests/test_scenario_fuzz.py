"""Fuzzing scenario files: whatever the file holds, load_scenario (and the schedule it gives)
either succeeds or raises NmmsimError, never another exception."""

from __future__ import annotations

import json
import math
import tempfile
import warnings
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nmmsim.errors import NmmsimError
from nmmsim.scenario import _SCHEMA, load_scenario

# keys the schema knows, a few near misses and years in and out of range
WORDS = ("name", "description", "grounding", "extends", "investment", "public", "fdi", "private",
         "share_of_grdp", "vnd_trillion", "split", "agriculture", "industry_construction",
         "services", "infrastructure", "training", "forest", "efficiency", "capital",
         "short_course_share", "revenue", "hydropower_uplift", "border_gate_uplift", "parameters",
         "priors", "tax_buoyancy", "tfp_growth_industry", "deflator_growth", "low", "high",
         "mode", "mean", "sd", "after", "growth", "hold", "2025", "2026", "2030", "2031", "1999",
         "2101", "capitol", "")
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
KEYS = st.one_of(st.sampled_from(WORDS), TEXT)
SCALARS = st.one_of(
    st.integers(min_value=-(10**400), max_value=10**400),
    st.integers(min_value=-3, max_value=2100),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-0.5, max_value=1.5),
    st.booleans(),
    TEXT,
    st.sampled_from(WORDS),
    st.sampled_from(["baseline", "../baseline", "/", "", ".", "no_such", "hold", "../escaped"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(KEYS, inner, max_size=5)),
    max_leaves=25,
)


YEARS = st.sampled_from([str(y) for y in range(2023, 2033)] + ["1999", "2101", "20x5", ""])
NUMBERS = st.one_of(st.floats(min_value=-0.1, max_value=1.1), st.floats(min_value=0.0, max_value=0.2),
                    SCALARS)
AFTER = st.one_of(st.sampled_from(["hold", "Hold", ""]),
                  st.fixed_dictionaries({"growth": NUMBERS}),
                  st.dictionaries(KEYS, SCALARS, max_size=2))
YEAR_TABLES = st.builds(lambda years, after: {**years, **after},
                        st.dictionaries(YEARS, NUMBERS, max_size=6),
                        st.one_of(st.just({}), AFTER.map(lambda a: {"after": a})))
PRIORS = st.dictionaries(st.sampled_from(["low", "high", "mode", "mean", "sd", "x"]), NUMBERS,
                         max_size=4)


def from_schema(schema: Any) -> st.SearchStrategy[Any]:
    """Trees shaped like the scenario schema, with values from valid to absurd."""
    if schema is str:
        return st.one_of(TEXT, st.sampled_from(["baseline", "", ".", "/", "../escaped", "no_such",
                                                "a" * 101]))
    if isinstance(schema, dict):
        tables = st.fixed_dictionaries({}, optional={k: from_schema(v) for k, v in schema.items()})
        return st.one_of(tables, tables.flatmap(
            lambda tree: st.dictionaries(KEYS, SCALARS, max_size=1).map(lambda x: {**tree, **x})),
            SCALARS)
    kind = type(schema).__name__
    if kind == "_PriorLeaf":
        return st.one_of(PRIORS, SCALARS)
    if kind == "_Path":
        return st.one_of(NUMBERS, YEAR_TABLES)
    return NUMBERS


def toml_value(value: Any) -> str:
    """``value`` as a TOML inline value (tables inline, strings as JSON-escaped basic strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") \
            if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{ " + ", ".join(f"{json.dumps(k, ensure_ascii=False)} = {toml_value(v)}"
                            for k, v in value.items()) + " }"


def check(text: str | bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.toml"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        try:
            scenario = load_scenario(path)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                scenario.schedule(range(2025, 2046))
        except NmmsimError:
            pass


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(tree=st.dictionaries(KEYS, VALUES, max_size=8), extends=st.booleans())
def test_generated_scenario_loads_or_raises_nmmsim_error(tree, extends):
    head = 'extends = "baseline"\ndescription = "fuzz"\n' if extends else ""
    tree = {k: v for k, v in tree.items() if not (extends and k in ("extends", "description"))}
    check(head + "".join(f"{json.dumps(k, ensure_ascii=False)} = {toml_value(v)}\n"
                         for k, v in tree.items()))


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.data_too_large])
@given(tree=from_schema(_SCHEMA).filter(lambda tree: isinstance(tree, dict)),
       extends=st.booleans())
def test_schema_shaped_scenario_loads_or_raises_nmmsim_error(tree, extends):
    if extends:
        tree = {**tree, "extends": "baseline", "description": "fuzz"}
    check("".join(f"{json.dumps(k, ensure_ascii=False)} = {toml_value(v)}\n"
                  for k, v in tree.items()))


@settings(max_examples=150, deadline=None)
@given(body=st.dictionaries(st.sampled_from(WORDS[8:36]), VALUES, max_size=4),
       table=st.sampled_from(["efficiency", "revenue", "training", "investment.public",
                              "investment.fdi.split", "parameters", "priors"]))
def test_generated_lever_table_loads_or_raises_nmmsim_error(body, table):
    check('extends = "baseline"\ndescription = "fuzz"\n' + f"[{table}]\n" + "".join(
        f"{json.dumps(k)} = {toml_value(v)}\n" for k, v in body.items()))


@settings(max_examples=100, deadline=None)
@given(data=st.one_of(st.binary(max_size=200), TEXT.map(str)))
def test_arbitrary_bytes_load_or_raise_nmmsim_error(data):
    check(data)
