"""The posterior sample: `PosteriorSample` and its files ``calibration/posterior.{toml,csv}``.

`nmmsim.calibration.condition` produces a `PosteriorSample`; `write_posterior` stores it as two
files, a CSV of the particles (one row each: its weight, its log likelihood, then every parameter
and discrepancy scale) and a TOML of its provenance and diagnostics that records the CSV's sha256,
so the two cannot drift apart. `load_posterior` reads them back and checks them. Monte Carlo runs
draw their parameters from it (`nmmsim.engine.uncertainty`). Rebuild it with ``nmmsim condition``
after editing the observed data instead of editing the files.
"""

from __future__ import annotations

import hashlib
import io
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nmmsim._input import read_input
from nmmsim._types import FloatArray
from nmmsim.atomic import atomic_path
from nmmsim.discrepancy import DISCREPANCIES
from nmmsim.errors import CalibrationError
from nmmsim.parameters import QUANTITIES
from nmmsim.resources import shipped_dir

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "PosteriorSample",
    "StageRecord",
    "default_posterior_path",
    "load_posterior",
    "write_posterior",
]


#: Largest particles file read: 65,536 particles of 60 columns.
_MAX_PARTICLES_BYTES = 64 << 20


@dataclass(frozen=True, slots=True)
class StageRecord:
    """One tempering stage of the conditioning (`nmmsim.calibration.smc.Stage`)."""

    temperature: float
    ess: float
    moves: int
    acceptance: float


@dataclass(frozen=True, slots=True)
class PosteriorSample:
    """Weighted particles of the joint posterior, with how they were made.

    ``values`` is ``(n, len(names))``: every registry parameter, then the likelihood's
    discrepancy scales. ``weights`` sum to 1.
    """

    names: tuple[str, ...]
    values: FloatArray
    weights: FloatArray
    log_likelihood: FloatArray
    stages: tuple[StageRecord, ...]
    particles: int  # of the conditioning; the sample keeps a subset
    evaluations: int
    seed: int
    seconds: float
    data_sha256: str
    levers_sha256: str
    version: str
    left_out: int | None = None  # a leave-one-year-out sub-posterior: the year it did not see

    def __post_init__(self) -> None:
        if self.values.shape != (self.weights.size, len(self.names)):
            raise CalibrationError(f"posterior values have shape {self.values.shape}, expected "
                                   f"({self.weights.size}, {len(self.names)})")

    @property
    def size(self) -> int:
        return int(self.weights.size)

    @property
    def ess(self) -> float:
        """Kish effective sample size of the weights."""
        return float(1.0 / np.sum(self.weights * self.weights))

    def column(self, name: str) -> FloatArray:
        column: FloatArray = self.values[:, self.names.index(name)]
        return column

    def central(self) -> dict[str, float]:
        """The weighted median of every registry parameter: the deterministic run's values."""
        return {name: _weighted_quantile(self.column(name), self.weights, 0.5)
                for name in self.names if name in QUANTITIES}

    def table(self) -> pd.DataFrame:
        """One row per name: prior and posterior median, 5% and 95%, sd, and the contraction
        ``1 - posterior sd / prior sd`` (0: the history says nothing, 1: it pins the value)."""
        import pandas as pd

        rows = []
        for name in self.names:
            prior = QUANTITIES[name].prior if name in QUANTITIES else DISCREPANCIES[name].prior
            frozen = prior.frozen()
            column = self.column(name)
            mean = float(np.sum(self.weights * column))
            sd = math.sqrt(float(np.sum(self.weights * (column - mean) ** 2)))
            rows.append({
                "parameter": name,
                "prior_median": float(frozen.median()),
                "prior_sd": float(frozen.std()),
                "posterior_median": _weighted_quantile(column, self.weights, 0.5),
                "posterior_q05": _weighted_quantile(column, self.weights, 0.05),
                "posterior_q95": _weighted_quantile(column, self.weights, 0.95),
                "posterior_sd": sd,
                "contraction": 1.0 - sd / float(frozen.std()),
            })
        return pd.DataFrame(rows).set_index("parameter")


def _weighted_quantile(values: FloatArray, weights: FloatArray, q: float) -> float:
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    index = int(np.searchsorted(cumulative, q * cumulative[-1]))
    return float(values[order][min(index, values.size - 1)])


def default_posterior_path() -> Path:
    """The data directory's ``posterior.toml`` (its particles are in ``posterior.csv`` beside)."""
    return shipped_dir("calibration") / "posterior.toml"


def _csv_path(path: Path) -> Path:
    return path.with_suffix(".csv")


def write_posterior(sample: PosteriorSample, path: str | Path) -> Path:
    """Write ``sample`` as ``path`` (TOML) and its particles beside it (``.csv``), each atomically;
    the CSV first, so the TOML never names particles that are not there."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    csv_text = _particles_csv(sample)
    with atomic_path(_csv_path(path)) as tmp:
        tmp.write_text(csv_text, encoding="utf-8", newline="\n")
    lines = [
        "# nmmsim posterior sample, written by `nmmsim condition` (docs/uncertainty.md).",
        f"# Particles in {_csv_path(path).name}; rebuild after editing the observed data.",
        "",
        "[posterior]",
        f'particles_file = "{_csv_path(path).name}"',
        f'particles_sha256 = "{hashlib.sha256(csv_text.encode()).hexdigest()}"',
        f"kept = {sample.size}",
        f"particles = {sample.particles}",
        f"evaluations = {sample.evaluations}",
        f"seed = {sample.seed}",
        f"seconds = {sample.seconds:.1f}",
        f'data_sha256 = "{sample.data_sha256}"',
        f'levers_sha256 = "{sample.levers_sha256}"',
        f'version = "{sample.version}"',
        *([f"left_out = {sample.left_out}"] if sample.left_out is not None else []),
        "",
        "# tempering stages: inverse temperature, ESS of the reweighting before resampling,",
        "# Metropolis moves and their mean acceptance",
    ]
    for stage in sample.stages:
        lines += ["[[stages]]", f"temperature = {stage.temperature!r}", f"ess = {stage.ess!r}",
                  f"moves = {stage.moves}", f"acceptance = {stage.acceptance!r}", ""]
    with atomic_path(path) as tmp:
        tmp.write_text("\n".join(lines), encoding="utf-8", newline="\n")
    return path


def _particles_csv(sample: PosteriorSample) -> str:
    buffer = io.StringIO()
    buffer.write(",".join(("weight", "log_likelihood", *sample.names)) + "\n")
    table = np.column_stack([sample.weights, sample.log_likelihood, sample.values])
    np.savetxt(buffer, table, delimiter=",", fmt="%.9g")
    return buffer.getvalue()


def load_posterior(path: str | Path | None = None) -> PosteriorSample:
    """Read a posterior sample (default: the data directory's ``posterior.toml``).

    Raises
    ------
    CalibrationError
        If a file is missing or malformed, the particles do not match the recorded sha256, a
        column is unknown, or a value is not finite or outside its parameter's bounds.
    """
    path = Path(path) if path is not None else default_posterior_path()
    if not path.exists():
        raise CalibrationError(f"{path}: cannot read the posterior sample (no such file); "
                               "run `nmmsim condition` to build it")
    try:
        document = tomllib.loads(read_input(path, "posterior", CalibrationError))
    except ValueError as exc:
        raise CalibrationError(f"{path}: not valid TOML ({exc})") from None
    try:
        return _parse(path, document)
    except CalibrationError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise CalibrationError(f"{path}: malformed posterior ({exc!r}); rebuild it with "
                               "`nmmsim condition`") from exc


def _parse(path: Path, document: dict[str, Any]) -> PosteriorSample:
    head = document["posterior"]
    csv_path = path.parent / str(head["particles_file"])
    text = read_input(csv_path, "posterior particles", CalibrationError, limit=_MAX_PARTICLES_BYTES)
    if hashlib.sha256(text.encode()).hexdigest() != head["particles_sha256"]:
        raise CalibrationError(f"{csv_path}: its sha256 differs from the one {path.name} records; "
                               "the particles were edited or belong to another posterior: "
                               "rebuild with `nmmsim condition`")
    header, _, body = text.partition("\n")
    columns = header.strip().split(",")
    names = tuple(columns[2:])
    for name in names:
        if name not in QUANTITIES and name not in DISCREPANCIES:
            raise CalibrationError(f"{csv_path}: unknown column '{name}'")
    table = np.loadtxt(io.StringIO(body), delimiter=",", ndmin=2)
    if table.shape[1] != len(columns) or not np.all(np.isfinite(table)):
        raise CalibrationError(f"{csv_path}: every row needs {len(columns)} finite numbers")
    values = table[:, 2:]
    for j, name in enumerate(names):
        low, high = QUANTITIES[name].bounds if name in QUANTITIES \
            else DISCREPANCIES[name].prior.support
        if values[:, j].min() < low or values[:, j].max() > high:
            raise CalibrationError(f"{csv_path}: '{name}' must lie in [{low:g}, {high:g}]")
    weights = table[:, 0]
    if np.any(weights < 0.0) or not math.isclose(weights.sum(), 1.0, rel_tol=1e-6):
        raise CalibrationError(f"{csv_path}: weights must be non-negative and sum to 1")
    return PosteriorSample(
        names=names,
        values=values,
        weights=weights / weights.sum(),
        log_likelihood=table[:, 1],
        stages=tuple(StageRecord(float(s["temperature"]), float(s["ess"]), int(s["moves"]),
                                 float(s["acceptance"])) for s in document.get("stages", [])),
        particles=int(head["particles"]),
        evaluations=int(head["evaluations"]),
        seed=int(head["seed"]),
        seconds=float(head["seconds"]),
        data_sha256=str(head["data_sha256"]),
        levers_sha256=str(head["levers_sha256"]),
        version=str(head["version"]),
        left_out=int(head["left_out"]) if "left_out" in head else None,
    )
