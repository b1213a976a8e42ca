"""Shared fixtures and hypothesis strategies for the model tests.

Property tests run the same examples on every run (the ``deterministic`` hypothesis profile), so
a test run passes or fails for the code, not for the examples it happened to draw. To hunt for
new counterexamples, run with ``HYPOTHESIS_PROFILE=explore``: fresh random examples on each run
(and 1,000 of them where a test does not set its own number). A counterexample found becomes a
fix, and where it teaches something an explicit ``@example``.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st

from nmmsim.base_year import BaseYear
from nmmsim.levers import DESTINATIONS, SOURCES, LeverSchedule, YearLevers
from nmmsim.observed import load_observed
from nmmsim.parameters import QUANTITIES, Parameters
from nmmsim.scenario import shipped_scenarios

settings.register_profile("deterministic", derandomize=True)
settings.register_profile("explore", derandomize=False, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))


@pytest.fixture(scope="session")
def base_year() -> BaseYear:
    return BaseYear.from_observed(load_observed(), 2024)


@pytest.fixture(scope="session")
def baseline_path():
    return shipped_scenarios()["baseline"]


def _finite(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


@st.composite
def parameters(draw: st.DrawFn) -> Parameters:
    """One draw with every parameter anywhere inside its bounds."""
    return Parameters.from_values({name: draw(_finite(*spec.bounds)) for name, spec in QUANTITIES.items()})


@st.composite
def year_levers(draw: st.DrawFn) -> YearLevers:
    """Any valid levers: amounts as GRDP shares or money, splits summing to 1, fractions in [0, 1]."""
    is_share = np.array([draw(st.booleans()) for _ in SOURCES])
    amount = np.array([draw(_finite(0.0, 0.3)) if s else draw(_finite(0.0, 500.0)) for s in is_share])
    weights = np.array([[draw(_finite(0.0, 1.0)) for _ in DESTINATIONS] for _ in SOURCES]) + 1e-3
    fraction = _finite(0.0, 1.0)
    return YearLevers.uniform(
        investment_amount=amount,
        amount_is_share=is_share,
        split=weights / weights.sum(axis=1, keepdims=True),
        capital_efficiency=draw(fraction),
        infrastructure_efficiency=draw(fraction),
        training_efficiency=draw(fraction),
        forest_efficiency=draw(fraction),
        short_course_share=draw(fraction),
        hydropower_revenue_uplift=draw(fraction),
        border_gate_revenue_uplift=draw(fraction),
    )


def schedule_of(levers: YearLevers, start: int = 2024, end: int = 2030) -> LeverSchedule:
    """The same levers in every projection year."""
    years = tuple(range(start + 1, end + 1))
    return LeverSchedule(years=years, by_year=tuple(levers for _ in years))
