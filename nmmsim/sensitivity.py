"""Global sensitivity: which uncertain parameters decide each target, year by year.

Sobol' indices (first order ``S1`` and total ``ST``, with bootstrap confidence intervals) and
Morris elementary effects (``mu_star``, ``sigma``) come from SALib: it implements the Saltelli
sampling and the Jansen/Saltelli estimators, grouped indices and Morris screening, with its own
test suite (scipy's `scipy.stats.sobol_indices` has no groups and no Morris). nmmsim supplies the
model: `indices` evaluates any vectorized function of the unit cube, and `sensitivity` makes that
function the nmmsim model (unit cube -> priors' quantile functions -> `project` -> each target's
indicator and whether it is attained, every projection year), so the Ishigami test runs through
exactly the code the model does.

Sobol' indices assume independent inputs: here every uncertain parameter is drawn from its own
prior (the least-squares fit's parameters from their fitted marginals, not the joint posterior
that Monte Carlo runs draw from), and severe disasters
enter at their expected intensity, so the output is a deterministic function of the parameters
and ``disaster_probability`` and the damage parameters carry the disaster risk.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
import xarray as xr

from nmmsim._types import FloatArray
from nmmsim.base_year import BaseYear
from nmmsim.calibrated import load_calibrated
from nmmsim.engine import project
from nmmsim.engine.uncertainty import NAMES, Uncertainty
from nmmsim.errors import NmmsimError
from nmmsim.levers import LeverSchedule
from nmmsim.observed import load_observed
from nmmsim.parameters import QUANTITIES
from nmmsim.past import Past
from nmmsim.results import TARGET_REGION, area_indicator_paths
from nmmsim.scenario import Scenario, load_scenario
from nmmsim.targets import Target, TargetHistory, load_targets, met, target_paths

__all__ = ["METHODS", "Method", "indices", "sensitivity"]

Method = Literal["sobol", "morris"]
METHODS: tuple[str, ...] = get_args(Method)
_CHUNK = 2_048  # evaluations per batch through the model (the Monte Carlo chunk size)

#: A vectorized model: unit-cube points (d, n) -> outputs (m, n).
Evaluate = Callable[[FloatArray], FloatArray]


def indices(
    evaluate: Evaluate,
    names: Sequence[str],
    *,
    groups: Sequence[str] | None = None,
    draws: int = 1024,
    seed: int = 0,
    method: Method = "sobol",
    resamples: int = 100,
    confidence: float = 0.95,
) -> dict[str, FloatArray]:
    """Sensitivity indices of every output of ``evaluate`` to each of its inputs (and groups).

    Parameters
    ----------
    evaluate : callable
        Maps unit-cube points ``(len(names), n)`` to outputs ``(m, n)``.
    names : sequence of str
        The inputs, uniform on [0, 1] (map them through quantile functions inside ``evaluate``).
    groups : sequence of str, optional
        A group name per input: Sobol' indices are then computed for the groups as well.
    draws : int
        Base sample size N: Sobol' evaluates ``N (d + 2)`` points (and ``N (g + 2)`` for
        groups), Morris ``N (d + 1)``.
    seed : int
        Same seed, same indices.

    Returns
    -------
    dict of arrays
        Sobol': ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` of shape ``(m, d)`` (and ``*_group`` of
        ``(m, g)``); Morris: ``mu_star``, ``mu_star_conf``, ``sigma``. Outputs that do not vary
        get NaN.
    """
    if method not in METHODS:
        raise NmmsimError(f"method = {method!r}; allowed: {', '.join(METHODS)}")
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 8:
        raise NmmsimError(f"draws = {draws!r} must be a whole number >= 8")
    problem = {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}
    if method == "morris":
        return _morris(evaluate, problem, draws, seed, resamples, confidence)
    result = _sobol(evaluate, problem, draws, seed, resamples, confidence)
    if groups is not None:
        grouped = _sobol(evaluate, {**problem, "groups": list(groups)}, draws, seed, resamples,
                         confidence)
        result.update({f"{key}_group": value for key, value in grouped.items()})
    return result


def _sobol(evaluate: Evaluate, problem: dict[str, Any], draws: int, seed: int,
           resamples: int, confidence: float) -> dict[str, FloatArray]:
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    points = sample.sample(problem, draws, calc_second_order=False, scramble=True, seed=seed)
    outputs = evaluate(np.ascontiguousarray(points.T))
    keys = ("S1", "S1_conf", "ST", "ST_conf")
    width = len(set(problem["groups"])) if "groups" in problem else problem["num_vars"]
    result = {key: np.full((outputs.shape[0], width), np.nan) for key in keys}
    for row, output in enumerate(outputs):
        if np.ptp(output) == 0.0 or not np.all(np.isfinite(output)):
            continue  # no variance: indices undefined
        with warnings.catch_warnings():  # rare events leave some bootstrap resamples constant
            warnings.filterwarnings("ignore", "Constant values encountered", UserWarning)
            found = analyze.analyze(problem, output, calc_second_order=False,
                                    num_resamples=resamples, conf_level=confidence, seed=seed)
        for key in keys:
            result[key][row] = found[key]
    return result


def _morris(evaluate: Evaluate, problem: dict[str, Any], draws: int, seed: int,
            resamples: int, confidence: float) -> dict[str, FloatArray]:
    from SALib.analyze import morris as analyze
    from SALib.sample import morris as sample

    points = sample.sample(problem, draws, num_levels=4, seed=seed)
    outputs = evaluate(np.ascontiguousarray(points.T))
    keys = ("mu_star", "mu_star_conf", "sigma")
    result = {key: np.full((outputs.shape[0], problem["num_vars"]), np.nan) for key in keys}
    for row, output in enumerate(outputs):
        if np.ptp(output) == 0.0 or not np.all(np.isfinite(output)):
            continue
        with warnings.catch_warnings():  # SALib warns when it rounds the level count
            warnings.simplefilter("ignore", UserWarning)
            found = analyze.analyze(problem, points, output, num_resamples=resamples,
                                    conf_level=confidence, num_levels=4, seed=seed)
        for key in keys:
            result[key][row] = found[key]
    return result


def sensitivity(
    scenario: Scenario | str | Path,
    *,
    draws: int = 1024,
    seed: int = 0,
    method: Method = "sobol",
    targets: str | Path | Sequence[Target] | None = None,
    start_year: int = 2024,
    end_year: int = 2030,
    calibration: str | Path | None = None,
    resamples: int = 100,
) -> xr.Dataset:
    """Sensitivity of every target's indicator, and of its attainment, to the uncertain parameters.

    Returns
    -------
    xarray.Dataset
        Dims ``parameter``, ``group`` (Sobol' only), ``target``, ``quantity`` ("value": the
        target's indicator; "attained": 1 if attained, else 0), ``year`` (projection years).
        Sobol': ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` and the same with ``_group``; Morris:
        ``mu_star``, ``mu_star_conf``, ``sigma``. attrs: method, draws, evaluations, seed.

    Examples
    --------
    >>> import nmmsim
    >>> from nmmsim.sensitivity import sensitivity
    >>> found = sensitivity(nmmsim.shipped_scenarios()["baseline"], draws=64, seed=1)
    >>> found.ST.dims
    ('target', 'quantity', 'year', 'parameter')
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if targets is None or isinstance(targets, str | Path):
        targets = load_targets(targets)
    modelled = tuple(t for t in targets if t.modelled and t.year <= end_year)
    observed = load_observed()
    base = BaseYear.from_observed(observed, start_year)
    past = Past.before(start_year, observed)
    years = list(range(start_year + 1, end_year + 1))
    schedule = scenario.schedule(range(start_year + 1, end_year + 1))
    uncertainty = Uncertainty.from_fit(load_calibrated(calibration),
                                       fixed=scenario.parameter_overrides,
                                       priors=scenario.prior_overrides)
    uncertain = [name for name in NAMES if name in uncertainty.priors]
    history = TargetHistory.from_observed(observed)

    def evaluate(unit: FloatArray) -> FloatArray:
        parts = [_evaluate_model(unit[:, first:first + _CHUNK], uncertain, uncertainty, base,
                                 past, schedule, modelled, history)
                 for first in range(0, unit.shape[1], _CHUNK)]
        return np.concatenate(parts, axis=1)

    found = indices(evaluate, uncertain, groups=[QUANTITIES[n].group for n in uncertain],
                    draws=draws, seed=seed, method=method, resamples=resamples)
    evaluations = {"sobol": draws * (len(uncertain) + 2)
                   + draws * (len({QUANTITIES[n].group for n in uncertain}) + 2),
                   "morris": draws * (len(uncertain) + 1)}[method]
    return _dataset(found, uncertain, modelled, years, {
        "scenario": scenario.name, "scenario_sha256": scenario.file_hash, "method": method,
        "draws": draws, "evaluations": evaluations, "seed": seed,
        "inputs": "independent priors (the least-squares fit's marginals for its parameters, "
                  "not the joint posterior); "
                  "disasters at expected intensity"})


def _evaluate_model(unit: FloatArray, uncertain: list[str], uncertainty: Uncertainty,
                    base: BaseYear, past: Past | None, schedule: LeverSchedule,
                    targets: tuple[Target, ...], history: TargetHistory) -> FloatArray:
    """The model at unit-cube points of the uncertain parameters: (targets x 2 x years, n)."""
    full = np.full((uncertainty.dimension, unit.shape[1]), 0.5)  # fixed parameters ignore their column
    rows = {name: j for j, name in enumerate(NAMES)}
    for k, name in enumerate(uncertain):
        full[rows[name]] = unit[k]
    params = uncertainty.parameters(full)
    disasters = np.repeat(params.disaster_probability[:, None], len(schedule.years), axis=1)
    states, constants = project(base, params, schedule, disasters, past=past)
    years = [base.year, *schedule.years]
    paths = area_indicator_paths(states, constants, base, TARGET_REGION,
                                 {(t.variable, t.sector) for t in targets})
    outputs = []
    for target in targets:
        indicator = target_paths(target, paths[(target.variable, target.sector)], years,
                                 history)[1:]  # projection years
        outputs += [indicator, met(target, indicator).astype(np.float64)]
    return np.concatenate(outputs)


_LABEL = "none (a label)"  # units of the coordinates that name things
_COORDINATE_ATTRS: Mapping[str, Mapping[str, str]] = {
    "target": {"long_name": "Target id (the targets table's 'target' column)", "units": _LABEL},
    "quantity": {"long_name": "What the index is of: the target's indicator ('value') or "
                 "whether it is attained ('attained', 1 or 0)", "units": _LABEL},
    "year": {"long_name": "Year in which the target is measured", "units": "calendar year"},
    "parameter": {"long_name": "Uncertain parameter (docs/model.md section 4)", "units": _LABEL},
    "group": {"long_name": "Parameter group", "units": _LABEL},
    "description": {"long_name": "Target description", "units": _LABEL},
    "target_unit": {"long_name": "Unit of the target's indicator", "units": _LABEL},
    "parameter_group": {"long_name": "Group of the parameter", "units": _LABEL},
}
# Morris effects are differences of the output per step of an input on the unit cube (its
# quantile level u), so they carry the output's unit, which differs between targets
_EFFECT_UNITS = ("the target's unit (coordinate target_unit) per unit of the input's quantile "
                 "level u in [0, 1]; 1 per unit of u for quantity 'attained'")
_INDEX_ATTRS: Mapping[str, Mapping[str, str]] = {
    "S1": {"long_name": "First-order Sobol' index", "units": "1"},
    "ST": {"long_name": "Total Sobol' index", "units": "1"},
    "mu_star": {"long_name": "Morris mean absolute elementary effect", "units": _EFFECT_UNITS},
    "sigma": {"long_name": "Morris standard deviation of elementary effects",
              "units": _EFFECT_UNITS},
}


def _dataset(found: Mapping[str, FloatArray], names: list[str], targets: tuple[Target, ...],
             years: list[int], attrs: dict[str, str | int]) -> xr.Dataset:
    shape = (len(targets), 2, len(years))
    coords = {"target": [t.target for t in targets], "quantity": ["value", "attained"],
              "year": years, "parameter": names}
    groups = list(dict.fromkeys(QUANTITIES[n].group for n in names))
    data = {}
    for key, value in found.items():
        if key.endswith("_group"):
            data[key] = (("target", "quantity", "year", "group"), value.reshape(*shape, -1))
        else:
            data[key] = (("target", "quantity", "year", "parameter"), value.reshape(*shape, -1))
    dataset = xr.Dataset(data, coords=coords)
    if any(k.endswith("_group") for k in found):
        dataset = dataset.assign_coords(group=groups)
    dataset = dataset.assign_coords(
        description=("target", [t.description for t in targets]),
        target_unit=("target", [t.unit for t in targets]),
        parameter_group=("parameter", [QUANTITIES[n].group for n in names]))
    for name, meta in _COORDINATE_ATTRS.items():
        if name in dataset.coords:
            dataset[name].attrs.update(meta)
    for name, meta in _INDEX_ATTRS.items():
        for suffix in ("", "_group"):
            of = " of the parameter group" if suffix else ""
            if f"{name}{suffix}" in dataset:
                dataset[f"{name}{suffix}"].attrs.update(long_name=meta["long_name"] + of,
                                                        units=meta["units"])
            if f"{name}_conf{suffix}" in dataset:
                dataset[f"{name}_conf{suffix}"].attrs.update(
                    long_name=f"Half-width of the bootstrap confidence interval of {name}{suffix}",
                    units=meta["units"])
    dataset.attrs.update(attrs)
    return dataset
