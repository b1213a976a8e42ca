"""Scenario files: reading, validating, inheriting (``extends``) and turning levers into a schedule.

A scenario is a TOML file; the README and ``docs/model.md`` §5 show the format. Every key is checked
against the schema below and the parameter registry; an error names the file, the key, the value
and what is allowed. Nothing is repaired or ignored silently.
"""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nmmsim._input import read_input
from nmmsim._types import FloatArray
from nmmsim.errors import ScenarioError, ScenarioWarning, did_you_mean
from nmmsim.levers import DESTINATIONS, SOURCES, LeverSchedule, YearLevers
from nmmsim.parameters import SETTABLE
from nmmsim.priors import Prior, Triangular, TruncatedNormal, Uniform
from nmmsim.provinces import PROVINCES

__all__ = ["Scenario", "load_scenario", "resolve_scenario_path", "shipped_scenarios"]

YEAR_RANGE = (2000, 2100)


@dataclass(frozen=True, slots=True)
class _Number:
    """A scalar leaf: a finite number in ``[low, high]``."""

    low: float
    high: float
    meaning: str


@dataclass(frozen=True, slots=True)
class _PriorLeaf:
    """A prior for one parameter, as an inline table inside the parameter's bounds."""

    name: str


@dataclass(frozen=True, slots=True)
class _Path:
    """A yearly-path leaf: one number for every year, or a table ``{year = number}``."""

    low: float
    high: float
    meaning: str


_FRACTION = "a fraction (0.38 for 38%)"
_INVESTMENT_SOURCE: dict[str, Any] = {
    "share_of_grdp": _Path(0.0, 1.0, f"{_FRACTION} of the previous year's real GRDP"),
    "vnd_trillion": _Path(0.0, 10_000.0, "VND trillion per year at 2024 prices"),
    "split": {dest: _Number(0.0, 1.0, f"{_FRACTION} of the source") for dest in DESTINATIONS},
}
_SCHEMA: dict[str, Any] = {
    "name": str,
    "description": str,
    "grounding": str,
    "extends": str,
    "investment": {source: _INVESTMENT_SOURCE for source in SOURCES},
    "efficiency": {
        "capital": _Path(0.0, 1.0, f"{_FRACTION} of sector investment that becomes capital"),
        "infrastructure": _Path(0.0, 1.0, f"{_FRACTION} of infrastructure spending delivered"),
        "training": _Path(0.0, 1.0, f"{_FRACTION} of training spending that yields trainees"),
        "forest": _Path(0.0, 1.0, f"{_FRACTION} of forest spending that yields planted forest"),
    },
    "training": {
        "short_course_share": _Path(0.0, 1.0, f"{_FRACTION} of training spending on short courses"),
    },
    "revenue": {
        "hydropower_uplift": _Path(0.0, 1.0, f"{_FRACTION} rise of industry revenue"),
        "border_gate_uplift": _Path(0.0, 1.0, f"{_FRACTION} rise of product-tax revenue"),
    },
    # a provincial parameter's name sets every province; ``"name[Province]"`` sets one
    "parameters": {
        name: _Number(*spec.bounds, f"{spec.unit}; {spec.description}")
        for name, spec in SETTABLE.items()
    },
    "priors": {name: _PriorLeaf(name) for name in SETTABLE},
}
#: What a ``[provinces.<name>]`` table may override for one province. FDI goes where it is
#: attracted (docs/model.md §2), so a province names its FDI as projects, not as an amount.
_FDI_PROJECTS = "fdi_projects"
_PROVINCE_SCHEMA: dict[str, Any] = {
    "investment": {source: _INVESTMENT_SOURCE for source in SOURCES if source != "fdi"},
    "efficiency": _SCHEMA["efficiency"],
    "training": _SCHEMA["training"],
    "revenue": _SCHEMA["revenue"],
    _FDI_PROJECTS: _Path(0.0, 10_000.0, "VND trillion of FDI registered in the province in that "
                         "year by named projects, on top of what it attracts (0 in years not given)"),
}
_SCHEMA["provinces"] = {province: _PROVINCE_SCHEMA for province in PROVINCES}
_LEVER_TABLES = ("investment", "efficiency", "training", "revenue", "provinces")
_PRIOR_FORMS = {
    frozenset({"low", "high"}): "uniform",
    frozenset({"low", "mode", "high"}): "triangular",
    frozenset({"mean", "sd"}): "normal",
    frozenset({"mean", "sd", "low", "high"}): "normal",
}
_PRIOR_HELP = ("{ low, high } (uniform), { low, mode, high } (triangular) or { mean, sd } "
               "(normal truncated to the bounds, optionally with low and high)")
_AMOUNT_KEYS = ("share_of_grdp", "vnd_trillion")
# what a yearly table does after its last year
_AFTER, _HOLD = "after", "hold"
_GROWTH = _Number(-1.0, 1.0, "a fraction per year, 0.05 for 5%")
# investment as shares of GRDP summed over the sources: warn above, refuse above the limit
_TOTAL_SHARE_WARNING, _TOTAL_SHARE_LIMIT = 0.6, 1.0
_AFTER_HELP = 'after = "hold" (keep the last value) or after = { growth = 0.05 } (5% a year)'
_SPLIT_TOLERANCE = 1e-9
# a scenario's name names its output files (<out>/<name>.nc): no directories, no hidden files
_NAME_PATTERN = re.compile(r"[\w-][\w.-]{0,99}")  # \w: any script's letters and digits, and _
_NAME_HELP = ("letters, digits, '_', '-' and '.', not starting with '.', at most 100 characters "
              "(it names the output files)")


@dataclass(frozen=True, slots=True)
class Scenario:
    """A validated scenario with its inheritance resolved.

    Attributes
    ----------
    name, description, grounding : str
    path : Path
        The file it was loaded from.
    file_hash : str
        SHA-256 of the file and every file it extends (in inheritance order).
    levers : Mapping
        The merged lever tree (``investment``, ``efficiency``, ``training``, ``revenue``).
    parameter_overrides : Mapping[str, float]
        Parameters fixed by the scenario (the same value in every draw), checked against the
        registry.
    prior_overrides : Mapping[str, Prior]
        Priors the scenario narrows, widens or reshapes, inside the registry bounds.
    """

    name: str
    description: str
    grounding: str
    path: Path
    file_hash: str
    levers: Mapping[str, Any]
    parameter_overrides: Mapping[str, float]
    prior_overrides: Mapping[str, Prior]

    def schedule(self, years: range) -> LeverSchedule:
        """The levers for each of ``years`` (the projection years, base year excluded).

        After a yearly table's last year the lever follows the table's ``after``: ``"hold"``
        keeps the last value, ``{ growth = g }`` multiplies it by ``1 + g`` a year. Without
        ``after`` the last value is held and a `ScenarioWarning` says so.

        Raises
        ------
        ScenarioError
            If a yearly path lacks one of ``years`` before its last year, or grows out of the
            lever's range.
        """
        by_year = tuple(self._year_levers(year) for year in years)
        schedule = LeverSchedule(years=tuple(years), by_year=by_year)
        self._check_total_share(years, np.array([
            (levers.investment_amount * levers.amount_is_share).sum(axis=0).max()
            for levers in by_year]))
        self._warn_unused_or_held(years)
        return schedule

    def _year_levers(self, year: int) -> YearLevers:
        """The levers of ``year`` in every province: its ``[provinces.<name>]`` values where it
        has them, the regional ones elsewhere."""
        overrides = self.levers.get("provinces", {})
        n = len(PROVINCES)
        amount = np.empty((len(SOURCES), n))
        is_share = np.empty((len(SOURCES), n), dtype=bool)
        regional = np.empty((len(SOURCES), n), dtype=bool)
        split = np.empty((len(SOURCES), len(DESTINATIONS), n))
        for i, source in enumerate(SOURCES):
            plan = self.levers["investment"][source]
            key = _amount_key(plan)
            value = self._path_value(("investment", source, key), year)
            for j, province in enumerate(PROVINCES):
                own = overrides.get(province, {}).get("investment", {}).get(source, {})
                if any(k in own for k in _AMOUNT_KEYS):
                    own_key = _amount_key(own)
                    amount[i, j] = self._path_value(
                        ("provinces", province, "investment", source, own_key), year)
                    is_share[i, j], regional[i, j] = own_key == "share_of_grdp", False
                else:
                    amount[i, j], is_share[i, j], regional[i, j] = value, key == "share_of_grdp", True
                shares = own.get("split", plan["split"])
                split[i, :, j] = [shares.get(d, 0.0) for d in DESTINATIONS]

        def lever(table: str, key: str) -> FloatArray:
            value = self._path_value((table, key), year)
            return np.array([
                self._path_value(("provinces", p, table, key), year)
                if key in overrides.get(p, {}).get(table, {}) else value for p in PROVINCES])

        projects = np.array([_projects(overrides.get(p, {}).get(_FDI_PROJECTS, 0.0), year)
                             for p in PROVINCES])
        return YearLevers(
            investment_amount=amount,
            amount_is_share=is_share,
            amount_is_regional=regional,
            split=split,
            capital_efficiency=lever("efficiency", "capital"),
            infrastructure_efficiency=lever("efficiency", "infrastructure"),
            training_efficiency=lever("efficiency", "training"),
            forest_efficiency=lever("efficiency", "forest"),
            short_course_share=lever("training", "short_course_share"),
            hydropower_revenue_uplift=lever("revenue", "hydropower_uplift"),
            border_gate_revenue_uplift=lever("revenue", "border_gate_uplift"),
            fdi_projects=projects,
        )

    def _check_total_share(self, years: range, total: FloatArray) -> None:
        """Investment given as shares of GRDP must stay plausible summed over the sources."""
        for year, share in zip(years, total, strict=True):
            if share > _TOTAL_SHARE_LIMIT:
                raise ScenarioError(
                    f"{self.path}: investment share_of_grdp sums to {share:.4g} over the sources "
                    f"in {year}; at most {_TOTAL_SHARE_LIMIT:g} is allowed (investment larger "
                    "than the GRDP it is a share of)")
        year, share = max(zip(years, total, strict=True), key=lambda pair: pair[1],
                          default=(0, 0.0))
        if share > _TOTAL_SHARE_WARNING:
            warnings.warn(
                f"{self.path}: investment share_of_grdp sums to {share:.4g} over the sources in "
                f"{year}, above {_TOTAL_SHARE_WARNING:g}; for comparison the national rate was "
                "0.321 in 2024 and the region's 2020 plan 0.47", ScenarioWarning, stacklevel=3)

    def _warn_unused_or_held(self, years: range) -> None:
        """Warn for table years before ``years``, and for tables ``years`` outlast silently."""
        for province, table in self.levers.get("provinces", {}).items():
            projects = table.get(_FDI_PROJECTS)
            early = sorted(y for y in projects if y < years[0]) if isinstance(projects, dict) \
                and years else []
            if early:
                warnings.warn(
                    f"{self.path}: provinces.{province}.{_FDI_PROJECTS} gives "
                    f"{', '.join(map(str, early))}, before the first projected year {years[0]}; "
                    "those projects are not used", ScenarioWarning, stacklevel=3)
        for keys, table in _year_tables(self.levers, ()):
            given = _table_years(table)
            early = [y for y in given if years and y < years[0]]
            if early:
                warnings.warn(
                    f"{self.path}: {'.'.join(keys)} gives {', '.join(map(str, early))}, before "
                    f"the first projected year {years[0]} (the base year is {years[0] - 1}); "
                    "those values are not used", ScenarioWarning, stacklevel=3)
            if _AFTER not in table and years and years[-1] > given[-1]:
                warnings.warn(
                    f"{self.path}: {'.'.join(keys)} ends in {given[-1]}; its {given[-1]} value is "
                    f"held for {given[-1] + 1}-{years[-1]}. Say so with {_AFTER_HELP}",
                    ScenarioWarning, stacklevel=3)

    def _path_value(self, keys: tuple[str, ...], year: int) -> float:
        node: Any = self.levers
        spec: Any = _SCHEMA
        for key in keys:
            node, spec = node[key], spec[key]
        if not isinstance(node, dict):
            return float(node)
        if year in node:
            return float(node[year])
        given = _table_years(node)
        if year < given[-1]:
            raise ScenarioError(
                f"{self.path}: {'.'.join(keys)} has no value for {year} (years given: "
                f"{', '.join(map(str, given))}); give every projection year up to the table's "
                "last, or one number for all years"
            )
        last = node[given[-1]]
        after = node.get(_AFTER, _HOLD)
        if after == _HOLD:
            return float(last)
        value = float(last * (1.0 + after["growth"]) ** (year - given[-1]))
        if not spec.low <= value <= spec.high:
            raise ScenarioError(
                f"{self.path}: {'.'.join(keys)} grows at {after['growth']:g} a year after "
                f"{given[-1]} to {value:.6g} in {year}, outside [{spec.low}, {spec.high}] "
                f"({spec.meaning}); lower the growth or end the run earlier"
            )
        return value


def _projects(node: Any, year: int) -> float:
    """FDI projects of ``year``: one number for every year, or a table (0 in years not given)."""
    if not isinstance(node, dict):
        return float(node)
    return float(node.get(year, 0.0))


def _table_years(table: Mapping[Any, Any]) -> list[int]:
    return sorted(k for k in table if isinstance(k, int))


def _year_tables(node: Mapping[str, Any], where: tuple[str, ...]
                 ) -> list[tuple[tuple[str, ...], Mapping[Any, Any]]]:
    """Every yearly-path table in a lever tree, with its keys."""
    found: list[tuple[tuple[str, ...], Mapping[Any, Any]]] = []
    for key, value in node.items():
        if isinstance(value, dict) and key not in ("split", _FDI_PROJECTS):
            if any(isinstance(k, int) for k in value):
                found.append(((*where, key), value))
            else:
                found.extend(_year_tables(value, (*where, key)))
    return found


def _amount_key(source: Mapping[str, Any]) -> str:
    return next(k for k in _AMOUNT_KEYS if k in source)


def load_scenario(path: str | Path) -> Scenario:
    """Read, validate and resolve a scenario file.

    ``extends = "baseline"`` inherits from ``baseline.toml`` beside the file or, when there is no
    such file, from the shipped scenario of that name; a relative or absolute path names a file.
    The child's values replace the parent's, a child's ``split`` or yearly path replaces the
    parent's whole, and giving ``share_of_grdp`` drops an inherited ``vnd_trillion`` (and the
    reverse). A child without a ``description`` inherits its parent's; the file at the root of
    the chain must have one.

    Raises
    ------
    ScenarioError
        With the file, key, value and what is allowed, for files that are not regular UTF-8 files
        of at most 1 MiB (devices, directories, link loops, a byte-order mark), TOML syntax
        errors, unknown keys (with a "did you mean"), wrong types, non-finite, too large or
        out-of-range values, splits not summing to 1, a ``name`` that is not a safe file name,
        a bad ``after``, missing levers, and ``extends`` that is empty, names a directory or no
        file, or loops.

    Examples
    --------
    >>> from nmmsim import load_scenario, shipped_scenarios
    >>> load_scenario(shipped_scenarios()["baseline"]).name
    'baseline'
    """
    path = Path(path)
    chain = _read_chain(path)
    merged: dict[str, Any] = {}
    for file, tree in reversed(chain):
        fixed, priors = tree.get("parameters", {}), tree.get("priors", {})
        both = sorted(set(fixed) & set(priors))
        if both:
            raise ScenarioError(f"{file}: {', '.join(both)} both fixed in [parameters] and given "
                                "a prior in [priors]; keep one")
        # a file that fixes a parameter drops the prior it inherited, and the other way round
        for name in fixed:
            merged.get("priors", {}).pop(name, None)
        for name in priors:
            merged.get("parameters", {}).pop(name, None)
        merged = _merge(merged, tree)
    _check_complete(merged, path)
    hasher = hashlib.sha256()
    for file, _ in reversed(chain):
        hasher.update(file.read_bytes())
    own = chain[0][1]
    return Scenario(
        name=own.get("name", path.stem),
        description=next(tree["description"] for _, tree in chain if "description" in tree),
        grounding=own.get("grounding", ""),
        path=path,
        file_hash=hasher.hexdigest(),
        levers={k: merged.get(k, {}) for k in _LEVER_TABLES},
        parameter_overrides=dict(merged.get("parameters", {})),
        prior_overrides=dict(merged.get("priors", {})),
    )


def shipped_scenarios() -> dict[str, Path]:
    """The scenario files shipped with nmmsim, by name."""
    from nmmsim.resources import shipped_dir

    return {p.stem: p for p in sorted(shipped_dir("scenarios").glob("*.toml"))}


def resolve_scenario_path(name_or_path: str | Path) -> Path:
    """The scenario file a command line argument means: a file, else a shipped scenario's name.

    An existing file wins, so a local ``baseline.toml`` given as ``baseline.toml`` is read, while
    ``baseline`` (no directory, no ``.toml``, no such file) is the shipped baseline.

    Raises
    ------
    ScenarioError
        If ``name_or_path`` is neither a file nor a shipped scenario's name (with the shipped
        names and a "did you mean").

    Examples
    --------
    >>> resolve_scenario_path("baseline").name
    'baseline.toml'
    """
    path = Path(name_or_path)
    if path.is_file():
        return path
    shipped = shipped_scenarios()
    text = str(name_or_path)
    if path.suffix == "" and path.parent == Path(".") and text in shipped:
        return shipped[text]
    if path.exists():  # a directory or a device: load_scenario says what it is
        return path
    raise ScenarioError(f"{path}: no such scenario file, nor a shipped scenario "
                        f"({', '.join(shipped)}){did_you_mean(path.stem, shipped)}")


def _read_chain(path: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The file and its ancestors, child first, each validated on its own."""
    chain: list[tuple[Path, dict[str, Any]]] = []
    seen: list[Path] = []
    current: Path | None = path
    while current is not None:
        tree = _read_toml(current)  # first: it reports a missing file or a symbolic-link loop
        try:
            resolved = current.resolve()
        except (OSError, RuntimeError) as exc:  # RuntimeError: a link loop, on Python 3.11
            raise ScenarioError(f"{current}: cannot resolve the path ({exc})") from None
        if resolved in seen:
            loop = " -> ".join(str(p) for p in [*seen, resolved])
            raise ScenarioError(f"{path}: 'extends' loops: {loop}")
        seen.append(resolved)
        _validate(tree, _SCHEMA, current, ())
        _check_name(tree.get("name", current.stem), current, given="name" in tree)
        chain.append((current, tree))
        current = _parent_path(current, tree["extends"]) if "extends" in tree else None
    if "description" not in chain[-1][1]:
        raise ScenarioError(f"{chain[-1][0]}: missing key 'description' (a sentence or two on the "
                            "scenario and its grounding)")
    return chain


def _check_name(name: str, file: Path, *, given: bool) -> None:
    if _NAME_PATTERN.fullmatch(name):
        return
    if given:
        raise ScenarioError(f"{file}: name = {name!r} is not allowed; use {_NAME_HELP}")
    raise ScenarioError(f"{file}: the file name gives the scenario name {name!r}, which is not "
                        f"allowed; set name = \"...\" in the file, using {_NAME_HELP}")


def _read_toml(path: Path) -> dict[str, Any]:
    text = read_input(path, "scenario", ScenarioError)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None


def _parent_path(child: Path, extends: str) -> Path:
    """The file ``extends`` names: beside ``child`` (or a path), else a shipped scenario."""
    candidate = Path(extends)
    if not extends.strip() or candidate.name in ("", ".", ".."):
        raise ScenarioError(f"{child}: extends = {extends!r} names no file; give a scenario name "
                            "(\"baseline\") or a path to a .toml file, or leave extends out")
    if candidate.suffix != ".toml":
        candidate = candidate.with_name(candidate.name + ".toml")
    resolved = candidate if candidate.is_absolute() else child.parent / candidate
    if resolved.is_file() or resolved.is_symlink():  # reading it reports a broken link or a loop
        return resolved
    shipped = shipped_scenarios()
    bare = candidate.parent == Path(".")  # a name, not a path: may be a shipped scenario
    if bare and candidate.stem in shipped and not resolved.exists():
        return shipped[candidate.stem]
    typed = child.parent / extends  # as typed, without the added .toml
    for directory in (resolved, typed):
        if directory.is_dir():
            raise ScenarioError(f"{child}: extends = {extends!r}: {directory} is a directory; "
                                "name a scenario file (\"baseline\" or \"path/to/file.toml\")")
    if resolved.exists():
        raise ScenarioError(f"{child}: extends = {extends!r}: {resolved} is not a regular file")
    siblings = {p.stem for p in child.parent.glob("*.toml") if p.is_file()}
    known = sorted(((siblings | set(shipped)) if bare else siblings) - {extends})  # never echo
    where = f"no file {resolved}" + (" and no shipped scenario of that name" if bare else "")
    raise ScenarioError(f"{child}: extends = {extends!r}: {where}{did_you_mean(extends, known)}")


def _validate(tree: dict[str, Any], schema: Mapping[str, Any], file: Path,
              where: tuple[str, ...]) -> None:
    """Check ``tree`` against ``schema``; year tables get int keys in place."""
    for key, value in tree.items():
        dotted = ".".join((*where, key))
        if key not in schema:
            allowed = ", ".join(schema) if len(schema) <= 12 or where == ("provinces",) \
                else f"{len(schema)} names"
            raise ScenarioError(
                f"{file}: unknown key '{dotted}'{did_you_mean(key, schema)}; allowed here: {allowed}"
            )
        expected = schema[key]
        if expected is str:
            if not isinstance(value, str):
                raise ScenarioError(f"{file}: {dotted} = {_short(value)} must be a string")
        elif isinstance(expected, dict):
            if not isinstance(value, dict):
                raise ScenarioError(f"{file}: {dotted} = {_short(value)} must be a table of "
                                    f"{', '.join(expected) if len(expected) <= 12 else 'names'}")
            _validate(value, expected, file, (*where, key))
        elif isinstance(expected, _Path) and isinstance(value, dict):
            tree[key] = _parse_year_table(value, expected, file, dotted)
            if key == _FDI_PROJECTS and _AFTER in tree[key]:
                raise ScenarioError(f"{file}: {dotted} lists projects by year (0 in years not "
                                    f"given); '{_AFTER}' does not apply to it")
        elif isinstance(expected, _PriorLeaf):
            tree[key] = _parse_prior(value, expected.name, file, dotted)
        else:
            _check_number(value, expected, file, dotted)
    if len(where) >= 2 and where[-2] == "investment":
        given = [k for k in _AMOUNT_KEYS if k in tree]
        if len(given) > 1:
            raise ScenarioError(f"{file}: {'.'.join(where)} gives both share_of_grdp and "
                                "vnd_trillion; give one")
    if where[-1:] == ("split",):
        total = sum(tree.values())
        if abs(total - 1.0) > _SPLIT_TOLERANCE:
            raise ScenarioError(
                f"{file}: {'.'.join(where)} sums to {_digits_apart(total, 1.0)}; the shares of "
                f"{', '.join(DESTINATIONS)} must sum to 1 (omitted ones count as 0)"
            )


def _digits_apart(value: float, other: float) -> str:
    """``value`` with enough digits to tell it from ``other`` (at least 6 significant)."""
    for digits in range(6, 17):
        text = f"{value:.{digits}g}"
        if float(text) != other:
            return text
    return repr(value)


def _parse_prior(value: Any, name: str, file: Path, dotted: str) -> Prior:
    """An inline prior table -> `Prior`; every number finite and inside the parameter's bounds."""
    spec = SETTABLE[name]
    low_bound, high_bound = spec.bounds
    if not isinstance(value, dict) or frozenset(value) not in _PRIOR_FORMS:
        raise ScenarioError(f"{file}: {dotted} = {_short(value)} must be {_PRIOR_HELP}")
    for key, number in value.items():
        if isinstance(number, bool) or not isinstance(number, int | float) \
                or not _fits_float(number) or not math.isfinite(number):
            raise ScenarioError(f"{file}: {dotted}.{key} = {_short(number)} must be a finite "
                                "number")
    numbers = {k: float(v) for k, v in value.items()}
    if numbers.get("sd", 1.0) <= 0.0:
        raise ScenarioError(f"{file}: {dotted}.sd = {numbers['sd']} must be positive; to fix the "
                            f"parameter, set it in [parameters]")
    for key in ("low", "mode", "high", "mean"):
        if key in numbers and not low_bound <= numbers[key] <= high_bound:
            raise ScenarioError(f"{file}: {dotted}.{key} = {numbers[key]} is outside the "
                                f"parameter's bounds [{low_bound}, {high_bound}] ({spec.unit})")
    low, high = numbers.get("low", low_bound), numbers.get("high", high_bound)
    if not low < high:
        raise ScenarioError(f"{file}: {dotted}: low = {low} must be below high = {high}")
    form = _PRIOR_FORMS[frozenset(value)]
    if form == "uniform":
        return Uniform(low, high)
    if form == "triangular":
        if not low <= numbers["mode"] <= high:
            raise ScenarioError(f"{file}: {dotted}.mode = {numbers['mode']} must lie in "
                                f"[{low}, {high}]")
        return Triangular(low, numbers["mode"], high)
    return TruncatedNormal(numbers["mean"], numbers["sd"], low, high)


def _parse_year_table(table: Mapping[str, Any], spec: _Path, file: Path,
                      dotted: str) -> dict[int | str, Any]:
    years: dict[int | str, Any] = {}
    for key, value in table.items():
        if key == _AFTER:
            years[_AFTER] = _parse_after(value, file, f"{dotted}.{key}")
            continue
        try:
            year = int(key)
        except ValueError:
            year = None
        if year is None or str(year) != key or not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
            raise ScenarioError(f"{file}: {dotted}.{key}: year keys must be whole years "
                                f"{YEAR_RANGE[0]}-{YEAR_RANGE[1]}, e.g. {{ 2025 = 0.1 }}, or "
                                f"{_AFTER_HELP}")
        _check_number(value, spec, file, f"{dotted}.{key}")
        years[year] = float(value)
    if not any(isinstance(k, int) for k in years):
        what = "is an empty table" if not years else "has no years"
        raise ScenarioError(f"{file}: {dotted} {what}; give a number or "
                            "{ year = number, ... }")
    return years


def _parse_after(value: Any, file: Path, dotted: str) -> str | dict[str, float]:
    if value == _HOLD:
        return _HOLD
    if isinstance(value, dict) and set(value) == {"growth"}:
        _check_number(value["growth"], _GROWTH, file, f"{dotted}.growth")
        return {"growth": float(value["growth"])}
    raise ScenarioError(f"{file}: {dotted} = {_short(value)} is not allowed; use {_AFTER_HELP}")


def _check_number(value: Any, spec: _Number | _Path, file: Path, dotted: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        kind = "a number or a table { year = number }" if isinstance(spec, _Path) else "a number"
        raise ScenarioError(f"{file}: {dotted} = {_short(value)} must be {kind} ({spec.meaning})")
    if isinstance(value, int) and not _fits_float(value):
        raise ScenarioError(f"{file}: {dotted} = {_short(value)} is too large; allowed: "
                            f"[{spec.low}, {spec.high}] ({spec.meaning})")
    if not math.isfinite(value):
        raise ScenarioError(f"{file}: {dotted} = {value} is not finite; allowed: "
                            f"[{spec.low}, {spec.high}] ({spec.meaning})")
    if not spec.low <= value <= spec.high:
        raise ScenarioError(f"{file}: {dotted} = {_short(value)} is outside [{spec.low}, {spec.high}] "
                            f"({spec.meaning})")


def _fits_float(number: int | float) -> bool:
    """Whether an integer converts to a float (a TOML integer may have thousands of digits)."""
    return not isinstance(number, int) or abs(number) < 2**1024


def _short(value: Any) -> str:
    """``repr(value)``, with the middle of very long ones left out."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:20]}...{text[-10:]} ({len(text)} characters)"


def _merge(parent: Mapping[str, Any], child: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(parent)
    for key, value in child.items():
        if key in _AMOUNT_KEYS:
            for other in _AMOUNT_KEYS:
                merged.pop(other, None)
        inherited = merged.get(key)
        atomic = key == "split" or not isinstance(value, dict) or any(
            isinstance(k, int) for k in value)
        if isinstance(inherited, dict) and not atomic:
            merged[key] = _merge(inherited, value)
        else:
            merged[key] = value
    return merged


def _check_complete(merged: Mapping[str, Any], file: Path) -> None:
    """Every lever must be set by the file or an ancestor."""
    for table in ("efficiency", "training", "revenue"):
        for key in _SCHEMA[table]:
            if key not in merged.get(table, {}):
                raise ScenarioError(f"{file}: lever {table}.{key} is not set here nor in the "
                                    "scenario it extends")
    for source in SOURCES:
        plan = merged.get("investment", {}).get(source, {})
        if not any(k in plan for k in _AMOUNT_KEYS):
            raise ScenarioError(f"{file}: investment.{source} needs share_of_grdp or vnd_trillion")
        if "split" not in plan:
            raise ScenarioError(f"{file}: investment.{source}.split is not set (shares of "
                                f"{', '.join(DESTINATIONS)})")
