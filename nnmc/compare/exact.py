"""Exact finite-width references (theory.md s.0, s.2.2, s.5.1-5.3): what the Monte Carlo must reproduce at any width.

All hold for Gaussian weights and biases only.

* Layers 1 and 2, any activation: E[Ghat^(l)] = K^(l) and n_{l-1} Cov Ghat^(l) = V^(l) exactly (layer 1 is
  Gaussian with a deterministic metric; Ghat^(2) averages n_1 i.i.d. terms; s.2.2).
* Deep linear networks, any number of inputs, any C_b (s.5.3, Wishart recursion): every component of
  G = E[Ghat] and C_(ab)(cd) = Cov(Ghat_ab, Ghat_cd), with per-layer C_W, C_b,
  G^(l+1) = C_b + C_W G^(l),
  C^(l+1)_(ab)(cd) = (C_W^2/n_l) [G_ac G_bd + G_ad G_bc + C_(ac)(bd) + C_(ad)(bc)] + C_W^2 C_(ab)(cd),  C^(1) = 0,
  so V_(ab)(cd) = n_{l-1} C^(l)_(ab)(cd) and R4_a = E[z_a^4] / (3 E[z_a^2]^2) = 1 + C_(aa)(aa) / G_aa^2;
  R6_a from the diagonal recursion below (linear: <sigma^2>, <sigma^4>, <sigma^6> = 1, 3, 15).
* Positively homogeneous activations (linear, ReLU, leaky ReLU), any C_b: the diagonal Ghat_aa follows the
  random affine (Kesten) recursion of s.5.2, Ghat'_aa = C_b + R Ghat_aa with R = (C_W/n) sum_j sigma(u_j)^2,
  u_j i.i.d. N(0, 1) independent of Ghat_aa, so with <.> over u ~ N(0, 1)
  E[R] = C_W <sigma^2>,  E[R^2] = (C_W/n)^2 (n <sigma^4> + n (n - 1) <sigma^2>^2),
  E[R^3] = (C_W/n)^3 (n <sigma^6> + 3 n (n - 1) <sigma^4> <sigma^2> + n (n - 1) (n - 2) <sigma^2>^3),
  E[Ghat'^j] = sum_i binom(j, i) C_b^(j - i) E[R^i] E[Ghat^i]  (j = 1, 2, 3),
  giving G_aa, V_(aa)(aa) = n_{l-1} Var Ghat_aa, R4_a = E[Ghat_aa^2] / G_aa^2 and R6_a = E[z_a^6] / (15 E[z_a^2]^3)
  = E[Ghat_aa^3] / G_aa^3 for every input a (the law of Ghat_aa involves input a only). At C_b = 0 in layers 2..L
  this is the product formula of s.5.1, R4 = prod_m (1 + (mu4_m - 1)/n_m).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnmc.config import Config
from nnmc.theory import EFTResult

EXACT_LOW_LAYERS = "exact (layer <= 2, s.2.2)"
EXACT_HOMOGENEOUS = "exact (s.5.1)"
EXACT_KESTEN = "exact (s.5.2)"
EXACT_WISHART = "exact (s.5.3)"
EXACT_KINDS = (EXACT_LOW_LAYERS, EXACT_HOMOGENEOUS, EXACT_KESTEN, EXACT_WISHART)


LINEAR_MOMENTS = (1.0, 3.0, 15.0)


def _sigma_moments(activation: str, params: dict) -> tuple[float, float, float] | None:
    """(<sigma^2>, <sigma^4>, <sigma^6>) under u ~ N(0, 1) for a positively homogeneous activation, else None."""
    if activation == "linear":
        return LINEAR_MOMENTS
    if activation == "relu":
        return 0.5, 1.5, 7.5
    if activation == "leaky_relu":
        s2 = params["slope"] ** 2
        return 0.5 * (1.0 + s2), 1.5 * (1.0 + s2**2), 7.5 * (1.0 + s2**3)
    return None


@dataclass(frozen=True)
class ExactReferences:
    """Exact references per layer, float64 and NaN where no exact statement applies (off-diagonal components
    outside s.5.3): G (L, k, k), V (L, k, k, k, k) with V[l - 1, a, b, c, d] = V_(ab)(cd), R4 and R6 (L, k);
    ``kind`` names the theory.md section."""

    G: np.ndarray
    V: np.ndarray
    R4: np.ndarray
    R6: np.ndarray
    kind: str

    def value(self, quantity: str, layer: int, component: tuple[int, ...]) -> float:
        """The reference of ``quantity`` ("G", "V", "R4", "R6") at ``layer`` (1-based); NaN where none is exact."""
        return float({"G": self.G, "V": self.V, "R4": self.R4, "R6": self.R6}[quantity][(layer - 1, *component)])


def wishart(K1: np.ndarray, widths, C_W, C_b) -> tuple[np.ndarray, np.ndarray]:
    """s.5.3 for a deep linear network: (G (L, k, k), C (L, k, k, k, k)) with C[l - 1] = Cov(Ghat^(l) (x) Ghat^(l)).

    ``K1`` is the deterministic layer-1 metric, ``widths`` = [n_0, ..., n_L], ``C_W``/``C_b`` per layer 1..L."""
    depth, k = len(widths) - 1, K1.shape[0]
    G = np.empty((depth, k, k))
    C = np.zeros((depth, k, k, k, k))
    G[0] = K1
    for l in range(1, depth):
        g, c, cw2 = G[l - 1], C[l - 1], C_W[l] ** 2
        pairings = np.einsum("ac,bd->abcd", g, g) + np.einsum("ad,bc->abcd", g, g)
        crossed = np.einsum("acbd->abcd", c) + np.einsum("adbc->abcd", c)
        C[l] = cw2 / widths[l] * (pairings + crossed) + cw2 * c
        G[l] = C_b[l] + C_W[l] * g
    return G, C


def kesten(K1_diag: np.ndarray, widths, C_W, C_b, moments) -> np.ndarray:
    """s.5.2 per diagonal component: (3, L, k) with [j - 1] = E[Ghat_aa^j], j = 1, 2, 3, for homogeneous
    activations whose (<sigma^2>, <sigma^4>, <sigma^6>) after layers 1..L-1 are ``moments``."""
    depth = len(widths) - 1
    m = np.empty((4, depth, K1_diag.size))  # m[j] = E[Ghat^j], m[0] = 1
    m[:, 0] = np.cumprod([np.ones_like(K1_diag)] + [K1_diag] * 3, axis=0)  # deterministic layer 1: K^j
    for l in range(1, depth):
        (s2, s4, s6), n, c = moments[l - 1], widths[l], C_W[l] / widths[l]
        r = (1.0, C_W[l] * s2, c**2 * (n * s4 + n * (n - 1) * s2**2),
             c**3 * (n * s6 + 3 * n * (n - 1) * s4 * s2 + n * (n - 1) * (n - 2) * s2**3))  # E[R^i]
        for j in range(4):
            m[j, l] = sum(math.comb(j, i) * C_b[l] ** (j - i) * r[i] * m[i, l - 1] for i in range(j + 1))
    return m[1:]


def exact_references(config: Config, theory: EFTResult) -> ExactReferences | None:
    """The s.5.3 (all components) or s.5.2 / s.5.1 (diagonal) references for ``config`` (one ensemble, not a
    scan), or None where neither applies (non-Gaussian weights, an activation that is not homogeneous, or a single
    layer, whose exactness is that of s.2.2)."""
    moments = [_sigma_moments(a, p) for a, p in zip(config.activations, config.activation_params)]
    if config.data["network"]["weights"] != "gaussian" or any(m is None for m in moments) or config.depth == 1:
        return None
    widths, C_W, C_b = config.widths, config.C_W, config.C_b
    fan_in = np.asarray(widths[:config.depth], dtype=float)
    K1 = theory.K[0]
    k = K1.shape[0]
    diag = np.arange(k)
    m1, m2, m3 = kesten(np.diagonal(K1).copy(), widths, C_W, C_b, moments)
    with np.errstate(invalid="ignore", divide="ignore"):  # a zero input with C_b = 0 has G_aa = 0: R4, R6 undefined
        R4 = np.where(m1 > 0.0, m2 / m1**2, np.nan)
        R6 = np.where(m1 > 0.0, m3 / m1**3, np.nan)
    if all(a == "linear" for a in config.activations):
        G, C = wishart(K1, widths, C_W, C_b)
        return ExactReferences(G=G, V=fan_in[:, None, None, None, None] * C, R4=R4, R6=R6, kind=EXACT_WISHART)
    G = np.full((config.depth, k, k), np.nan)
    V = np.full((config.depth, k, k, k, k), np.nan)
    G[:, diag, diag] = m1
    V[:, diag, diag, diag, diag] = fan_in[:, None] * (m2 - m1**2)
    kind = EXACT_HOMOGENEOUS if all(c == 0.0 for c in C_b[1:]) else EXACT_KESTEN
    return ExactReferences(G=G, V=V, R4=R4, R6=R6, kind=kind)


def is_gaussian(config: Config) -> bool:
    """Whether the layer <= 2 exactness applies (Gaussian weights and biases)."""
    return config.data["network"]["weights"] == "gaussian"
