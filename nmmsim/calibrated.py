"""The calibrated parameter set: `CalibrationResult`, and its file ``calibration/calibrated.toml``.

`nmmsim.calibration.calibrate` produces a `CalibrationResult`; `write_calibrated` stores it and
`load_calibrated` reads it back, so the committed file and a fresh fit are the same kind of object.
`calibrated_parameters` gives the registry defaults with the fitted values in place. Runs no
longer start from it: they draw from the posterior (`nmmsim.posterior`); sensitivity analysis
draws the fitted parameters around these values. The file is written by ``nmmsim calibrate``;
edit the observed data and refit rather than editing it by hand.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from nmmsim._input import read_input
from nmmsim._types import FloatArray
from nmmsim.atomic import atomic_path
from nmmsim.errors import CalibrationError, NmmsimError, did_you_mean
from nmmsim.parameters import QUANTITIES, Parameters
from nmmsim.resources import shipped_dir

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CalibrationResult",
    "Residual",
    "calibrated_parameters",
    "default_calibration_path",
    "load_calibrated",
    "write_calibrated",
]


@dataclass(frozen=True, slots=True)
class Residual:
    """One observed figure against the fitted history."""

    series: str
    year_from: int
    year_to: int
    observed: float
    fitted: float  # the history run on the observed scale, with its segment's level offset
    weighted: float  # the residual the fit minimised


@dataclass(frozen=True, slots=True)
class CalibrationResult:
    """Fitted values of the calibrated parameters, their uncertainty and the fit to each figure.

    ``covariance`` is the Laplace approximation of the posterior of the fitted parameters, in
    `names` order; ``standard_errors`` are its square-root diagonal. ``data_standard_errors`` are
    what the observed data alone would give (``inf`` where they cannot identify a parameter).
    """

    names: tuple[str, ...]
    values: FloatArray
    standard_errors: FloatArray
    data_standard_errors: FloatArray
    covariance: FloatArray
    residuals: tuple[Residual, ...]
    success: bool
    message: str
    nfev: int
    cost: float
    warnings: tuple[str, ...]
    data_sha256: str
    levers_sha256: str
    parameters: Mapping[str, float] = field(init=False)

    def __post_init__(self) -> None:
        mapping = dict(zip(self.names, (float(v) for v in self.values), strict=True))
        object.__setattr__(self, "parameters", MappingProxyType(mapping))

    @property
    def correlation(self) -> FloatArray:
        """Posterior correlation matrix of the fitted parameters."""
        scale = np.sqrt(np.diag(self.covariance))
        correlation: FloatArray = self.covariance / np.outer(scale, scale)
        return correlation

    def residual_table(self) -> pd.DataFrame:
        """One row per observed figure: series, years, observed, fitted, weighted residual."""
        import pandas as pd

        return pd.DataFrame([
            {"series": r.series, "year_from": r.year_from, "year_to": r.year_to,
             "observed": r.observed, "fitted": r.fitted, "weighted": r.weighted}
            for r in self.residuals
        ])

    def parameter_table(self) -> pd.DataFrame:
        """One row per fitted parameter: prior default and sd, fitted value, standard errors, bounds.

        ``narrowed`` is ``1 - se / prior_sd``: how much the data narrowed the prior (0: not at all).
        """
        import pandas as pd

        prior_sd = np.array([float(QUANTITIES[n].prior.frozen().std()) for n in self.names])
        return pd.DataFrame({
            "default": [QUANTITIES[n].default for n in self.names],
            "prior_sd": prior_sd,
            "fitted": self.values,
            "se": self.standard_errors,
            "narrowed": 1.0 - self.standard_errors / prior_sd,
            "se_data_only": self.data_standard_errors,
            "low": [QUANTITIES[n].bounds[0] for n in self.names],
            "high": [QUANTITIES[n].bounds[1] for n in self.names],
        }, index=pd.Index(self.names, name="parameter"))


def default_calibration_path() -> Path:
    """The shipped ``calibration/calibrated.toml``."""
    return shipped_dir("calibration") / "calibrated.toml"


def calibrated_parameters(n_draws: int = 1, path: str | Path | None = None) -> Parameters:
    """Every parameter at its default, the calibrated ones at their fitted values."""
    return Parameters.defaults(n_draws).with_values(load_calibrated(path).parameters)


_HEADER = """\
# nmmsim calibrated parameters, written by `nmmsim calibrate` (docs/calibration.md).
# Refit after editing the observed data instead of editing this file.
# data (calibration/observed_region.csv + observed_national.csv + provinces.csv) sha256: {data}
# history levers (scenarios/baseline.toml) sha256: {levers}
# fit: {n_figures} figures in {n_series} series, {n_params} parameters; cost {cost:.6g} after \
{nfev} evaluations; {message}
"""


def write_calibrated(result: CalibrationResult, path: str | Path) -> Path:
    """Write ``result`` as TOML to ``path`` atomically (temporary file, then rename)."""
    path = Path(path)
    lines = [_HEADER.format(
        data=result.data_sha256, levers=result.levers_sha256, n_figures=len(result.residuals),
        n_series=len({r.series for r in result.residuals}), n_params=len(result.names),
        cost=result.cost, nfev=result.nfev, message=result.message.replace("\n", " "),
    )]
    lines += [
        "[fit]",
        f"success = {'true' if result.success else 'false'}",
        f"message = {_string(result.message)}",
        f"nfev = {result.nfev}",
        f"cost = {_number(result.cost)}",
        f"data_sha256 = {_string(result.data_sha256)}",
        f"levers_sha256 = {_string(result.levers_sha256)}",
        "warnings = [" + "".join(f"\n    {_string(w)}," for w in result.warnings)
        + ("\n]" if result.warnings else "]"),
        "",
        "# fitted value, posterior standard error, standard error from the data alone",
        "[parameters]",
    ]
    for j, name in enumerate(result.names):
        lines.append(
            f"{name} = {{ value = {_number(result.values[j])}, se = "
            f"{_number(result.standard_errors[j])}, se_data_only = "
            f"{_number(result.data_standard_errors[j])} }}")
    lines += ["", "# posterior covariance, rows and columns in [parameters] order", "[covariance]",
              "matrix = ["]
    lines += ["    [" + ", ".join(_number(v) for v in row) + "]," for row in result.covariance]
    lines += ["]", ""]
    for r in result.residuals:
        lines += ["[[residuals]]", f"series = {_string(r.series)}", f"year_from = {r.year_from}",
                  f"year_to = {r.year_to}", f"observed = {_number(r.observed)}",
                  f"fitted = {_number(r.fitted)}", f"weighted = {_number(r.weighted)}", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        tmp.write_text("\n".join(lines), encoding="utf-8")
    return path


def _number(value: float) -> str:
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


def _string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def load_calibrated(path: str | Path | None = None) -> CalibrationResult:
    """Read a calibrated parameter file (default: the shipped ``calibration/calibrated.toml``).

    Raises
    ------
    CalibrationError
        If the file is missing or malformed, names an unknown parameter, holds a value that is
        not finite or lies outside the parameter's bounds, or a covariance that does not match.
    """
    path = Path(path) if path is not None else default_calibration_path()
    if not path.exists() and not path.is_symlink():
        raise CalibrationError(f"{path}: cannot read the calibrated parameters (no such file); "
                               "run `nmmsim calibrate` to write them")
    text = read_input(path, "calibrated parameter", CalibrationError)
    try:
        document = tomllib.loads(text)
    except ValueError as exc:  # TOMLDecodeError, or an integer too long for Python
        raise CalibrationError(f"{path}: not valid TOML ({exc})") from None
    try:
        return _parse(document)
    except CalibrationError as exc:
        raise CalibrationError(f"{path}: {exc}") from exc
    except (KeyError, TypeError, ValueError, OverflowError, NmmsimError) as exc:
        raise CalibrationError(f"{path}: malformed calibrated parameters ({exc!r}); "
                               "refit with `nmmsim calibrate`") from exc


def _parse(document: dict[str, Any]) -> CalibrationResult:
    fit, table = document["fit"], document["parameters"]
    names = tuple(table)
    for name in names:
        if name not in QUANTITIES:
            raise CalibrationError(f"[parameters]: unknown parameter '{name}'"
                                   f"{did_you_mean(name, QUANTITIES)}")
        value = float(table[name]["value"])
        low, high = QUANTITIES[name].bounds
        if not (math.isfinite(value) and low <= value <= high):
            raise CalibrationError(f"[parameters] {name}: value {value} must be finite and in "
                                   f"[{low}, {high}] ({QUANTITIES[name].unit})")
    expected = f"[covariance] matrix must be symmetric {len(names)} x {len(names)} in [parameters] order"
    try:
        covariance = np.asarray(document["covariance"]["matrix"], dtype=np.float64)
    except ValueError as exc:
        raise CalibrationError(f"{expected} ({exc})") from exc
    if covariance.shape != (len(names), len(names)) or not np.allclose(covariance, covariance.T):
        raise CalibrationError(f"{expected}, got shape {covariance.shape}")
    if not np.all(np.isfinite(covariance)):
        raise CalibrationError("[covariance] matrix must be finite")
    return CalibrationResult(
        names=names,
        values=np.array([float(table[n]["value"]) for n in names]),
        standard_errors=np.array([float(table[n]["se"]) for n in names]),
        data_standard_errors=np.array([float(table[n]["se_data_only"]) for n in names]),
        covariance=covariance,
        residuals=tuple(Residual(str(r["series"]), int(r["year_from"]), int(r["year_to"]),
                                 float(r["observed"]), float(r["fitted"]), float(r["weighted"]))
                        for r in document.get("residuals", [])),
        success=bool(fit["success"]),
        message=str(fit["message"]),
        nfev=int(fit["nfev"]),
        cost=float(fit["cost"]),
        warnings=tuple(str(w) for w in fit["warnings"]),
        data_sha256=str(fit["data_sha256"]),
        levers_sha256=str(fit["levers_sha256"]),
    )
