"""Per-network, per-layer measurements (DESIGN.md s.4), written into one float64 row.

Row layout (offsets from ``nnmc.measurements.Layout``), for the k distinct inputs:
  G[p]  m2[p]  | GG[q]  m4[c4]  m22[q]  (moments >= 4) | GGG[c6]  m6[s6]  (moments = 6)
with p pairs, q pair-pairs, c4 quads, c6 pair-triples, s6 sextuples (nnmc.components).
Ghat statistics are products of the stochastic metric's entries; raw statistics are neuron
averages of the sampled preactivations z (k, n): m2 = S2/n, m4 = S4/n,
m22[(ab)(cd)] = (S2_ab S2_cd - S4_abcd)/(n(n-1)) (NaN for n = 1), with S_r the power sums over
neurons. Everything is accumulated in float64.
"""

from __future__ import annotations

import numba as nb
import numpy as np

# Let LLVM reassociate sums (and fuse multiply-adds) so that the reductions over neurons vectorise;
# without it each sum is a serial chain of dependent adds (about 4x slower). NaN/inf semantics are kept
# (no 'nnan'/'ninf'), so non-finite networks are still detected.
REDUCE = {"reassoc", "contract"}


@nb.njit(cache=True, fastmath=REDUCE)
def write_metric_stats(G, row, pairs, pair_pairs, pair_triples, off):
    """Ghat entries and their products: G at off[0], GG at off[1], GGG at off[5] (offset -1: not measured)."""
    p = pairs.shape[0]
    g = np.empty(p)
    for P in range(p):
        g[P] = G[pairs[P, 0], pairs[P, 1]]
        row[off[0] + P] = g[P]
    if off[1] < 0:
        return
    for Q in range(pair_pairs.shape[0]):
        row[off[1] + Q] = g[pair_pairs[Q, 0]] * g[pair_pairs[Q, 1]]
    if off[5] >= 0:
        for R in range(pair_triples.shape[0]):
            row[off[5] + R] = g[pair_triples[R, 0]] * g[pair_triples[R, 1]] * g[pair_triples[R, 2]]


@nb.njit(cache=True, fastmath=REDUCE)
def write_raw_stats(z, n, row, pairs, pair_pairs, quad_pairs, pair_pair_quad, sext_pairs, off, zp):
    """Neuron averages of z[:, :n] (k, n): m2 at off[2], m4 at off[3], m22 at off[4], m6 at off[6].

    ``zp`` is a (p, n_max) float64 scratch array for the pair products z_a z_b per neuron;
    ``quad_pairs`` (c4, 2) / ``sext_pairs`` (s6, 3) give each quad / sextuple as pair indices;
    ``pair_pair_quad`` (q,) maps (ab|cd) to its quad.
    """
    p = pairs.shape[0]
    s2 = np.empty(p)
    for P in range(p):
        a = pairs[P, 0]
        b = pairs[P, 1]
        for i in range(n):
            zp[P, i] = np.float64(z[a, i]) * np.float64(z[b, i])
        # the sum reads zp only: in a loop that also stores, LLVM guards the vectorised reduction with a run-time
        # alias check whose scalar fallback sums in another order, so the last bit would depend on where the
        # allocator put z and zp (seen for small n after other kernels ran)
        acc = 0.0
        for i in range(n):
            acc += zp[P, i]
        s2[P] = acc
        row[off[2] + P] = acc / n
    if off[3] < 0:
        return
    c4 = quad_pairs.shape[0]
    s4 = np.empty(c4)
    for c in range(c4):
        A = quad_pairs[c, 0]
        B = quad_pairs[c, 1]
        acc = 0.0
        for i in range(n):
            acc += zp[A, i] * zp[B, i]
        s4[c] = acc
        row[off[3] + c] = acc / n
    for Q in range(pair_pairs.shape[0]):
        if n >= 2:
            row[off[4] + Q] = (s2[pair_pairs[Q, 0]] * s2[pair_pairs[Q, 1]] - s4[pair_pair_quad[Q]]) / (n * (n - 1.0))
        else:
            row[off[4] + Q] = np.nan
    if off[6] < 0:
        return
    for c in range(sext_pairs.shape[0]):
        A = sext_pairs[c, 0]
        B = sext_pairs[c, 1]
        C = sext_pairs[c, 2]
        acc = 0.0
        for i in range(n):
            acc += zp[A, i] * zp[B, i] * zp[C, i]
        row[off[6] + c] = acc / n
