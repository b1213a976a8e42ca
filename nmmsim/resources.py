"""Where nmmsim reads its data, and the record of which files a run used.

The **data directory** holds the observed data, the posterior and the least-squares fit
(``observed_region.csv``, ``observed_national.csv``, ``provinces.csv``, ``boundaries.csv``,
``calibrated.toml``, ``posterior.toml`` with its ``posterior.csv``; optionally ``targets_2030.csv``
and ``SOURCES.md``). It is the first of:

1. the directory given explicitly (``nmmsim ... --data DIR``, `using_data`);
2. the directory in the ``NMMSIM_DATA`` environment variable;
3. ``calibration/`` of the nmmsim checkout the current directory is in (a directory, or a parent,
   with a ``pyproject.toml`` naming the project ``nmmsim`` and a ``calibration/`` folder): what
   economists edit is what runs, whether nmmsim was installed from the checkout or not;
4. the copy shipped inside the installed package (``nmmsim calibrate`` refuses to write there), or
   for an editable install the ``calibration/`` folder of the checkout it was installed from.

Every loader whose path is left out reads from this directory (`shipped_dir`). The targets table
is the data directory's ``targets_2030.csv`` if it has one, else the checkout's
``nmmsim/data/targets_2030.csv``, else the packaged one; shipped scenarios are the checkout's
``scenarios/`` in a checkout, else the packaged copies.

`input_files` resolves every input of a run to a path once; `provenance` records those paths and
their sha256 for the attrs of every output.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Literal

from nmmsim.errors import DataError

__all__ = [
    "DATA_ENV",
    "RESOLUTION_96_SHA256",
    "DataDirectory",
    "InputFiles",
    "data_directory",
    "data_sha256",
    "find_checkout",
    "input_files",
    "packaged_dir",
    "provenance",
    "shipped_dir",
    "targets_title",
    "using_data",
]

_PACKAGE_DIR = Path(__file__).resolve().parent

#: Environment variable naming the data directory (step 2 of the module doc).
DATA_ENV = "NMMSIM_DATA"
#: The files a data directory holds, by role.
_DATA_FILES = {"observed_region": "observed_region.csv", "observed_national": "observed_national.csv",
               "provinces": "provinces.csv", "boundaries": "boundaries.csv",
               "calibration": "calibrated.toml", "posterior": "posterior.toml"}
_TARGETS_FILE = "targets_2030.csv"
#: sha256 of the Resolution 96/NQ-CP targets table as released (``nmmsim/data/targets_2030.csv``,
#: newlines normalised to ``\n``): a table with other contents is a user's own and is never
#: titled "Resolution 96". Update it (tests/test_provenance.py checks it) only when the shipped
#: table itself is corrected.
RESOLUTION_96_SHA256 = "ca7d1c785a09cefe8f874d6671db633a9da580bdf4ac146492a33aa65515056b"

Origin = Literal["--data", "NMMSIM_DATA", "checkout", "installed"]

_SELECTED: ContextVar[DataDirectory | None] = ContextVar("nmmsim_data_directory", default=None)


@dataclass(frozen=True, slots=True)
class DataDirectory:
    """A data directory and which rule of the module doc chose it."""

    path: Path
    origin: Origin

    def describe(self) -> str:
        """Where the directory came from, for the terminal and the report."""
        return {"--data": "given with --data", "NMMSIM_DATA": f"from ${DATA_ENV}",
                "checkout": "the checkout's calibration/ folder",
                "installed": "the copy inside the installed package"}[self.origin]


def packaged_dir(kind: Literal["calibration", "scenarios"]) -> Path:
    """The copy of ``calibration/`` or ``scenarios/`` that ships with the package.

    A wheel carries them under ``nmmsim/_shipped/`` (see ``pyproject.toml``); an editable install
    finds them at the top of the repository.
    """
    for candidate in (_PACKAGE_DIR / "_shipped" / kind, _PACKAGE_DIR.parent / kind):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"nmmsim's shipped '{kind}' directory is missing (looked in {_PACKAGE_DIR / '_shipped'} "
        f"and {_PACKAGE_DIR.parent}); reinstall nmmsim"
    )


def find_checkout(start: str | Path | None = None) -> Path | None:
    """The nmmsim checkout that ``start`` (default: the current directory) is in, or None.

    A checkout is a directory with a ``pyproject.toml`` whose project name is ``nmmsim`` and a
    ``calibration/`` folder.
    """
    try:
        here = (Path.cwd() if start is None else Path(start)).resolve()
    except OSError:  # the current directory was removed: no checkout to be in
        return None
    for directory in (here, *here.parents):
        project = directory / "pyproject.toml"
        if not (project.is_file() and (directory / "calibration").is_dir()):
            continue
        try:
            name = tomllib.loads(project.read_text(encoding="utf-8")).get("project", {}).get("name")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        if name == "nmmsim":
            return directory
    return None


def data_directory(explicit: str | Path | None = None) -> DataDirectory:
    """The data directory: ``explicit``, else the first rule of the module doc that applies.

    Raises
    ------
    DataError
        If ``explicit`` or ``$NMMSIM_DATA`` is not a directory.
    """
    if explicit is not None:
        return _existing(Path(explicit), "--data", f"--data {explicit}")
    selected = _SELECTED.get()
    if selected is not None:
        return selected
    from_environment = os.environ.get(DATA_ENV)
    if from_environment:
        return _existing(Path(from_environment), "NMMSIM_DATA", f"{DATA_ENV}={from_environment}")
    checkout = find_checkout()
    if checkout is not None:
        return DataDirectory(checkout / "calibration", "checkout")
    shipped = packaged_dir("calibration")
    # an editable install reads the checkout it was installed from
    return DataDirectory(shipped, "installed" if shipped.parent.name == "_shipped" else "checkout")


def _existing(path: Path, origin: Origin, given: str) -> DataDirectory:
    if not path.is_dir():
        raise DataError(f"{given}: no such directory (a data directory holds "
                        f"{', '.join(_DATA_FILES.values())}; start one by copying nmmsim's "
                        "calibration/ folder)")
    return DataDirectory(path.resolve(), origin)


@contextmanager
def using_data(directory: DataDirectory) -> Iterator[DataDirectory]:
    """Within the block, loaders given no path read from ``directory`` (this thread or task)."""
    token = _SELECTED.set(directory)
    try:
        yield directory
    finally:
        _SELECTED.reset(token)


def shipped_dir(kind: Literal["calibration", "scenarios"]) -> Path:
    """The directory default files are read from.

    ``"calibration"``: the data directory (`data_directory`). ``"scenarios"``: the checkout's
    ``scenarios/`` when the current directory is in an nmmsim checkout, else the packaged copies.
    """
    if kind == "calibration":
        return data_directory().path
    checkout = find_checkout()
    if checkout is not None and (checkout / kind).is_dir():
        return checkout / kind
    return packaged_dir(kind)


@dataclass(frozen=True, slots=True)
class InputFiles:
    """Every input file of a run, resolved to a path."""

    directory: DataDirectory
    observed_region: Path
    observed_national: Path
    provinces: Path
    boundaries: Path
    calibration: Path
    posterior: Path
    targets: Path

    def paths(self) -> dict[str, Path]:
        """The files by role, in a fixed order."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "directory"}

    def missing(self) -> list[str]:
        """Roles whose file does not exist."""
        return [role for role, path in self.paths().items() if not path.is_file()]


def input_files(
    directory: DataDirectory,
    *,
    calibration: str | Path | None = None,
    posterior: str | Path | None = None,
    targets: str | Path | None = None,
    observed_region: str | Path | None = None,
    observed_national: str | Path | None = None,
) -> InputFiles:
    """The input files of a run: each given file, else its file in ``directory``.

    The targets table, unless given, is ``directory``'s ``targets_2030.csv`` if it has one, else
    the checkout's ``nmmsim/data/targets_2030.csv`` (when ``directory`` is a checkout's), else
    the packaged table.
    """
    def chosen(given: str | Path | None, role: str) -> Path:
        return Path(given).absolute() if given is not None else directory.path / _DATA_FILES[role]

    if targets is None:
        candidates = [directory.path / _TARGETS_FILE]
        if directory.origin == "checkout":
            candidates.append(directory.path.parent / "nmmsim" / "data" / _TARGETS_FILE)
        candidates.append(_PACKAGE_DIR / "data" / _TARGETS_FILE)
        table = next((c for c in candidates if c.is_file()), candidates[-1])
    else:
        table = Path(targets).absolute()
    return InputFiles(
        directory=directory,
        observed_region=chosen(observed_region, "observed_region"),
        observed_national=chosen(observed_national, "observed_national"),
        provinces=chosen(None, "provinces"),
        boundaries=chosen(None, "boundaries"),
        calibration=chosen(calibration, "calibration"),
        posterior=chosen(posterior, "posterior"),
        targets=table,
    )


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror})") from exc


def targets_title(path: Path) -> str:
    """"Resolution 96/NQ-CP" for the released targets table, else "targets from <file>"."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return f"targets from {path}"
    normalised = text.replace("\r\n", "\n").encode("utf-8")
    if hashlib.sha256(normalised).hexdigest() == RESOLUTION_96_SHA256:
        return "Resolution 96/NQ-CP"
    return f"targets from {path}"


def data_sha256(files: InputFiles, *, newlines: Literal["as is", "lf"] = "as is") -> str:
    """sha256 of observed_region.csv, observed_national.csv and provinces.csv together, as a
    calibration records the data it was fitted to; ``newlines="lf"`` hashes them with CRLF
    line ends turned into LF, as a Windows checkout may have them.

    Raises
    ------
    DataError
        If a file cannot be read.
    """
    together = hashlib.sha256()
    for path in (files.observed_region, files.observed_national, files.provinces):
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise DataError(f"{path}: cannot read ({exc.strerror})") from exc
        together.update(content.replace(b"\r\n", b"\n") if newlines == "lf" else content)
    return together.hexdigest()


def provenance(files: InputFiles, roles: Collection[str] | None = None) -> dict[str, str]:
    """Which files a run read, as Dataset attrs.

    ``<role>_file`` and ``<role>_sha256`` for every input (or those in ``roles``), the data
    directory and the rule that chose it, the targets' title (`targets_title`), and
    ``data_sha256``: the hash of observed_region.csv, observed_national.csv and provinces.csv
    together, computed as a calibration's ``data_sha256`` (the data it was fitted to) is.

    Raises
    ------
    DataError
        If a file cannot be read.
    """
    attrs = {"data_directory": str(files.directory.path),
             "data_directory_origin": files.directory.describe()}
    for role, path in files.paths().items():
        if roles is None or role in roles:
            attrs[f"{role}_file"] = str(path)
            attrs[f"{role}_sha256"] = _sha256(path)
    attrs["data_sha256"] = data_sha256(files)
    if "targets_file" in attrs:
        attrs["targets_title"] = targets_title(files.targets)
    return attrs
