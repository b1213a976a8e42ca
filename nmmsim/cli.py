"""The ``nmmsim`` command line: a thin layer over the public API.

Errors in input print one line (``nmmsim: error: ...``) and exit with status 2; warnings print
one line (``nmmsim: warning: ...``) and the run goes on. Nothing else is caught, so bugs still
show their traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn, TextIO

if TYPE_CHECKING:
    from nmmsim.resources import InputFiles

__all__ = ["main"]

EXIT_INPUT_ERROR = 2
EXIT_INTERRUPTED = 130  # the shell's code for Ctrl-C


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    from nmmsim.atomic import InterruptedAfterWriting
    from nmmsim.errors import NmmsimError

    try:
        with warnings.catch_warnings(), _data_context(args), _terminate_as_interrupt():
            warnings.showwarning = _one_line_warning
            status = int(args.command(args))
        sys.stdout.flush()  # here, so that a closed pipe is caught below, not at exit
        return status
    except NmmsimError as exc:
        print(f"nmmsim: error: {exc}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    except InterruptedAfterWriting as exc:
        print(f"\nnmmsim: interrupted; {exc}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        print("\nnmmsim: interrupted; no results written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # output piped into e.g. `head`, which closed early
        import os

        # the files are written before anything is printed; send what is left of the output
        # nowhere, so that the flush at exit does not fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (``kill``, a job scheduler stopping the run) stops a command as Ctrl-C does:
    workers cancelled, nothing half-written, exit status 130."""
    import signal

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread (main() called from a thread): leave it alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _data_context(args: argparse.Namespace) -> contextlib.AbstractContextManager[object]:
    """While a command runs, every file it reads by default comes from its data directory."""
    if not hasattr(args, "data"):
        return contextlib.nullcontext()
    from nmmsim.resources import data_directory, using_data

    return using_data(data_directory(args.data))


def _one_line_warning(message: Warning | str, category: type[Warning], filename: str,
                      lineno: int, file: TextIO | None = None, line: str | None = None) -> None:
    """Show a warning as one line for the user, without the Python source line."""
    print(f"nmmsim: warning: {message}", file=sys.stderr if file is None else file)


class _Parser(argparse.ArgumentParser):
    """argparse with errors as one line (no usage block), exit status 2, like input errors."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog.split()[0]} --help)\n")


def _parser() -> argparse.ArgumentParser:
    from nmmsim._version import __version__

    parser = _Parser(
        prog="nmmsim",
        description="Growth scenarios for Vietnam's Northern Midlands and Mountains region, "
        "against the 2030 targets of Resolution 96/NQ-CP.",
    )
    parser.add_argument("--version", action="version", version=f"nmmsim {__version__}")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="project a scenario and compare 2030 with the targets")
    run.add_argument("scenario", type=Path,
                     help="scenario file (TOML) or the name of a shipped scenario")
    run.add_argument("--out", type=Path, default=Path("results"),
                     help="directory for the .nc, .csv, _targets.csv and .html files, named "
                     "<scenario>_deterministic.*, <scenario>.* (Monte Carlo summary) or "
                     "<scenario>_trajectories.* (default: ./results)")
    run.add_argument("--start-year", type=int, default=2024, help="base year (default: 2024)")
    run.add_argument("--end-year", type=int, default=2030, help="last year (default: 2030)")
    run.add_argument("--region", choices=("2022", "2025"), default="2022",
                     help="region whose table is printed: 2022, the 14 provinces of Resolution "
                     "96, with its targets (default); 2025, the 14 minus Bac Giang plus Vinh Phuc "
                     "(the targets are not computed on it)")
    _input_options(run, fit="posterior")
    monte_carlo = run.add_argument_group(
        "Monte Carlo", "with --draws, sample the uncertain parameters and disaster years")
    _sampling_options(monte_carlo, draws_help="number of draws (default: one deterministic run)")
    monte_carlo.add_argument("--chunk-size", type=int, default=None,
                             help="draws per chunk, a multiple of 1024 (default: 2048)")
    monte_carlo.add_argument("--keep", choices=("summary", "trajectories"), default="summary",
                             help="quantiles and attainment counts, or every draw's paths")
    monte_carlo.add_argument(
        "--history-range", choices=("leave-one-year-out", "none"), default=None,
        help="beside each probability's Monte Carlo interval, its range over the posteriors "
        "conditioned without one year of the 2021-2024 history (posterior_without_<year>.toml "
        "beside the posterior; 4 x max(draws/10, 10,000) more draws, at most 4 x draws); "
        "default: on for a summary drawn from the posterior, when those files exist")
    run.set_defaults(command=_run)

    fit = commands.add_parser(
        "calibrate", help="refit the behavioural parameters to the observed 2020-2024 history")
    fit.add_argument("--out", type=Path, default=None,
                     help="calibrated parameter file to write (default: calibrated.toml in the "
                     "data directory read from; never the copy inside the installed package)")
    fit.add_argument("--chart", type=Path, default=None,
                     help="PNG of fitted versus observed history (default: beside --out, "
                     "<name>_fit.png)")
    fit.add_argument("--observed", type=Path, default=None,
                     help="regional observed data (default: observed_region.csv in the data "
                     "directory)")
    fit.add_argument("--national", type=Path, default=None,
                     help="national observed data (default: observed_national.csv in the data "
                     "directory)")
    _data_option(fit)
    fit.set_defaults(command=_calibrate)

    posterior = commands.add_parser(
        "condition", help="condition every uncertain parameter on the 2020-2024 history: the "
        "posterior sample Monte Carlo runs draw from")
    posterior.add_argument("--out", type=Path, default=None,
                           help="posterior file to write, with its particles beside it as .csv "
                           "(default: posterior.toml in the data directory read from; never the "
                           "copy inside the installed package)")
    posterior.add_argument("--particles", type=int, default=None,
                           help="particles of the sequential Monte Carlo (default: 131072)")
    posterior.add_argument("--keep", type=int, default=None,
                           help="particles kept in the written sample (default: 8192)")
    posterior.add_argument("--seed", type=int, default=2024, help="seed (default: 2024)")
    posterior.add_argument("--chart", type=Path, default=None,
                           help="PNG of the prior-to-posterior contraction (default: beside "
                           "--out, <name>_contraction.png)")
    posterior.add_argument("--leave-one-year-out", action="store_true",
                           help="instead, condition four times, each without one year of "
                           "2021-2024, and write <out stem>_without_<year>.toml and .csv beside "
                           "--out: the sub-posteriors of a run's history range (default "
                           "--particles 32768, --keep 2048)")
    _data_option(posterior)
    posterior.set_defaults(command=_condition)

    versus = commands.add_parser(
        "compare", help="compare scenarios: their deterministic paths, or with --draws their "
        "attainment on the same Monte Carlo draws")
    versus.add_argument("scenarios", type=Path, nargs="+", metavar="SCENARIO",
                        help="scenario files (TOML) or shipped scenario names; the first is the "
                             "reference")
    _sampling_options(versus, draws_help="number of Monte Carlo draws, the same for every "
                      "scenario (default: compare the deterministic paths)")
    versus.add_argument("--end-year", type=int, default=2030, help="last projected year")
    versus.add_argument("--out", type=Path, default=Path("results"),
                        help="directory for compare_<A>_vs_<B>.nc, .csv, _<target year>.csv, "
                        "_provenance.csv and .html, named after the scenarios so that another "
                        "comparison does not replace them (default: ./results)")
    _input_options(versus, fit="posterior")
    versus.set_defaults(command=_compare)

    sense = commands.add_parser(
        "sensitivity", help="which uncertain parameters decide each target (Sobol' or Morris)")
    sense.add_argument("scenario", type=Path,
                       help="scenario file (TOML) or the name of a shipped scenario")
    sense.add_argument("--draws", type=int, default=1024,
                       help="base sample size N; Sobol' runs N (d + 2) + N (g + 2) model "
                       "evaluations (default: 1024)")
    sense.add_argument("--seed", type=int, default=0, help="seed (default: 0)")
    sense.add_argument("--method", choices=("sobol", "morris"), default="sobol")
    sense.add_argument("--out", type=Path, default=Path("results"),
                       help="directory for <scenario>_sensitivity.nc and charts")
    _input_options(sense, fit="calibration")
    sense.set_defaults(command=_sensitivity)

    backtests = commands.add_parser(
        "validate", help="rolling-origin backtests: condition on the history up to 2021, 2022 "
        "and 2023, forecast the later figures, and score them against two naive forecasters")
    backtests.add_argument("--particles", type=int, default=None,
                           help="particles of each origin's conditioning (default: 131072)")
    backtests.add_argument("--seed", type=int, default=2024, help="seed (default: 2024)")
    backtests.add_argument("--out", type=Path, default=Path("results"),
                           help="directory for validate.csv and validate.png (default: "
                           "./results)")
    _data_option(backtests)
    backtests.set_defaults(command=_validate)

    listing = commands.add_parser("scenarios", help="list the shipped scenarios")
    listing.set_defaults(command=_scenarios)
    return parser


def _data_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=None, metavar="DIR",
                        help="data directory: observed data, provincial panel and calibrated "
                        "parameters (default: $NMMSIM_DATA, else calibration/ of the nmmsim "
                        "checkout you are in, else the copy installed with nmmsim)")


def _input_options(parser: argparse.ArgumentParser, *,
                   fit: Literal["posterior", "calibration"]) -> None:
    """--data, --targets, and the parameter file: the posterior sample for runs, the
    least-squares fit for sensitivity (Sobol' indices need its independent marginals)."""
    _data_option(parser)
    if fit == "posterior":
        parser.add_argument("--posterior", type=Path, default=None,
                            help="posterior sample (default: posterior.toml in the data "
                            "directory, written by `nmmsim condition`)")
        parser.add_argument("--uncertainty", choices=("posterior", "prior"), default="posterior",
                            help="draw the parameters from the posterior conditioned on the "
                            "2020-2024 history (default), or independently from their priors; a "
                            "deterministic run takes the posterior's medians or the priors' modes")
    else:
        parser.add_argument("--calibration", type=Path, default=None,
                            help="least-squares fit (default: calibrated.toml in the data "
                            "directory)")
    parser.add_argument("--targets", type=Path, default=None,
                        help="targets table (CSV, columns as nmmsim/data/targets_2030.csv; "
                        "default: targets_2030.csv in the data directory if there is one, else "
                        "Resolution 96 as in the checkout or the installed package)")


def _sampling_options(parser: argparse.ArgumentParser | argparse._ArgumentGroup, *,
                      draws_help: str, required: bool = False) -> None:
    parser.add_argument("--draws", type=int, default=None, required=required, help=draws_help)
    parser.add_argument("--seed", type=int, default=None,
                        help="seed; the same seed gives the same result (default: fresh, "
                        "printed)")
    parser.add_argument("--sampler", choices=("mc", "lhs", "sobol"), default="mc",
                        help="plain Monte Carlo, Latin hypercube or Sobol' (default: mc); "
                        "sobol is balanced only for a power-of-two --draws (others run as given, "
                        "with a one-line warning)")
    parser.add_argument("--shocks", choices=("random", "none"), default=None,
                        help="yearly TFP shocks by province with --draws: drawn (default) or "
                        "none, leaving parameter and disaster uncertainty only")
    parser.add_argument("--workers", type=int, default=1,
                        help="local worker processes (default: 1)")
    parser.add_argument("--scheduler", default=None,
                        help="Dask scheduler address, e.g. tcp://host:8786 (needs "
                        "nmmsim[distributed])")


def _run(args: argparse.Namespace) -> int:
    from nmmsim.atomic import check_writable, staged_directory
    from nmmsim.engine import simulate
    from nmmsim.observed import load_observed
    from nmmsim.report import write_report
    from nmmsim.report_text import (
        PROVINCE_COLUMNS,
        area_table,
        province_frame,
        province_table,
        spread_table,
        target_frame,
        target_rows,
        target_table,
        targets_not_on,
    )
    from nmmsim.results import TARGET_REGION, with_provenance, write_provenance, write_results
    from nmmsim.scenario import load_scenario, resolve_scenario_path
    from nmmsim.targets import load_targets

    scenario = load_scenario(resolve_scenario_path(args.scenario))
    _check_shocks(args)
    output_bytes = _output_bytes(args.draws, args.end_year - args.start_year + 1, args.keep)
    check_writable(args.out, output_bytes)  # before the computation, not after it
    files = _inputs(args)
    inputs = _provenance(files, args)
    options: dict[str, Any] = {}
    if args.draws is not None:
        options = {"draws": args.draws, "seed": args.seed, "sampler": args.sampler,
                   "workers": args.workers, "scheduler": args.scheduler, "keep": args.keep,
                   "shocks": args.shocks, "progress": _progress_bar(sys.stderr)}
        if args.chunk_size is not None:
            options["chunk_size"] = args.chunk_size
    options["history_range"] = _history_range(args, files)
    targets = load_targets(files.targets)
    result = simulate(scenario, start_year=args.start_year, end_year=args.end_year,
                      observed=load_observed(files.observed_region), posterior=files.posterior,
                      uncertainty=args.uncertainty, targets=targets, **options)
    region = f"region_{args.region}"
    result = with_provenance(result, {**inputs, "table_region": region})
    # Files first, then the terminal: output piped into `head` cannot stop them being written.
    stem = scenario.name + _RUN_KIND_SUFFIX[
        "deterministic" if args.draws is None else args.keep]
    if region == TARGET_REGION:
        table = target_table(result, targets)
    else:  # the targets are defined on region_2022 only
        table = f"{area_table(result, region)}\n\n{targets_not_on(result, region)}"
    provinces = province_frame(result)
    sensitivity = _load_sensitivity(args.out / f"{scenario.name}_sensitivity.nc")
    spread = _spread(args, scenario, files, targets, int(result.attrs["seed"])) \
        if args.draws is not None and args.keep == "summary" else None
    with staged_directory(args.out, output_bytes) as staging:  # every file of the run, or none
        write_results(result, staging, stem)
        target_frame(target_rows(result, targets)).to_csv(
            staging / f"{stem}_targets.csv", index=False, float_format="%.10g")
        provinces.rename(columns={name: f"{name} [{unit}]" if unit else name
                                  for name, unit in PROVINCE_COLUMNS.items()}).to_csv(
            staging / f"{stem}_provinces.csv", index=False, float_format="%.10g")
        write_provenance(result, staging / f"{stem}_provenance.csv")
        if spread is not None:
            spread.to_csv(staging / f"{stem}_spread.csv", float_format="%.10g")
        write_report(result, staging / f"{stem}.html", scenario=scenario,
                     targets=targets, sensitivity=sensitivity, spread=spread)
    with _written_to(args.out):  # the files are in place: Ctrl-C from here says so
        print(f"Scenario: {scenario.name} ({scenario.path})")
        print(_input_lines(inputs))
        if args.draws is not None:
            print(f"Monte Carlo: {args.draws:,} draws, seed {result.attrs['seed']}, sampler "
                  f"{args.sampler}")
        if "history_draws" in result.attrs:
            print(f"History range: {int(result.attrs['history_draws']):,} more draws from each of "
                  "the 4 posteriors conditioned without one year of the 2021-2024 history")
        print(table)
        print(f"\nProvinces and regions\n{province_table(provinces)}")
        suffixes = [".nc", ".csv", "_targets.csv", "_provinces.csv", "_provenance.csv", ".html"]
        if spread is not None:
            print(f"\n{spread_table(spread, int(spread.attrs['year']), int(spread.attrs['draws']))}")
            suffixes.insert(-1, "_spread.csv")
        written = [args.out / f"{stem}{suffix}" for suffix in suffixes]
        print(f"\nWrote {', '.join(map(str, written[:-1]))} and {written[-1]}")
    return 0


def _history_range(args: argparse.Namespace, files: InputFiles) -> str:
    """``--history-range``: as given; by default on for a Monte Carlo summary drawn from the
    posterior when its sub-posteriors are beside it and made for it (else a one-line warning),
    off otherwise."""
    from nmmsim.history_range import stale_sub_posterior

    if args.history_range == "leave-one-year-out" and args.draws is None:
        from nmmsim.errors import NmmsimError

        raise NmmsimError("--history-range leave-one-year-out needs --draws N: a run without "
                          "draws has no probability to give a range")
    if args.history_range is not None:
        return str(args.history_range)
    if args.draws is None or args.keep != "summary" or args.uncertainty != "posterior":
        return "none"
    problem = stale_sub_posterior(files.posterior)
    if problem is not None:
        warnings.warn(f"no history range: {problem}; build the sub-posteriors with `nmmsim "
                      "condition --leave-one-year-out`", UserWarning, stacklevel=2)
        return "none"
    return "leave-one-year-out"


#: Draws of each of the three runs that split a Monte Carlo run's spread by source.
_SPREAD_DRAWS = 16_384


def _spread(args: argparse.Namespace, scenario: Any, files: InputFiles, targets: Any,
            seed: int) -> Any:
    """Where a Monte Carlo run's spread comes from (`nmmsim.spread`): three runs of at most
    16,384 draws on the run's seed, in the target year (or the last year before it)."""
    from nmmsim.observed import load_observed
    from nmmsim.spread import spread_by_source

    year = min(2030, args.end_year)
    return spread_by_source(
        scenario, draws=min(args.draws, _SPREAD_DRAWS), seed=seed, year=year,
        end_year=args.end_year, observed=load_observed(files.observed_region),
        posterior=files.posterior, uncertainty=args.uncertainty, targets=targets,
        workers=args.workers, scheduler=args.scheduler)


@contextlib.contextmanager
def _written_to(directory: Path) -> Iterator[None]:
    """Ctrl-C once a command's files are in place stops it without claiming that nothing was
    written."""
    from nmmsim.atomic import InterruptedAfterWriting

    try:
        yield
    except InterruptedAfterWriting:
        raise
    except KeyboardInterrupt:
        raise InterruptedAfterWriting(directory) from None


#: Bytes of a run's NetCDF and CSV files a projected year (measured, with a fifth to spare): a
#: summary holds quantiles, whatever the draws (15.4 KB a year); a deterministic run one path
#: (under 1 KB a year); trajectories every draw's paths (5.9 KB a draw a year).
_FILE_BYTES_A_YEAR = {"deterministic": 2_000, "summary": 19_000, "trajectories": 7_000}
#: And what does not grow with the years: the NetCDF file's headers, the HTML report (0.5-1 MB: a
#: fan chart of every indicator and province) and the small CSVs (targets, provinces, provenance).
_FIXED_BYTES = 2 * 2**20


def _output_bytes(draws: int | None, years: int, keep: str) -> int:
    """About how many bytes a run's files take, from its draws, years and ``--keep``; checked
    against the free space before the computation and again before the files are written (a
    disk that fills while h5py writes a large NetCDF file itself crashes the process;
    `nmmsim.results.write_netcdf`)."""
    if draws is None:
        return _FILE_BYTES_A_YEAR["deterministic"] * years + _FIXED_BYTES
    per_draw = draws if keep == "trajectories" else 1
    return _FILE_BYTES_A_YEAR[keep] * per_draw * years + _FIXED_BYTES


#: Output file names by run kind, so that runs of different kinds of one scenario never
#: overwrite each other: ``<name>.*`` (Monte Carlo summary), ``<name>_deterministic.*``,
#: ``<name>_trajectories.*``.
_RUN_KIND_SUFFIX = {"summary": "", "deterministic": "_deterministic",
                    "trajectories": "_trajectories"}


def _load_sensitivity(path: Path) -> Any:
    """The indices a `nmmsim sensitivity` run left in ``path``, or None if there is no file."""
    if not path.is_file():
        return None
    import xarray as xr

    from nmmsim.errors import DataError

    try:
        return xr.load_dataset(path, engine="h5netcdf")
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: cannot read the sensitivity indices ({exc}); rerun "
                        "`nmmsim sensitivity` or remove the file") from None


def _compare(args: argparse.Namespace) -> int:
    import shutil

    from nmmsim.analysis import parameter_differences
    from nmmsim.atomic import check_writable, staged_directory
    from nmmsim.engine.simulation import BASE_YEAR
    from nmmsim.report import write_comparison_report
    from nmmsim.report_text import (
        comparison_frame,
        comparison_table,
        deterministic_comparison_frame,
        parameter_difference_lines,
    )
    from nmmsim.results import with_provenance, write_provenance, write_results
    from nmmsim.scenario import load_scenario, resolve_scenario_path
    from nmmsim.targets import load_targets

    scenarios = [load_scenario(resolve_scenario_path(path)) for path in args.scenarios]
    differences = parameter_differences(scenarios)
    _warn_parameter_changes(differences, [s.name for s in scenarios])
    # a summary of each scenario, from the base year
    output_bytes = len(scenarios) * _output_bytes(args.draws, args.end_year - BASE_YEAR + 1,
                                                  "summary")
    check_writable(args.out, output_bytes)  # before the computation, not after it
    files = _inputs(args)
    inputs = _provenance(files, args)
    targets = load_targets(files.targets)
    stem = comparison_stem([s.name for s in scenarios])
    result = _compared(args, scenarios, files, targets)
    years = result["year"].values
    result = with_provenance(result, {**inputs, "start_year": int(years.min()),
                                      "end_year": int(years.max()),
                                      "parameter_differences": "\n".join(
                                          parameter_difference_lines(differences)) or "none"})
    table = comparison_table(result, targets, width=shutil.get_terminal_size().columns)
    with staged_directory(args.out, output_bytes) as staging:  # every file of the run, or none
        write_results(result, staging, stem)
        frame = (comparison_frame if args.draws is not None
                 else deterministic_comparison_frame)(result, targets)
        year = int(frame.year.max()) if len(frame) else int(result.year.max())
        frame.to_csv(staging / f"{stem}_{year}.csv", index=False, float_format="%.10g")
        write_provenance(result, staging / f"{stem}_provenance.csv")
        write_comparison_report(result, staging / f"{stem}.html", scenarios=scenarios,
                                targets=targets)
    with _written_to(args.out):  # the files are in place: Ctrl-C from here says so
        if args.draws is None:
            print(f"Compared {', '.join(s.name for s in scenarios)}: deterministic paths (the "
                  "expected-damage path at the posterior's median parameters)")
        else:
            print(f"Compared {', '.join(s.name for s in scenarios)}: {args.draws:,} draws, seed "
                  f"{result.attrs['seed']}, common random numbers")
        print(_input_lines(inputs))
        if differences:
            print("Model parameters set differently (not levers; part of the differences below):")
            print("\n".join(f"  {line}" for line in parameter_difference_lines(differences)))
        print(table)
        written = [args.out / name for name in (f"{stem}.nc", f"{stem}.csv", f"{stem}_{year}.csv",
                                                  f"{stem}_provenance.csv", f"{stem}.html")]
        print(f"\nWrote {', '.join(map(str, written[:-1]))} and {written[-1]}")
    return 0


def _check_shocks(args: argparse.Namespace) -> None:
    """--shocks random describes Monte Carlo draws: refuse it without --draws."""
    from nmmsim.errors import NmmsimError

    if args.shocks == "random" and args.draws is None:
        raise NmmsimError("--shocks random needs --draws N: a run without draws is one "
                          "shock-free path")


def _compared(args: argparse.Namespace, scenarios: Sequence[Any], files: InputFiles,
              targets: Sequence[Any]) -> Any:
    """The scenarios on the same Monte Carlo draws (`nmmsim.compare`) with ``--draws``, else
    their deterministic paths side by side (`nmmsim.analysis.deterministic_comparison`)."""
    from nmmsim.analysis import deterministic_comparison
    from nmmsim.engine import compare, simulate
    from nmmsim.observed import load_observed

    _check_shocks(args)
    common: dict[str, Any] = {"end_year": args.end_year, "posterior": files.posterior,
                              "uncertainty": args.uncertainty,
                              "observed": load_observed(files.observed_region),
                              "targets": targets}
    if args.draws is None:
        return deterministic_comparison([simulate(s, **common) for s in scenarios])
    return compare(scenarios, draws=args.draws, seed=args.seed, sampler=args.sampler,
                   workers=args.workers, scheduler=args.scheduler, shocks=args.shocks,
                   progress=_progress_bar(sys.stderr), **common)


def comparison_stem(names: Sequence[str]) -> str:
    """The file name stem of a comparison: ``compare_<A>_vs_<B>...``, or
    ``compare_<A>_vs_<n>_scenarios`` when that would be longer than 100 characters."""
    stem = "compare_" + "_vs_".join(names)
    return stem if len(stem) <= 100 else f"compare_{names[0]}_vs_{len(names) - 1}_scenarios"


def _warn_parameter_changes(differences: dict[str, dict[str, str]], names: list[str]) -> None:
    """One line per scenario whose model parameters differ from the reference's."""
    reference = names[0]
    for name in names[1:]:
        changed = [p for p, settings in differences.items() if settings[name] != settings[reference]]
        if changed:
            warnings.warn(f"{name} and {reference} differ in model parameters, not only in levers "
                          f"({', '.join(changed)}): their difference is not the policy's effect "
                          "alone", UserWarning, stacklevel=2)


def _progress_bar(stream: TextIO) -> Callable[[int, int], None] | None:
    """A one-line progress bar on an interactive terminal; nothing in logs and pipes."""
    if not stream.isatty():
        return None
    import time

    start = time.perf_counter()

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // total
        elapsed = time.perf_counter() - start
        rate = done / elapsed if elapsed > 0 else 0.0
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} draws "
                     f"{elapsed:5.1f} s {rate:,.0f}/s")
        if done >= total:
            stream.write("\n")
        stream.flush()

    return show


def _calibrate(args: argparse.Namespace) -> int:
    import warnings

    from nmmsim.calibrated import write_calibrated
    from nmmsim.calibration import CalibrationWarning, calibrate
    from nmmsim.calibration.report import plot_fit, text_report

    files = _inputs(args, calibrating=True)
    out = args.out if args.out is not None else _calibration_destination(files)
    with warnings.catch_warnings():  # the report lists them
        warnings.simplefilter("ignore", CalibrationWarning)
        result = calibrate(files.observed_region, files.observed_national)
    print(text_report(result))
    print(_input_lines(_provenance(files)))
    out = write_calibrated(result, out)
    chart = plot_fit(result, args.chart or out.with_name(f"{out.stem}_fit.png"))
    print(f"\nWrote {out} and {chart}")
    return 0 if result.success else 1


def _condition(args: argparse.Namespace) -> int:
    from nmmsim.atomic import check_writable
    from nmmsim.calibration.condition import DEFAULT_PARTICLES, KEPT_PARTICLES, condition
    from nmmsim.calibration.posterior_report import plot_contraction, posterior_text
    from nmmsim.calibration.series import load_history_data
    from nmmsim.errors import NmmsimError
    from nmmsim.posterior import write_posterior

    if args.leave_one_year_out:
        from nmmsim.history_range import SUB_KEPT, SUB_PARTICLES

        if args.chart is not None:
            raise NmmsimError("--chart draws the posterior's contraction; --leave-one-year-out "
                              "writes no chart")
        default_particles, default_keep = SUB_PARTICLES, SUB_KEPT
    else:
        default_particles, default_keep = DEFAULT_PARTICLES, KEPT_PARTICLES
    particles = args.particles if args.particles is not None else default_particles
    keep = min(args.keep if args.keep is not None else default_keep, particles)
    if not 64 <= particles <= 2**22 or keep < 1:
        raise NmmsimError(f"--particles {particles:,} must lie in [64, 4,194,304] and --keep "
                          f"{keep} be at least 1")
    if not 0 <= args.seed < 2**63:
        raise NmmsimError(f"--seed {args.seed} must be a whole number in [0, 2^63)")
    files = _inputs(args, calibrating=True)
    out = args.out if args.out is not None else _calibration_destination(files, "posterior.toml")
    check_writable(out.parent)
    data = load_history_data(files.observed_region, files.observed_national, files.provinces)
    if args.leave_one_year_out:
        return _condition_left_out(data, files, out, particles, keep, args.seed)
    print(f"Conditioning {particles:,} particles on the 2020-2024 history ...", file=sys.stderr)
    sample = condition(data, particles=particles, keep=keep, seed=args.seed,
                       report=lambda line: print(f"  {line}", file=sys.stderr))
    print(posterior_text(sample))
    print(_input_lines(_provenance(files)))
    out = write_posterior(sample, out)
    chart = plot_contraction(sample, args.chart or out.with_name(f"{out.stem}_contraction.png"))
    print(f"\nWrote {out}, {out.with_suffix('.csv')} and {chart}")
    return 0


def _condition_left_out(data: Any, files: InputFiles, out: Path, particles: int, keep: int,
                        seed: int) -> int:
    """`nmmsim condition --leave-one-year-out`: the sub-posteriors of the history range, each
    written as soon as it is done (`nmmsim.history_range`)."""
    from nmmsim.calibration.condition import condition
    from nmmsim.history_range import HISTORY_YEARS, sub_posterior_path
    from nmmsim.posterior import write_posterior

    written = []
    for year in HISTORY_YEARS:
        print(f"Conditioning {particles:,} particles on the 2020-2024 history without {year} ...",
              file=sys.stderr)
        sample = condition(data, particles=particles, keep=keep, seed=seed, leave_out=year,
                           report=lambda line: print(f"  {line}", file=sys.stderr))
        path = write_posterior(sample, sub_posterior_path(out, year))
        written += [path, path.with_suffix(".csv")]
        print(f"Without {year}: {len(sample.stages)} stages, last ESS {sample.stages[-1].ess:,.0f} "
              f"of {particles:,}, {sample.evaluations} history runs, {sample.seconds:.0f} s")
    print(_input_lines(_provenance(files)))
    print(f"\nWrote {', '.join(map(str, written[:-1]))} and {written[-1]}")
    return 0


def _inputs(args: argparse.Namespace, *, calibrating: bool = False) -> InputFiles:
    """The input files of the command: its options, else the data directory's files."""
    from nmmsim.errors import DataError
    from nmmsim.resources import data_directory, input_files

    files = input_files(data_directory(), calibration=getattr(args, "calibration", None),
                        posterior=getattr(args, "posterior", None),
                        targets=getattr(args, "targets", None),
                        observed_region=getattr(args, "observed", None),
                        observed_national=getattr(args, "national", None))
    needed = _FITTED_FROM if calibrating else _roles(args)
    missing = [str(path) for role, path in files.paths().items()
               if role in needed and not path.is_file()]
    if missing:
        raise DataError(f"no such file: {', '.join(missing)} (data directory "
                        f"{files.directory.path}, {files.directory.describe()})")
    return files


#: The files `nmmsim calibrate` and `nmmsim condition` read.
_FITTED_FROM = ("observed_region", "observed_national", "provinces", "boundaries")


def _roles(args: argparse.Namespace) -> tuple[str, ...]:
    """The input files a command reads: the data, the targets and its parameter file (none
    for a run with --uncertainty prior)."""
    if getattr(args, "calibration", None) is not None or not hasattr(args, "uncertainty"):
        fit: tuple[str, ...] = ("calibration",)
    else:
        fit = ("posterior",) if args.uncertainty == "posterior" else ()
    return (*_FITTED_FROM, *fit, "targets")


def _provenance(files: InputFiles, args: argparse.Namespace | None = None) -> dict[str, str]:
    """The attrs naming the input files; warns if the parameter file (posterior or least-squares
    fit) was made from other data than the data read now."""
    from nmmsim.resources import data_sha256, provenance

    roles = _roles(args) if args is not None else _FITTED_FROM
    inputs = provenance(files, roles=roles)
    if "posterior" in roles:
        from nmmsim.posterior import load_posterior

        path, made_from, remake = files.posterior, load_posterior(files.posterior).data_sha256, \
            "nmmsim condition"
    elif "calibration" in roles:
        from nmmsim.calibrated import load_calibrated

        path, made_from, remake = files.calibration, \
            load_calibrated(files.calibration).data_sha256, "nmmsim calibrate"
    else:
        return inputs
    inputs[f"{'posterior' if 'posterior' in roles else 'calibration'}_data_sha256"] = made_from
    # the same figures with Windows line ends are the same data
    if made_from not in (inputs["data_sha256"], data_sha256(files, newlines="lf")):
        warnings.warn(f"{path} was made from other data (sha256 {made_from[:12]}) than "
                      f"the observed data used now ({inputs['data_sha256'][:12]}, "
                      f"{files.directory.path}): rebuild it with `{remake}`", UserWarning,
                      stacklevel=2)
    return inputs


def _input_lines(inputs: dict[str, str]) -> str:
    """Which files a run read, one line each with the start of its sha256."""
    lines = [f"Data: {inputs['data_directory']} ({inputs['data_directory_origin']})"]
    for key in (k for k in inputs if k.endswith("_file")):
        role = key.removesuffix("_file")
        title = f" ({inputs['targets_title']})" if role == "targets" else ""
        lines.append(f"  {role:<18} {inputs[key]}  sha256 {inputs[role + '_sha256'][:12]}{title}")
    return "\n".join(lines)


def _calibration_destination(files: InputFiles, name: str = "calibrated.toml") -> Path:
    """``name`` in the data directory the fit read; never inside the installed package."""
    from nmmsim.errors import DataError

    directory = files.directory
    if directory.origin == "installed":
        raise DataError(f"the data directory is the copy inside the installed package "
                        f"({directory.path}); refit your own data with --data DIR (or "
                        "$NMMSIM_DATA, or from inside an nmmsim checkout), or give --out FILE")
    import os

    if not os.access(directory.path, os.W_OK):
        raise DataError(f"cannot write to the data directory {directory.path} "
                        f"({directory.describe()}); give --out FILE")
    return Path(directory.path) / name


def _sensitivity(args: argparse.Namespace) -> int:
    from nmmsim.atomic import check_writable
    from nmmsim.plot import sensitivity_grid, write_png
    from nmmsim.report_text import sensitivity_table
    from nmmsim.results import with_provenance, write_netcdf
    from nmmsim.scenario import load_scenario, resolve_scenario_path
    from nmmsim.sensitivity import sensitivity

    scenario = load_scenario(resolve_scenario_path(args.scenario))
    check_writable(args.out)  # before the computation, not after it
    files = _inputs(args)
    inputs = _provenance(files, args)
    found = sensitivity(scenario, draws=args.draws, seed=args.seed, method=args.method,
                        targets=files.targets, calibration=files.calibration)
    found = with_provenance(found, inputs)
    print(f"Scenario: {scenario.name}; {args.method}, N = {args.draws:,} "
          f"({found.attrs['evaluations']:,} model runs), seed {args.seed}")
    print(_input_lines(inputs))
    print(sensitivity_table(found))
    written = [write_netcdf(found, args.out / f"{scenario.name}_sensitivity.nc")]
    charts = {"": sensitivity_grid(found)}
    if "ST_group" in found:
        charts["_by_year"] = sensitivity_grid(found, over_time=True)
    for suffix, figure in charts.items():
        written.append(write_png(figure, args.out / f"{scenario.name}_sensitivity{suffix}.png"))
    print(f"\nWrote {', '.join(str(p) for p in written)}")
    print(f"`nmmsim run {args.scenario} --out {args.out}` adds these to its HTML report.")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from nmmsim.atomic import check_writable, staged_directory
    from nmmsim.calibration.backtest import backtest
    from nmmsim.calibration.backtest_report import plot_validation, validate_text
    from nmmsim.calibration.condition import DEFAULT_PARTICLES
    from nmmsim.calibration.series import load_history_data
    from nmmsim.errors import NmmsimError

    particles = args.particles if args.particles is not None else DEFAULT_PARTICLES
    if not 64 <= particles <= 2**22:
        raise NmmsimError(f"--particles {particles:,} must lie in [64, 4,194,304]")
    if not 0 <= args.seed < 2**63:
        raise NmmsimError(f"--seed {args.seed} must be a whole number in [0, 2^63)")
    check_writable(args.out)  # before the computation, not after it
    files = _inputs(args, calibrating=True)
    data = load_history_data(files.observed_region, files.observed_national, files.provinces)
    print(f"Backtests: {particles:,} particles per origin ...", file=sys.stderr)
    result = backtest(data, particles=particles, seed=args.seed,
                      report=lambda line: print(f"  {line}", file=sys.stderr))
    with staged_directory(args.out) as staging:
        result.forecasts.to_csv(staging / "validate.csv", index=False)
        plot_validation(result, staging / "validate.png")
    print(validate_text(result))
    print(_input_lines(_provenance(files)))
    print(f"\nWrote {args.out / 'validate.csv'} and {args.out / 'validate.png'}")
    return 0


def _scenarios(args: argparse.Namespace) -> int:
    from nmmsim.scenario import load_scenario, shipped_scenarios

    for name, path in shipped_scenarios().items():
        description = " ".join(load_scenario(path).description.split())
        print(f"{name}\n    {description}\n    {path}")
    return 0
