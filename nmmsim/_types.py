"""Array aliases used across nmmsim (one place, so signatures stay short and consistent)."""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt

#: Float64 array; in model code the leading axis is always the Monte Carlo draw.
FloatArray: TypeAlias = npt.NDArray[np.float64]
