"""Every probability of attainment shown says what it is conditioned on (the project's standard)."""

from __future__ import annotations

import html

import nmmsim
from nmmsim.cli import main
from nmmsim.report_text import DETERMINISTIC_MEANING, PROBABILITY_MEANING


def _words(text: str) -> str:
    return " ".join(text.split())


def test_cli_tables_say_what_a_probability_is(tmp_path, capsys):
    assert main(["run", "baseline", "--draws", "1024", "--seed", "1", "--out", str(tmp_path)]) == 0
    assert _words(PROBABILITY_MEANING) in _words(capsys.readouterr().out)
    assert main(["run", "baseline", "--out", str(tmp_path)]) == 0
    assert _words(DETERMINISTIC_MEANING) in _words(capsys.readouterr().out)
    assert main(["compare", "baseline", "hub_fdi", "--draws", "1024", "--seed", "1",
                 "--out", str(tmp_path)]) == 0
    assert _words(PROBABILITY_MEANING) in _words(capsys.readouterr().out)


def test_reports_say_what_a_probability_is(tmp_path):
    assert main(["run", "baseline", "--draws", "1024", "--seed", "1", "--out", str(tmp_path)]) == 0
    assert main(["compare", "baseline", "hub_fdi", "--draws", "1024", "--seed", "1",
                 "--out", str(tmp_path)]) == 0
    reports = [p for p in tmp_path.glob("*.html")]
    assert len(reports) == 2
    for report in reports:
        assert html.escape(PROBABILITY_MEANING) in report.read_text(encoding="utf-8"), report.name
    assert "posterior" in PROBABILITY_MEANING and "Monte Carlo sampling noise only" in \
        PROBABILITY_MEANING
    assert nmmsim  # the package imported as users do
