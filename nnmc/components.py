"""Component index tables: which multi-index each stored column means.

Stored observables are symmetric tensors over the k input labels; each independent component is
stored once, in the lexicographic order produced here. The tables are written into every HDF5 file
(DESIGN.md s.5) and the ``expand_*`` functions rebuild full tensors (DESIGN.md s.9 index order).

Tables (k inputs, int64 arrays):
  pairs(k)         (p, 2)  a <= b,                 p = k(k+1)/2        -> G, m2
  pair_pairs(k)    (q, 2)  P <= Q over pair indices, q = p(p+1)/2      -> GG, m22  (columns are pair indices)
  quads(k)         (c4, 4) a <= b <= c <= d                            -> m4
  pair_triples(k)  (c6, 3) P <= Q <= R over pair indices               -> GGG
  sextuples(k)     (s6, 6) a <= ... <= f                               -> m6
"""

from __future__ import annotations

from functools import lru_cache
from itertools import combinations_with_replacement

import numpy as np


@lru_cache(maxsize=None)
def pairs(k: int) -> np.ndarray:
    """(k(k+1)/2, 2) int64: input pairs (a, b) with a <= b, lexicographic."""
    return np.array(list(combinations_with_replacement(range(k), 2)), dtype=np.int64).reshape(-1, 2)


@lru_cache(maxsize=None)
def pair_pairs(k: int) -> np.ndarray:
    """(q, 2) int64: pairs (P, Q), P <= Q, of indices into ``pairs(k)``."""
    p = len(pairs(k))
    return np.array(list(combinations_with_replacement(range(p), 2)), dtype=np.int64).reshape(-1, 2)


@lru_cache(maxsize=None)
def pair_triples(k: int) -> np.ndarray:
    """(c, 3) int64: triples P <= Q <= R of indices into ``pairs(k)``."""
    p = len(pairs(k))
    return np.array(list(combinations_with_replacement(range(p), 3)), dtype=np.int64).reshape(-1, 3)


@lru_cache(maxsize=None)
def sorted_tuples(k: int, order: int) -> np.ndarray:
    """(c, order) int64: non-decreasing index tuples of length ``order`` over k labels."""
    return np.array(list(combinations_with_replacement(range(k), order)), dtype=np.int64).reshape(-1, order)


def quads(k: int) -> np.ndarray:
    """(c4, 4) int64: a <= b <= c <= d."""
    return sorted_tuples(k, 4)


def sextuples(k: int) -> np.ndarray:
    """(c6, 6) int64: a <= b <= ... <= f."""
    return sorted_tuples(k, 6)


@lru_cache(maxsize=None)
def pair_index(k: int) -> np.ndarray:
    """(k, k) int64: position of the unordered pair {a, b} in ``pairs(k)``."""
    idx = np.empty((k, k), dtype=np.int64)
    for n, (a, b) in enumerate(pairs(k)):
        idx[a, b] = idx[b, a] = n
    return idx


@lru_cache(maxsize=None)
def _sorted_tuple_index(k: int, order: int) -> np.ndarray:
    """k**order int64 array: position in ``sorted_tuples(k, order)`` of any (unsorted) index tuple."""
    table = {tuple(t): n for n, t in enumerate(sorted_tuples(k, order))}
    full = np.empty((k,) * order, dtype=np.int64)
    for t in np.ndindex(*full.shape):
        full[t] = table[tuple(sorted(t))]
    return full


@lru_cache(maxsize=None)
def _pair_pair_index(k: int) -> np.ndarray:
    """(k, k, k, k) int64: column of (ab|cd) in ``pair_pairs(k)``, symmetric under a<->b, c<->d, (ab)<->(cd)."""
    pi = pair_index(k)
    p = len(pairs(k))
    pp = np.empty((p, p), dtype=np.int64)
    for n, (P, Q) in enumerate(pair_pairs(k)):
        pp[P, Q] = pp[Q, P] = n
    return pp[pi[:, :, None, None], pi[None, None, :, :]]


def expand_pairs(values: np.ndarray, k: int) -> np.ndarray:
    """(..., p) -> (..., k, k) symmetric tensor."""
    return np.asarray(values)[..., pair_index(k)]


def expand_pair_pairs(values: np.ndarray, k: int) -> np.ndarray:
    """(..., q) -> (..., k, k, k, k) with T[a,b,c,d] = value of (ab|cd)."""
    return np.asarray(values)[..., _pair_pair_index(k)]


def expand_sorted(values: np.ndarray, k: int, order: int) -> np.ndarray:
    """(..., c) -> (..., k, ..., k) fully symmetric tensor of the given order."""
    return np.asarray(values)[..., _sorted_tuple_index(k, order)]


def same_neuron_from_pair_pairs(k: int) -> np.ndarray:
    """(c4, 3) int64: for each quad (a,b,c,d) the pair_pairs columns of (ab|cd), (ac|bd), (ad|bc).

    Used for the same-neuron fourth moment E[z_a z_b z_c z_d] = E[Ghat_ab Ghat_cd + Ghat_ac Ghat_bd
    + Ghat_ad Ghat_bc] (DESIGN.md s.4).
    """
    full = _pair_pair_index(k)
    return np.array([[full[a, b, c, d], full[a, c, b, d], full[a, d, b, c]] for a, b, c, d in quads(k)],
                    dtype=np.int64).reshape(-1, 3)


def wick_pairings_of_pair_triples(k: int) -> np.ndarray:
    """(c6, 15) int64: for each sextuple the pair_triples columns of its 15 pairings (Wick/Isserlis).

    E[z_a..z_f] for one neuron = sum over the 15 pairings of E[Ghat Ghat Ghat] (theory.md s.0).
    """
    pi = pair_index(k)
    table = {tuple(t): n for n, t in enumerate(pair_triples(k))}
    out = []
    for t in sextuples(k):
        cols = []
        for pairing in _pairings(tuple(range(6))):
            P = sorted(int(pi[t[i], t[j]]) for i, j in pairing)
            cols.append(table[tuple(P)])
        out.append(cols)
    return np.array(out, dtype=np.int64).reshape(-1, 15)


def _pairings(items: tuple) -> list:
    """All perfect matchings of an even-length tuple (15 for six items)."""
    if not items:
        return [[]]
    first, rest = items[0], items[1:]
    result = []
    for i, other in enumerate(rest):
        remaining = rest[:i] + rest[i + 1:]
        for tail in _pairings(remaining):
            result.append([(first, other)] + tail)
    return result


def label(quantity: str, component: tuple[int, ...]) -> str:
    """'G (0,1)', 'V (00)(11)', 'R4 (0)'; four-index labels take commas, 'V (0,11)(3,12)', once an index has two
    digits (k > 10), where '(111)' could be (1,11) or (11,1)."""
    if len(component) == 4:
        a, b, c, d = component
        sep = "," if max(component) >= 10 else ""
        return f"{quantity} ({a}{sep}{b})({c}{sep}{d})"
    return f"{quantity} ({','.join(str(a) for a in component)})"

