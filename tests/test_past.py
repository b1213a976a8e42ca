"""A projection starts from each draw's own run of the history years (nmmsim/past.py,
docs/model.md §3): the unobserved stocks carry over, the observed figures hold."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

import nmmsim
from nmmsim.engine import project
from nmmsim.model.regions import aggregate
from nmmsim.model.state import real_grdp, sum_sectors
from nmmsim.observed import load_observed
from nmmsim.parameters import Parameters
from nmmsim.past import HISTORY_START, Past, observed_disasters
from tests.conftest import parameters

RTOL = 1e-12


@pytest.fixture(scope="module")
def past() -> Past:
    found = Past.before(2024, load_observed())
    assert found is not None
    return found


def test_the_years_before_a_base_year(past):
    assert past.base.year == HISTORY_START
    assert past.schedule.years == (2021, 2022, 2023, 2024)
    disasters = observed_disasters(past.schedule.years, 2)
    assert disasters.tolist() == [[0.0, 0.0, 0.0, 1.0]] * 2  # Typhoon Yagi, 2024 (MPI2024)
    shorter = Past.before(2022, load_observed())
    assert shorter is not None and shorter.schedule.years == (2021, 2022)
    assert Past.before(HISTORY_START, load_observed()) is None


def _last_year_of_history(past: Past, params: Parameters):
    states, constants = project(past.base, params, past.schedule,
                                observed_disasters(past.schedule.years, params.n_draws))
    return states[-1], constants


@settings(max_examples=25, deadline=None)
@given(params=parameters())
def test_unobserved_stocks_carry_over_and_observed_figures_hold(base_year, baseline_path, past,
                                                                params):
    schedule = nmmsim.load_scenario(baseline_path).schedule(range(2025, 2027))
    states, constants = project(base_year, params, schedule, np.zeros((1, 2)), past=past)
    start, history = states[0], _last_year_of_history(past, params)
    end, end_constants = history
    # carried: ratios to observed figures, by sector and province, as the history left them
    np.testing.assert_allclose(start.capital / start.value_added, end.capital / end.value_added,
                               rtol=RTOL)
    np.testing.assert_allclose(start.employment / sum_sectors(start.employment),
                               end.employment / sum_sectors(end.employment), rtol=RTOL)
    grdp = real_grdp(start.value_added, constants.product_tax_ratio)
    end_grdp = real_grdp(end.value_added, end_constants.product_tax_ratio)
    for name in ("infrastructure", "infrastructure_pipeline", "fdi_pipeline"):
        np.testing.assert_allclose(getattr(start, name) / grdp, getattr(end, name) / end_grdp,
                                   rtol=RTOL, err_msg=name)
    # observed: every province's GRDP and employment, the region's 2024 identities
    np.testing.assert_allclose(grdp[:, 0], base_year.grdp, rtol=RTOL)
    np.testing.assert_allclose(sum_sectors(start.employment)[:, 0], base_year.employment, rtol=RTOL)
    region, accounts = aggregate(start, constants, "region_2022")
    np.testing.assert_allclose(real_grdp(region.value_added, accounts.product_tax_ratio), 991.5,
                               rtol=RTOL)
    np.testing.assert_allclose(region.budget_revenue, 89.243, rtol=RTOL)
    # the broad trained share keeps the history's untrained share per uncertified one
    np.testing.assert_allclose((1.0 - start.trained_share) / (1.0 - start.certified_share),
                               (1.0 - end.trained_share) / (1.0 - end.certified_share), rtol=RTOL)
    assert np.all((start.certified_share <= start.trained_share) & (start.trained_share <= 1.0))
    # TFP is solved so that output is observed value added (less Yagi's farm loss)
    alpha = constants.capital_elasticity
    output = start.tfp * start.capital**alpha * start.employment ** (1 - alpha)
    output[0] *= 1 - params.disaster_agriculture_loss
    np.testing.assert_allclose(output, start.value_added, rtol=1e-10)


def test_a_draw_starts_from_its_own_history_whatever_the_batch(base_year, baseline_path, past):
    """Three draws together start from what each alone would: nothing is shared across draws."""
    params = Parameters.defaults(3).with_values({
        "capital_output_ratio_industry": np.array([2.2, 3.0, 4.2]),
        "employment_share_agriculture_base": np.array([0.47, 0.55, 0.63])})
    schedule = nmmsim.load_scenario(baseline_path).schedule(range(2025, 2026))
    together, _ = project(base_year, params, schedule, np.zeros((3, 1)), past=past)
    for draw in range(3):
        alone, _ = project(base_year, params.take(slice(draw, draw + 1)), schedule,
                           np.zeros((1, 1)), past=past)
        np.testing.assert_array_equal(together[1].value_added[..., draw],
                                      alone[1].value_added[..., 0])
    # and different draws start from different stocks
    ratio = together[0].capital[1] / together[0].value_added[1]
    assert np.all(np.diff(ratio, axis=-1) > 0)


def test_projections_start_from_the_history(base_year, baseline_path, past):
    """`simulate` runs the history first: its path is that of `project` with the past, and not
    the path from parameter-set stocks."""
    params = Parameters.defaults(1)
    result = nmmsim.simulate(baseline_path, parameters=params, disasters=np.zeros((1, 6)))
    schedule = nmmsim.load_scenario(baseline_path).schedule(range(2025, 2031))
    with_past, constants = project(base_year, params, schedule, np.zeros((1, 6)), past=past)
    without, _ = project(base_year, params, schedule, np.zeros((1, 6)))
    grdp = result.grdp_by_area.sel(area="region_2022", year=2030).item()

    def region_grdp(states):
        region, accounts = aggregate(states[-1], constants, "region_2022")
        return real_grdp(region.value_added, accounts.product_tax_ratio).item()

    np.testing.assert_allclose(grdp, region_grdp(with_past), rtol=RTOL)
    assert abs(grdp / region_grdp(without) - 1.0) > 1e-3


@pytest.mark.filterwarnings("default::UserWarning")  # the edited data: the CLI shows one line
def test_data_without_the_history_s_start_is_refused_in_one_line(tmp_path, baseline_path,
                                                                  capsys):
    """A projection needs the 2020 figures its history starts from: a data directory without
    them gets one line naming the file, the figure, the year and why, exit 2, nothing written."""
    import shutil

    from nmmsim.cli import main
    from nmmsim.errors import DataError
    from nmmsim.resources import shipped_dir

    data = tmp_path / "data"
    shutil.copytree(shipped_dir("calibration"), data)
    observed = data / "observed_region.csv"
    lines = observed.read_text().splitlines(keepends=True)
    observed.write_text("".join(line for line in lines if not line.startswith("grdp_nominal,2020,")))
    with pytest.raises(DataError, match=r"observed_region.csv: 'grdp_nominal' has no figure for "
                                        r"2020 .*first runs the history from 2020"):
        Past.before(2024, load_observed(observed))
    out = tmp_path / "out"
    assert main(["run", str(baseline_path), "--data", str(data), "--out", str(out)]) == 2
    errors = [line for line in capsys.readouterr().err.splitlines()
              if line.startswith("nmmsim: error:")]
    assert len(errors) == 1 and "first runs the history from 2020" in errors[0]
    assert not out.exists() or not any(out.iterdir())
