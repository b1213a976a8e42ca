"""`simulate`: the public entry point, deterministic or Monte Carlo."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
import xarray as xr

from nmmsim._types import FloatArray
from nmmsim.base_year import BaseYear
from nmmsim.engine.chunks import (
    DEFAULT_CHUNK_SIZE,
    Arm,
    ChunkSummary,
    DisasterMode,
    Keep,
    RunSpec,
    ShockMode,
    chunk_size_for,
)
from nmmsim.engine.executor import Progress, execute
from nmmsim.engine.montecarlo import run_monte_carlo
from nmmsim.engine.projection import check_disasters, expected_disasters, project
from nmmsim.engine.sampling import BLOCK_SIZE, SAMPLERS, Sampler
from nmmsim.engine.uncertainty import NAMES, Uncertainty
from nmmsim.errors import NmmsimError, did_you_mean
from nmmsim.history_range import (
    HISTORY_YEARS,
    HistoryRange,
    history_draws,
    load_sub_posteriors,
    sub_posterior_path,
)
from nmmsim.observed import ObservedData, load_observed
from nmmsim.parameters import Parameters
from nmmsim.past import Past
from nmmsim.posterior import PosteriorSample, load_posterior
from nmmsim.results import VARIABLES, build_dataset
from nmmsim.scenario import Scenario, load_scenario
from nmmsim.targets import Target, TargetHistory, load_targets

__all__ = ["DEFAULT_CHUNK_SIZE", "MAX_DRAWS", "MAX_END_YEAR", "UncertaintyMode", "compare",
           "simulate"]

#: Most draws a run accepts: 10^10 takes about two days on two cores (docs/performance.md).
MAX_DRAWS = 10**10
#: scipy's Sobol' engine draws at most 2^30 points per sequence.
MAX_SOBOL_DRAWS = 2**30

MAX_END_YEAR = 2100
_MAX_TRAJECTORY_BYTES = 4 * 2**30
#: "posterior": parameters conditioned on the history (the default); "prior": registry priors.
UncertaintyMode = Literal["posterior", "prior"]


def simulate(
    scenario: Scenario | str | Path,
    *,
    draws: int | None = None,
    seed: int | None = None,
    sampler: Sampler = "mc",
    keep: Keep = "summary",
    workers: int = 1,
    chunk_size: int | None = None,
    scheduler: Any = None,
    disasters: FloatArray | DisasterMode | None = None,
    shocks: ShockMode | None = None,
    uncertainty: Uncertainty | UncertaintyMode = "posterior",
    start_year: int = 2024,
    end_year: int = 2030,
    parameters: Parameters | None = None,
    observed: ObservedData | None = None,
    posterior: str | Path | None = None,
    targets: str | Path | Sequence[Target] | None = None,
    progress: Progress | None = None,
    history_range: HistoryRange = "none",
) -> xr.Dataset:
    """Project the region from ``start_year`` to ``end_year`` under a scenario.

    Without ``draws`` the run is deterministic: one draw at the posterior's medians (or the
    given ``parameters``), disasters at their expected intensity. With ``draws`` it is a Monte
    Carlo run: the parameters are drawn jointly from the posterior conditioned on the 2020-2024
    history (docs/uncertainty.md) and severe-disaster years at random (docs/montecarlo.md).

    Parameters
    ----------
    scenario : Scenario or path
        A loaded scenario or the path of a scenario file.
    draws : int, optional
        Number of Monte Carlo draws. Not together with ``parameters``.
    seed : int, optional
        Seed of the run (default: fresh entropy, recorded in the result's attrs). The same seed
        gives bit-identical results whatever ``chunk_size``, ``workers`` or ``scheduler``, and the
        same parameter draws and disaster years in every scenario (common random numbers).
    sampler : {"mc", "lhs", "sobol"}
        Plain Monte Carlo, Latin hypercube (per block of 1,024 draws) or scrambled Sobol'.
    keep : {"summary", "trajectories"}
        Quantiles by year and attainment counts, in memory independent of ``draws``; or every
        draw's full paths (refused beyond about 4 GiB).
    workers : int
        Local processes (1: run in this process).
    chunk_size : int, optional
        Draws per chunk, a multiple of 1,024. Does not change results. Default: 2,048, less at
        long horizons, so a chunk's memory stays in budget (`nmmsim.engine.chunks.chunk_size_for`).
    scheduler : dask.distributed.Client or str, optional
        Run the chunks on this Dask cluster (``pip install 'nmmsim[distributed]'``).
    disasters : (n, years) array, "random" or "expected", optional
        Severe-disaster intensity. Deterministic runs: default expected (``disaster_probability``
        every year), or an array per draw and year. Monte Carlo runs: default "random" (a severe
        year with probability ``disaster_probability``), or "expected".
    shocks : {"random", "none"}, optional
        Yearly TFP shocks by province (Monte Carlo runs; default "random", with sd
        ``tfp_shock_sd``). Deterministic runs are the shock-free path and refuse "random".
    uncertainty : {"posterior", "prior"} or Uncertainty
        What varies across draws. "posterior" (default): the posterior sample, with the
        scenario's ``[parameters]`` and ``[priors]`` on top; a deterministic run takes each
        parameter's posterior median. "prior": every parameter independently from its registry
        prior; a deterministic run takes the priors' modes (the registry defaults). An
        `Uncertainty` gives the distributions explicitly (Monte Carlo runs only).
    start_year, end_year : int
        Base year (its observed state starts the run) and last projected year.
    parameters : Parameters, optional
        Explicit values for ``n`` draws (deterministic runs); default one draw at the posterior's
        medians. The scenario's ``[parameters]`` apply on top.
    observed : ObservedData, optional
        Observed figures for the base year (default: the shipped ``calibration/`` data).
    posterior : path, optional
        Posterior sample (default: ``posterior.toml`` of the data directory, written by
        ``nmmsim condition``).
    targets : path or sequence of Target, optional
        Targets whose attainment a Monte Carlo run counts (default: the shipped Resolution 96
        table, ``nmmsim/data/targets_2030.csv``; a user file has the same columns).
    progress : callable, optional
        Monte Carlo runs call ``progress(draws_done, draws)`` as chunks finish.
    history_range : {"none", "leave-one-year-out"}
        "leave-one-year-out" (Monte Carlo summaries drawn from the posterior): also draw
        `nmmsim.history_range.history_draws` draws, on the same seed, from each sub-posterior
        conditioned without one year of the history (``posterior_without_<year>.toml`` beside
        the posterior) and count the targets attained under each (``attained_history``): how
        far any one year of the history moves a probability (docs/uncertainty.md §6).

    Returns
    -------
    xarray.Dataset
        Deterministic or ``keep="trajectories"``: dims ``draw``, ``year``, ``sector``,
        ``destination``. ``keep="summary"``: dims ``quantile``, ``year``, ``sector``, ``target``
        with ``attained``/``attained_all`` counts. Every variable has ``units`` and
        ``long_name``; attrs name the scenario, its file hash, the years, the seed, the sampler
        and the package version.

    Raises
    ------
    NmmsimError
        For years out of range, a scenario lacking a year, bad parameters or Monte Carlo options.

    Examples
    --------
    >>> import nmmsim
    >>> result = nmmsim.simulate(nmmsim.shipped_scenarios()["baseline"])
    >>> round(float(result.grdp.sel(year=2024).item()), 1)
    991.5
    >>> mc = nmmsim.simulate(nmmsim.shipped_scenarios()["baseline"], draws=2048, seed=1)
    >>> round(float(mc.grdp_nominal.sel(quantile=0.5, year=2024)), 0)
    991.0
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    _check_years(start_year, end_year)
    if draws is not None:
        return _monte_carlo(
            [scenario], draws=draws, seed=seed, sampler=sampler, keep=keep, workers=workers,
            chunk_size=chunk_size, scheduler=scheduler, disasters=disasters, shocks=shocks,
            uncertainty=uncertainty, start_year=start_year, end_year=end_year,
            parameters=parameters, observed=observed, posterior=posterior, targets=targets,
            progress=progress, history_range=history_range)
    if history_range != "none":
        raise NmmsimError(f"history_range = {history_range!r} needs a Monte Carlo run: give "
                          "draws=N")
    if isinstance(uncertainty, Uncertainty):
        raise NmmsimError("an Uncertainty is for Monte Carlo runs: give draws=N")
    if shocks == "random":
        raise NmmsimError("shocks='random' needs a Monte Carlo run: give draws=N")
    _check_mode(uncertainty)
    data = observed if observed is not None else load_observed()
    base = BaseYear.from_observed(data, start_year)
    projection_years = range(start_year + 1, end_year + 1)
    schedule = scenario.schedule(projection_years)
    uses_posterior = parameters is None and uncertainty == "posterior"
    inputs = _inputs(observed, posterior if uses_posterior else None, targets,
                     with_posterior=uses_posterior)
    if parameters is not None:
        inputs["parameters"] = "given in Python"
    elif uncertainty == "prior":
        inputs["parameters"] = "the priors' modes (registry defaults)"
    else:
        inputs["parameters"] = "the posterior's medians"
    attrs = _attrs(scenario, start_year, end_year, inputs)
    if parameters is None:
        central = load_posterior(posterior).central() if uses_posterior else {}
        parameters = Parameters.defaults(1).with_values(central)
    params = parameters.with_values(scenario.parameter_overrides)
    attrs["parameter_values"] = "\n".join(f"{name}: {float(params.quantity(name)[0]):.6g}"
                                           for name in NAMES)
    if disasters is None or isinstance(disasters, str):
        if disasters == "random":
            raise NmmsimError("disasters='random' needs a Monte Carlo run: give draws=N")
        intensity = expected_disasters(params, len(projection_years))
        attrs["disasters"] = "expected intensity"
    else:
        intensity = check_disasters(disasters, params, len(projection_years))
        attrs["disasters"] = "given per draw"
    states, constants = project(base, params, schedule, intensity,
                                past=Past.before(start_year, data))
    return build_dataset(states, constants, [start_year, *projection_years], base, attrs=attrs)


def compare(
    scenarios: Sequence[Scenario | str | Path],
    *,
    draws: int,
    seed: int | None = None,
    sampler: Sampler = "mc",
    keep: Keep = "summary",
    workers: int = 1,
    chunk_size: int | None = None,
    scheduler: Any = None,
    disasters: DisasterMode | None = None,
    shocks: ShockMode | None = None,
    start_year: int = 2024,
    end_year: int = 2030,
    observed: ObservedData | None = None,
    posterior: str | Path | None = None,
    uncertainty: UncertaintyMode = "posterior",
    targets: str | Path | Sequence[Target] | None = None,
    progress: Progress | None = None,
    history_range: HistoryRange = "none",
) -> xr.Dataset:
    """Run several scenarios on the same draws (common random numbers) and keep them side by side.

    Every scenario sees the same parameter draws (apart from parameters its file fixes or
    re-priors) and the same disaster years, in the same chunks, so their differences are policy,
    not sampling noise. Options are those of `simulate`.

    Returns
    -------
    xarray.Dataset
        The Monte Carlo result of each scenario along a ``scenario`` dimension (the first is the
        reference), plus ``discordant``/``discordant_all``: draws attaining a target in one
        scenario but not the reference, and the reverse, from which paired differences and their
        standard errors follow (`nmmsim.analysis.paired_differences`).

    Examples
    --------
    >>> import nmmsim
    >>> shipped = nmmsim.shipped_scenarios()
    >>> both = nmmsim.compare([shipped["baseline"], shipped["resolution_96"]], draws=1024, seed=1)
    >>> both.scenario.values.tolist()
    ['baseline', 'resolution_96']
    """
    loaded = [s if isinstance(s, Scenario) else load_scenario(s) for s in scenarios]
    if len(loaded) < 2:
        raise NmmsimError(f"compare needs at least two scenarios, got {len(loaded)}")
    names = [s.name for s in loaded]
    if len(set(names)) != len(names):
        raise NmmsimError(f"compare needs scenarios with distinct names, got {names}")
    _check_years(start_year, end_year)
    return _monte_carlo(
        loaded, draws=draws, seed=seed, sampler=sampler, keep=keep, workers=workers,
        chunk_size=chunk_size, scheduler=scheduler, disasters=disasters, shocks=shocks,
        uncertainty=uncertainty,
        start_year=start_year, end_year=end_year, parameters=None, observed=observed,
        posterior=posterior, targets=targets, progress=progress, history_range=history_range)


def _counted_targets(targets: str | Path | Sequence[Target] | None, end_year: int
                     ) -> tuple[Target, ...]:
    if targets is None or isinstance(targets, str | Path):
        targets = load_targets(targets)
    counted = tuple(t for t in targets if t.modelled and t.year <= end_year)
    variables = {name for name in VARIABLES} | {"grdp_growth"}
    for target in counted:
        if target.variable not in variables:
            raise NmmsimError(f"target '{target.target}': variable '{target.variable}' is not a "
                              f"result variable{did_you_mean(target.variable, variables)}")
    return counted


#: The base year: the only year whose figures are all observed, for every province (docs/model.md §3).
BASE_YEAR = 2024


def _check_years(start_year: int, end_year: int) -> None:
    if start_year != BASE_YEAR:
        raise NmmsimError(f"start_year = {start_year}: runs start from the base year {BASE_YEAR}, "
                          "the only year whose regional and provincial figures are all observed "
                          "(docs/model.md §3); earlier years are the calibration's history")
    if not start_year < end_year <= MAX_END_YEAR:
        raise NmmsimError(
            f"years: need start_year < end_year <= {MAX_END_YEAR}, got {start_year} -> {end_year}"
        )


def _attrs(scenario: Scenario, start_year: int, end_year: int,
           inputs: dict[str, str]) -> dict[str, str | int | float]:
    return {
        "scenario": scenario.name,
        "scenario_file": str(scenario.path),
        "scenario_sha256": scenario.file_hash,
        "start_year": start_year,
        "end_year": end_year,
        "prices": f"real values at {start_year} prices; nominal values at current prices",
        **inputs,
    }


def _inputs(observed: ObservedData | None, posterior: str | Path | None,
            targets: str | Path | Sequence[Target] | None, *, with_posterior: bool
            ) -> dict[str, str]:
    """The files a run reads, with their sha256 (`nmmsim.resources.provenance`). The
    least-squares fit (``calibrated.toml``) is not one of them."""
    from nmmsim.resources import data_directory, input_files, provenance

    given_table = targets is None or isinstance(targets, str | Path)
    files = input_files(
        data_directory(), posterior=posterior,
        targets=targets if isinstance(targets, str | Path) else None,
        observed_region=observed.path if observed is not None else None)
    skipped = {"calibration"} | (set() if with_posterior else {"posterior"}) \
        | (set() if given_table else {"targets"})
    roles = [role for role in files.paths() if role not in skipped]
    recorded = provenance(files, roles)
    if not given_table:
        recorded["targets_title"] = "targets given in Python"
    return recorded


def _monte_carlo(
    scenarios: list[Scenario],
    *,
    draws: int,
    seed: int | None,
    sampler: Sampler,
    keep: Keep,
    workers: int,
    chunk_size: int | None,
    scheduler: Any,
    disasters: FloatArray | DisasterMode | None,
    shocks: ShockMode | None,
    uncertainty: Uncertainty | UncertaintyMode,
    start_year: int,
    end_year: int,
    parameters: Parameters | None,
    observed: ObservedData | None,
    posterior: str | Path | None,
    targets: str | Path | Sequence[Target] | None,
    progress: Progress | None,
    history_range: HistoryRange,
) -> xr.Dataset:
    _check_monte_carlo(draws, seed, sampler, keep, workers, chunk_size, parameters, disasters)
    _check_history_range(history_range, uncertainty, keep)
    if shocks is not None and shocks not in get_args(ShockMode):
        raise NmmsimError(f"shocks = {shocks!r}; allowed: {', '.join(get_args(ShockMode))}")
    data = observed if observed is not None else load_observed()
    base = BaseYear.from_observed(data, start_year)
    projection_years = range(start_year + 1, end_year + 1)
    if not isinstance(uncertainty, Uncertainty):
        _check_mode(uncertainty)
    sample = load_posterior(posterior) if uncertainty == "posterior" else None
    inputs = _inputs(observed, posterior, targets, with_posterior=sample is not None)
    inputs["parameters"] = _drawn_from(uncertainty)
    sub_samples = {}
    if history_range == "leave-one-year-out":
        assert sample is not None
        posterior_path = Path(inputs["posterior_file"])
        sub_samples = load_sub_posteriors(sample, posterior_path)
        inputs.update(_sub_posterior_files(posterior_path))

    def arms_from(drawn_from: PosteriorSample | None) -> tuple[Arm, ...]:
        return tuple(
            Arm(name=scenario.name,
                schedule=scenario.schedule(projection_years),
                uncertainty=uncertainty if isinstance(uncertainty, Uncertainty)
                else Uncertainty.default(drawn_from, fixed=scenario.parameter_overrides,
                                         priors=scenario.prior_overrides),
                attrs=_attrs(scenario, start_year, end_year, inputs))
            for scenario in scenarios)

    arms = arms_from(sample)
    if seed is None:  # fresh entropy, kept to 63 bits so NetCDF can store it as an attribute
        seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(1))
    spec = RunSpec(
        base=base,
        arms=arms,
        targets=_counted_targets(targets, end_year),
        history=TargetHistory.from_observed(observed),
        sampler=sampler,
        seed=seed,
        disasters="random" if disasters is None else disasters,  # type: ignore[arg-type]
        keep=keep,
        shocks="random" if shocks is None else shocks,
        past=Past.before(start_year, data),
    )
    if keep == "trajectories":
        # ~60 values a draw-year for the region, again for each of the 17 areas
        size = len(arms) * draws * (end_year - start_year + 1) * 60 * 18 * 8
        if size > _MAX_TRAJECTORY_BYTES:
            raise NmmsimError(f"keep='trajectories' for {draws:,} draws needs about "
                              f"{size / 2**30:.0f} GiB; use keep='summary' or fewer draws")
    chunk_size = chunk_size or chunk_size_for(spec)
    result = run_monte_carlo(spec, draws, chunk_size=chunk_size, workers=workers,
                             scheduler=scheduler, progress=progress)
    if not sub_samples:
        return result
    # the same seed: common random numbers with the main run and between the sub-posteriors
    batches = history_draws(draws)
    counts = [execute(dataclasses.replace(spec, arms=arms_from(sub), sampler="mc"), batches,
                      chunk_size=chunk_size, workers=workers, scheduler=scheduler, progress=None)
              for sub in sub_samples.values()]
    return _with_history_counts(result, counts, tuple(sub_samples), batches)


def _with_history_counts(result: xr.Dataset, counts: Sequence[ChunkSummary],
                         years: tuple[int, ...], batches: int) -> xr.Dataset:
    """``result`` with the sub-posteriors' attainment counts, ``attained_history`` and
    ``attained_all_history`` (dims ``[scenario,] left_out_year, target, year``)."""
    attained = np.stack([[arm.attained for arm in c.arms] for c in counts], axis=1)
    attained_all = np.stack([[arm.attained_all for arm in c.arms] for c in counts], axis=1)
    leading: tuple[str, ...] = ("scenario",) if "scenario" in result.dims else ()
    if not leading:
        attained, attained_all = attained[0], attained_all[0]
    result = result.assign_coords(left_out_year=list(years))
    result["left_out_year"].attrs = {
        "long_name": "year of the 2021-2024 history whose figures the sub-posterior left out",
        "units": "year"}
    result["attained_history"] = ((*leading, "left_out_year", "target", "year"), attained, {
        "long_name": f"Draws attaining the target if it were measured in that year, of "
                     f"{batches:,} drawn from the posterior conditioned without left_out_year",
        "units": "draws"})
    result["attained_all_history"] = ((*leading, "left_out_year", "year"), attained_all, {
        "long_name": f"Draws attaining every modelled target if measured in that year, of "
                     f"{batches:,} drawn from the posterior conditioned without left_out_year",
        "units": "draws"})
    result.attrs.update({"history_range": "leave-one-year-out", "history_draws": batches})
    return result


def _sub_posterior_files(posterior: Path) -> dict[str, str]:
    """The sub-posteriors' files and sha256, for the attrs (as `nmmsim.resources.provenance`)."""
    import hashlib

    recorded = {}
    for year in HISTORY_YEARS:
        path = sub_posterior_path(posterior, year)
        recorded[f"posterior_without_{year}_file"] = str(path)
        recorded[f"posterior_without_{year}_sha256"] = hashlib.sha256(
            path.read_bytes()).hexdigest()
    return recorded


def _check_history_range(history_range: object, uncertainty: object, keep: str) -> None:
    if history_range not in get_args(HistoryRange):
        raise NmmsimError(f"history_range = {history_range!r}; allowed: "
                          f"{', '.join(get_args(HistoryRange))}")
    if history_range == "none":
        return
    if uncertainty != "posterior":
        raise NmmsimError("history_range='leave-one-year-out' compares posteriors conditioned "
                          "on the history: it needs uncertainty='posterior'")
    if keep != "summary":
        raise NmmsimError("history_range='leave-one-year-out' counts attainment in a summary: "
                          "it needs keep='summary'")


def _check_mode(mode: object) -> None:
    if mode not in get_args(UncertaintyMode):
        raise NmmsimError(f"uncertainty = {mode!r}; allowed: "
                          f"{', '.join(get_args(UncertaintyMode))} or an Uncertainty")


def _drawn_from(uncertainty: Uncertainty | UncertaintyMode) -> str:
    if uncertainty == "posterior":
        return "drawn from the posterior conditioned on the 2020-2024 history"
    if uncertainty == "prior":
        return "drawn independently from the registry priors (not conditioned on the history)"
    return "drawn from an Uncertainty given in Python"


def _check_monte_carlo(draws: int, seed: int | None, sampler: str, keep: str, workers: int,
                       chunk_size: int | None,
                       parameters: Parameters | None, disasters: object) -> None:
    if parameters is not None:
        raise NmmsimError("give either parameters (explicit draws) or draws=N (sampled), not both")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)
                             or not 0 <= seed < 2**63):
        raise NmmsimError(f"seed = {seed!r} must be a whole number in [0, 2^63)")
    if isinstance(draws, bool) or not isinstance(draws, int) or not 1 <= draws <= MAX_DRAWS:
        raise NmmsimError(f"draws = {draws!r} must be a whole number in [1, {MAX_DRAWS:.0e}] (at "
                          "about 40,000 draws/s a core, 10^10 draws take two days on two cores)")
    if sampler == "sobol" and draws > MAX_SOBOL_DRAWS:
        raise NmmsimError(f"sampler='sobol' draws at most 2^30 = {MAX_SOBOL_DRAWS:,} points; got "
                          f"{draws:,}: use sampler='mc' or 'lhs', or fewer draws")
    if sampler not in SAMPLERS:
        raise NmmsimError(f"sampler = {sampler!r}; allowed: {', '.join(SAMPLERS)}")
    if keep not in get_args(Keep):
        raise NmmsimError(f"keep = {keep!r}; allowed: {', '.join(get_args(Keep))}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise NmmsimError(f"workers = {workers!r} must be a whole number >= 1")
    if chunk_size is not None and (isinstance(chunk_size, bool) or not isinstance(chunk_size, int)
                                   or chunk_size < BLOCK_SIZE or chunk_size % BLOCK_SIZE):
        raise NmmsimError(f"chunk_size = {chunk_size!r} must be a positive multiple of "
                          f"{BLOCK_SIZE}")
    if disasters is not None and disasters not in get_args(DisasterMode):
        raise NmmsimError(f"disasters = {disasters!r}; Monte Carlo runs allow "
                          f"{', '.join(get_args(DisasterMode))}")
    if sampler == "sobol" and draws & (draws - 1):
        import warnings

        warnings.warn(f"sampler='sobol' with {draws:,} draws: Sobol' balance needs a power of "
                      f"two (e.g. {2 ** math.ceil(math.log2(draws)):,})", UserWarning, stacklevel=3)
