"""The engine: runs the model step over the projection years for a batch of draws."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from nmmsim._types import FloatArray
from nmmsim.calibrated import calibrated_parameters
from nmmsim.errors import NmmsimError
from nmmsim.levers import LeverSchedule
from nmmsim.model import Constants, State, initial_conditions, step
from nmmsim.observed import BaseYear, ObservedData, load_observed
from nmmsim.parameters import Parameters
from nmmsim.results import build_dataset
from nmmsim.scenario import Scenario, load_scenario

__all__ = ["project", "simulate"]

MAX_END_YEAR = 2100


def simulate(
    scenario: Scenario | str | Path,
    *,
    start_year: int = 2024,
    end_year: int = 2030,
    parameters: Parameters | None = None,
    disasters: FloatArray | None = None,
    observed: ObservedData | None = None,
    calibration: str | Path | None = None,
) -> xr.Dataset:
    """Project the region from ``start_year`` to ``end_year`` under a scenario.

    Parameters
    ----------
    scenario : Scenario or path
        A loaded scenario or the path of a scenario file.
    start_year, end_year : int
        Base year (its observed state starts the run) and last projected year.
    parameters : Parameters, optional
        Values for ``n`` draws; by default one draw at the calibrated values (the registry
        defaults, with the fitted ones from ``calibration``). The scenario's ``[parameters]``
        overrides apply on top in either case.
    disasters : (n, end_year - start_year) array, optional
        Severe-disaster intensity per draw and projected year (0 or 1). By default each year
        carries the expected intensity, ``disaster_probability``, so a deterministic run is the
        expected-damage path.
    observed : ObservedData, optional
        Observed figures for the base year (default: the shipped ``calibration/`` data).
    calibration : path, optional
        Calibrated parameter file used when ``parameters`` is not given (default: the shipped
        ``calibration/calibrated.toml``).

    Returns
    -------
    xarray.Dataset
        Dims ``draw`` (n), ``year`` (start..end), ``sector``, ``destination``; every variable has
        ``units`` and ``long_name``; attrs name the scenario, its file hash, the years and the
        package version.

    Raises
    ------
    NmmsimError
        For years out of range, a scenario path lacking a year, or bad parameters.

    Examples
    --------
    >>> import nmmsim
    >>> result = nmmsim.simulate(nmmsim.shipped_scenarios()["baseline"])
    >>> round(float(result.grdp.sel(year=2024).item()), 1)
    991.5
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if not start_year < end_year <= MAX_END_YEAR:
        raise NmmsimError(
            f"years: need start_year < end_year <= {MAX_END_YEAR}, got {start_year} -> {end_year}"
        )
    base = BaseYear.from_observed(observed if observed is not None else load_observed(), start_year)
    params = parameters if parameters is not None else calibrated_parameters(path=calibration)
    params = params.with_values(scenario.parameter_overrides)
    projection_years = range(start_year + 1, end_year + 1)
    schedule = scenario.schedule(projection_years)
    disaster_label = "expected intensity" if disasters is None else "given per draw"
    disasters = _disaster_intensity(disasters, params, len(projection_years))

    states, constants = project(base, params, schedule, disasters)
    return build_dataset(
        states,
        constants,
        [start_year, *projection_years],
        base,
        attrs={
            "scenario": scenario.name,
            "scenario_file": str(scenario.path),
            "scenario_sha256": scenario.file_hash,
            "start_year": start_year,
            "end_year": end_year,
            "prices": f"real values at {start_year} prices; nominal values at current prices",
            "disasters": disaster_label,
        },
    )


def project(
    base: BaseYear, params: Parameters, schedule: LeverSchedule, disasters: FloatArray
) -> tuple[list[State], Constants]:
    """Run the model from the base year through ``schedule.years``: the loop over years.

    ``disasters`` has shape ``(n_draws, len(schedule.years))``. Returns the state of every year,
    base year first, and the run's constants.
    """
    state, constants = initial_conditions(base, params)
    states = [state]
    for index, levers in enumerate(schedule.by_year):
        state = step(state, params, constants, levers, disasters[:, index])
        states.append(state)
    return states, constants


def _disaster_intensity(
    disasters: FloatArray | None, params: Parameters, n_years: int
) -> FloatArray:
    if disasters is None:
        return np.repeat(params.disaster_probability[:, None], n_years, axis=1)
    disasters = np.asarray(disasters, dtype=np.float64)
    expected = (params.n_draws, n_years)
    if disasters.shape != expected:
        raise NmmsimError(f"disasters: shape {disasters.shape}, expected (draws, years) {expected}")
    if not np.all((disasters >= 0.0) & (disasters <= 1.0)):
        raise NmmsimError("disasters: intensities must lie in [0, 1]")
    return disasters
