"""Per-network, per-layer measurements (DESIGN.md s.4), written into one float64 row.

Row layout (offsets from ``nnmc.measurements.Layout``), for the k distinct inputs:
  G[p]  m2[p]  | GG[q]  m4[c4]  m22[q]  (moments >= 4) | GGG[c6]  m6[s6]  (moments = 6)
with p pairs, q pair-pairs, c4 quads, c6 pair-triples, s6 sextuples (nnmc.components).
Ghat statistics are products of the stochastic metric's entries; raw statistics are neuron
averages of the sampled preactivations z (k, n): m2 = S2/n, m4 = S4/n,
m22[(ab)(cd)] = (S2_ab S2_cd - S4_abcd)/(n(n-1)) (NaN for n = 1), with S_r the power sums over
neurons. Products and sums are float64 (a product of two float32 numbers is exact in float64).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from .dots import REDUCE, row_dots
from .power_sums_unrolled import pair_sums_unrolled, power_sums_unrolled


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


@nb.njit(cache=True)
def pair_sums(x, m, pair_plan, out):
    """out[P] += sum_(i < m) x_ia x_ib (float64) for the pairs P = (a, b) of x (k, >= m): unrolled for k <= 6,
    else by ``pair_plan`` (nnmc.cpu.dots)."""
    if not pair_sums_unrolled(x, m, out):
        row_dots(x, m, pair_plan, out)


@nb.njit(cache=True, fastmath=REDUCE)
def add_raw_sums(z, m, pairs, pair_plan, quad_plan, sext_pairs, off, zp, s2, s4, s6):
    """Add the power sums over neurons i < m of z (k, >= m) to s2 (p,), s4 (c4,), s6 (s6,) float64.

    S2_ab = sum_i z_ia z_ib for the pairs a <= b (``pair_plan``, nnmc.cpu.dots.dot_plan); for moments >= 4
    also S4 = sum_i (z_a z_b)(z_c z_d) over the quads as pairs of pairs (``quad_plan``) from ``zp``, a
    (p, >= m) float64 scratch array that receives the pair products, and for moments = 6 S6 over the
    sextuples as pair triples ``sext_pairs`` (s6, 3). Called chunk by chunk of neurons. For moments = 4 and
    k <= 6 the unrolled sums of nnmc.cpu.power_sums_unrolled replace all of this.
    """
    if off[3] >= 0 and off[6] < 0 and power_sums_unrolled(z, m, s2, s4):
        return
    pair_sums(z, m, pair_plan, s2)
    if off[3] < 0:
        return
    for P in range(pairs.shape[0]):
        a = pairs[P, 0]
        b = pairs[P, 1]
        for i in range(m):
            zp[P, i] = np.float64(z[a, i]) * np.float64(z[b, i])
    row_dots(zp, m, quad_plan, s4)
    if off[6] < 0:
        return
    for c in range(sext_pairs.shape[0]):
        A = sext_pairs[c, 0]
        B = sext_pairs[c, 1]
        C = sext_pairs[c, 2]
        acc = 0.0
        for i in range(m):
            acc += zp[A, i] * zp[B, i] * zp[C, i]
        s6[c] += acc


@nb.njit(cache=True)
def write_raw_stats(n, row, pair_pairs, pair_pair_quad, off, s2, s4, s6):
    """Neuron averages from the power sums of a layer of n neurons (``add_raw_sums``): m2 at off[2],
    m4 at off[3], m22 at off[4], m6 at off[6]; ``pair_pair_quad`` (q,) maps (ab|cd) to its quad."""
    for P in range(s2.shape[0]):
        row[off[2] + P] = s2[P] / n
    if off[3] < 0:
        return
    for c in range(s4.shape[0]):
        row[off[3] + c] = s4[c] / n
    for Q in range(pair_pairs.shape[0]):
        if n >= 2:
            row[off[4] + Q] = (s2[pair_pairs[Q, 0]] * s2[pair_pairs[Q, 1]] - s4[pair_pair_quad[Q]]) / (n * (n - 1.0))
        else:
            row[off[4] + Q] = np.nan
    if off[6] < 0:
        return
    for c in range(s6.shape[0]):
        row[off[6] + c] = s6[c] / n
