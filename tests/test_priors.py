"""Prior quantile functions against scipy.stats, out into the far tails."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from nmmsim.priors import TruncatedNormal

# a grid over (0, 1) that also reaches 1e-15 from either end, plus both ends themselves
U = np.sort(np.concatenate([np.linspace(0.0, 1.0, 1001), np.logspace(-15, -1, 29),
                            1.0 - np.logspace(-15, -1, 29)]))
TOLERANCE = 1e-12  # of the standardized value (x - mean) / sd: docs/montecarlo.md §2


def reference(a: float, b: float, u: np.ndarray) -> np.ndarray:
    """scipy's truncnorm quantile of the standard normal on [a, b], taken on the side where it is
    exact: scipy solves for Phi(x), which rounds near 1, so the upper half comes from the mirror
    image, Q(u) = -Q_mirror(1 - u) (1 - u is exact for u >= 1/2)."""
    lower = stats.truncnorm(a, b).ppf(np.minimum(u, 0.5))
    upper = -stats.truncnorm(-b, -a).ppf(1.0 - np.maximum(u, 0.5))
    return np.where(u <= 0.5, lower, upper)


@pytest.mark.parametrize("side", [1.0, -1.0])
@pytest.mark.parametrize("distance", [0.0, 0.5, 1.0, 2.0, 5.0, 8.0, 10.0, 20.0, 30.0, 37.5, 39.0,
                                      40.0])
@pytest.mark.parametrize("width", [1e-6, 0.01, 0.5, 2.0, 10.0, 35.0])
def test_truncated_normal_ppf_matches_scipy_in_far_tails(side, distance, width):
    a, b = (distance, distance + width) if side > 0 else (-distance - width, -distance)
    found = TruncatedNormal(0.0, 1.0, a, b).ppf(U)
    np.testing.assert_allclose(found, reference(a, b, U), rtol=0, atol=TOLERANCE)
    # non-decreasing up to rounding (ndtri_exp can step back by an ulp)
    assert np.all(np.diff(found) >= -TOLERANCE) and found.min() >= a and found.max() <= b


@pytest.mark.parametrize("a", [-1e-8, -0.3, -2.0, -8.0, -40.0])
@pytest.mark.parametrize("b", [1e-8, 0.3, 2.0, 8.0, 40.0])
def test_truncated_normal_ppf_matches_scipy_around_the_mean(a, b):
    found = TruncatedNormal(0.0, 1.0, a, b).ppf(U)
    np.testing.assert_allclose(found, reference(a, b, U), rtol=0, atol=TOLERANCE)
    # non-decreasing up to rounding (ndtri_exp can step back by an ulp)
    assert np.all(np.diff(found) >= -TOLERANCE) and found.min() >= a and found.max() <= b


@pytest.mark.parametrize(("a", "b"), [(11.0, 40.0), (-40.0, -11.0), (10.5, 39.5), (-39.0, -9.0)])
def test_truncated_normal_ppf_when_the_tail_ratio_is_subnormal(a, b):
    # Phi(-40) / Phi(-11) is about 1e-322, a subnormal float with a few significant bits
    found = TruncatedNormal(0.0, 1.0, a, b).ppf(U)
    np.testing.assert_allclose(found, reference(a, b, U), rtol=0, atol=TOLERANCE)


def test_window_far_above_the_mean_is_drawn_near_its_lower_end():
    # issue 13.3: every draw of this prior used to be 1.3, the upper end
    prior = TruncatedNormal(0.8, 0.04, 1.2, 1.3)
    u = np.linspace(0.001, 0.999, 999)
    found = prior.ppf(u)
    np.testing.assert_allclose(found, prior.frozen().ppf(u), rtol=0, atol=TOLERANCE * 0.04)
    assert found.min() >= 1.2 and found.max() < 1.23 and np.median(found) < 1.205


def test_truncated_normal_ppf_in_parameter_units():
    u = np.linspace(0.0, 1.0, 501)
    for mean, sd, low, high in [(0.8, 0.04, 1.2, 1.3), (0.8, 0.04, 0.0, 0.3), (0.03, 0.005,
                                0.015, 0.05), (1.0, 1e-3, 1.02, 1.05), (1.0, 1e-3, 0.95, 0.96)]:
        prior = TruncatedNormal(mean, sd, low, high)
        np.testing.assert_allclose(prior.ppf(u), prior.frozen().ppf(u), rtol=1e-15,
                                   atol=TOLERANCE * sd, err_msg=prior.describe())


@settings(max_examples=300, deadline=None)
@given(a=st.floats(min_value=-40.0, max_value=40.0), width=st.floats(min_value=1e-6, max_value=80.0),
       mean=st.floats(min_value=-10.0, max_value=10.0), sd=st.floats(min_value=1e-3, max_value=10.0))
def test_truncated_normal_ppf_any_window(a, width, mean, sd):
    prior = TruncatedNormal(mean, sd, mean + sd * a, mean + sd * min(a + width, 40.0))
    a, b = (prior.low - mean) / sd, (prior.high - mean) / sd  # as the prior sees them
    assume(b - a > 1e-9)
    found = prior.ppf(U)
    assert np.all(np.isfinite(found)) and np.all(np.diff(found) >= -TOLERANCE * sd)
    assert found[0] >= prior.low and found[-1] <= prior.high
    np.testing.assert_allclose((found - mean) / sd, reference(a, b, U), rtol=0,
                               atol=TOLERANCE + 4e-16 * (abs(mean) / sd + 40))
