"""The system-dynamics model: the state, its base-year initial conditions and the yearly step.

Pure functions over arrays whose leading axis is the Monte Carlo draw; no I/O, no plotting.
"""

from nmmsim.model.disasters import draw_disaster_years
from nmmsim.model.initial import initial_conditions
from nmmsim.model.state import Constants, State
from nmmsim.model.step import step

__all__ = ["Constants", "State", "draw_disaster_years", "initial_conditions", "step"]
