"""Scenario files: every shipped one loads and runs; each class of bad input gets a clear error."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import nmmsim
from nmmsim import ScenarioError, load_scenario, shipped_scenarios

SHIPPED = ("baseline", "infrastructure_push", "human_capital", "deep_processing", "green_forest",
           "resolution_96")


def test_all_six_scenarios_are_shipped():
    assert set(shipped_scenarios()) == set(SHIPPED)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenario_loads_and_runs(name):
    scenario = load_scenario(shipped_scenarios()[name])
    assert scenario.description and scenario.grounding
    result = nmmsim.simulate(scenario)
    assert result.attrs["scenario"] == name
    assert list(result.year.values) == list(range(2024, 2031))
    assert np.isfinite(result.grdp).all()


def test_children_differ_from_baseline_only_where_they_say():
    baseline = load_scenario(shipped_scenarios()["baseline"])
    push = load_scenario(shipped_scenarios()["infrastructure_push"])
    assert push.levers["investment"]["fdi"] == baseline.levers["investment"]["fdi"]
    assert push.levers["efficiency"]["training"] == baseline.levers["efficiency"]["training"]
    assert push.levers["efficiency"]["infrastructure"] == 0.85
    assert push.levers["investment"]["public"]["share_of_grdp"][2027] == 0.13
    assert push.file_hash != baseline.file_hash


def test_baseline_runs_to_2050():
    result = nmmsim.simulate(shipped_scenarios()["baseline"], end_year=2050)
    assert int(result.year[-1]) == 2050
    assert np.isfinite(result.to_array().sel(year=2050)).all()


@pytest.fixture
def write(tmp_path: Path):
    """Write a scenario extending the shipped baseline, return its path."""
    baseline = shipped_scenarios()["baseline"]

    def _write(body: str, name: str = "bad.toml", extends: str | None = str(baseline)) -> Path:
        head = f'extends = "{extends}"\n' if extends else ""
        path = tmp_path / name
        path.write_text(head + 'description = "test"\n' + body)
        return path

    return _write


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[efficiency\ncapital = 0.5\n", r"bad\.toml: not valid TOML"),
        ("[efficiency]\ncapitol = 0.5\n", r"unknown key 'efficiency\.capitol' \(did you mean 'capital'\?\)"),
        ("[parameters]\ndeprecation_rate = 0.05\n", r"did you mean 'depreciation_rate'"),
        ("[efficiency]\ncapital = \"high\"\n", r"efficiency\.capital = 'high' must be a number"),
        ("[efficiency]\ncapital = 1.4\n", r"efficiency\.capital = 1\.4 is outside \[0\.0, 1\.0\]"),
        ("[investment.public]\nshare_of_grdp = 10.4\n", r"0\.38 for 38%"),
        ("[efficiency]\ncapital = nan\n", r"efficiency\.capital = nan is not finite"),
        ("[efficiency]\ncapital = inf\n", r"is not finite"),
        ("[parameters]\ndepreciation_rate = 0.5\n",
         r"parameters\.depreciation_rate = 0\.5 is outside \[0\.03, 0\.08\]"),
        ("[investment.public]\nvnd_trillion = 100.0\nshare_of_grdp = 0.1\n", r"gives both"),
        ("[investment.fdi.split]\nindustry_construction = 0.5\n", r"split sums to 0\.5"),
        ("[efficiency]\ncapital = { twenty = 0.5 }\n", r"year keys must be whole years"),
        ("[efficiency]\ncapital = true\n", r"must be a number"),
        ("efficiency = 3\n", r"efficiency = 3 must be a table"),
    ],
)
def test_bad_input_names_file_key_and_allowed_values(write, body, message):
    path = write(body)
    with pytest.raises(ScenarioError, match=message) as error:
        load_scenario(path)
    assert str(error.value).startswith(f"{path}: ")


def test_missing_year_is_reported_when_running(write):
    path = write("[efficiency]\ncapital = { 2025 = 0.8, 2026 = 0.8 }\n")
    scenario = load_scenario(path)
    with pytest.raises(ScenarioError, match=r"efficiency\.capital has no value for 2027"):
        nmmsim.simulate(scenario)


@pytest.mark.parametrize(
    ("extends", "message"),
    [("no_such_file", r"extends = 'no_such_file': no file"), ("basline", r"did you mean 'baseline'")],
)
def test_bad_extends(tmp_path, extends, message):
    (tmp_path / "baseline.toml").write_text(shipped_scenarios()["baseline"].read_text())
    path = tmp_path / "child.toml"
    path.write_text(f'extends = "{extends}"\ndescription = "x"\n')
    with pytest.raises(ScenarioError, match=message):
        load_scenario(path)


def test_extends_loop(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b"\ndescription = "a"\n')
    (tmp_path / "b.toml").write_text('extends = "a"\ndescription = "b"\n')
    with pytest.raises(ScenarioError, match="loops"):
        load_scenario(tmp_path / "a.toml")


def test_root_scenario_must_set_every_lever(write):
    path = write("[efficiency]\ncapital = 0.8\n", extends=None)
    with pytest.raises(ScenarioError, match=r"lever efficiency\.infrastructure is not set"):
        load_scenario(path)


def test_missing_description(tmp_path):
    path = tmp_path / "x.toml"
    path.write_text('extends = "baseline"\n')
    (tmp_path / "baseline.toml").write_text(shipped_scenarios()["baseline"].read_text())
    with pytest.raises(ScenarioError, match="missing key 'description'"):
        load_scenario(path)


def test_money_path_replaces_inherited_share(write):
    path = write("[investment.public]\nvnd_trillion = 150.0\n")
    scenario = load_scenario(path)
    assert "share_of_grdp" not in scenario.levers["investment"]["public"]
    schedule = scenario.schedule(range(2025, 2031))
    assert schedule.at(2025).investment_amount[0] == 150.0
    assert not schedule.at(2025).amount_is_share[0]


def test_parameter_override_changes_the_run(write):
    path = write("[parameters]\ntfp_growth_industry = 0.04\n")  # its upper bound: above any fitted value
    faster = nmmsim.simulate(path).grdp.sel(year=2030).item()
    base = nmmsim.simulate(shipped_scenarios()["baseline"]).grdp.sel(year=2030).item()
    assert faster > base
