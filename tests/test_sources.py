"""Every file calibration/SOURCES.md (and so the report's source section) names is in the
repository, or is a web address (issue 12.16)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "calibration" / "SOURCES.md"
_FILE = re.compile(r"[\w./%-]+\.(?:csv|md|toml|py|txt|xlsx|json)\b")


def _local_references(text: str) -> list[str]:
    """File names and paths in ``text`` that are not part of a web address."""
    found = []
    for match in _FILE.finditer(text):
        token = match.group(0)
        before = text[max(0, match.start() - 8):match.start()]
        host = token.split("/")[0].strip(".")  # "../x" is a path; "site.vn/x" an address
        if token.startswith("/") or "://" in before or ("/" in token and "." in host):
            continue  # https://host/..., host.tld/path
        found.append(token)
    return found


def _missing(text: str) -> list[str]:
    return [r for r in _local_references(text)
            if not any((base / r).exists() for base in (ROOT, ROOT / "calibration"))]


def test_sources_name_only_files_in_the_repository():
    text = SOURCES.read_text(encoding="utf-8")
    assert "provinces.csv" in _local_references(text)  # the check does see file names
    assert _missing(text) == []
    for gone in ("context/", "research notes", "check_panel"):
        assert gone not in text


def test_the_report_s_sources_cite_no_file_outside_the_repository(tmp_path):
    from nmmsim.cli import main
    from nmmsim.scenario import shipped_scenarios

    assert main(["run", str(shipped_scenarios()["baseline"]), "--out", str(tmp_path)]) == 0
    report = (tmp_path / "baseline_deterministic.html").read_text(encoding="utf-8")
    sources = report[report.index("<h2>Data sources</h2>"):]
    assert "Resolution 96/NQ-CP" in sources and _missing(sources) == []


def test_scenarios_and_docs_cite_nothing_outside_the_repository():
    """Scenario groundings (shown in every report) and the docs cite source ids, not files of
    the project's private research folder."""
    files = [*ROOT.glob("scenarios/*.toml"), *ROOT.glob("docs/*.md"), ROOT / "README.md"]
    for path in files:
        text = path.read_text(encoding="utf-8")
        for gone in ("context/", "DESIGN.md", "issue 4", "check_panel"):
            assert gone not in text, f"{path.name} cites {gone!r}"
