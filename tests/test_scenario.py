"""Scenario files: every shipped one loads and runs; each class of bad input gets a clear error."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

import nmmsim
from nmmsim import ScenarioError, load_scenario, shipped_scenarios
from nmmsim.provinces import PROVINCES

SHIPPED = ("baseline", "infrastructure_push", "human_capital", "deep_processing", "green_forest",
           "resolution_96", "hub_fdi", "mountain_provinces")


def test_all_shipped_scenarios_are_listed():
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
    path = write("[efficiency]\ncapital = { 2025 = 0.8, 2026 = 0.8, 2028 = 0.8 }\n")
    scenario = load_scenario(path)
    with pytest.raises(ScenarioError, match=r"efficiency\.capital has no value for 2027 \(years "
                       r"given: 2025, 2026, 2028\)"):
        nmmsim.simulate(scenario)


def test_year_before_a_table_is_missing(write):
    path = write("[efficiency]\ncapital = { 2026 = 0.8, 2030 = 0.8, after = 'hold' }\n")
    with pytest.raises(ScenarioError, match=r"efficiency\.capital has no value for 2025"):
        nmmsim.simulate(path)


# --- after a table's last year -------------------------------------------------------------------


def test_after_hold_keeps_the_last_value(write):
    path = write("[efficiency]\ncapital = { 2025 = 0.7, 2026 = 0.75, after = \"hold\" }\n")
    schedule = load_scenario(path).schedule(range(2025, 2046))
    assert [schedule.at(y).capital_efficiency[0] for y in (2025, 2026, 2027, 2045)] == \
        [0.7, 0.75, 0.75, 0.75]


def test_after_growth_compounds_from_the_last_value(write):
    path = write("[investment.public]\n"
                 "vnd_trillion = { 2025 = 100.0, 2026 = 110.0, after = { growth = 0.05 } }\n")
    schedule = load_scenario(path).schedule(range(2025, 2046))
    assert schedule.at(2026).investment_amount[0, 0] == 110.0
    assert schedule.at(2027).investment_amount[0, 0] == pytest.approx(115.5, rel=1e-14)
    assert schedule.at(2045).investment_amount[0, 0] == pytest.approx(110.0 * 1.05**19, rel=1e-14)


def test_table_without_after_holds_with_a_warning(write):
    path = write("[efficiency]\ncapital = { 2025 = 0.8, 2026 = 0.7 }\n")
    with pytest.warns(nmmsim.errors.ScenarioWarning,
                      match=r"efficiency\.capital ends in 2026; its 2026 value is held for "
                      r"2027-2030\. Say so with after = \"hold\""):
        schedule = load_scenario(path).schedule(range(2025, 2031))
    assert schedule.at(2030).capital_efficiency[0] == 0.7


def test_growth_out_of_the_levers_range_is_an_error(write):
    path = write("[efficiency]\ncapital = { 2025 = 0.8, after = { growth = 0.05 } }\n")
    scenario = load_scenario(path)
    scenario.schedule(range(2025, 2029))  # 0.8 * 1.05^3 = 0.926
    with pytest.raises(ScenarioError, match=r"efficiency\.capital grows at 0\.05 a year after 2025 "
                       r"to 1\.0(21|2103) in 2030, outside \[0\.0, 1\.0\]"):
        scenario.schedule(range(2025, 2031))


@pytest.mark.parametrize(("after", "message"), [
    ('"Hold"', r"after = 'Hold' is not allowed; use after = \"hold\""),
    ('"grow"', r"after = 'grow' is not allowed"),
    ("{ growth = 2.0 }", r"after\.growth = 2\.0 is outside \[-1\.0, 1\.0\]"),
    ("{ growth = 0.05, from = 2030 }", r"is not allowed; use after = "),
    ('{ growth = "5%" }', r"after\.growth = '5%' must be a number"),
])
def test_bad_after_is_named(write, after, message):
    path = write(f"[efficiency]\ncapital = {{ 2025 = 0.8, after = {after} }}\n")
    with pytest.raises(ScenarioError, match=message):
        load_scenario(path)


def test_after_alone_is_not_a_table(write):
    path = write("[efficiency]\ncapital = { after = \"hold\" }\n")
    with pytest.raises(ScenarioError, match=r"efficiency\.capital has no years"):
        load_scenario(path)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenario_runs_to_2045_without_warnings(name):
    # issue 12.4: scenarios with year tables refused horizons past 2030
    result = nmmsim.simulate(shipped_scenarios()[name], end_year=2045)
    assert int(result.year[-1]) == 2045
    assert np.isfinite(result.grdp).all()


def test_cli_runs_a_shipped_scenario_with_year_tables_to_2045(tmp_path, capsys):
    # the one with the most year tables; every shipped scenario runs to 2045 in the test above
    from nmmsim.cli import main

    path = shipped_scenarios()["resolution_96"]
    assert main(["run", str(path), "--end-year", "2045", "--out", str(tmp_path)]) == 0
    assert capsys.readouterr().err == ""


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


def test_missing_description_at_the_root(tmp_path):
    path = tmp_path / "x.toml"
    path.write_text('extends = "root"\n')
    baseline = shipped_scenarios()["baseline"].read_text()
    (tmp_path / "root.toml").write_text(re.sub(r'description = """.*?"""\n', "", baseline,
                                               flags=re.DOTALL))
    with pytest.raises(ScenarioError, match=r"root\.toml: missing key 'description'"):
        load_scenario(path)


def test_child_inherits_the_description(tmp_path):
    # issue 12.15: a child without a description used to fail
    path = tmp_path / "x.toml"
    path.write_text('extends = "baseline"\n')
    (tmp_path / "baseline.toml").write_text(shipped_scenarios()["baseline"].read_text())
    scenario = load_scenario(path)
    assert scenario.description == load_scenario(shipped_scenarios()["baseline"]).description
    assert scenario.name == "x"


def test_extends_names_a_shipped_scenario_when_no_sibling_exists(tmp_path):
    # issue 12.15: extends = "baseline" used to find only a sibling file
    path = tmp_path / "child.toml"
    path.write_text('extends = "baseline"\ndescription = "x"\n[efficiency]\ncapital = 0.5\n')
    scenario = load_scenario(path)
    shipped = load_scenario(shipped_scenarios()["baseline"])
    assert scenario.levers["investment"] == shipped.levers["investment"]
    assert scenario.levers["efficiency"]["capital"] == 0.5


def test_a_sibling_file_wins_over_the_shipped_scenario(tmp_path):
    sibling = shipped_scenarios()["baseline"].read_text().replace("capital = 0.85",
                                                                  "capital = 0.61")
    (tmp_path / "baseline.toml").write_text(sibling)
    path = tmp_path / "child.toml"
    path.write_text('extends = "baseline"\ndescription = "x"\n')
    assert load_scenario(path).levers["efficiency"]["capital"] == 0.61


def test_extends_with_a_directory_part_is_only_a_path(tmp_path):
    path = tmp_path / "child.toml"
    path.write_text('extends = "sub/baseline"\ndescription = "x"\n')
    with pytest.raises(ScenarioError, match=r"extends = 'sub/baseline': no file .*sub/baseline\.toml$"):
        load_scenario(path)


def test_resolve_scenario_path(tmp_path, monkeypatch):
    from nmmsim.scenario import resolve_scenario_path

    assert resolve_scenario_path("baseline") == shipped_scenarios()["baseline"]
    assert resolve_scenario_path("resolution_96") == shipped_scenarios()["resolution_96"]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "baseline.toml").write_text("x")
    assert resolve_scenario_path("baseline.toml") == Path("baseline.toml")  # a file wins
    assert resolve_scenario_path("baseline") == shipped_scenarios()["baseline"]
    (tmp_path / "baseline").write_text("x")
    assert resolve_scenario_path("baseline") == Path("baseline")
    with pytest.raises(ScenarioError, match=r"basline: no such scenario file, nor a shipped "
                       r"scenario \(baseline, .*\) \(did you mean 'baseline'\?\)"):
        resolve_scenario_path("basline")
    (tmp_path / "folder").mkdir()  # resolved as given; loading it says what it is
    assert resolve_scenario_path("folder") == Path("folder")
    with pytest.raises(ScenarioError, match=r"folder: not a regular file"):
        load_scenario(resolve_scenario_path("folder"))


def test_money_path_replaces_inherited_share(write):
    path = write("[investment.public]\nvnd_trillion = 150.0\n")
    scenario = load_scenario(path)
    assert "share_of_grdp" not in scenario.levers["investment"]["public"]
    schedule = scenario.schedule(range(2025, 2031))
    assert schedule.at(2025).investment_amount[0, 0] == 150.0
    assert not schedule.at(2025).amount_is_share[0, 0]


def test_parameter_override_changes_the_run(write):
    path = write("[parameters]\ntfp_growth_industry = 0.04\n")  # its upper bound: above any fitted value
    faster = nmmsim.simulate(path).grdp.sel(year=2030).item()
    base = nmmsim.simulate(shipped_scenarios()["baseline"]).grdp.sel(year=2030).item()
    assert faster > base


# --- priors ------------------------------------------------------------------------------------


def test_priors_table_gives_each_form(write):
    from nmmsim.priors import Triangular, TruncatedNormal, Uniform

    path = write("[priors]\n"
                 "tfp_growth_industry = { low = 0.01, high = 0.02 }\n"
                 "tax_buoyancy = { low = 0.9, mode = 1.0, high = 1.2 }\n"
                 "deflator_growth = { mean = 0.03, sd = 0.005 }\n")
    priors = load_scenario(path).prior_overrides
    assert priors["tfp_growth_industry"] == Uniform(0.01, 0.02)
    assert priors["tax_buoyancy"] == Triangular(0.9, 1.0, 1.2)
    assert priors["deflator_growth"] == TruncatedNormal(0.03, 0.005, 0.015, 0.05)


@pytest.mark.parametrize(("table", "message"), [
    ("tfp_growth_industry = { low = 0.01 }", r"must be \{ low, high \} \(uniform\)"),
    ("tfp_growth_industry = { low = 0.01, high = 0.09 }", r"high = 0.09 is outside .*\[-0.01, 0.04\]"),
    ("tfp_growth_industry = { low = 0.03, high = 0.02 }", "must be below high"),
    ("tfp_growth_industry = { mean = 0.02, sd = 0 }", "must be positive; to fix the parameter"),
    ("tfp_growth_industry = { low = 0.01, mode = 0.03, high = 0.02 }", "mode = 0.03 must lie in"),
    ("tfp_growth_industri = { low = 0.01, high = 0.02 }", "did you mean 'tfp_growth_industry'"),
    ("tfp_growth_industry = { low = nan, high = 0.02 }", "must be a finite number"),
])
def test_bad_prior_is_named(write, table, message):
    path = write(f"[priors]\n{table}\n")
    with pytest.raises(ScenarioError, match=message):
        load_scenario(path)


def test_fixing_and_a_prior_in_one_file_is_an_error(write):
    path = write("[parameters]\ntax_buoyancy = 1.0\n[priors]\ntax_buoyancy = { low = 0.9, high = 1.1 }\n")
    with pytest.raises(ScenarioError, match="both fixed in \\[parameters\\] and given a prior"):
        load_scenario(path)


def test_a_child_file_may_fix_what_its_parent_gave_a_prior(write, tmp_path):
    write("[priors]\ntax_buoyancy = { low = 0.9, high = 1.1 }\n", name="parent.toml")
    child = tmp_path / "child.toml"
    child.write_text('extends = "parent"\ndescription = "x"\n[parameters]\ntax_buoyancy = 1.05\n')
    scenario = load_scenario(child)
    assert scenario.parameter_overrides == {"tax_buoyancy": 1.05}
    assert "tax_buoyancy" not in scenario.prior_overrides


# --- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["../escaped", "/tmp/anywhere", "sub/dir", ".hidden", "..", "",
                                  "a" * 101, "two words", "tab\there", "new\nline", "back\\slash",
                                  "C:", "x\x00y"])
def test_unsafe_name_is_refused(write, name):
    # the name becomes <out>/<name>.nc: '../escaped' used to write outside --out
    path = write(f"name = {json.dumps(name, ensure_ascii=False)}\n")  # a TOML basic string
    with pytest.raises(ScenarioError, match=r"name = .* is not allowed; use letters, digits") as error:
        load_scenario(path)
    assert str(error.value).startswith(f"{path}: ")


@pytest.mark.parametrize("name", ["my_push", "push-2030.v2", "a" * 100, "đẩy_mạnh_hạ_tầng", "2030"])
def test_safe_name_is_kept(write, name):
    assert load_scenario(write(f'name = "{name}"\n')).name == name


def test_unsafe_file_name_without_a_name_key_is_refused(write):
    path = write("", name="two words.toml")
    with pytest.raises(ScenarioError, match=r"file name gives the scenario name 'two words', which "
                       r"is not allowed; set name = \"\.\.\.\" in the file"):
        load_scenario(path)


def test_run_with_an_escaping_name_exits_2_and_writes_nothing(write, tmp_path, capsys):
    from nmmsim.cli import main

    path = write('name = "../escaped"\n')
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "name = '../escaped' is not allowed" in error
    assert not out.exists() and not (tmp_path / "escaped.nc").exists()


# --- unclear messages and silent acceptance (issue 13.12) ----------------------------------------


def test_split_off_by_a_little_shows_enough_digits(write):
    # used to say "sums to 1"
    path = write("[investment.fdi.split]\nagriculture = 0.0200001\nindustry_construction = 0.85\n"
                 "services = 0.13\n")
    with pytest.raises(ScenarioError, match=r"investment\.fdi\.split sums to 1\.0000001; the shares"):
        load_scenario(path)


@pytest.mark.parametrize("directory", ["base.toml", "base"])
def test_extends_naming_a_directory_says_so(tmp_path, directory):
    # used to suggest exactly what was typed: "did you mean 'base'?"
    (tmp_path / directory).mkdir()
    path = tmp_path / "child.toml"
    path.write_text('extends = "base"\ndescription = "x"\n')
    with pytest.raises(ScenarioError, match=rf"extends = 'base': .*{directory} is a directory; "
                       "name a scenario file") as error:
        load_scenario(path)
    assert "did you mean" not in str(error.value)


def test_extends_never_suggests_what_was_typed(tmp_path):
    path = tmp_path / "child.toml"
    path.write_text('extends = "sub/base"\ndescription = "x"\n')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "base.toml").mkdir()
    with pytest.raises(ScenarioError, match=r"sub/base\.toml is a directory"):
        load_scenario(path)


def test_table_years_before_the_projection_warn(write):
    path = write("[efficiency]\ncapital = { 2023 = 0.5, 2024 = 0.5, 2025 = 0.8, after = 'hold' }\n")
    with pytest.warns(nmmsim.errors.ScenarioWarning, match=r"efficiency\.capital gives 2023, 2024, "
                      r"before the first projected year 2025 \(the base year is 2024\); those "
                      r"values are not used"):
        nmmsim.simulate(path)


def test_total_investment_share_above_the_limit_is_refused(write):
    # 300% of GRDP invested used to run without a word
    path = write("".join(f"[investment.{s}]\nshare_of_grdp = 1.0\n"
                         for s in ("public", "fdi", "private")))
    scenario = load_scenario(path)
    with pytest.raises(ScenarioError, match=r"investment share_of_grdp sums to 3 over the sources "
                       r"in 2025; at most 1 is allowed"):
        nmmsim.simulate(scenario)


def test_total_investment_share_above_the_plausible_level_warns(write):
    path = write("[investment.public]\nshare_of_grdp = { 2025 = 0.2, 2026 = 0.4, after = 'hold' }\n")
    with pytest.warns(nmmsim.errors.ScenarioWarning, match=r"sums to 0\.675 over the sources in "
                      r"2026, above 0\.6"):
        nmmsim.simulate(path)


# --- input files (issue 13.10) -------------------------------------------------------------------


def test_scenario_not_utf8(tmp_path):
    path = tmp_path / "latin.toml"
    path.write_bytes('extends = "baseline"\ndescription = "forêt"\n'.encode("latin-1"))
    with pytest.raises(ScenarioError, match=r"latin\.toml: not UTF-8 text \(byte 0xea on line 2\); "
                       r"save it as UTF-8"):
        load_scenario(path)


def test_scenario_with_a_byte_order_mark_says_so(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_text('extends = "baseline"\ndescription = "x"\n', encoding="utf-8-sig")
    with pytest.raises(ScenarioError, match=r"bom\.toml: starts with a UTF-8 byte-order mark"):
        load_scenario(path)


def test_symlink_loop(tmp_path):
    (tmp_path / "a.toml").symlink_to(tmp_path / "b.toml")
    (tmp_path / "b.toml").symlink_to(tmp_path / "a.toml")
    with pytest.raises(ScenarioError, match=r"a\.toml: symbolic link loop"):
        load_scenario(tmp_path / "a.toml")
    child = tmp_path / "child.toml"
    child.write_text('extends = "a"\ndescription = "x"\n')
    with pytest.raises(ScenarioError, match=r"a\.toml: symbolic link loop"):
        load_scenario(child)


@pytest.mark.parametrize("extends", ["", " ", ".", "/"])
def test_empty_extends(tmp_path, extends):
    path = tmp_path / "child.toml"
    path.write_text(f'extends = "{extends}"\ndescription = "x"\n')
    with pytest.raises(ScenarioError, match=r"child\.toml: extends = '.*' names no file; give a "
                       r"scenario name"):
        load_scenario(path)


@pytest.mark.parametrize(("body", "message"), [
    ("[efficiency]\ncapital = 1" + "0" * 400 + "\n",
     r"efficiency\.capital = 10+\.\.\.0+ \(401 characters\) is too large; allowed: \[0\.0, 1\.0\]"),
    ("[priors]\ntax_buoyancy = { low = 1" + "0" * 400 + ", high = 1.2 }\n",
     r"priors\.tax_buoyancy\.low = .* must be a finite number"),
    ("[efficiency]\ncapital = 1" + "0" * 5000 + "\n", r"not valid TOML: Exceeds the limit"),
    ("[investment.public]\nshare_of_grdp = { 2025 = 0.1, after = { growth = 1" + "0" * 400
     + " } }\n", r"after\.growth = .* is too large"),
])
def test_integers_too_large_for_a_float(write, body, message):
    with pytest.raises(ScenarioError, match=message):
        load_scenario(write(body))


def test_device_file_is_refused():
    with pytest.raises(ScenarioError, match=r"/dev/zero: not a regular file \(a directory, device "
                       r"or pipe\); give a scenario file"):
        load_scenario("/dev/zero")


def test_directory_is_refused(tmp_path):
    with pytest.raises(ScenarioError, match=r"not a regular file"):
        load_scenario(tmp_path)


def test_oversized_file_is_refused(tmp_path):
    from nmmsim._input import MAX_INPUT_BYTES

    path = tmp_path / "big.toml"
    path.write_text('description = "x"\n' + "#" * MAX_INPUT_BYTES)
    with pytest.raises(ScenarioError, match=r"big\.toml: larger than 1,048,576 bytes"):
        load_scenario(path)


def test_cli_refuses_a_device_as_scenario_in_one_line(capsys):
    from nmmsim.cli import main

    assert main(["run", "/dev/zero"]) == 2
    assert capsys.readouterr().err == ("nmmsim: error: /dev/zero: not a regular file (a directory, "
                                       "device or pipe); give a scenario file\n")


def test_readme_scenario_examples_load_and_mean_what_they_say(tmp_path):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme[readme.index("## A scenario file"):readme.index("## Python")]
    example, after, provinces, model = re.findall(r"```toml\n(.*?)```", section, flags=re.DOTALL)
    (tmp_path / "my_push.toml").write_text(example)
    assert load_scenario(tmp_path / "my_push.toml").name == "my_push"
    share, money = after.splitlines()
    path = tmp_path / "after.toml"
    path.write_text(f'extends = "baseline"\n[investment.public]\n{share}\n[investment.fdi]\n{money}\n')
    schedule = load_scenario(path).schedule(range(2025, 2031))
    assert schedule.at(2028).investment_amount[0, 0] == 0.13
    assert schedule.at(2027).investment_amount[1, 0] == pytest.approx(115.5, rel=1e-14)
    path = tmp_path / "provinces.toml"
    path.write_text(f'extends = "baseline"\n{provinces}')
    schedule = load_scenario(path).schedule(range(2025, 2031))
    bac_giang, son_la = PROVINCES.index("Bac Giang"), PROVINCES.index("Son La")
    assert schedule.at(2026).fdi_projects[bac_giang] == 20.0
    assert schedule.at(2028).fdi_projects.sum() == 0.0
    assert schedule.at(2026).hydropower_revenue_uplift[son_la] == 0.10
    assert schedule.at(2026).hydropower_revenue_uplift.sum() == pytest.approx(0.10)
    path = tmp_path / "model.toml"
    path.write_text(f'extends = "baseline"\n{model}')
    assert load_scenario(path).parameter_overrides == {"tfp_growth_industry": 0.015,
                                                       "tfp_growth_province[Bac Giang]": 0.0}
