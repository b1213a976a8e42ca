"""Terminal tables and the rows behind the target CSV."""

from __future__ import annotations

import math

import pytest

import nmmsim
from nmmsim.report_text import target_rows

SHIPPED = nmmsim.shipped_scenarios()


def test_trajectories_show_the_median_of_averaged_targets_like_a_summary():
    kept = nmmsim.simulate(SHIPPED["baseline"], draws=2048, seed=1, keep="trajectories")
    summary = nmmsim.simulate(SHIPPED["baseline"], draws=2048, seed=1)
    from_draws = {row.target: row for row in target_rows(kept)}
    from_summary = {row.target: row for row in target_rows(summary)}
    for target in ("grdp_growth", "poverty_reduction", "forest_cover"):
        assert not math.isnan(from_draws[target].model_value), target
        # the summary's quantiles come from a sketch within 0.4% of the sample quantile
        assert from_draws[target].model_value == pytest.approx(
            from_summary[target].model_value, rel=0.01)
        assert from_draws[target].probability == from_summary[target].probability
