"""Exact finite-width references (theory.md s.0, s.2.2, s.5.1): what the Monte Carlo must reproduce at any width.

* Layers 1 and 2, any activation, Gaussian weights: E[Ghat^(l)] = K^(l) and n_{l-1} Cov Ghat^(l) = V^(l) exactly
  (layer 1 is Gaussian with a deterministic metric; Ghat^(2) averages n_1 i.i.d. terms; s.2.2).
* Positively homogeneous activations (linear, ReLU, leaky ReLU), C_b = 0 in layers 2..L, Gaussian weights: the
  diagonal Ghat_aa is a product of independent factors (s.5.1), so for every input a
  G_aa = K_aa,  R4_a = E[z_a^4] / (3 E[z_a^2]^2) = prod_{m=1}^{l-1} (1 + (mu4_m - 1)/n_m),
  V_(aa)(aa) = n_{l-1} Var Ghat_aa = n_{l-1} K_aa^2 (R4_a - 1),
  with mu4_m = <sigma^4>/<sigma^2>^2 of the activation after layer m (linear 3, ReLU 6, leaky ReLU with slope s:
  6 (1 + s^4)/(1 + s^2)^2). For one input this is theory.md s.5.1 verbatim; for k inputs it holds for every
  diagonal component (the law of Ghat_aa involves input a only).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnmc.config import Config
from nnmc.theory import EFTResult

EXACT_LOW_LAYERS = "exact (layer <= 2, s.2.2)"
EXACT_HOMOGENEOUS = "exact (s.5.1)"


def _mu4(activation: str, params: dict) -> float | None:
    """<sigma^4>/<sigma^2>^2 under N(0, 1) for a positively homogeneous activation, else None."""
    if activation == "linear":
        return 3.0
    if activation == "relu":
        return 6.0
    if activation == "leaky_relu":
        s2 = params["slope"] ** 2
        return 6.0 * (1.0 + s2 * s2) / (1.0 + s2) ** 2
    return None


@dataclass(frozen=True)
class ExactDiagonal:
    """Exact diagonal references of s.5.1, each (L, k) float64 indexed [layer - 1, a]: G_aa, V_(aa)(aa), R4_a."""

    G: np.ndarray
    V: np.ndarray
    R4: np.ndarray


def exact_diagonal(config: Config, theory: EFTResult) -> ExactDiagonal | None:
    """The s.5.1 references for ``config`` (one ensemble, not a scan), or None where s.5.1 does not apply."""
    mu4 = [_mu4(a, p) for a, p in zip(config.activations, config.activation_params)]
    if (config.data["network"]["weights"] != "gaussian" or any(m is None for m in mu4)
            or any(c != 0.0 for c in config.C_b[1:])):
        return None
    widths = np.asarray(config.widths, dtype=float)
    # R4 at layer l = prod over m = 1..l-1; layer 1 is Gaussian (empty product)
    factors = 1.0 + (np.asarray(mu4, dtype=float) - 1.0) / widths[1:config.depth]
    R4 = np.concatenate([[1.0], np.cumprod(factors)])
    K_diag = np.diagonal(theory.K, axis1=1, axis2=2)
    V = widths[:config.depth, None] * K_diag**2 * (R4[:, None] - 1.0)
    return ExactDiagonal(G=K_diag, V=V, R4=np.broadcast_to(R4[:, None], K_diag.shape).copy())


def is_gaussian(config: Config) -> bool:
    """Whether the layer <= 2 exactness applies (Gaussian weights and biases)."""
    return config.data["network"]["weights"] == "gaussian"
