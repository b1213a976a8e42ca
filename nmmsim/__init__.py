"""nmmsim: system-dynamics growth scenarios for Vietnam's Northern Midlands and Mountains region.

The public API: `load_scenario`, `shipped_scenarios`, `simulate`, `compare`, `attainment`, the
parameter registry and the errors. Plotting lives in ``nmmsim.plot`` and is never imported here.

The names are imported on first use (PEP 562), so ``import nmmsim`` and the command line start
without numpy and xarray, and a Ctrl-C while those load is handled by the command line like any
other (one line, exit 130) instead of interrupting the import with a traceback.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from nmmsim._version import __version__

if TYPE_CHECKING:
    from nmmsim.analysis import attainment
    from nmmsim.engine import compare, simulate
    from nmmsim.errors import (
        CalibrationError,
        DataError,
        NmmsimError,
        ParameterError,
        ScenarioError,
    )
    from nmmsim.parameters import REGISTRY, Parameters, ParameterSpec
    from nmmsim.scenario import Scenario, load_scenario, shipped_scenarios

#: Where each public name lives.
_PUBLIC = {
    "attainment": "nmmsim.analysis",
    "compare": "nmmsim.engine",
    "simulate": "nmmsim.engine",
    "CalibrationError": "nmmsim.errors",
    "DataError": "nmmsim.errors",
    "NmmsimError": "nmmsim.errors",
    "ParameterError": "nmmsim.errors",
    "ScenarioError": "nmmsim.errors",
    "REGISTRY": "nmmsim.parameters",
    "Parameters": "nmmsim.parameters",
    "ParameterSpec": "nmmsim.parameters",
    "Scenario": "nmmsim.scenario",
    "load_scenario": "nmmsim.scenario",
    "shipped_scenarios": "nmmsim.scenario",
}

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


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'nmmsim' has no attribute {name!r}")
    value = getattr(importlib.import_module(_PUBLIC[name]), name)
    globals()[name] = value  # the next lookup finds it directly
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})
