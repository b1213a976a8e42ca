"""Fitting the behavioural parameters to the 2020-2024 history (docs/calibration.md).

`calibrate` minimises the weighted residuals of `nmmsim.calibration.series` plus one prior
residual per fitted parameter, ``(value - default) / prior sd``: a penalised (maximum a posteriori)
least-squares fit. The prior term keeps parameters the data cannot tell apart at their documented
defaults instead of letting them drift to a bound, and it makes the covariance finite. Whether the
data alone identify each parameter is checked separately and reported as warnings.

The Jacobian comes from central differences computed as one batch of draws through the vectorized
model, so a fit takes well under a second.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from nmmsim._types import FloatArray
from nmmsim.calibrated import CalibrationResult, Residual
from nmmsim.calibration.history import HistoryRun, run_history
from nmmsim.calibration.series import SERIES, HistoryData, gaps, load_history_data, model_values
from nmmsim.calibration.series import residuals as series_residuals
from nmmsim.errors import CalibrationError, did_you_mean
from nmmsim.levers import LeverSchedule
from nmmsim.observed import ObservedData
from nmmsim.parameters import QUANTITIES, Parameters
from nmmsim.past import history_schedule

__all__ = ["FITTED", "CalibrationWarning", "calibrate"]

#: The behavioural parameters calibration fits; every other parameter keeps its default.
FITTED = (
    "tfp_growth_agriculture",
    "tfp_growth_industry",
    "tfp_growth_services",
    "reallocation_speed",
    "entrant_certified_share",
    "certified_outmigration_rate",
    "afforestation_base",
    "forest_loss_rate",
    "tax_buoyancy",
    "urbanization_trend",
    "poverty_growth_elasticity",
    "deflator_growth",
    "population_growth",
    "hub_attractiveness",
    "employment_rate_growth",
)

#: Posterior correlations beyond this are reported: the data move the two parameters together.
STRONG_CORRELATION = 0.9
_RCOND = 1e-9  # singular values of the scaled data Jacobian below this x the largest count as zero


class CalibrationWarning(UserWarning):
    """A fitted parameter is not identified by the data, sits at a bound, or the fit failed."""


def calibrate(
    region: str | Path | ObservedData | None = None,
    national: str | Path | ObservedData | None = None,
    *,
    data: HistoryData | None = None,
    fitted: Sequence[str] = FITTED,
) -> CalibrationResult:
    """Fit the behavioural parameters to the observed 2020-2024 history.

    Parameters
    ----------
    region, national : path or ObservedData, optional
        Observed regional and national figures (default: the shipped ``calibration/`` files).
    data : HistoryData, optional
        Fit to these figures instead of reading files (used to check the fit on synthetic data).
    fitted : sequence of str
        Names of the parameters to fit (default `FITTED`); the others keep their defaults.

    Returns
    -------
    CalibrationResult
        Fitted values, covariance, standard errors, residuals and identifiability warnings. Each
        warning is also issued as a `CalibrationWarning`.

    Raises
    ------
    DataError
        If the observed data lack a figure or hold a bad one.
    CalibrationError
        If ``fitted`` names an unknown parameter or the model fails on the data.
    """
    from scipy.optimize import least_squares

    names = tuple(fitted)
    for name in names:
        if name not in QUANTITIES:
            raise CalibrationError(
                f"fitted: unknown parameter '{name}'{did_you_mean(name, QUANTITIES)}")
    if data is None:
        data = load_history_data(region, national)
    schedule, levers_sha256 = history_schedule()
    problem = _Problem(names, data, schedule)

    fit = least_squares(
        problem.residuals,
        problem.centre,
        jac=problem.jacobian,
        bounds=(problem.low, problem.high),
        x_scale=problem.prior_sd,
        method="trf",
        xtol=1e-12,
        ftol=1e-12,
        gtol=1e-12,
    )
    # trust-region reflective stays strictly inside the bounds; a value within 1e-9 of the range
    # from a bound is at the bound, so report the bound itself
    width = problem.high - problem.low
    fit.x = np.where(fit.x - problem.low < 1e-9 * width, problem.low, fit.x)
    fit.x = np.where(problem.high - fit.x < 1e-9 * width, problem.high, fit.x)
    jacobian = problem.jacobian(fit.x)
    covariance = _inverse(jacobian.T @ jacobian)
    data_rows = jacobian[: -len(names)]
    messages = _identifiability(names, fit.x, covariance, data_rows, problem)
    if not fit.success:
        messages.insert(0, f"the fit did not converge: {fit.message}")
    for message in messages:
        warnings.warn(message, CalibrationWarning, stacklevel=2)
    return CalibrationResult(
        names=names,
        values=fit.x,
        standard_errors=np.sqrt(np.diag(covariance)),
        data_standard_errors=_data_standard_errors(data_rows, problem.prior_sd),
        covariance=covariance,
        residuals=problem.residual_records(fit.x),
        success=bool(fit.success),
        message=str(fit.message),
        nfev=int(fit.nfev),
        cost=float(fit.cost),
        warnings=tuple(messages),
        data_sha256=data.data_sha256,
        levers_sha256=levers_sha256,
    )


class _Problem:
    """The least-squares problem: the history run of a batch of parameter vectors."""

    def __init__(self, names: tuple[str, ...], data: HistoryData, schedule: LeverSchedule) -> None:
        self.names = names
        self.data = data
        self.schedule = schedule
        specs = [QUANTITIES[n] for n in names]
        self.low = np.array([s.bounds[0] for s in specs])
        self.high = np.array([s.bounds[1] for s in specs])
        self.centre = np.array([s.default for s in specs])
        self.prior_sd = np.array([float(s.prior.frozen().std()) for s in specs])

    def run(self, x: FloatArray) -> HistoryRun:
        """The history run of every row of ``x`` (``(n, p)``) as one batch."""
        x = np.atleast_2d(x)
        params = Parameters.defaults(x.shape[0]).with_values(
            {name: x[:, j] for j, name in enumerate(self.names)})
        run = run_history(self.data.base, params, self.schedule)
        if not all(np.all(np.isfinite(run.path(s)[:, 1:])) for s in SERIES):
            raise CalibrationError("the history run produced non-finite values; check the data")
        return run

    def stacked_residuals(self, x: FloatArray) -> FloatArray:
        x = np.atleast_2d(x)
        prior = (x - self.centre) / self.prior_sd
        return np.concatenate([series_residuals(self.run(x), self.data), prior], axis=1)

    def residuals(self, x: FloatArray) -> FloatArray:
        result: FloatArray = self.stacked_residuals(x)[0]
        return result

    def jacobian(self, x: FloatArray) -> FloatArray:
        """Central differences (one-sided at a bound), all 2p evaluations in one batch."""
        p = x.size
        step = 1e-6 * self.prior_sd
        up = np.minimum(x + step, self.high)
        down = np.maximum(x - step, self.low)
        points = np.repeat(x[None, :], 2 * p, axis=0)
        points[np.arange(p), np.arange(p)] = up
        points[p + np.arange(p), np.arange(p)] = down
        values = self.stacked_residuals(points)
        jacobian: FloatArray = ((values[:p] - values[p:]) / (up - down)[:, None]).T
        return jacobian

    def residual_records(self, x: FloatArray) -> tuple[Residual, ...]:
        run = self.run(x)
        weighted = series_residuals(run, self.data)[0]
        records = []
        position = 0
        for name in SERIES:
            series = self.data.series[name]
            observed = self.data.observations[name]
            model = model_values(series, run)[0]
            gap = gaps(series, run, observed)[0]
            raw = np.log(model) - np.log(observed) if series.log else model - np.asarray(observed)
            for k, (year_from, year_to) in enumerate(series.spans):
                offset = raw[k] - gap[k]  # the level offset removed in this segment
                fitted = model[k] * np.exp(-offset) if series.log else model[k] - offset
                records.append(Residual(series.name, year_from, year_to, observed[k],
                                        float(fitted), float(weighted[position])))
                position += 1
        return tuple(records)


def _inverse(matrix: FloatArray) -> FloatArray:
    try:
        inverse: FloatArray = np.asarray(np.linalg.inv(matrix), dtype=np.float64)
    except np.linalg.LinAlgError as exc:
        raise CalibrationError(f"the fit's information matrix is singular ({exc})") from exc
    return (inverse + inverse.T) / 2.0


def _data_standard_errors(data_rows: FloatArray, prior_sd: FloatArray) -> FloatArray:
    """Standard errors from the data rows alone; ``inf`` along directions the data do not see."""
    scaled = data_rows * prior_sd[None, :]  # columns in units of the prior sd
    _, singular, vt = np.linalg.svd(scaled, full_matrices=True)
    singular = np.concatenate([singular, np.zeros(vt.shape[0] - singular.size)])
    seen = singular > _RCOND * max(singular.max(), 1e-300)
    variance = (vt[seen].T ** 2) @ (1.0 / singular[seen] ** 2)
    blind = np.any(np.abs(vt[~seen]) > 1e-6, axis=0)
    errors: FloatArray = np.where(blind, np.inf, np.sqrt(variance)) * prior_sd
    return errors


def _identifiability(
    names: tuple[str, ...],
    x: FloatArray,
    covariance: FloatArray,
    data_rows: FloatArray,
    problem: _Problem,
) -> list[str]:
    messages = []
    data_se = _data_standard_errors(data_rows, problem.prior_sd)
    for j, name in enumerate(names):
        width = problem.high[j] - problem.low[j]
        if data_se[j] > width:
            shown = "infinite" if np.isinf(data_se[j]) else f"{data_se[j]:.3g}"
            default = QUANTITIES[name].default
            moved = (x[j] - default) / problem.prior_sd[j]
            what = (f"the fit stays near its prior's mode {default:g} ({x[j]:.4g})"
                    if abs(moved) < 0.5 else
                    f"the data move it from its prior's mode {default:g} to {x[j]:.4g} "
                    f"({moved:+.1f} prior sd) only jointly with other parameters, so its value "
                    "depends on the prior")
            messages.append(
                f"{name}: the data alone do not identify it (standard error {shown} exceeds its "
                f"range {width:.3g}); {what}")
        if min(x[j] - problem.low[j], problem.high[j] - x[j]) < 1e-6 * width:
            messages.append(f"{name}: fitted at a bound of [{problem.low[j]:g}, {problem.high[j]:g}]"
                            "; its standard error is not reliable")
    scale = np.sqrt(np.diag(covariance))
    correlation = covariance / np.outer(scale, scale)
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            if abs(correlation[i, j]) > STRONG_CORRELATION:
                messages.append(f"{names[i]} and {names[j]} are strongly correlated "
                                f"({correlation[i, j]:+.2f}): the data tell only a combination")
    return messages
