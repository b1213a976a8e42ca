"""The parameter registry: declarations are checked, values are checked against bounds."""

from __future__ import annotations

import numpy as np
import pytest

from nmmsim import REGISTRY, ParameterError, Parameters, ParameterSpec
from nmmsim.priors import Triangular, Uniform


def test_every_parameter_has_unit_source_and_prior_inside_bounds():
    for name, spec in REGISTRY.items():
        assert spec.unit and spec.description, name
        assert spec.source == "assumption" or spec.source.isupper() or spec.source[0].isupper(), name
        frozen = spec.prior.frozen()
        low, high = spec.bounds
        assert low <= frozen.ppf(0.0) and frozen.ppf(1.0) <= high, name
        assert low <= frozen.median() <= high, name


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"default": 2.0}, "outside"),
        ({"bounds": (1.0, 0.0)}, "low < high"),
        ({"bounds": (0.0, float("inf"))}, "finite"),
        ({"prior": Uniform(-1.0, 1.0)}, "prior support"),
        ({"name": "not a name"}, "identifier"),
        ({"source": ""}, "source"),
    ],
)
def test_bad_declarations_are_refused(kwargs, message):
    spec = {"name": "x", "unit": "1", "default": 0.5, "bounds": (0.0, 1.0),
            "prior": Triangular(0.0, 0.5, 1.0), "group": "tfp", "description": "d",
            "source": "assumption", **kwargs}
    with pytest.raises(ParameterError, match=message):
        ParameterSpec(**spec)


def test_defaults_and_values():
    params = Parameters.defaults(4)
    assert params.n_draws == 4
    np.testing.assert_array_equal(params.depreciation_rate, 0.05)
    changed = params.with_values({"depreciation_rate": 0.06})
    np.testing.assert_array_equal(changed.depreciation_rate, 0.06)
    np.testing.assert_array_equal(params.depreciation_rate, 0.05)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"depreciaton_rate": 0.05}, "did you mean 'depreciation_rate'"),
        ({"depreciation_rate": 0.5}, r"outside its bounds \[0.03, 0.08\]"),
        ({"depreciation_rate": float("nan")}, "finite"),
    ],
)
def test_bad_values_are_refused(values, message):
    with pytest.raises(ParameterError, match=message):
        Parameters.from_values(values)
    with pytest.raises(ParameterError, match=message):
        Parameters.defaults().with_values(values)
