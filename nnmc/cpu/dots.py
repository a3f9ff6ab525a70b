"""Sums of products of rows, blocked so that one load feeds up to four sums (numba).

The neuron sums of the measurements and of the metric all have the form

  out[o] += sum_{i < n} X[A_o, i] X[B_o, i]      (float64, whatever the dtype of X)

for a list of row pairs (A_o, B_o): m2 (X = z, the pairs a <= b), m4 (X = the pair products z_a z_b, the
quads as pairs of pairs) and S^T S of the metric (X = the activations). Summed one pair at a time, every
multiply-add needs two loads and the loop runs at the speed of the load ports; summing up to four pairs
that share the row A in one pass lets one load of X[A] feed four multiply-adds (m4 at k = 4 here: 1.8x
faster). ``dot_plan`` groups the pairs once per config; ``row_dots`` runs the groups. The sums are added to
``out``, so that a layer can be summed chunk by chunk of neurons. For k <= 6 inputs the unrolled sums of
nnmc.cpu.power_sums_unrolled take their place (2.3x faster at k = 4, more at k = 5, 6); these serve k > 6 and the
six-point sums.

The loops only read X and add into scalars, so the summation order is fixed by n alone (no run-time
alias checks, whose scalar fallback would sum in another order; see nnmc.cpu.measure).
"""

from __future__ import annotations

import numba as nb
import numpy as np

# Let LLVM reassociate sums (and fuse multiply-adds) so that the reductions over neurons vectorise;
# without it each sum is a serial chain of dependent adds (about 4x slower). NaN/inf semantics are kept
# (no 'nnan'/'ninf'), so non-finite networks are still detected.
REDUCE = {"reassoc", "contract"}

BLOCK = 4  # sums per pass: with LLVM's four-fold interleave, 16 vector accumulators


def dot_plan(row_pairs: np.ndarray) -> np.ndarray:
    """The blocks of ``row_dots`` for pairs (m, 2) int64 of row indices: (n_blocks, 2 + 2 BLOCK) int64.

    Block r is [A, count, B_0 .. B_3, o_0 .. o_3]: out[o_j] += sum_i X[A, i] X[B_j, i] for j < count,
    o_j the index of the pair (A, B_j) in ``row_pairs``; unused slots repeat the last B (summed, not stored)
    and have o = -1. Pairs are grouped by their first row, in order of first appearance.
    """
    row_pairs = np.asarray(row_pairs, dtype=np.int64).reshape(-1, 2)
    by_first: dict[int, list[int]] = {}
    for o, A in enumerate(row_pairs[:, 0]):
        by_first.setdefault(int(A), []).append(o)
    blocks = []
    for A, outs in by_first.items():
        for start in range(0, len(outs), BLOCK):
            chunk = outs[start:start + BLOCK]
            pad = BLOCK - len(chunk)
            Bs = [int(row_pairs[o, 1]) for o in chunk]
            blocks.append([A, len(chunk)] + Bs + [Bs[-1]] * pad + chunk + [-1] * pad)
    return np.array(blocks, dtype=np.int64).reshape(-1, 2 + 2 * BLOCK)


@nb.njit(cache=True, fastmath=REDUCE)
def row_dots(X, n, plan, out):
    """out[o] += sum_{i < n} X[A, i] X[B, i] in float64 for every (A, B, o) of ``plan`` (see ``dot_plan``).

    X (rows, >= n) float32 or float64, C-contiguous; out (m,) float64.
    """
    for r in range(plan.shape[0]):
        A = plan[r, 0]
        B0, B1, B2, B3 = plan[r, 2], plan[r, 3], plan[r, 4], plan[r, 5]
        s0 = s1 = s2 = s3 = 0.0
        for i in range(n):
            x = np.float64(X[A, i])
            s0 += x * np.float64(X[B0, i])
            s1 += x * np.float64(X[B1, i])
            s2 += x * np.float64(X[B2, i])
            s3 += x * np.float64(X[B3, i])
        sums = (s0, s1, s2, s3)
        for j in range(plan[r, 1]):
            out[plan[r, 2 + BLOCK + j]] += sums[j]


@nb.njit(cache=True, fastmath=REDUCE)
def combine_rows(coef, X, n, out):
    """out[:n] = sum_j coef[j] X[j, :n] in the dtype of ``out``: X (>= m, >= n), coef (m,), four rows a pass."""
    for i in range(n):
        out[i] = 0.0
    m = coef.shape[0]
    for j in range(0, m, BLOCK):
        count = min(BLOCK, m - j)
        c0 = coef[j]
        if count == 4:
            c1, c2, c3 = coef[j + 1], coef[j + 2], coef[j + 3]
            for i in range(n):
                out[i] += c0 * X[j, i] + c1 * X[j + 1, i] + c2 * X[j + 2, i] + c3 * X[j + 3, i]
        elif count == 3:
            c1, c2 = coef[j + 1], coef[j + 2]
            for i in range(n):
                out[i] += c0 * X[j, i] + c1 * X[j + 1, i] + c2 * X[j + 2, i]
        elif count == 2:
            c1 = coef[j + 1]
            for i in range(n):
                out[i] += c0 * X[j, i] + c1 * X[j + 1, i]
        else:
            for i in range(n):
                out[i] += c0 * X[j, i]
