"""The fused per-network forward pass on the CPU: sample every layer, measure, move on (numba).

One network = one call of ``network_pass``; ``sample_block`` runs it over a block of networks on all
cores (``prange``). Two ways to produce the preactivations z^(l) (k_u distinct inputs x n_l neurons,
sampling dtype), both exact for Gaussian weights:

* conditional (theory.md s.6): z^(l) = F xi with F F^T = Ghat^(l) (pivoted root, any rank) and xi the
  standard normals of stream (network, l, PREACTIVATION), xi[j, i] = normal number j n_l + i;
  cost O(n_l k^2) per layer.
* explicit (DESIGN.md s.3): W^(l)_{ij} = sqrt(C_W/n_{l-1}) x normal number i n_{l-1} + j of stream
  (network, l, WEIGHT) and b^(l)_i = sqrt(C_b) x normal i of (network, l, BIAS); "uniform" weights use
  the uniforms of the same streams, scaled to the same variances, U(-sqrt(3 var), sqrt(3 var));
  cost O(n_l n_{l-1} k).

In both, Ghat^(l) = C_b^(l) + (C_W^(l)/n_{l-1}) S^(l-1)T S^(l-1) is accumulated in float64 from the
activations S (S^(0) = the inputs) and measured (nnmc.cpu.measure).

numba's on-disk cache (cache=True) keys these kernels by this file alone: the code of the kernels they call
(nnmc.cpu.measure, .linalg, .activation, nnmc.rng, nnmc.fastmath) is compiled in, and a change there is not
seen until this file changes too or the cache (``__pycache__/*.nbi, *.nbc``) is deleted.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from ..rng import Purpose, fill_normals, fill_uniforms
from .activation import apply_activation
from .linalg import pivoted_root
from .measure import REDUCE, write_metric_stats, write_raw_stats

CONDITIONAL, EXPLICIT = 0, 1
GAUSSIAN, UNIFORM = 0, 1
_PRE = int(Purpose.PREACTIVATION)
_WEIGHT = int(Purpose.WEIGHT)
_BIAS = int(Purpose.BIAS)


@nb.njit(cache=True, fastmath=REDUCE)
def _metric(S, n_in, C_W, C_b, G):
    """G (k, k) float64 = C_b + (C_W/n_in) S^T S for S (k, >= n_in) (inputs as rows)."""
    k = G.shape[0]
    for a in range(k):
        for b in range(a, k):
            acc = 0.0
            for i in range(n_in):
                acc += np.float64(S[a, i]) * np.float64(S[b, i])
            G[a, b] = C_b + C_W / n_in * acc
            G[b, a] = G[a, b]


@nb.njit(cache=True, fastmath=REDUCE)
def _draw_conditional(G, n, network, layer, key0, key1, F, xi, z):
    k = G.shape[0]
    rank = pivoted_root(G, F)
    flat = xi[: k * n]
    fill_normals(flat, key0, key1, network, layer, _PRE)
    for a in range(k):
        for i in range(n):
            z[a, i] = 0.0
        for j in range(rank):
            f = F[a, j]
            if f != 0.0:
                for i in range(n):
                    z[a, i] += f * flat[j * n + i]


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


@nb.njit(cache=True)
def network_pass(network, key0, key1, x, widths, codes, slopes, C_W, C_b, sampler, weights,
                 meas_index, off, pairs, pair_pairs, pair_triples, quad_pairs, pair_pair_quad, sext_pairs,
                 row, proto, keep_z, z_out, G_out):
    """Sample one network and write its measurements into ``row`` (n_measured, width) float64.

    x (k, n_0) float64 distinct inputs; widths (L+1,) int64; codes/slopes (L-1,) activation per
    hidden layer; C_W, C_b (L,) float64; meas_index (L,) int64 row of layer l or -1; off (7,) int64
    kernel offsets (nnmc.measurements.Layout.kernel_offsets). ``proto`` (1,) array of the sampling
    dtype. With keep_z, z_out (L, k, n_max) and G_out (L, k, k) receive every layer's z and Ghat.
    Returns False when any sampled or measured number is not finite (the network is then rejected).
    """
    k = x.shape[0]
    depth = widths.shape[0] - 1
    n_max = 1
    for l in range(1, depth + 1):
        n_max = max(n_max, widths[l])
    n_in_max = max(n_max, widths[0])
    dt = proto.dtype
    z = np.empty((k, n_max), dt)
    S = np.empty((k, n_in_max), dt)
    for a in range(k):
        for j in range(widths[0]):
            S[a, j] = x[a, j]
    G = np.empty((k, k))
    F = np.empty((k, k))
    p = pairs.shape[0]
    zp = np.empty((p, n_max))
    if sampler == CONDITIONAL:
        xi = np.empty(k * n_max, dt)
        w = np.empty(0, dt)
        bias = np.empty(0, dt)
    else:
        xi = np.empty(0, dt)
        w = np.empty(n_max * n_in_max, dt)
        bias = np.empty(n_max, dt)
    finite = True
    for l in range(1, depth + 1):
        n_in = widths[l - 1]
        n = widths[l]
        _metric(S, n_in, C_W[l - 1], C_b[l - 1], G)
        mi = meas_index[l - 1]
        if mi >= 0:
            write_metric_stats(G, row[mi], pairs, pair_pairs, pair_triples, off)
        if keep_z:
            G_out[l - 1] = G
        if mi < 0 and l == depth and not keep_z:
            break
        if sampler == CONDITIONAL:
            _draw_conditional(G, n, network, l, key0, key1, F, xi, z)
        else:
            _draw_explicit(S, n_in, n, C_W[l - 1], C_b[l - 1], weights, network, l, key0, key1, w, bias, z)
        if mi >= 0:
            write_raw_stats(z, n, row[mi], pairs, pair_pairs, quad_pairs, pair_pair_quad, sext_pairs, off, zp)
        if keep_z:
            for a in range(k):
                for i in range(n):
                    z_out[l - 1, a, i] = z[a, i]
        if l < depth:
            for a in range(k):
                apply_activation(codes[l - 1], slopes[l - 1], z[a, :n], S[a, :n])
    # every measured number must be finite, except m22 of a one-neuron layer (NaN by construction)
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
                 meas_index, off, pairs, pair_pairs, pair_triples, quad_pairs, pair_pair_quad, sext_pairs,
                 out, finite, proto):
    """Networks first_network .. first_network + len(out) - 1 on all cores.

    out (N, n_measured, width) float64 per-network rows; finite (N,) bool.
    """
    dummy_z = np.empty((0, 0, 0), proto.dtype)
    dummy_G = np.empty((0, 0, 0))
    for t in nb.prange(out.shape[0]):
        finite[t] = network_pass(first_network + t, key0, key1, x, widths, codes, slopes, C_W, C_b, sampler,
                                 weights, meas_index, off, pairs, pair_pairs, pair_triples, quad_pairs,
                                 pair_pair_quad, sext_pairs, out[t], proto, False, dummy_z, dummy_G)
