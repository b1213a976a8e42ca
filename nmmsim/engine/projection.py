"""One batch of draws through the projection years: the loop over years."""

from __future__ import annotations

import numpy as np

from nmmsim._types import FloatArray
from nmmsim.base_year import BaseYear
from nmmsim.errors import NmmsimError
from nmmsim.levers import LeverSchedule
from nmmsim.model import Constants, State, initial_conditions, step
from nmmsim.model.initial import Carried
from nmmsim.model.step import HISTORY_LAST_YEAR
from nmmsim.parameters import Parameters
from nmmsim.past import Past, observed_disasters

__all__ = ["check_disasters", "expected_disasters", "project"]


def project(
    base: BaseYear, params: Parameters, schedule: LeverSchedule, disasters: FloatArray,
    shocks: FloatArray | None = None, past: Past | None = None,
) -> tuple[list[State], Constants]:
    """Run the model from the base year through ``schedule.years``: the loop over years.

    ``disasters`` has shape ``(n_draws, len(schedule.years))``; ``shocks``, if given,
    ``(len(schedule.years), provinces, n_draws)`` standard normals (`nmmsim.model.step`).
    With ``past``, every draw first runs the history years before the base year (shock-free,
    with their observed disasters), and the stocks nobody observes in the base year carry over
    from that run (`nmmsim.model.initial.Carried`); without, parameters set them.
    Returns the state of every year, base year first, and the run's constants.
    """
    carried = _carried(past, params) if past is not None else None
    return _steps(base, params, schedule, disasters, shocks, carried)


def _carried(past: Past, params: Parameters) -> Carried:
    """What each draw's run of the history years leaves (its states are freed on return, before
    the projection allocates its own)."""
    before = observed_disasters(past.schedule.years, params.n_draws)
    states, constants = _steps(past.base, params, past.schedule, before, None, None)
    return Carried.of(states[-1], constants)


def _steps(base: BaseYear, params: Parameters, schedule: LeverSchedule, disasters: FloatArray,
           shocks: FloatArray | None, carried: Carried | None) -> tuple[list[State], Constants]:
    state, constants = initial_conditions(base, params, carried)
    states = [state]
    by_year = np.ascontiguousarray(disasters.T)  # each year's intensities contiguous
    for index, levers in enumerate(schedule.by_year):
        shock = shocks[index] if shocks is not None else None
        year = schedule.years[index]
        state = step(state, params, constants, levers, by_year[index], shock,
                     years_after_history=max(year - HISTORY_LAST_YEAR, 0))
        states.append(state)
    return states, constants


def expected_disasters(params: Parameters, n_years: int) -> FloatArray:
    """Every year at the expected severe-disaster intensity, ``disaster_probability``."""
    return np.repeat(params.disaster_probability[:, None], n_years, axis=1)


def check_disasters(disasters: FloatArray, params: Parameters, n_years: int) -> FloatArray:
    """``disasters`` as float64 ``(n_draws, n_years)`` intensities in [0, 1], or `NmmsimError`."""
    disasters = np.asarray(disasters, dtype=np.float64)
    expected = (params.n_draws, n_years)
    if disasters.shape != expected:
        raise NmmsimError(f"disasters: shape {disasters.shape}, expected (draws, years) {expected}")
    if not np.all((disasters >= 0.0) & (disasters <= 1.0)):
        raise NmmsimError("disasters: intensities must lie in [0, 1]")
    return disasters
