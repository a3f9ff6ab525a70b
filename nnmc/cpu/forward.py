"""The fused per-network forward pass on the CPU: sample every layer, measure, move on (numba).

One network = one call of ``network_pass``; ``sample_block`` runs it over a block of networks on all
cores (``prange``). Two ways to produce the preactivations z^(l) (k_u distinct inputs x n_l neurons,
sampling dtype), both exact for Gaussian weights:

* conditional (theory.md s.6): z^(l) = F xi with F F^T = Ghat^(l) (pivoted root, any rank) and xi the
  standard normals of stream (network, l, PREACTIVATION), xi[j, i] = normal number j n_l + i;
  cost O(n_l k^2) per layer. A layer runs in chunks of CHUNK neurons: draw the chunk's normals, form
  its z, add its power sums and, through its activations (float64: here they only feed the metric), its
  share of the next layer's S^T S; wider layers are never held whole. Smaller chunks cost more than
  they save: vector loops of a few iterations and the per-call set-up (P1, n = 512: 1.25x slower in
  chunks of 128, 1.08x in chunks of 256 than in one; a 4096-wide layer is 1.06x faster in chunks of 1024).
* explicit (DESIGN.md s.3): W^(l)_{ij} = sqrt(C_W/n_{l-1}) x normal number i n_{l-1} + j of stream
  (network, l, WEIGHT) and b^(l)_i = sqrt(C_b) x normal i of (network, l, BIAS); "uniform" weights use
  the uniforms of the same streams, scaled to the same variances, U(-sqrt(3 var), sqrt(3 var));
  cost O(n_l n_{l-1} k). The whole layer is one chunk.

In both, Ghat^(l) = C_b^(l) + (C_W^(l)/n_{l-1}) S^(l-1)T S^(l-1) is summed in float64 from the
activations S (S^(0) = the float64 inputs) and measured (nnmc.cpu.measure). The explicit sampler
multiplies W with S in the sampling dtype (S^(0) rounded to it), and its metric for l >= 2 sums those
same rounded S; the conditional sampler's S are float64 (they feed nothing else). A network is rejected
when any z, any Ghat or any measured number is not finite.

numba's on-disk cache (cache=True) keys these kernels by this file alone: the code of the kernels they call
(nnmc.cpu.measure, .dots, .linalg, .activation, nnmc.rng, nnmc.fastmath, nnmc.erf) is compiled in, so
nnmc.kernel_cache drops the whole cache at import whenever any source file of the package changed.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from ..rng import Purpose, fill_normals, fill_normals_from, fill_uniforms, new_normals_scratch
from .activation import apply_activation
from .dots import REDUCE, combine_rows
from .linalg import pivoted_root
from .measure import add_raw_sums, pair_sums, write_metric_stats, write_raw_stats

CHUNK = 1024  # neurons per pass of the conditional sampler (module docstring)
CONDITIONAL, EXPLICIT = 0, 1
GAUSSIAN, UNIFORM = 0, 1
_PRE = int(Purpose.PREACTIVATION)
_WEIGHT = int(Purpose.WEIGHT)
_BIAS = int(Purpose.BIAS)


@nb.njit(cache=True)
def _metric(dots, n_in, C_W, C_b, pairs, G):
    """G (k, k) float64 = C_b + (C_W/n_in) dots, dots[P] = sum_i S_ia S_ib for the pairs P = (a, b); returns
    whether every entry is finite."""
    finite = True
    for P in range(pairs.shape[0]):
        a = pairs[P, 0]
        b = pairs[P, 1]
        G[a, b] = C_b + C_W / n_in * dots[P]
        G[b, a] = G[a, b]
        finite &= math.isfinite(G[a, b])
    return finite


@nb.njit(cache=True)
def _draw_chunk(F, rank, n, c0, m, network, layer, key0, key1, coef, xi, scratch, z):
    """z[:, :m] = F xi for neurons c0 .. c0 + m - 1 of a layer of n, in the sampling dtype.

    F (k, k) float64 the pivoted root (zero beyond column ``rank``); xi (>= rank, >= m) receives
    normals j n + c0 .. j n + c0 + m - 1 of stream (network, layer, PREACTIVATION) in row j. Row a of F
    is non-zero only in its first few columns; only those are combined. coef (k,) sampling dtype scratch.
    """
    for j in range(rank):
        fill_normals_from(xi[j, :m], j * n + c0, key0, key1, network, layer, _PRE, scratch)
    for a in range(F.shape[0]):
        used = 0
        for j in range(rank):
            coef[j] = F[a, j]
            if F[a, j] != 0.0:
                used = j + 1
        combine_rows(coef[:used], xi, m, z[a])


@nb.njit(cache=True, fastmath=REDUCE)
def _draw_explicit(S, n_in, n, C_W, C_b, weights, network, layer, key0, key1, w, bias, z):
    k = S.shape[0]
    m = n * n_in
    if weights == GAUSSIAN:
        fill_normals(w[:m], key0, key1, network, layer, _WEIGHT)
        fill_normals(bias[:n], key0, key1, network, layer, _BIAS)
        w_scale = math.sqrt(C_W / n_in)
        b_scale = math.sqrt(C_b)
    else:
        fill_uniforms(w[:m], key0, key1, network, layer, _WEIGHT)
        fill_uniforms(bias[:n], key0, key1, network, layer, _BIAS)
        w_scale = math.sqrt(3.0 * C_W / n_in)
        b_scale = math.sqrt(3.0 * C_b)
        for i in range(m):
            w[i] = 2.0 * w[i] - 1.0
        for i in range(n):
            bias[i] = 2.0 * bias[i] - 1.0
    for a in range(k):
        for i in range(n):
            acc = 0.0
            for j in range(n_in):
                acc += w[i * n_in + j] * S[a, j]
            z[a, i] = b_scale * bias[i] + w_scale * acc


@nb.njit(cache=True, fastmath=REDUCE)
def _to_float64(z, m, zd):
    """zd[:, :m] = z[:, :m] as float64; True when all of them are finite (a sum of z * 0 is 0 only then)."""
    probe = 0.0
    for a in range(z.shape[0]):
        for i in range(m):
            zd[a, i] = z[a, i]
        for i in range(m):
            probe += zd[a, i] * 0.0
    return probe == 0.0


@nb.njit(cache=True)
def _chunk_done(z, zd, m, c0, layer, measured, last, keep_z, z_out, code, slope, pairs, pair_plan, quad_plan,
                sext_pairs, off, zp, s2, s4, s6, act_in, S, dots):
    """Everything a chunk of z (k, >= m) in the sampling dtype, neurons c0 .. c0 + m - 1 of ``layer``, feeds:
    z_out (keep_z); its float64 copy zd, from which the power sums s2, s4, s6 are added (measured); the
    activations S[:, :m] = sigma(act_in) and their S^T S, added to ``dots`` (not last). act_in is zd (S float64,
    conditional sampler: S only feeds the metric) or z (S in the sampling dtype, explicit: S also feeds W S).
    Returns whether the chunk's z is finite (a saturating activation would hide an overflow from the metric)."""
    k = z.shape[0]
    if keep_z:
        for a in range(k):
            for i in range(m):
                z_out[layer - 1, a, c0 + i] = z[a, i]
    finite = _to_float64(z, m, zd)
    if measured:
        add_raw_sums(zd, m, pairs, pair_plan, quad_plan, sext_pairs, off, zp, s2, s4, s6)
    if not last:
        for a in range(k):
            apply_activation(code, slope, act_in[a, :m], S[a, :m])
        pair_sums(S, m, pair_plan, dots)
    return finite


@nb.njit(cache=True)
def network_pass(network, key0, key1, x, widths, codes, slopes, C_W, C_b, sampler, weights,
                 meas_index, off, pairs, pair_plan, pair_pairs, pair_triples, quad_plan, pair_pair_quad, sext_pairs,
                 row, proto, keep_z, z_out, G_out):
    """Sample one network and write its measurements into ``row`` (n_measured, width) float64.

    x (k, n_0) float64 distinct inputs; widths (L+1,) int64; codes/slopes (L-1,) activation per
    hidden layer; C_W, C_b (L,) float64; meas_index (L,) int64 row of layer l or -1; off (7,) int64
    kernel offsets (nnmc.measurements.Layout.kernel_offsets); pair_plan / quad_plan: nnmc.cpu.dots.dot_plan
    of the pairs and of the quads as pairs of pairs. ``proto`` (1,) array of the sampling dtype. With
    keep_z, z_out (L, k, n_max) and G_out (L, k, k) receive every layer's z and Ghat.
    Returns False when any sampled or measured number is not finite (the network is then rejected).
    """
    k = x.shape[0]
    depth = widths.shape[0] - 1
    n_max = 1
    for l in range(1, depth + 1):
        n_max = max(n_max, widths[l])
    dt = proto.dtype
    p = pairs.shape[0]
    G = np.empty((k, k))
    F = np.empty((k, k))
    coef = np.empty(k, dt)
    s2 = np.empty(p)
    s4 = np.empty(quad_plan[:, 1].sum())
    s6 = np.empty(sext_pairs.shape[0])
    dots = np.zeros(p)
    pair_sums(x, x.shape[1], pair_plan, dots)
    dots_next = np.empty(p)
    if sampler == CONDITIONAL:
        chunk = min(CHUNK, n_max)
        z = np.empty((k, chunk), dt)
        zd = np.empty((k, chunk))
        S_cond = np.empty((k, chunk))
        xi = np.empty((k, chunk), dt)
        scratch = new_normals_scratch()
    else:
        chunk = n_max
        z = np.empty((k, n_max), dt)
        zd = np.empty((k, n_max))
        S = np.empty((k, max(n_max, widths[0])), dt)
        for a in range(k):
            for j in range(widths[0]):
                S[a, j] = x[a, j]
        w = np.empty(n_max * max(n_max, widths[0]), dt)
        bias = np.empty(n_max, dt)
    zp = np.empty((p, chunk))
    z_finite = True
    for l in range(1, depth + 1):
        n_in = widths[l - 1]
        n = widths[l]
        if not _metric(dots, n_in, C_W[l - 1], C_b[l - 1], pairs, G):  # overflow, measured layer or not: reject
            for m_row in range(row.shape[0]):
                row[m_row, :] = np.nan
            return False
        mi = meas_index[l - 1]
        measured = mi >= 0
        last = l == depth
        if measured:
            write_metric_stats(G, row[mi], pairs, pair_pairs, pair_triples, off)
        if keep_z:
            G_out[l - 1] = G
        if not measured and last and not keep_z:
            break
        s2[:] = 0.0
        s4[:] = 0.0
        s6[:] = 0.0
        dots_next[:] = 0.0
        code = codes[l - 1] if not last else 0
        slope = slopes[l - 1] if not last else 0.0
        if sampler == CONDITIONAL:
            rank = pivoted_root(G, F)
            for c0 in range(0, n, chunk):
                m = min(chunk, n - c0)
                _draw_chunk(F, rank, n, c0, m, network, l, key0, key1, coef, xi, scratch, z)
                z_finite &= _chunk_done(z, zd, m, c0, l, measured, last, keep_z, z_out, code, slope, pairs,
                                        pair_plan, quad_plan, sext_pairs, off, zp, s2, s4, s6, zd, S_cond, dots_next)
        else:
            _draw_explicit(S, n_in, n, C_W[l - 1], C_b[l - 1], weights, network, l, key0, key1, w, bias, z)
            z_finite &= _chunk_done(z, zd, n, 0, l, measured, last, keep_z, z_out, code, slope, pairs, pair_plan,
                                    quad_plan, sext_pairs, off, zp, s2, s4, s6, z, S, dots_next)
        if measured:
            write_raw_stats(n, row[mi], pair_pairs, pair_pair_quad, off, s2, s4, s6)
        dots, dots_next = dots_next, dots
    # every sampled z and measured number must be finite, except m22 of a one-neuron layer (NaN by construction)
    finite = z_finite
    for l in range(1, depth + 1):
        mi = meas_index[l - 1]
        if mi < 0:
            continue
        m22_undefined = widths[l] < 2 and off[4] >= 0
        for c in range(row.shape[1]):
            if not math.isfinite(row[mi, c]) and not (m22_undefined and off[4] <= c < off[4] + pair_pairs.shape[0]):
                finite = False
    return finite


@nb.njit(parallel=True, cache=True)
def sample_block(first_network, key0, key1, x, widths, codes, slopes, C_W, C_b, sampler, weights,
                 meas_index, off, pairs, pair_plan, pair_pairs, pair_triples, quad_plan, pair_pair_quad, sext_pairs,
                 out, finite, proto):
    """Networks first_network .. first_network + len(out) - 1 on all cores.

    out (N, n_measured, width) float64 per-network rows; finite (N,) bool.
    """
    dummy_z = np.empty((0, 0, 0), proto.dtype)
    dummy_G = np.empty((0, 0, 0))
    for t in nb.prange(out.shape[0]):
        finite[t] = network_pass(first_network + t, key0, key1, x, widths, codes, slopes, C_W, C_b, sampler,
                                 weights, meas_index, off, pairs, pair_plan, pair_pairs, pair_triples,
                                 quad_plan, pair_pair_quad, sext_pairs, out[t], proto, False, dummy_z, dummy_G)
