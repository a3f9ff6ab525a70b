"""Counter-based random numbers: Philox4x32-10 and the Box-Muller transform (DESIGN.md s.2).

Philox4x32-10 is the generator of Random123 (Salmon, Moraes, Dror & Shaw, SC11) and of curand.
Every random number in nnmc is addressed, never drawn from a stateful stream:

  key      = (seed mod 2^32, seed >> 32)                                   (seed: 0 <= seed < 2^64)
  counter  = (g, layer << 8 | purpose, network mod 2^32, network >> 32)  (network: 0 <= i < 2^63)

where ``g`` numbers the 4-word output groups of one stream (network, layer, purpose); layer < 2^24,
purpose < 2^8 (see ``Purpose``). The normal with index m of a stream comes from group g = m // 4:
words (w0, w1) give normals m = 4g, 4g+1 and words (w2, w3) give 4g+2, 4g+3, by Box-Muller as in
curand (``_curand_box_muller``), evaluated in float64:

  u = (w_even + 1/2) 2^-32,  v = (w_odd + 1/2) 2^-32,  r = sqrt(-2 ln u),
  first = r sin(2 pi v),     second = r cos(2 pi v).

Uniforms in (0, 1) (explicit sampler, non-Gaussian weights) are (w + 1/2) 2^-32 of word m of a stream.
The CUDA kernels use the same layout, so CPU and GPU streams agree bit for bit as integers.
"""

from __future__ import annotations

from enum import IntEnum

import numba as nb
import numpy as np

from .fastmath import box_muller_radius, sincos_two_pi

PHILOX_M0 = np.uint64(0xD2511F53)
PHILOX_M1 = np.uint64(0xCD9E8D57)
PHILOX_W0 = np.uint32(0x9E3779B9)
PHILOX_W1 = np.uint32(0xBB67AE85)
_MASK32 = np.uint64(0xFFFFFFFF)
_TWO_POW_M32 = 2.0 ** -32


class Purpose(IntEnum):
    """Which random quantity a stream feeds (the low 8 bits of counter word 1)."""

    PREACTIVATION = 0  # conditional sampler: the standard normals xi of z = xi B^T
    WEIGHT = 1         # explicit sampler: W^(l)
    BIAS = 2           # explicit sampler: b^(l)
    BACKWARD = 3       # conditional NTK backward pass (theory.md s.7.5)


@nb.njit(cache=True, inline="always")
def _round(c0, c1, c2, c3, k0, k1):
    p0 = PHILOX_M0 * nb.uint64(c0)
    p1 = PHILOX_M1 * nb.uint64(c2)
    hi0 = nb.uint32(p0 >> nb.uint64(32))
    lo0 = nb.uint32(p0 & _MASK32)
    hi1 = nb.uint32(p1 >> nb.uint64(32))
    lo1 = nb.uint32(p1 & _MASK32)
    return nb.uint32(hi1 ^ c1 ^ k0), lo1, nb.uint32(hi0 ^ c3 ^ k1), lo0


@nb.njit(cache=True, inline="always")
def _bump(k0, k1):
    return nb.uint32(k0 + PHILOX_W0), nb.uint32(k1 + PHILOX_W1)


@nb.njit(cache=True, inline="always")
def philox4x32_10(c0, c1, c2, c3, k0, k1):
    """One Philox4x32-10 block: four uint32 counter words and two key words -> four uint32 words.

    The ten rounds are written out: a rounds loop would be LLVM's innermost loop and keep it from
    vectorising the loop over counters that calls this (2.5x slower here).
    """
    c0, c1, c2, c3 = nb.uint32(c0), nb.uint32(c1), nb.uint32(c2), nb.uint32(c3)
    k0, k1 = nb.uint32(k0), nb.uint32(k1)
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0, k1)
    k0, k1 = _bump(k0, k1)
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0, k1)
    k0, k1 = _bump(k0, k1)
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0, k1)
    k0, k1 = _bump(k0, k1)
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0, k1)
    k0, k1 = _bump(k0, k1)
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0, k1)
    k0, k1 = _bump(k0, k1)
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0, k1)
    k0, k1 = _bump(k0, k1)
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0, k1)
    k0, k1 = _bump(k0, k1)
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0, k1)
    k0, k1 = _bump(k0, k1)
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0, k1)
    k0, k1 = _bump(k0, k1)
    return _round(c0, c1, c2, c3, k0, k1)


@nb.njit(cache=True)
def stream_word1(layer, purpose):
    """Counter word 1 of the stream (layer, purpose)."""
    return nb.uint32((nb.uint32(layer) << nb.uint32(8)) | nb.uint32(purpose))


SCRATCH_GROUPS = 128  # Philox groups (512 normals) per pass of ``fill_normals_from``: its scratch stays in L1


@nb.njit(cache=True)
def new_normals_scratch():
    """Scratch for ``fill_normals_from``: (5, 2 SCRATCH_GROUPS) float64, reusable call after call."""
    return np.empty((5, 2 * SCRATCH_GROUPS))


@nb.njit(cache=True, inline="always")
def _pick(j, t, groups, radius, sin_v, cos_v):
    """Normal j (0..3) of scratch group t: planar pairs t (words w0, w1) and groups + t (words w2, w3)."""
    q = t if j < 2 else groups + t
    return radius[q] * sin_v[q] if j % 2 == 0 else radius[q] * cos_v[q]


@nb.njit(cache=True)
def _normals_pass(out, first, key0, key1, c1, c2, c3, scratch):
    """Normals first .. first + len(out) - 1 of one stream, all from at most SCRATCH_GROUPS groups."""
    g0 = first // 4
    groups = (first + out.shape[0] + 3) // 4 - g0
    u = scratch[0, : 2 * groups]
    v = scratch[1, : 2 * groups]
    for t in range(groups):
        w0, w1, w2, w3 = philox4x32_10(g0 + t, c1, c2, c3, key0, key1)
        u[t] = (np.float64(w0) + 0.5) * _TWO_POW_M32
        v[t] = (np.float64(w1) + 0.5) * _TWO_POW_M32
        u[groups + t] = (np.float64(w2) + 0.5) * _TWO_POW_M32
        v[groups + t] = (np.float64(w3) + 0.5) * _TWO_POW_M32
    radius = scratch[2, : 2 * groups]
    sin_v = scratch[3, : 2 * groups]
    cos_v = scratch[4, : 2 * groups]
    box_muller_radius(u, radius)
    sincos_two_pi(v, sin_v, cos_v)
    head = (4 - first % 4) % 4
    head = min(head, out.shape[0])
    for q in range(head):
        out[q] = _pick(first % 4 + q, 0, groups, radius, sin_v, cos_v)
    t0 = 1 if first % 4 else 0
    full = (out.shape[0] - head) // 4
    for t in range(full):
        out[head + 4 * t] = radius[t0 + t] * sin_v[t0 + t]
        out[head + 4 * t + 1] = radius[t0 + t] * cos_v[t0 + t]
        out[head + 4 * t + 2] = radius[groups + t0 + t] * sin_v[groups + t0 + t]
        out[head + 4 * t + 3] = radius[groups + t0 + t] * cos_v[groups + t0 + t]
    for q in range(head + 4 * full, out.shape[0]):
        out[q] = _pick(q - head - 4 * full, t0 + full, groups, radius, sin_v, cos_v)


@nb.njit(cache=True)
def fill_normals_from(out, first, key0, key1, network, layer, purpose, scratch):
    """Write normals first .. first + len(out) - 1 of stream (network, layer, purpose) into ``out`` (1-d).

    ``out`` may be float32 or float64; values are computed in float64 and rounded on store. ``scratch``:
    from ``new_normals_scratch``. The work runs in passes of at most SCRATCH_GROUPS Philox groups, each split
    into vectorisable loops (Philox words -> uniforms -> radius and angle -> products, see
    ``nnmc.fastmath``), so that every value is written and read while it is still in L1.
    """
    c1 = stream_word1(layer, purpose)
    c2 = nb.uint32(nb.uint64(network) & _MASK32)
    c3 = nb.uint32(nb.uint64(network) >> nb.uint64(32))
    stop = first + out.shape[0]
    start = first
    while start < stop:  # passes over whole blocks of SCRATCH_GROUPS groups (vector loops without remainders)
        end = min(stop, (start // (4 * SCRATCH_GROUPS) + 1) * 4 * SCRATCH_GROUPS)
        _normals_pass(out[start - first:end - first], start, key0, key1, c1, c2, c3, scratch)
        start = end


@nb.njit(cache=True)
def fill_normals(out, key0, key1, network, layer, purpose):
    """Write normals 0 .. len(out)-1 of stream (network, layer, purpose) into the 1-d array ``out``."""
    fill_normals_from(out, 0, key0, key1, network, layer, purpose, new_normals_scratch())


@nb.njit(cache=True)
def fill_uniforms(out, key0, key1, network, layer, purpose):
    """Write uniforms (w + 1/2) 2^-32 in (0, 1), words 0 .. len(out)-1 of a stream, into ``out``."""
    m = out.shape[0]
    c1 = stream_word1(layer, purpose)
    c2 = nb.uint32(nb.uint64(network) & _MASK32)
    c3 = nb.uint32(nb.uint64(network) >> nb.uint64(32))
    for g in range((m + 3) // 4):
        w = philox4x32_10(g, c1, c2, c3, key0, key1)
        for j in range(4):
            if 4 * g + j < m:
                out[4 * g + j] = (np.float64(w[j]) + 0.5) * _TWO_POW_M32


def split_seed(seed: int) -> tuple[int, int]:
    """Philox key words (low, high) of a 64-bit seed."""
    if not 0 <= seed < 2 ** 64:
        raise ValueError(f"seed must satisfy 0 <= seed < 2^64, got {seed}")
    return seed & 0xFFFFFFFF, seed >> 32


@nb.njit(cache=True)
def _philox_many(counters, keys):
    out = np.empty_like(counters)
    for i in range(counters.shape[0]):
        r = philox4x32_10(counters[i, 0], counters[i, 1], counters[i, 2], counters[i, 3], keys[i, 0], keys[i, 1])
        for j in range(4):
            out[i, j] = r[j]
    return out


def philox(counters: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Vectorised Philox4x32-10: counters (m, 4) and keys (m, 2) uint32 -> (m, 4) uint32."""
    counters = np.ascontiguousarray(counters, dtype=np.uint32).reshape(-1, 4)
    keys = np.ascontiguousarray(keys, dtype=np.uint32).reshape(-1, 2)
    return _philox_many(counters, np.broadcast_to(keys, (counters.shape[0], 2)).copy())


@nb.njit(cache=True)
def _normals(out, first, key0, key1, network, layer, purpose):
    fill_normals_from(out, first, key0, key1, network, layer, purpose, new_normals_scratch())


def normals(seed: int, network: int, layer: int, purpose: int, count: int, dtype=np.float64,
            first: int = 0) -> np.ndarray:
    """Normals first .. first + count - 1 of stream (network, layer, purpose) under ``seed``, shape (count,)."""
    k0, k1 = split_seed(seed)
    if first < 0:
        raise ValueError(f"first must be >= 0, got {first}")
    out = np.empty(count, dtype=dtype)
    _normals(out, first, np.uint32(k0), np.uint32(k1), np.uint64(network), np.uint32(layer), np.uint32(purpose))
    return out


@nb.njit(parallel=True, cache=True)
def _normals_parallel(out, key0, key1, first_network, layer, purpose):
    for i in nb.prange(out.shape[0]):
        fill_normals(out[i], key0, key1, first_network + i, layer, purpose)


def normals_for_networks(seed: int, first_network: int, n_networks: int, layer: int, purpose: int,
                         count: int, dtype=np.float64) -> np.ndarray:
    """(n_networks, count) normals: row i is stream (first_network + i, layer, purpose), on all cores.

    This is the "normals floor" of the benchmarks: the cost of the random numbers alone.
    """
    k0, k1 = split_seed(seed)
    out = np.empty((n_networks, count), dtype=dtype)
    _normals_parallel(out, np.uint32(k0), np.uint32(k1), np.uint64(first_network), np.uint32(layer),
                      np.uint32(purpose))
    return out


@nb.njit(parallel=True, cache=True)
def _stream_floor(key0, key1, first_network, n_networks, counts, proto):
    total = 0.0
    for t in nb.prange(n_networks):
        buf = np.empty(counts.max(), proto.dtype)
        for layer in range(counts.shape[0]):
            fill_normals(buf[: counts[layer]], key0, key1, first_network + t, layer + 1, 0)
            total += buf[0]
    return total


def normals_floor(seed: int, first_network: int, n_networks: int, counts_per_layer, dtype=np.float32) -> float:
    """Draw, on all cores, exactly the normals the conditional sampler draws (``counts_per_layer[l-1]``
    = n_l k per network and layer) into a reusable buffer and discard them.

    The time this takes is the "normals floor" of the benchmarks: the sampler cannot beat it. Returns a
    checksum so the work cannot be optimised away.
    """
    k0, k1 = split_seed(seed)
    counts = np.ascontiguousarray(counts_per_layer, dtype=np.int64)
    return float(_stream_floor(np.uint32(k0), np.uint32(k1), np.uint64(first_network), n_networks, counts,
                               np.zeros(1, dtype)))
