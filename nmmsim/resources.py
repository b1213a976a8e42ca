"""Where the shipped data live: the repository checkout, or the copies inside an installed wheel."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

__all__ = ["shipped_dir"]

_PACKAGE_DIR = Path(__file__).resolve().parent


def shipped_dir(kind: Literal["calibration", "scenarios"]) -> Path:
    """Return the directory of the shipped observed data or scenario files.

    A wheel carries them under ``nmmsim/_shipped/`` (see ``pyproject.toml``); a source checkout or
    an editable install reads them from the top of the repository, where they are edited.
    """
    for candidate in (_PACKAGE_DIR / "_shipped" / kind, _PACKAGE_DIR.parent / kind):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"nmmsim's shipped '{kind}' directory is missing (looked in {_PACKAGE_DIR / '_shipped'} "
        f"and {_PACKAGE_DIR.parent}); reinstall nmmsim"
    )
