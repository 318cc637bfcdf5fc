"""Spectrum and trace of an objective's Hessian from exact H·v products (analysis/hessian.hpp)."""
from typing import Any

import numpy as np
import numpy.typing as npt

from . import Objective

def lanczos(objective: Objective, x: npt.ArrayLike, iterations: int = 20, seed: int = 1) -> dict[str, Any]:
    """ritz_values (largest first), residual_bounds, iterations: Lanczos with full reorthogonalization."""

def power_iteration(objective: Objective, x: npt.ArrayLike, iterations: int = 100,
                    seed: int = 1) -> tuple[float, float]:
    """(ρ, r): an eigenvalue of H lies in [ρ − r, ρ + r]."""

def hutchinson_trace(objective: Objective, x: npt.ArrayLike, probes: int = 50,
                     seed: int = 1) -> tuple[float, float]:
    """(estimate, standard error) of tr H from Rademacher probes."""

def spectral_density(objective: Objective, x: npt.ArrayLike, t: npt.ArrayLike, sigma: float,
                     iterations: int = 30, probes: int = 10, seed: int = 1) -> dict[str, Any]:
    """nodes and weights per probe (stochastic Lanczos quadrature) and the smoothed density at t."""
