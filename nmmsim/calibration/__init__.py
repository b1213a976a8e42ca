"""Calibration: the model's parameters against the region's 2020-2024 history.

`calibrate` is the least-squares fit of 15 behavioural parameters (`CalibrationResult`, stored in
``calibration/calibrated.toml`` by `nmmsim.calibrated`): a quick diagnostic of what the data
identify, and the marginals sensitivity analysis draws from (docs/calibration.md).
`nmmsim.calibration.condition.condition` conditions every uncertain parameter on the same history
(the posterior in ``calibration/posterior.toml``, `nmmsim.posterior`), which runs draw from by
default (docs/uncertainty.md); `nmmsim.calibration.backtest` and `nmmsim.calibration.sbc` check it.
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
