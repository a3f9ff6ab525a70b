"""Effective-action couplings g^{ab} and v^{(ab)(cd)} from K, G^{1}, V (theory.md s.8, PDLT ch. 4).

    v^{(ab)(cd)} = V^{(ab)(cd)} / n_{l-1},   V^{(ab)(cd)} = sum K^{ae} K^{bf} K^{cg} K^{dh} V_(ef)(gh)
    g^{ab} = K^{ab} + (1/n_{l-1}) [ -(K^{-1} G^{1} K^{-1})^{ab} + (m/2) sum_cd V^{(ab)(cd)} K_cd
                                    + sum_cd V^{(ac)(bd)} K_cd ]

for the marginal distribution of m neurons (the expansion is controlled for m << n_{l-1}).
K (k, k), G1 (k, k), V (k, k, k, k) are the layer-l objects of ``EFTResult`` (V, G1 without the
1/n_{l-1}); K must be invertible (remove duplicate inputs first).
"""

from __future__ import annotations

import numpy as np

from nnmc.theory.activation_model import TheoryError


def _inverse(K: np.ndarray) -> np.ndarray:
    if np.linalg.cond(K) > 1e12:
        raise TheoryError("couplings need an invertible kernel K; remove duplicate or parallel inputs")
    return np.linalg.inv(K)


def raised_vertex(K: np.ndarray, V: np.ndarray) -> np.ndarray:
    """V^{(ab)(cd)}: every index of V_(ef)(gh) raised with K^{-1}, shape (k, k, k, k)."""
    P = _inverse(K)
    return np.einsum("ae,bf,cg,dh,efgh->abcd", P, P, P, P, V, optimize=True)


def coupling_v(K: np.ndarray, V: np.ndarray, n_in: float) -> np.ndarray:
    """Quartic coupling v^{(ab)(cd)} = V^{(ab)(cd)} / n_{l-1}, shape (k, k, k, k) (s.8)."""
    return raised_vertex(K, V) / n_in


def coupling_g(K: np.ndarray, G1: np.ndarray, V: np.ndarray, n_in: float, m: int = 1) -> np.ndarray:
    """Quadratic coupling g^{ab} for the marginal of m neurons, shape (k, k) (s.8)."""
    P = _inverse(K)
    V_up = raised_vertex(K, V)
    correction = (-P @ G1 @ P + 0.5 * m * np.einsum("abcd,cd->ab", V_up, K)
                  + np.einsum("acbd,cd->ab", V_up, K))
    return P + correction / n_in
