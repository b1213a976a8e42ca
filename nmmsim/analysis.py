"""Analysis of results: target attainment with its uncertainty, quantiles, observed history.

Works on the three kinds of result `nmmsim.simulate` and `nmmsim.compare` return:

* a Monte Carlo summary (dims ``quantile``, ``year``, ``target``; counts in ``attained``),
* Monte Carlo trajectories (dim ``draw`` with many draws),
* a deterministic run (one draw), where a target is met or not, by a margin.

A target is "attained in year t" when its indicator, measured up to year t, satisfies the target:
for a level that is the year's value, for an average the average from the target's start year to
t. The attainment path over the years shows whether a scenario is on track.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from statistics import NormalDist
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from nmmsim._types import FloatArray
from nmmsim.engine.montecarlo import QUANTILES
from nmmsim.errors import NmmsimError, did_you_mean
from nmmsim.observed import ObservedData, load_observed
from nmmsim.targets import Target, TargetHistory, load_targets, met, target_paths, target_series

if TYPE_CHECKING:
    from nmmsim.scenario import Scenario

__all__ = [
    "QUANTILES",
    "attainment",
    "deterministic_comparison",
    "margin",
    "observed_history",
    "paired_differences",
    "parameter_differences",
    "quantiles",
    "target_measures",
    "target_median",
    "wilson_interval",
]



def wilson_interval(count: FloatArray, draws: int, confidence: float = 0.95
                    ) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval of a binomial proportion ``count / draws``.

    Unlike the normal approximation it stays inside [0, 1] and is sensible at 0 and 1 draws
    attaining.

    Examples
    --------
    >>> low, high = wilson_interval(np.array([50]), 100)
    >>> round(float(low[0]), 3), round(float(high[0]), 3)
    (0.404, 0.596)
    """
    z = NormalDist().inv_cdf(0.5 + confidence / 2.0)
    p = np.asarray(count, dtype=np.float64) / draws
    denominator = 1.0 + z**2 / draws
    centre = (p + z**2 / (2 * draws)) / denominator
    half = z * np.sqrt(p * (1 - p) / draws + z**2 / (4 * draws**2)) / denominator
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def margin(target: Target, value: FloatArray) -> FloatArray:
    """How far ``value`` is inside the target (positive) or short of it (negative), target units.

    ``at_least``: value - lower. ``at_most``: upper - value. ``within``: distance to the nearer
    edge, negative outside the band. ``approximately``: tolerance x |target| - |value - target|.
    """
    value = np.asarray(value, dtype=np.float64)
    if target.kind == "at_least":
        return value - target.lower
    if target.kind == "at_most":
        assert target.upper is not None
        return target.upper - value
    if target.kind == "within":
        assert target.upper is not None
        return np.minimum(value - target.lower, target.upper - value)
    assert target.tolerance is not None
    return target.tolerance * abs(target.lower) - np.abs(value - target.lower)


def _modelled(targets: Sequence[Target] | str | Path | None) -> tuple[tuple[Target, ...],
                                                                       tuple[Target, ...]]:
    if targets is None or isinstance(targets, str | Path):
        targets = load_targets(targets)
    return (tuple(t for t in targets if t.modelled), tuple(t for t in targets if not t.modelled))


def attainment(
    result: xr.Dataset,
    targets: Sequence[Target] | str | Path | None = None,
    *,
    confidence: float = 0.95,
    observed: ObservedData | None = None,
) -> xr.Dataset:
    """Probability of attaining each target, and all at once, year by year, with its uncertainty.

    Parameters
    ----------
    result : xarray.Dataset
        A result of `nmmsim.simulate` or `nmmsim.compare`.
    targets : sequence of Target or path, optional
        Default: the shipped Resolution 96 table. A Monte Carlo summary holds counts for the
        targets it was run with; asking it for others is an error.
    confidence : float
        Level of the Wilson intervals.

    Returns
    -------
    xarray.Dataset
        Monte Carlo results: ``count``, ``probability``, ``standard_error`` (Monte Carlo,
        ``sqrt(p (1 - p) / draws)``), ``lower``/``upper`` (Wilson) by ``target`` and ``year``,
        and the same with suffix ``_all`` for attaining every modelled target at once. A
        deterministic run: ``value``, ``met`` and ``margin`` (`margin`), and ``met_all``.
        With a history range (``simulate(..., history_range="leave-one-year-out")``) also
        ``probability_history`` by ``left_out_year``, the probability under each sub-posterior
        conditioned without that year, and its lowest and highest, ``history_lower`` and
        ``history_upper`` (and the same with ``_all``; docs/uncertainty.md §6).
        ``attrs["not_modelled"]`` lists the targets the model does not cover,
        ``attrs["beyond_horizon"]`` those whose year is after the result's last year
        (``attrs["horizon"]``): they are left out, as no year of the run can attain them.
    """
    modelled, not_modelled = _modelled(targets)
    horizon = int(result["year"].max())
    beyond = tuple(t for t in modelled if t.year > horizon)
    modelled = tuple(t for t in modelled if t.year <= horizon)
    if "attained" in result:  # a Monte Carlo summary: exact counts were kept
        names = list(result.target.values)
        unknown = [t.target for t in modelled if t.target not in names]
        if unknown:
            raise NmmsimError(f"this summary counted the targets {names}; it has no counts for "
                              f"{unknown} (run with those targets, or keep='trajectories')")
        counts = result.attained.sel(target=[t.target for t in modelled])
        counts_all = result.attained_all
        draws = int(result.attrs["draws"])
        if "attained_history" in result:
            left_out = (result.attained_history.sel(target=[t.target for t in modelled]),
                        result.attained_all_history, int(result.attrs["history_draws"]))
            return _probabilities(counts, counts_all, draws, modelled, not_modelled, confidence,
                                  beyond, left_out)
    else:
        history = TargetHistory.from_observed(observed)
        indicators = [_indicator(result, t, history) for t in modelled]
        draws = result.sizes["draw"]
        if draws == 1:
            return _deterministic(modelled, not_modelled, indicators, result, beyond)
        if not modelled:
            return _probabilities(*_no_counts(result), draws, modelled, not_modelled, confidence,
                                  beyond)
        attained = xr.concat([v.copy(data=met(t, v.values))
                              for t, v in zip(modelled, indicators, strict=True)], dim="target")
        counts = attained.sum("draw")
        counts_all = attained.all("target").sum("draw")
    return _probabilities(counts, counts_all, draws, modelled, not_modelled, confidence, beyond)


def _no_counts(result: xr.Dataset) -> tuple[xr.DataArray, xr.DataArray]:
    """Counts for no target: every draw attains "all of none" (nothing to report)."""
    years = result["year"]
    leading = {d: result[d] for d in ("scenario",) if d in result.dims}
    counts_all = xr.DataArray(np.full((*(len(v) for v in leading.values()), len(years)),
                                      result.sizes["draw"], dtype=np.int64),
                              dims=(*leading, "year"), coords={**leading, "year": years})
    counts = counts_all.expand_dims(target=[]).astype(np.int64)
    return counts, counts_all


def _indicator(result: xr.Dataset, target: Target, history: TargetHistory) -> xr.DataArray:
    """The target's indicator in every year, dims (draw, [scenario,] year)."""
    if target.variable not in result:
        raise NmmsimError(f"target '{target.target}': the result has no variable "
                          f"'{target.variable}'{did_you_mean(target.variable, map(str, result.data_vars))}")
    series = target_series(result, target)
    if target.sector:
        series = series.sel(sector=target.sector, drop=True)
    leading = [d for d in series.dims if d not in ("draw", "year")]
    series = series.transpose("year", *leading, "draw")
    years = [int(y) for y in series.year.values]
    values = target_paths(target, series.values.reshape(len(years), -1), years, history)
    measured = series.copy(data=values.reshape(series.shape))
    return measured.transpose("draw", *leading, "year")


def _deterministic(modelled: tuple[Target, ...], not_modelled: tuple[Target, ...],
                   indicators: list[xr.DataArray], result: xr.Dataset,
                   beyond: tuple[Target, ...]) -> xr.Dataset:
    if not indicators:
        empty = xr.DataArray(np.zeros((0, result.sizes["year"])), dims=("target", "year"),
                             coords={"year": result["year"]})
        return _label(xr.Dataset({"value": empty, "met": empty.astype(bool), "margin": empty,
                                  "met_all": empty.all("target")}),
                      modelled, not_modelled, draws=1, beyond=beyond)
    values = [v.isel(draw=0, drop=True) for v in indicators]
    value = xr.concat(values, dim="target")
    met_ = xr.concat([v.copy(data=met(t, v.values))
                      for t, v in zip(modelled, values, strict=True)], dim="target")
    margins = xr.concat([v.copy(data=margin(t, v.values))
                         for t, v in zip(modelled, values, strict=True)], dim="target")
    dataset = xr.Dataset(
        {"value": value, "met": met_, "margin": margins, "met_all": met_.all("target")})
    return _label(dataset, modelled, not_modelled, draws=1, beyond=beyond)


def _probabilities(counts: xr.DataArray, counts_all: xr.DataArray, draws: int,
                   modelled: tuple[Target, ...], not_modelled: tuple[Target, ...],
                   confidence: float, beyond: tuple[Target, ...],
                   history: tuple[xr.DataArray, xr.DataArray, int] | None = None) -> xr.Dataset:
    data: dict[str, xr.DataArray] = {}
    if history is not None:
        for suffix, count in (("", history[0]), ("_all", history[1])):
            by_year = (count / history[2]).assign_attrs(
                units="1", long_name="Probability of attainment under the posterior conditioned "
                "without left_out_year (Monte Carlo estimate)")
            data[f"probability_history{suffix}"] = by_year
            for bound, value in (("lower", by_year.min("left_out_year")),
                                 ("upper", by_year.max("left_out_year"))):
                data[f"history_{bound}{suffix}"] = value.assign_attrs(
                    units="1", long_name=f"History range, {bound} end: the "
                    f"{'lowest' if bound == 'lower' else 'highest'} probability of attainment "
                    "over the posteriors conditioned without one year of the 2021-2024 history")
    for suffix, count in (("", counts), ("_all", counts_all)):
        probability = count / draws
        low, high = wilson_interval(count.values, draws, confidence)
        data[f"count{suffix}"] = count.astype(np.int64)
        data[f"probability{suffix}"] = probability
        data[f"standard_error{suffix}"] = (probability * (1 - probability) / draws) ** 0.5
        data[f"lower{suffix}"] = count.copy(data=low)
        data[f"upper{suffix}"] = count.copy(data=high)
    dataset = xr.Dataset(data)
    dataset.attrs["confidence"] = confidence
    return _label(dataset, modelled, not_modelled, draws, beyond=beyond)


def _label(dataset: xr.Dataset, modelled: tuple[Target, ...], not_modelled: tuple[Target, ...],
           draws: int, *, beyond: tuple[Target, ...]) -> xr.Dataset:
    dataset = dataset.assign_coords(
        target=[t.target for t in modelled],
        description=("target", [t.description for t in modelled]),
        target_year=("target", [t.year for t in modelled]),
        bounds=("target", [t.describe_bounds() for t in modelled]),
        unit=("target", [t.unit for t in modelled]),
    )
    dataset.attrs.update({
        "draws": draws,
        "not_modelled": "; ".join(f"{t.description} ({t.describe_bounds()} {t.unit})"
                                  for t in not_modelled),
        "horizon": int(dataset["year"].max()),
        "beyond_horizon": "; ".join(f"{t.description} ({t.year})" for t in beyond),
        "definition": "attained in a year: the target's indicator measured up to that year "
                      "satisfies the target (levels: that year's value; averages: from the "
                      "target's first year)",
    })
    return dataset


def paired_differences(compared: xr.Dataset, confidence: float = 0.95) -> xr.Dataset:
    """Each scenario's attainment probability minus the reference's, on the same draws.

    From the paired disagreement counts of `nmmsim.compare`: with ``g`` draws attaining only in
    the scenario and ``l`` only in the reference, the difference is ``(g - l) / N`` and its
    standard error ``sqrt(((g + l) / N - d^2) / N)``, far smaller than for independent runs
    because the shared draws cancel. ``lower``/``upper``: normal interval at ``confidence``.
    """
    if "discordant" not in compared:
        raise NmmsimError("paired differences need the result of nmmsim.compare")
    draws = int(compared.attrs["draws"])
    z = NormalDist().inv_cdf(0.5 + confidence / 2.0)
    data: dict[str, xr.DataArray] = {}
    for suffix in ("", "_all"):
        counts = compared[f"discordant{suffix}"]
        gained, lost = counts.sel(direction="gained", drop=True), counts.sel(direction="lost",
                                                                              drop=True)
        difference = (gained - lost) / draws
        error = (((gained + lost) / draws - difference**2).clip(min=0.0) / draws) ** 0.5
        data[f"difference{suffix}"] = difference
        data[f"standard_error{suffix}"] = error
        data[f"lower{suffix}"] = difference - z * error
        data[f"upper{suffix}"] = difference + z * error
    dataset = xr.Dataset(data)
    dataset.attrs.update({"reference_scenario": compared.attrs["reference_scenario"],
                          "draws": draws, "confidence": confidence})
    return dataset


def deterministic_comparison(results: Sequence[xr.Dataset]) -> xr.Dataset:
    """Deterministic runs of several scenarios side by side, along a ``scenario`` dimension (the
    first is the reference), as `nmmsim.compare` puts Monte Carlo runs.

    The runs must cover the same years. Attributes the runs share are kept;
    ``scenario_file`` and ``scenario_sha256`` list each run's, ``reference_scenario`` names the
    first. There are no paired differences: a deterministic run has one path, so the
    difference between two scenarios is the difference of their values.

    Raises
    ------
    NmmsimError
        If fewer than two runs are given, their names repeat, or their years differ.
    """
    names = [str(r.attrs.get("scenario", "")) for r in results]
    if len(results) < 2 or len(set(names)) != len(names):
        raise NmmsimError(f"a comparison needs at least two scenarios with distinct names, "
                          f"got {names}")
    years = [tuple(int(y) for y in r["year"].values) for r in results]
    if len(set(years)) != 1:
        raise NmmsimError("the deterministic runs cover different years: "
                          + "; ".join(f"{n} {y[0]}-{y[-1]}" for n, y in zip(names, years,
                                                                           strict=True)))
    compared = xr.concat(results, dim=xr.DataArray(names, dims="scenario", name="scenario"),
                         combine_attrs="drop_conflicts")
    compared.attrs.update({
        "scenario": ", ".join(names), "reference_scenario": names[0],
        **{key: "; ".join(str(r.attrs[key]) for r in results)
           for key in ("scenario_file", "scenario_sha256") if all(key in r.attrs for r in results)},
    })
    return compared


def quantiles(result: xr.Dataset, levels: Sequence[float] = QUANTILES) -> xr.Dataset:
    """Quantiles by year of every per-year variable (exact, inverted CDF), like a summary.

    A Monte Carlo summary is returned as it is; trajectories and deterministic runs are reduced
    over ``draw``. Fan charts plot these.
    """
    if "quantile" in result.dims:
        return result
    numeric = [n for n, v in result.data_vars.items() if "year" in v.dims and "draw" in v.dims]
    reduced = result[numeric].quantile(list(levels), dim="draw", method="inverted_cdf",
                                       skipna=False)  # investment is NaN in the base year
    for name in numeric:
        reduced[name].attrs = result[name].attrs
    reduced.attrs = result.attrs
    return reduced


def target_measures(
    result: xr.Dataset,
    targets: Sequence[Target] | str | Path | None = None,
    *,
    observed: ObservedData | None = None,
) -> xr.Dataset:
    """``result`` with the measured indicator of each target measured over several years.

    For every modelled ``average_growth`` or ``average_reduction`` target, adds
    ``target_<name>``: the indicator as it would be measured in each year (the average from the
    target's first year to that year), dims (draw, [scenario,] year), as a Monte Carlo summary
    keeps it. Level targets read their variable directly and add nothing. A summary, which has
    no draws, is returned as it is.

    Examples
    --------
    >>> import nmmsim
    >>> run = target_measures(nmmsim.simulate(nmmsim.shipped_scenarios()["baseline"]))
    >>> run.target_grdp_growth.dims
    ('draw', 'year')
    >>> bool(run.target_grdp_growth.sel(year=2030) > 0)
    True
    """
    if "draw" not in result.dims:
        return result
    modelled, _ = _modelled(targets)
    history = TargetHistory.from_observed(observed)
    added = {}
    for target in modelled:
        name = f"target_{target.target}"
        if (target.measure == "level" and target.area == "region_2022") or name in result:
            continue
        measured = _indicator(result, target, history)
        measured.attrs = {"long_name": f"{target.description}, measured up to each year",
                          "units": target.unit}
        added[name] = measured
    return result.assign(added)


def target_median(quantiles: xr.Dataset, target: Target) -> float:
    """Median of a target's indicator in the target year, from a summary or `quantiles`.

    A target measured over several years (average growth, poverty reduction) uses its measure,
    ``target_<name>``; NaN when the result did not keep it.
    """
    own = target.measure == "level" and target.area == "region_2022"
    name = target.variable if own else f"target_{target.target}"
    if name not in quantiles:
        return math.nan
    da = quantiles[name].sel(quantile=0.5, year=target.year)
    if target.sector and "sector" in da.dims:
        da = da.sel(sector=target.sector)
    return float(da)


def observed_history(observed: ObservedData | None = None) -> dict[str, dict[int, float]]:
    """Observed values of the result variables before and at the base year, in result units.

    Keys are variable names (``sector_share/<sector>`` for shares). Only what the statistics
    office published for the region (``calibration/observed_region.csv``): levels not comparable
    across the 2021 labour-force survey break are still shown as published.
    """
    data = observed if observed is not None else load_observed()
    population = data.series("population")
    nominal = data.series("grdp_nominal")
    history: dict[str, dict[int, float]] = {
        "grdp_nominal": nominal,
        "population": population,
        "urban_share": {y: 100 * v / population[y]
                        for y, v in data.series("urban_population").items() if y in population},
        "grdp_per_capita": {y: 1e3 * v / population[y] for y, v in nominal.items()
                            if y in population},
        "certified_share": data.series("certified_labour_share"),
        "poverty_rate": data.series("multidimensional_poverty_rate"),
        "budget_revenue": data.series("budget_revenue_total"),
        "grdp_growth": data.series("grdp_real_growth"),
        "forest_cover": data.series("forest_cover"),
    }
    for sector, indicator in (("agriculture", "share_agriculture"),
                              ("industry_construction", "share_industry_construction"),
                              ("services", "share_services")):
        history[f"sector_share/{sector}"] = data.series(indicator)
    growth = TargetHistory.from_observed(data).growth
    average = {}
    log_total = 0.0
    for count, year in enumerate(range(2021, max(growth) + 1), 1):
        if year not in growth:
            break
        log_total += math.log1p(growth[year] / 100.0)
        if year >= 2023:  # published as a 2021-2023 average: single years are not known
            average[year] = 100.0 * math.expm1(log_total / count)
    history["target_grdp_growth"] = average
    poverty = history["poverty_rate"]
    if 2022 in poverty:
        history["target_poverty_reduction"] = {y: (poverty[2022] - v) / (y - 2022)
                                               for y, v in poverty.items() if y > 2022}
    return history


def parameter_differences(scenarios: Sequence[Scenario]) -> dict[str, dict[str, str]]:
    """Model parameters the scenarios set differently: ``{parameter: {scenario: setting}}``.

    A setting is "fixed at V" (the scenario's ``[parameters]``), "prior ..." (its ``[priors]``)
    or "posterior" (neither: drawn from the posterior, its median in a deterministic run). Only
    parameters whose setting is not the same in every scenario are listed: there, a comparison
    measures a change of the model along with the change of levers.

    Examples
    --------
    >>> import nmmsim
    >>> shipped = nmmsim.shipped_scenarios()
    >>> parameter_differences([nmmsim.load_scenario(shipped["baseline"]),
    ...                        nmmsim.load_scenario(shipped["resolution_96"])])
    {}
    """
    def setting(scenario: Scenario, name: str) -> str:
        if name in scenario.parameter_overrides:
            return f"fixed at {scenario.parameter_overrides[name]:.10g}"
        if name in scenario.prior_overrides:
            return f"prior {scenario.prior_overrides[name].describe()}"
        return "posterior"

    names = sorted({name for s in scenarios for name in (*s.parameter_overrides,
                                                         *s.prior_overrides)})
    differences = {}
    for name in names:
        settings = {s.name: setting(s, name) for s in scenarios}
        if len(set(settings.values())) > 1:
            differences[name] = settings
    return differences
