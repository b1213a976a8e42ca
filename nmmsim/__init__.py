"""nmmsim: system-dynamics growth scenarios for Vietnam's Northern Midlands and Mountains region.

The public API: `load_scenario`, `shipped_scenarios`, `simulate`, `compare`, `attainment`, the
parameter registry and the errors. Plotting lives in ``nmmsim.plot`` and is never imported here.
"""

from nmmsim._version import __version__
from nmmsim.analysis import attainment
from nmmsim.engine import compare, simulate
from nmmsim.errors import CalibrationError, DataError, NmmsimError, ParameterError, ScenarioError
from nmmsim.parameters import REGISTRY, Parameters, ParameterSpec
from nmmsim.scenario import Scenario, load_scenario, shipped_scenarios

__all__ = [
    "REGISTRY",
    "CalibrationError",
    "DataError",
    "NmmsimError",
    "ParameterError",
    "ParameterSpec",
    "Parameters",
    "Scenario",
    "ScenarioError",
    "__version__",
    "attainment",
    "compare",
    "load_scenario",
    "shipped_scenarios",
    "simulate",
]
