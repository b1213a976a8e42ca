"""The exceptions nmmsim raises. Catch `NmmsimError` to catch them all."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "CalibrationError",
    "DataError",
    "NmmsimError",
    "ParameterError",
    "ScenarioError",
    "ScenarioWarning",
    "did_you_mean",
]


class NmmsimError(Exception):
    """Root of every error nmmsim raises on bad input."""


class ScenarioError(NmmsimError):
    """A scenario file is malformed, names something unknown or holds a value out of range."""


class ScenarioWarning(UserWarning):
    """A scenario is valid but relies on a documented default the file does not state."""


class ParameterError(NmmsimError):
    """A parameter is unknown, or its value lies outside its registered bounds."""


class DataError(NmmsimError):
    """An observed-data file is missing, malformed or lacks a figure the model needs."""


class CalibrationError(NmmsimError):
    """Calibration could not be set up or did not produce a usable fit."""


def did_you_mean(name: str, allowed: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest allowed name, or ``""`` if none is close.

    Examples
    --------
    >>> did_you_mean("deprecation_rate", ["depreciation_rate", "population_growth"])
    " (did you mean 'depreciation_rate'?)"
    """
    matches = difflib.get_close_matches(name, list(allowed), n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""
