"""The installed package version (``0+unknown`` when run from a source tree that is not installed)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nmmsim")
except PackageNotFoundError:  # pragma: no cover - only in an uninstalled checkout
    __version__ = "0+unknown"
