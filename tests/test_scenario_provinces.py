"""Province tables in scenario files: overrides for one province, FDI projects, allocation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nmmsim
from nmmsim.errors import ScenarioError
from nmmsim.levers import SOURCES
from nmmsim.provinces import FDI_HUBS, PROVINCES, REGIONS
from tests.conftest import parameters

BAC_GIANG = PROVINCES.index("Bac Giang")


def _scenario(tmp_path, body: str, name: str = "child"):
    path = tmp_path / f"{name}.toml"
    path.write_text(f'name = "{name}"\nextends = "baseline"\n{body}', encoding="utf-8")
    return nmmsim.load_scenario(path)


def test_a_province_table_overrides_that_province_only(tmp_path):
    scenario = _scenario(tmp_path, '[provinces."Bac Giang".efficiency]\ncapital = 0.95\n'
                                   '[provinces."Son La".investment.public]\nshare_of_grdp = 0.2\n')
    levers = scenario.schedule(range(2025, 2031)).at(2026)
    expected = np.full(len(PROVINCES), 0.85)
    expected[BAC_GIANG] = 0.95
    np.testing.assert_array_equal(levers.capital_efficiency, expected)
    public = SOURCES.index("public")
    son_la = PROVINCES.index("Son La")
    assert levers.investment_amount[public, son_la] == 0.2
    assert levers.investment_amount[public, BAC_GIANG] == 0.104  # the baseline's regional share
    # the split of a source a province does not override is the regional one
    np.testing.assert_array_equal(levers.split[public, :, son_la], levers.split[public, :, 0])


def test_a_misspelt_province_gets_did_you_mean(tmp_path):
    with pytest.raises(ScenarioError, match=r"unknown key 'provinces\.Bac Gaing' \(did you mean "
                                            r"'Bac Giang'\?\); allowed here: Ha Giang, Cao Bang"):
        _scenario(tmp_path, '[provinces."Bac Gaing".efficiency]\ncapital = 0.9\n')


def test_fdi_in_a_province_is_named_as_projects_not_an_amount(tmp_path):
    with pytest.raises(ScenarioError, match=r"unknown key 'provinces\.Thai Nguyen\.investment\.fdi'"):
        _scenario(tmp_path, '[provinces."Thai Nguyen".investment.fdi]\nshare_of_grdp = 0.1\n')
    with pytest.raises(ScenarioError, match="'after' does not apply"):
        _scenario(tmp_path, '[provinces."Thai Nguyen"]\n'
                            'fdi_projects = { 2026 = 10.0, after = "hold" }\n')


def test_projects_are_zero_in_years_not_listed(tmp_path):
    scenario = _scenario(tmp_path, '[provinces."Bac Giang"]\nfdi_projects = { 2026 = 40.0 }\n')
    schedule = scenario.schedule(range(2025, 2031))
    assert schedule.at(2026).fdi_projects[BAC_GIANG] == 40.0
    assert schedule.at(2027).fdi_projects[BAC_GIANG] == 0.0
    assert schedule.at(2026).fdi_projects.sum() == 40.0


def test_fdi_projects_reach_the_others_only_through_the_links(tmp_path):
    """A province's levers move another province only through the documented links
    (docs/model.md §2): migration toward higher income, and the region's FDI, a share of the
    region's GRDP that the provinces compete for. With both off, the others do not move."""
    from nmmsim.calibrated import calibrated_parameters

    projects = '[provinces."Bac Giang"]\nfdi_projects = { 2025 = 30.0, 2026 = 30.0 }\n'
    no_fdi = "[investment.fdi]\nshare_of_grdp = 0.0\n"
    rest = [p for p in PROVINCES if p != "Bac Giang"]
    links = ("migration_response", "fdi_infrastructure_elasticity", "fdi_skill_effect")
    for linked in (False, True):
        params = calibrated_parameters().with_values(
            {} if linked else {name: 0.0 for name in links})
        body = "" if linked else no_fdi
        without = nmmsim.simulate(_scenario(tmp_path, body, "without"), parameters=params)
        with_projects = nmmsim.simulate(_scenario(tmp_path, body + projects, "with"),
                                        parameters=params)
        grdp = with_projects.grdp_by_area.sel(draw=0)
        other = without.grdp_by_area.sel(draw=0)
        assert grdp.sel(area="Bac Giang", year=2030).item() > other.sel(area="Bac Giang",
                                                                         year=2030).item()
        if not linked:
            np.testing.assert_array_equal(grdp.sel(area=rest), other.sel(area=rest))
        else:  # Bac Giang draws people from the others, which lose population
            lost = (with_projects.population_by_area - without.population_by_area).sel(
                draw=0, year=2030, area=rest)
            assert bool((lost < 0).all())


def test_migration_moves_people_without_changing_their_total():
    from nmmsim.calibrated import calibrated_parameters

    params = calibrated_parameters().with_values({"migration_response": 0.02})
    result = nmmsim.simulate(nmmsim.shipped_scenarios()["baseline"], parameters=params)
    total = result.population_by_area.sel(draw=0, area=list(PROVINCES)).sum("area")
    growth = (total / total.shift(year=1)).sel(year=slice(2025, None)) - 1.0
    np.testing.assert_allclose(growth, params.population_growth[0], rtol=1e-12)


def test_a_regional_amount_in_vnd_adds_up_to_itself_over_region_2022(tmp_path):
    scenario = _scenario(tmp_path, "[investment.public]\nvnd_trillion = 120.0\n")
    result = nmmsim.simulate(scenario)
    # 2025: other sources still depend only on the base year
    public_total = result.investment_by_area.sel(year=2025).sum("destination")
    private_and_fdi = nmmsim.simulate(_scenario(
        tmp_path, "[investment.public]\nvnd_trillion = 0.0\n", name="none")
    ).investment_by_area.sel(year=2025).sum("destination")
    public = public_total - private_and_fdi
    np.testing.assert_allclose(public.sel(area=list(REGIONS["region_2022"])).sum("area"), 120.0,
                               rtol=1e-12)


@settings(max_examples=25, deadline=None)
@given(params=parameters(), hub=st.sampled_from(FDI_HUBS), extra=st.floats(1.0, 200.0))
def test_more_fdi_projects_in_a_hub_never_lower_its_grdp(tmp_path_factory, params, hub, extra):
    from nmmsim.scenario import load_scenario

    directory = tmp_path_factory.mktemp("hub")
    low = nmmsim.simulate(nmmsim.shipped_scenarios()["baseline"], parameters=params)
    path = directory / "more.toml"
    path.write_text(f'name = "more"\nextends = "baseline"\n[provinces."{hub}"]\n'
                    f"fdi_projects = {extra}\n", encoding="utf-8")
    high = nmmsim.simulate(load_scenario(path), parameters=params)
    assert bool((high.grdp_by_area.sel(area=hub) >= low.grdp_by_area.sel(area=hub)
                 * (1 - 1e-12)).all())

