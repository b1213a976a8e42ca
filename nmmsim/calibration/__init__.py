"""Calibration: fitting the model's behavioural parameters to the region's 2020-2024 history.

`calibrate` returns a `CalibrationResult`; `nmmsim.calibrated` reads and writes the committed
``calibration/calibrated.toml`` that simulations use by default. See ``docs/calibration.md``.
"""

from nmmsim.calibrated import CalibrationResult, Residual
from nmmsim.calibration.fit import FITTED, CalibrationWarning, calibrate
from nmmsim.calibration.series import SERIES, HistoryData, load_history_data

__all__ = [
    "FITTED",
    "SERIES",
    "CalibrationResult",
    "CalibrationWarning",
    "HistoryData",
    "Residual",
    "calibrate",
    "load_history_data",
]
