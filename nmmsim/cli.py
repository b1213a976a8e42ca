"""The ``nmmsim`` command line: a thin layer over the public API.

Errors in input print one line (``nmmsim: error: ...``) and exit with status 2; nothing else is
caught, so bugs still show their traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main"]

EXIT_INPUT_ERROR = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    from nmmsim.errors import NmmsimError

    try:
        return int(args.command(args))
    except NmmsimError as exc:
        print(f"nmmsim: error: {exc}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    except BrokenPipeError:  # output piped into e.g. `head`, which closed early
        sys.stderr.close()
        return 0


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
                     help="directory for <scenario>.nc and <scenario>.csv (default: ./results)")
    run.add_argument("--start-year", type=int, default=2024, help="base year (default: 2024)")
    run.add_argument("--end-year", type=int, default=2030, help="last year (default: 2030)")
    run.add_argument("--calibration", type=Path, default=None,
                     help="calibrated parameter file (default: the shipped calibrated.toml)")
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

    listing = commands.add_parser("scenarios", help="list the shipped scenarios")
    listing.set_defaults(command=_scenarios)
    return parser


def _run(args: argparse.Namespace) -> int:
    from nmmsim.engine import simulate
    from nmmsim.report_text import target_table
    from nmmsim.results import write_results
    from nmmsim.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    result = simulate(scenario, start_year=args.start_year, end_year=args.end_year,
                      calibration=args.calibration)
    print(f"Scenario: {scenario.name} ({scenario.path})")
    print(target_table(result))
    netcdf, csv = write_results(result, args.out, scenario.name)
    print(f"\nWrote {netcdf} and {csv}")
    return 0


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


def _scenarios(args: argparse.Namespace) -> int:
    from nmmsim.scenario import load_scenario, shipped_scenarios

    for name, path in shipped_scenarios().items():
        description = " ".join(load_scenario(path).description.split())
        print(f"{name}\n    {description}\n    {path}")
    return 0
