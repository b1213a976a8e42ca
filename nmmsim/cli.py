"""The ``nmmsim`` command line: a thin layer over the public API.

Errors in input print one line (``nmmsim: error: ...``) and exit with status 2; warnings print
one line (``nmmsim: warning: ...``) and the run goes on. Nothing else is caught, so bugs still
show their traceback.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

__all__ = ["main"]

EXIT_INPUT_ERROR = 2
EXIT_INTERRUPTED = 130  # the shell's code for Ctrl-C


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    from nmmsim.errors import NmmsimError

    try:
        with warnings.catch_warnings():
            warnings.showwarning = _one_line_warning
            status = int(args.command(args))
        sys.stdout.flush()  # here, so that a closed pipe is caught below, not at exit
        return status
    except NmmsimError as exc:
        print(f"nmmsim: error: {exc}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    except KeyboardInterrupt:
        print("\nnmmsim: interrupted; no results written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # output piped into e.g. `head`, which closed early
        import os

        # the files are written before anything is printed; send what is left of the output
        # nowhere, so that the flush at exit does not fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _one_line_warning(message: Warning | str, category: type[Warning], filename: str,
                      lineno: int, file: TextIO | None = None, line: str | None = None) -> None:
    """Show a warning as one line for the user, without the Python source line."""
    print(f"nmmsim: warning: {message}", file=sys.stderr if file is None else file)


def _parser() -> argparse.ArgumentParser:
    from nmmsim._version import __version__

    parser = argparse.ArgumentParser(
        prog="nmmsim",
        description="Growth scenarios for Vietnam's Northern Midlands and Mountains region, "
        "against the 2030 targets of Resolution 96/NQ-CP.",
    )
    parser.add_argument("--version", action="version", version=f"nmmsim {__version__}")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="project a scenario and compare 2030 with the targets")
    run.add_argument("scenario", type=Path, help="scenario file (TOML)")
    run.add_argument("--out", type=Path, default=Path("results"),
                     help="directory for the .nc, .csv, _targets.csv and .html files, named "
                     "<scenario>_deterministic.*, <scenario>.* (Monte Carlo summary) or "
                     "<scenario>_trajectories.* (default: ./results)")
    run.add_argument("--start-year", type=int, default=2024, help="base year (default: 2024)")
    run.add_argument("--end-year", type=int, default=2030, help="last year (default: 2030)")
    _input_options(run)
    monte_carlo = run.add_argument_group(
        "Monte Carlo", "with --draws, sample the uncertain parameters and disaster years")
    _sampling_options(monte_carlo, draws_help="number of draws (default: one deterministic run)")
    monte_carlo.add_argument("--chunk-size", type=int, default=None,
                             help="draws per chunk, a multiple of 1024 (default: 2048)")
    monte_carlo.add_argument("--keep", choices=("summary", "trajectories"), default="summary",
                             help="quantiles and attainment counts, or every draw's paths")
    run.set_defaults(command=_run)

    fit = commands.add_parser(
        "calibrate", help="refit the behavioural parameters to the observed 2020-2024 history")
    fit.add_argument("--out", type=Path, default=Path("calibration/calibrated.toml"),
                     help="calibrated parameter file to write (default: "
                     "./calibration/calibrated.toml, the committed file in a checkout)")
    fit.add_argument("--chart", type=Path, default=None,
                     help="PNG of fitted versus observed history (default: beside --out, "
                     "<name>_fit.png)")
    fit.add_argument("--observed", type=Path, default=None,
                     help="regional observed data (default: the shipped observed_region.csv)")
    fit.add_argument("--national", type=Path, default=None,
                     help="national observed data (default: the shipped observed_national.csv)")
    fit.set_defaults(command=_calibrate)

    versus = commands.add_parser(
        "compare", help="run scenarios on the same Monte Carlo draws and compare their attainment")
    versus.add_argument("scenarios", type=Path, nargs="+", metavar="SCENARIO",
                        help="scenario files (TOML); the first is the reference")
    _sampling_options(versus, draws_help="number of draws", required=True)
    versus.add_argument("--out", type=Path, default=Path("results"),
                        help="directory for compare.nc, compare.csv, compare_<target year>.csv "
                        "and compare.html (default: ./results)")
    _input_options(versus)
    versus.set_defaults(command=_compare)

    sense = commands.add_parser(
        "sensitivity", help="which uncertain parameters decide each target (Sobol' or Morris)")
    sense.add_argument("scenario", type=Path, help="scenario file (TOML)")
    sense.add_argument("--draws", type=int, default=1024,
                       help="base sample size N; Sobol' runs N (d + 2) + N (g + 2) model "
                       "evaluations (default: 1024)")
    sense.add_argument("--seed", type=int, default=0, help="seed (default: 0)")
    sense.add_argument("--method", choices=("sobol", "morris"), default="sobol")
    sense.add_argument("--out", type=Path, default=Path("results"),
                       help="directory for <scenario>_sensitivity.nc and charts")
    _input_options(sense)
    sense.set_defaults(command=_sensitivity)

    listing = commands.add_parser("scenarios", help="list the shipped scenarios")
    listing.set_defaults(command=_scenarios)
    return parser


def _input_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--calibration", type=Path, default=None,
                        help="calibrated parameter file (default: the shipped calibrated.toml)")
    parser.add_argument("--targets", type=Path, default=None,
                        help="targets table (CSV, columns as nmmsim/data/targets_2030.csv; "
                        "default: Resolution 96)")


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
    parser.add_argument("--workers", type=int, default=1,
                        help="local worker processes (default: 1)")
    parser.add_argument("--scheduler", default=None,
                        help="Dask scheduler address, e.g. tcp://host:8786 (needs "
                        "nmmsim[distributed])")


def _run(args: argparse.Namespace) -> int:
    from nmmsim.atomic import staged_directory
    from nmmsim.engine import simulate
    from nmmsim.report import write_report
    from nmmsim.report_text import target_frame, target_rows, target_table
    from nmmsim.results import write_results
    from nmmsim.scenario import load_scenario
    from nmmsim.targets import load_targets

    scenario = load_scenario(args.scenario)
    options: dict[str, Any] = {}
    if args.draws is not None:
        options = {"draws": args.draws, "seed": args.seed, "sampler": args.sampler,
                   "workers": args.workers, "scheduler": args.scheduler, "keep": args.keep,
                   "progress": _progress_bar(sys.stderr)}
        if args.chunk_size is not None:
            options["chunk_size"] = args.chunk_size
    targets = load_targets(args.targets)
    result = simulate(scenario, start_year=args.start_year, end_year=args.end_year,
                      calibration=args.calibration, targets=targets, **options)
    # Files first, then the terminal: output piped into `head` cannot stop them being written.
    stem = scenario.name + _RUN_KIND_SUFFIX[
        "deterministic" if args.draws is None else args.keep]
    table = target_table(result, targets)
    sensitivity = _load_sensitivity(args.out / f"{scenario.name}_sensitivity.nc")
    with staged_directory(args.out) as staging:  # every file of the run, or none
        write_results(result, staging, stem)
        target_frame(target_rows(result, targets)).to_csv(
            staging / f"{stem}_targets.csv", index=False, float_format="%.10g")
        write_report(result, staging / f"{stem}.html", scenario=scenario,
                     targets=targets, sensitivity=sensitivity)
    print(f"Scenario: {scenario.name} ({scenario.path})")
    if args.draws is not None:
        print(f"Monte Carlo: {args.draws:,} draws, seed {result.attrs['seed']}, sampler "
              f"{args.sampler}")
    print(table)
    written = [args.out / f"{stem}{suffix}" for suffix in (".nc", ".csv", "_targets.csv", ".html")]
    print(f"\nWrote {', '.join(map(str, written[:-1]))} and {written[-1]}")
    return 0


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
    from nmmsim.atomic import staged_directory
    from nmmsim.engine import compare
    from nmmsim.report import write_comparison_report
    from nmmsim.report_text import comparison_frame, comparison_table
    from nmmsim.results import write_results
    from nmmsim.scenario import load_scenario
    from nmmsim.targets import load_targets

    scenarios = [load_scenario(path) for path in args.scenarios]
    targets = load_targets(args.targets)
    result = compare(scenarios, draws=args.draws, seed=args.seed, sampler=args.sampler,
                     workers=args.workers, scheduler=args.scheduler,
                     calibration=args.calibration, targets=targets,
                     progress=_progress_bar(sys.stderr))
    table = comparison_table(result, targets)
    with staged_directory(args.out) as staging:  # every file of the run, or none
        write_results(result, staging, "compare")
        frame = comparison_frame(result, targets)
        year = int(frame.year.max()) if len(frame) else int(result.year.max())
        frame.to_csv(staging / f"compare_{year}.csv", index=False, float_format="%.10g")
        write_comparison_report(result, staging / "compare.html", scenarios=scenarios,
                                targets=targets)
    print(f"Compared {', '.join(s.name for s in scenarios)}: {args.draws:,} draws, seed "
          f"{result.attrs['seed']}, common random numbers")
    print(table)
    written = [args.out / name for name in ("compare.nc", "compare.csv", f"compare_{year}.csv",
                                              "compare.html")]
    print(f"\nWrote {', '.join(map(str, written[:-1]))} and {written[-1]}")
    return 0


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

    with warnings.catch_warnings():  # the report lists them
        warnings.simplefilter("ignore", CalibrationWarning)
        result = calibrate(args.observed, args.national)
    print(text_report(result))
    out = write_calibrated(result, args.out)
    chart = plot_fit(result, args.chart or args.out.with_name(f"{args.out.stem}_fit.png"))
    print(f"\nWrote {out} and {chart}")
    return 0 if result.success else 1


def _sensitivity(args: argparse.Namespace) -> int:
    from nmmsim.atomic import atomic_path
    from nmmsim.plot import pyplot, sensitivity_grid
    from nmmsim.report_text import sensitivity_table
    from nmmsim.results import write_netcdf
    from nmmsim.scenario import load_scenario
    from nmmsim.sensitivity import sensitivity

    scenario = load_scenario(args.scenario)
    found = sensitivity(scenario, draws=args.draws, seed=args.seed, method=args.method,
                        targets=args.targets, calibration=args.calibration)
    print(f"Scenario: {scenario.name}; {args.method}, N = {args.draws:,} "
          f"({found.attrs['evaluations']:,} model runs), seed {args.seed}")
    print(sensitivity_table(found))
    written = [write_netcdf(found, args.out / f"{scenario.name}_sensitivity.nc")]
    charts = {"": sensitivity_grid(found)}
    if "ST_group" in found:
        charts["_by_year"] = sensitivity_grid(found, over_time=True)
    for suffix, figure in charts.items():
        path = args.out / f"{scenario.name}_sensitivity{suffix}.png"
        with atomic_path(path) as tmp:
            figure.savefig(tmp, format="png", dpi=100)
        pyplot().close(figure)
        written.append(path)
    print(f"\nWrote {', '.join(str(p) for p in written)}")
    print(f"`nmmsim run {args.scenario} --out {args.out}` adds these to its HTML report.")
    return 0


def _scenarios(args: argparse.Namespace) -> int:
    from nmmsim.scenario import load_scenario, shipped_scenarios

    for name, path in shipped_scenarios().items():
        description = " ".join(load_scenario(path).description.split())
        print(f"{name}\n    {description}\n    {path}")
    return 0
