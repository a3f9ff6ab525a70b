"""Small dense linear algebra for the per-network k x k stochastic metric (numba, no LAPACK).

Ghat is symmetric positive semi-definite and often singular (duplicate inputs, k > n, dead ReLU
layers, C_b = 0; theory.md s.6). ``pivoted_root`` returns F (k x k) with F F^T = Ghat, built by a
diagonally pivoted Cholesky (outer-product form, as LAPACK dpstrf): columns beyond the numerical
rank are exactly zero, so z = F xi draws N(0, Ghat) exactly in law for any rank, without jitter.
The rank cut: a residual diagonal <= RANK_TOL * k * max_a Ghat_aa (relative round-off of Ghat
itself) ends the factorisation.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

RANK_TOL = 16.0 * np.finfo(np.float64).eps


@nb.njit(cache=True)
def pivoted_root(G, F):
    """Fill F (k, k) float64 with a square root of the PSD matrix G (k, k); return the rank.

    Column j of F is non-zero only on the rows not yet pivoted before step j; F[:, rank:] = 0.
    """
    k = G.shape[0]
    residual = np.empty(k)
    done = np.zeros(k, dtype=np.bool_)
    dmax = 0.0
    for a in range(k):
        residual[a] = G[a, a]
        dmax = max(dmax, G[a, a])
        for j in range(k):
            F[a, j] = 0.0
    tol = RANK_TOL * k * dmax
    rank = 0
    for j in range(k):
        p = -1
        best = tol
        for a in range(k):
            if not done[a] and residual[a] > best:
                best = residual[a]
                p = a
        if p < 0:
            break
        done[p] = True
        root = math.sqrt(residual[p])
        F[p, j] = root
        for a in range(k):
            if not done[a]:
                s = G[a, p]
                for m in range(j):
                    s -= F[a, m] * F[p, m]
                F[a, j] = s / root
                residual[a] -= F[a, j] * F[a, j]
        rank += 1
    return rank
