"""A regional VND lever reaches the provinces by the documented allocation rule (base-year GRDP
shares; docs/model.md), so a scenario without [provinces] tables gives the same regional result
as one that writes each province's allocated amount out, whatever the rounding of those amounts
(issue 11, tests that must exist)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import nmmsim
from nmmsim.base_year import BaseYear
from nmmsim.observed import load_observed
from nmmsim.provinces import PROVINCES, REGIONS

BASELINE = nmmsim.shipped_scenarios()["baseline"]
AMOUNT = 100.0  # VND trillion of public investment a year, at 2024 prices


def _allocation() -> np.ndarray:
    """Each province's share of a regional VND amount: its base-year GRDP over region_2022's."""
    base = BaseYear.from_observed(load_observed(), 2024)
    region = np.isin(PROVINCES, REGIONS["region_2022"])
    return base.grdp / base.grdp[region].sum()


def _scenario(path: Path, per_province: dict[str, str] | None) -> Path:
    lines = [f'name = "{path.stem}"', f'extends = "{BASELINE}"', 'description = "allocation"',
             "[investment.public]", f"vnd_trillion = {AMOUNT!r}"]
    for province, amount in (per_province or {}).items():
        lines += [f'[provinces."{province}".investment.public]', f"vnd_trillion = {amount}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _grdp_2030(path: Path) -> float:
    result = nmmsim.simulate(path).sel(year=2030, draw=0)
    return float(result.grdp_nominal_by_area.sel(area="region_2022"))


@pytest.mark.parametrize(("digits", "tolerance"), [(17, 1e-12), (6, 1e-7), (3, 1e-4)])
def test_writing_out_the_allocation_gives_the_regional_result(tmp_path, digits, tolerance):
    """Exact amounts reproduce the regional lever to rounding error; amounts rounded to 6 or 3
    significant digits move region_2022's 2030 GRDP by less than their relative rounding."""
    regional = _grdp_2030(_scenario(tmp_path / "regional.toml", None))
    amounts = {p: f"{AMOUNT * share:.{digits}g}" for p, share in zip(PROVINCES, _allocation(),
                                                                     strict=True)}
    written = _grdp_2030(_scenario(tmp_path / "written.toml", amounts))
    assert written == pytest.approx(regional, rel=tolerance)


def test_region_2022_s_shares_of_a_regional_amount_sum_to_one():
    share = _allocation()
    region = np.isin(PROVINCES, REGIONS["region_2022"])
    assert share[region].sum() == pytest.approx(1.0, abs=1e-15)
    assert share[~region].item() > 0  # Vinh Phuc, outside the region, gets its own share
