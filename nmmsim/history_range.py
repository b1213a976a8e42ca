"""How much an attainment probability depends on any one year of the history: the
leave-one-year-out sub-posteriors (docs/uncertainty.md §6).

For each year ``t`` of the likelihood's years (2021-2024), the parameters are conditioned on the
history without the figures that end in ``t`` (`nmmsim.calibration.condition` with
``leave_out=t``: the same sampler and seed, fewer particles). The four samples ship beside the
posterior as ``posterior_without_<t>.toml`` and ``.csv``, made by one command::

    nmmsim condition --leave-one-year-out

A Monte Carlo run then draws `history_draws` more draws from each sub-posterior, on the run's seed
(`nmmsim.engine.simulate` with ``history_range="leave-one-year-out"``), and counts the targets
attained. The lowest and highest of the four probabilities are the **history range** shown beside
the Monte Carlo interval: had any one year of the history not been observed, the probability
would lie between them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from nmmsim.errors import CalibrationError

if TYPE_CHECKING:
    from nmmsim.calibration.series import HistoryData
    from nmmsim.posterior import PosteriorSample

__all__ = [
    "HISTORY_MEANING",
    "HISTORY_YEARS",
    "SUB_KEPT",
    "SUB_PARTICLES",
    "HistoryRange",
    "condition_left_out",
    "history_draws",
    "load_sub_posteriors",
    "stale_sub_posterior",
    "sub_posterior_path",
]

#: "leave-one-year-out": the range across the sub-posteriors; "none": no range.
HistoryRange = Literal["leave-one-year-out", "none"]

#: The years left out one at a time: those of the likelihood (`LIKELIHOOD_YEARS`).
HISTORY_YEARS: tuple[int, ...] = (2021, 2022, 2023, 2024)
#: Particles of each sub-posterior's conditioning, and particles kept (docs/uncertainty.md §6).
SUB_PARTICLES = 2**15
SUB_KEPT = 2048
#: Draws from each sub-posterior: a tenth of the run's, at least this many, at most the run's.
MIN_HISTORY_DRAWS = 10_000

#: What the second interval means, said wherever it is shown (CLI, report, docs).
HISTORY_MEANING = (
    "The history range beside it: if any one year of the 2021-2024 history had not been "
    "observed, this probability would lie in that range (the lowest and highest of four "
    "runs, each drawing from a posterior conditioned without one year; docs/uncertainty.md).")


def history_draws(draws: int) -> int:
    """Draws from each sub-posterior in a run of ``draws``: ``min(draws, max(draws // 10,
    10,000))``.

    >>> history_draws(200_000), history_draws(50_000), history_draws(2_048)
    (20000, 10000, 2048)
    """
    return min(draws, max(draws // 10, MIN_HISTORY_DRAWS))


def sub_posterior_path(posterior: str | Path, year: int) -> Path:
    """The sub-posterior without ``year`` that belongs to ``posterior``: beside it, named
    ``<posterior stem>_without_<year>.toml``."""
    posterior = Path(posterior)
    return posterior.with_name(f"{posterior.stem}_without_{year}.toml")


def load_sub_posteriors(posterior: PosteriorSample, path: str | Path
                        ) -> dict[int, PosteriorSample]:
    """The sub-posteriors beside the posterior file ``path``, by the year each leaves out.

    Raises
    ------
    CalibrationError
        If a file is missing or malformed (`nmmsim.posterior.load_posterior`), leaves out
        another year than its name says, or was made from other data or for other parameters
        than ``posterior``.
    """
    from nmmsim.posterior import load_posterior

    samples = {}
    for year in HISTORY_YEARS:
        file = sub_posterior_path(path, year)
        if not file.exists():
            raise CalibrationError(
                f"{file}: no such file; the history range needs the sub-posteriors beside "
                f"{Path(path).name}: build them with `nmmsim condition --leave-one-year-out`, "
                "or run with --history-range none")
        sample = load_posterior(file)
        if sample.left_out != year:
            raise CalibrationError(f"{file}: left_out = {sample.left_out}, expected {year}")
        if sample.data_sha256 != posterior.data_sha256 or sample.names != posterior.names:
            raise CalibrationError(
                f"{file}: made from other data or for other parameters than {Path(path).name} "
                "(its data_sha256 or columns differ); rebuild with `nmmsim condition "
                "--leave-one-year-out`")
        samples[year] = sample
    return samples


def stale_sub_posterior(posterior: str | Path) -> str | None:
    """Why the sub-posteriors beside ``posterior`` cannot serve it, or None if they look right:
    a file missing, or a TOML whose ``left_out`` or ``data_sha256``, or a CSV whose columns,
    differ from what ``posterior`` needs. Reads only the TOML files and the CSV header lines
    (cheap); `load_sub_posteriors` checks everything."""
    import tomllib

    posterior = Path(posterior)
    try:
        head = tomllib.loads(posterior.read_text(encoding="utf-8"))["posterior"]
        with (posterior.parent / str(head["particles_file"])).open(encoding="utf-8") as file:
            columns = file.readline()
        for year in HISTORY_YEARS:
            path = sub_posterior_path(posterior, year)
            if not path.is_file():
                return f"{path} is missing"
            sub = tomllib.loads(path.read_text(encoding="utf-8"))["posterior"]
            with (path.parent / str(sub["particles_file"])).open(encoding="utf-8") as file:
                sub_columns = file.readline()
            if sub.get("left_out") != year or sub["data_sha256"] != head["data_sha256"] \
                    or sub_columns != columns:
                return (f"{path} was made for other data, parameters or years than "
                        f"{posterior.name}")
    except (OSError, UnicodeDecodeError, KeyError, TypeError, ValueError) as exc:
        return f"cannot read the sub-posteriors beside {posterior} ({exc})"
    return None


def condition_left_out(data: HistoryData, *, particles: int = SUB_PARTICLES,
                       keep: int = SUB_KEPT, seed: int = 2024,
                       report: Callable[[str], None] | None = None,
                       ) -> dict[int, PosteriorSample]:
    """One conditioning per year of `HISTORY_YEARS`, each without that year's figures, on the
    same ``seed`` (`nmmsim.calibration.condition`)."""
    from nmmsim.calibration.condition import condition

    samples = {}
    for year in HISTORY_YEARS:
        if report is not None:
            report(f"without {year}:")
        samples[year] = condition(data, particles=particles, keep=keep, seed=seed,
                                  report=report, leave_out=year)
    return samples
