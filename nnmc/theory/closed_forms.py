"""Closed-form two-point averages <sigma_a sigma_b>_K and <sigma'_a sigma'_b>_K (theory.md s.1.1).

For the ReLU family (arc-cosine kernel of Cho & Saul, with theta from atan2 so that nearly
parallel and duplicate inputs are exact), erf (Williams' arcsine kernel) and linear. All functions
take the full k x k kernel K (float64) and return k x k matrices for every input pair at once.
"""

from __future__ import annotations

import numpy as np

from nnmc.theory.activation_model import ActivationModel


def _diagonal_outer(K: np.ndarray) -> np.ndarray:
    """K_aa K_bb as a k x k matrix."""
    d = np.diag(K)
    return np.outer(d, d)


def relu_angle(K: np.ndarray) -> np.ndarray:
    """theta_ab in [0, pi] with cos theta = K_ab / sqrt(K_aa K_bb), via atan2 (s.1.1)."""
    return np.arctan2(np.sqrt(np.clip(_diagonal_outer(K) - K * K, 0.0, None)), K)


def relu_kernel(K: np.ndarray) -> np.ndarray:
    """<relu(z_a) relu(z_b)> = [sqrt(K_aa K_bb - K_ab^2) + (pi - theta) K_ab] / (2 pi)."""
    root_det = np.sqrt(np.clip(_diagonal_outer(K) - K * K, 0.0, None))
    return (root_det + (np.pi - relu_angle(K)) * K) / (2.0 * np.pi)


def step_kernel(K: np.ndarray) -> np.ndarray:
    """<theta(z_a) theta(z_b)> = (pi - theta_ab) / (2 pi) (derivative kernel of ReLU)."""
    return (np.pi - relu_angle(K)) / (2.0 * np.pi)


def homogeneous_kernels(K: np.ndarray, slopes: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """(<sigma_a sigma_b>, <sigma'_a sigma'_b>) for sigma = a+ relu(z) - a- relu(-z).

    <sigma sigma> = (a+^2 + a-^2) R(K) - 2 a+ a- R(K with K_ab -> -K_ab) (s.1.1), and likewise
    <sigma' sigma'> = (a+^2 + a-^2) P(K) + 2 a+ a- P(K with K_ab -> -K_ab), P the step kernel.
    Duplicate or parallel pairs (and the diagonal) are exact: there theta = 0 for K and pi for -K.
    """
    up, down = slopes
    same, cross = up * up + down * down, up * down
    values = same * relu_kernel(K) - 2.0 * cross * relu_kernel(-K)
    derivs = same * step_kernel(K) + 2.0 * cross * step_kernel(-K)
    return values, derivs


def erf_kernels(K: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(<erf erf>, <erf' erf'>): (2/pi) arcsin(2K_ab / sqrt((1+2K_aa)(1+2K_bb))) and
    (4/pi) / sqrt((1+2K_aa)(1+2K_bb) - 4K_ab^2) (s.1.1)."""
    d = 1.0 + 2.0 * np.diag(K)
    norm = np.outer(d, d)
    ratio = np.clip(2.0 * K / np.sqrt(norm), -1.0, 1.0)
    return (2.0 / np.pi) * np.arcsin(ratio), (4.0 / np.pi) / np.sqrt(norm - 4.0 * K * K)


def pair_kernels(model: ActivationModel, K: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Closed-form (<sigma_a sigma_b>_K, <sigma'_a sigma'_b>_K), each k x k, or None if sigma has
    no closed form (use quadrature then)."""
    if model.slopes is not None:
        return homogeneous_kernels(K, model.slopes)
    if model.name == "erf":
        return erf_kernels(K)
    if model.name == "linear":
        return K.copy(), np.ones_like(K)
    return None
