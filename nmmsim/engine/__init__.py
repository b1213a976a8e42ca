"""The engine: the model stepped over the years, for one batch or for chunks of Monte Carlo draws.

`simulate` is the entry point; `project` runs one batch of draws through the years.
"""

from nmmsim.engine.projection import project
from nmmsim.engine.simulation import compare, simulate

__all__ = ["compare", "project", "simulate"]
