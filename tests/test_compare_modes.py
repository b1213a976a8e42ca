"""`nmmsim compare` without --draws compares deterministic paths; its terminal table fits the
terminal; its chart has one panel per indicator with a colour and a probability per scenario
(issue 12.9)."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.colors import to_hex

import nmmsim
from nmmsim.analysis import attainment, target_measures
from nmmsim.cli import main
from nmmsim.plot import compare_panels, pyplot
from nmmsim.report_text import comparison_table
from nmmsim.targets import load_targets

SHIPPED = nmmsim.shipped_scenarios()
SIX = ("baseline", "resolution_96", "infrastructure_push", "human_capital", "deep_processing",
       "green_forest")


@pytest.fixture(scope="module")
def six():
    return nmmsim.compare([SHIPPED[name] for name in SIX], draws=256, seed=4)


def test_compare_without_draws_compares_the_deterministic_paths(tmp_path, capsys):
    assert main(["compare", "baseline", "resolution_96", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "deterministic paths" in out and "Met (margin)" in out
    stem = "compare_baseline_vs_resolution_96"
    frame = pd.read_csv(tmp_path / f"{stem}_2030.csv")
    growth = frame[frame.target == "grdp_growth"].set_index("scenario")
    expected = {name: float(target_measures(nmmsim.simulate(SHIPPED[name]))
                            .target_grdp_growth.sel(year=2030)[0])
                for name in ("baseline", "resolution_96")}
    assert growth.value.to_dict() == pytest.approx(expected)
    assert growth.difference["resolution_96"] == pytest.approx(
        expected["resolution_96"] - expected["baseline"])
    assert pd.isna(growth.difference["baseline"])
    report = (tmp_path / f"{stem}.html").read_text(encoding="utf-8")
    assert "Deterministic paths side by side" in report and "P(attained)" not in report


def test_terminal_table_fits_the_terminal(six, monkeypatch, tmp_path, capsys):
    table = comparison_table(six, width=80)
    assert max(map(len, table.splitlines())) <= 80
    assert all(name in table for name in SIX)  # short enough to be shown whole
    monkeypatch.setenv("COLUMNS", "90")
    assert main(["compare", *SIX, "--draws", "64", "--seed", "1", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    printed = out[out.index("Target"):out.index("\n\n", out.index("Target"))]
    assert max(map(len, printed.splitlines())) <= 90


def test_table_shows_medians_and_their_differences(six):
    lines = comparison_table(six, width=200).splitlines()
    assert lines[0].split()[:5] == ["Target", "Scenario", "Median", "Diff", "P(attained)"]
    growth = next(line for line in lines if "resolution_96" in line)
    median = float(six.target_grdp_growth.sel(quantile=0.5, year=2030,
                                              scenario="resolution_96"))
    shift = median - float(six.target_grdp_growth.sel(quantile=0.5, year=2030,
                                                      scenario="baseline"))
    shown = growth.split()
    assert f"{median:.4g}" in shown
    printed_shift = shown[shown.index(f"{median:.4g}") + 1]
    decimals = len(printed_shift.partition(".")[2])
    assert float(printed_shift) == pytest.approx(shift, abs=0.5 * 10.0 ** -decimals)


def test_comparison_panels_one_per_indicator_a_colour_and_probability_per_scenario(six):
    targets = load_targets()
    figures = compare_panels(six, targets, attainment=attainment(six, targets))
    modelled = [t for t in targets if t.modelled]
    assert len(figures) == len(modelled)
    for figure, target in zip(figures, modelled, strict=True):
        ax = figure.axes[0]
        medians = [line for line in ax.lines if line.get_gid() == "median"]
        assert [line.get_label().split(":")[0] for line in medians] == list(SIX)
        assert len({to_hex(line.get_color()) for line in medians}) == len(SIX)
        assert all(": P = " in line.get_label() for line in medians), target.target
        legend = [text.get_text() for text in figure.legends[0].get_texts()]
        assert legend[:len(SIX)] == [line.get_label() for line in medians]
        pyplot().close(figure)


def test_a_comparison_ending_before_the_target_year_says_so():
    from nmmsim.analysis import deterministic_comparison

    short = deterministic_comparison([nmmsim.simulate(SHIPPED[name], end_year=2027)
                                      for name in ("baseline", "hub_fdi")])
    text = " ".join(comparison_table(short, width=80).split())
    assert "Not reached by this horizon (the run ends 2027): Average real GRDP growth" in text


def test_deterministic_comparison_refuses_runs_of_different_years():
    from nmmsim.analysis import deterministic_comparison

    with pytest.raises(nmmsim.NmmsimError, match="cover different years"):
        deterministic_comparison([nmmsim.simulate(SHIPPED["baseline"], end_year=2027),
                                  nmmsim.simulate(SHIPPED["hub_fdi"])])


@pytest.mark.parametrize(("end_year", "says"), [(2035, "(average from 2021 to each year)"),
                                                (2027, "not reached by this horizon")])
def test_comparison_panel_titles_match_the_horizon(end_year, says):
    from nmmsim.analysis import deterministic_comparison, quantiles

    targets = load_targets()
    compared = deterministic_comparison([nmmsim.simulate(SHIPPED[name], end_year=end_year)
                                         for name in ("baseline", "hub_fdi")])
    figures = compare_panels(quantiles(target_measures(compared, targets)), targets)
    growth = figures[0].axes[0].get_title()
    assert growth.startswith("Average real GRDP growth 2021-2030") and says in growth
    for figure in figures:
        pyplot().close(figure)


def test_an_interruption_while_compare_prints_says_the_files_were_written(tmp_path, monkeypatch,
                                                                          capsys):
    """Issue 13: Ctrl-C after the comparison's files are in place must not claim that nothing
    was written."""
    import nmmsim.cli

    def interrupted(inputs):
        raise KeyboardInterrupt

    monkeypatch.setattr(nmmsim.cli, "_input_lines", interrupted)
    assert main(["compare", "baseline", "hub_fdi", "--out", str(tmp_path)]) == 130
    err = capsys.readouterr().err
    assert "no results written" not in err and f"written to {tmp_path}" in err
    assert (tmp_path / "compare_baseline_vs_hub_fdi.html").is_file()
